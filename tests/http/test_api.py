#!/usr/bin/python3
"""Black-box HTTP tests for `quotewire serve`.

Python 3 standard library + PyYAML (Debian python3-yaml).  Normally started by
tests/http/run.sh, which starts the servers; by hand:

    /usr/bin/python3 tests/http/test_api.py --base http://127.0.0.1:8080 \
        [--auth-base URL --auth-key KEY] [--binary ./quotewire] [--db FILE]

Every response is checked against openapi.yaml: the status must be declared
for the path and method, required headers present, the Content-Type declared,
and JSON bodies (and NDJSON lines) must validate against the declared schema.
Prints one line per failed test and ends with `http: N passed, N failed`.
"""
import argparse
import base64
import csv
import datetime
import gzip
import http.client
import io
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
import urllib.parse

try:
    import yaml
except ImportError:  # pragma: no cover
    print("http: PyYAML missing: apt-get install python3-yaml and run with /usr/bin/python3")
    print("http: 0 passed, 1 failed")
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ARGS = None
SPEC = None
VALIDATOR = None
BASE = None        # (host, port) of the main instance
AUTH = None        # (host, port) of the instance with --api-key-file, or None
VERBOSE = False

SEED_TITLE = "Secretary Blinken heads to China on a salvage mission"
CAMPBELL_QUOTES = [
    "We\u2019re clear-eyed about the PRC,",
    "We know efforts to shape or reform China over several decades have failed and we expect "
    "China to be around and to be a major player on the world stage for the rest of our lifetimes.",
]
PROBLEM = "urn:quotewire:problem:"

# --------------------------------------------------------------------------
# A minimal JSON Schema validator (the subset of OpenAPI 3.1 used here).
# --------------------------------------------------------------------------

DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DATETIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")


def _is_type(x, t):
    if t == "null":
        return x is None
    if t == "boolean":
        return isinstance(x, bool)
    if t == "integer":
        if isinstance(x, bool):
            return False
        return isinstance(x, int) or (isinstance(x, float) and x.is_integer())
    if t == "number":
        return isinstance(x, (int, float)) and not isinstance(x, bool)
    if t == "string":
        return isinstance(x, str)
    if t == "array":
        return isinstance(x, list)
    if t == "object":
        return isinstance(x, dict)
    raise ValueError("unknown type %r" % t)


def _json_eq(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


class Validator:
    def __init__(self, doc):
        self.doc = doc

    def ref(self, ref):
        if not ref.startswith("#/"):
            raise ValueError("only local $ref supported: %s" % ref)
        node = self.doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[part]
        return node

    def resolve(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node and len(node) == 1:
            node = self.ref(node["$ref"])
            seen += 1
            if seen > 50:
                raise ValueError("$ref loop")
        return node

    def errors(self, x, schema, path="$"):
        errs = []
        self._v(x, schema, path, errs)
        return errs

    def _v(self, x, s, p, errs):
        if s is True or s is None:
            return
        if s is False:
            errs.append("%s: no value allowed" % p)
            return
        if "$ref" in s:
            self._v(x, self.ref(s["$ref"]), p, errs)
            s = {k: v for k, v in s.items() if k != "$ref"}
            if not s:
                return
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not any(_is_type(x, t) for t in types):
                errs.append("%s: expected %s, got %s" % (p, "|".join(types), _short(x)))
                return
        if "const" in s and not _json_eq(x, s["const"]):
            errs.append("%s: expected %r, got %s" % (p, s["const"], _short(x)))
        if "enum" in s and not any(_json_eq(x, e) for e in s["enum"]):
            errs.append("%s: %s not in %r" % (p, _short(x), s["enum"]))
        if _is_type(x, "number"):
            if "minimum" in s and x < s["minimum"]:
                errs.append("%s: %r < minimum %r" % (p, x, s["minimum"]))
            if "maximum" in s and x > s["maximum"]:
                errs.append("%s: %r > maximum %r" % (p, x, s["maximum"]))
            if "exclusiveMinimum" in s and x <= s["exclusiveMinimum"]:
                errs.append("%s: %r <= exclusiveMinimum %r" % (p, x, s["exclusiveMinimum"]))
            if "exclusiveMaximum" in s and x >= s["exclusiveMaximum"]:
                errs.append("%s: %r >= exclusiveMaximum %r" % (p, x, s["exclusiveMaximum"]))
        if isinstance(x, str):
            if "minLength" in s and len(x) < s["minLength"]:
                errs.append("%s: string shorter than %d" % (p, s["minLength"]))
            if "maxLength" in s and len(x) > s["maxLength"]:
                errs.append("%s: string longer than %d" % (p, s["maxLength"]))
            if "pattern" in s and not re.search(s["pattern"], x):
                errs.append("%s: %s does not match %s" % (p, _short(x), s["pattern"]))
            fmt = s.get("format")
            if fmt == "date":
                if not DATE_RE.match(x):
                    errs.append("%s: %s is not a date" % (p, _short(x)))
                else:
                    try:
                        datetime.date.fromisoformat(x)
                    except ValueError:
                        errs.append("%s: %s is not a valid date" % (p, _short(x)))
            elif fmt == "date-time" and not DATETIME_RE.match(x):
                errs.append("%s: %s is not an RFC 3339 date-time" % (p, _short(x)))
        if isinstance(x, list):
            if "minItems" in s and len(x) < s["minItems"]:
                errs.append("%s: fewer than %d items" % (p, s["minItems"]))
            if "maxItems" in s and len(x) > s["maxItems"]:
                errs.append("%s: more than %d items" % (p, s["maxItems"]))
            if "items" in s:
                for i, item in enumerate(x):
                    self._v(item, s["items"], "%s[%d]" % (p, i), errs)
        if isinstance(x, dict):
            for k in s.get("required", []):
                if k not in x:
                    errs.append("%s: missing required property %r" % (p, k))
            props = s.get("properties", {})
            for k, v in x.items():
                if k in props:
                    self._v(v, props[k], "%s.%s" % (p, k), errs)
                elif "additionalProperties" in s:
                    ap = s["additionalProperties"]
                    if ap is False:
                        errs.append("%s: unexpected property %r" % (p, k))
                    elif isinstance(ap, dict):
                        self._v(v, ap, "%s.%s" % (p, k), errs)
        for sub in s.get("allOf", []):
            self._v(x, sub, p, errs)
        if "anyOf" in s:
            if not any(not self.errors(x, sub, p) for sub in s["anyOf"]):
                errs.append("%s: matches none of anyOf" % p)
        if "oneOf" in s:
            n = sum(1 for sub in s["oneOf"] if not self.errors(x, sub, p))
            if n != 1:
                errs.append("%s: matches %d of oneOf (want 1)" % (p, n))
        if "not" in s and not self.errors(x, s["not"], p):
            errs.append("%s: matches a 'not' schema" % p)


def _short(x, n=80):
    r = json.dumps(x, ensure_ascii=False) if not isinstance(x, bytes) else repr(x)
    return r if len(r) <= n else r[: n - 3] + "..."


# --------------------------------------------------------------------------
# Spec lookup and conformance of one response
# --------------------------------------------------------------------------

_PATH_RX = []


def _compile_paths():
    for tmpl in SPEC["paths"]:
        parts = re.split(r"(\{[^}]+\})", tmpl)
        rx = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
        _PATH_RX.append((tmpl, re.compile("^" + rx + "$")))


def match_path(raw):
    p = raw.split("?", 1)[0]
    if len(p) > 1 and p.endswith("/"):
        p = p[:-1]
    for tmpl, rx in _PATH_RX:
        if rx.match(p):
            return tmpl
    return None


def valid_id_path(raw, tmpl):
    """True when the {id} segment of raw (matching tmpl) is an id the server parses."""
    segs = raw.split("?", 1)[0].rstrip("/").split("/")
    for seg, t in zip(segs, tmpl.split("/")):
        if t == "{id}":
            return re.fullmatch(r"[1-9][0-9]{0,18}", seg) is not None and int(seg) <= 2 ** 63 - 1
    return True


def media_type(ct):
    return (ct or "").split(";", 1)[0].strip().lower()


def conformance(resp):
    """Returns a list of messages: how resp departs from openapi.yaml."""
    errs = []
    method = resp.method.upper()
    tmpl = match_path(resp.path)
    comp = SPEC["components"]["responses"]
    rdef = None
    where = "%s %s" % (method, tmpl or resp.path.split("?")[0])
    if tmpl is None:
        if resp.status != 404 and resp.status < 500 and resp.status != 400:
            errs.append("%s: path not in spec but got %d" % (where, resp.status))
        rdef = comp["NotFound"] if resp.status == 404 else None
    else:
        item = SPEC["paths"][tmpl]
        op = item.get(method.lower())
        if op is None:
            if resp.status == 405:
                rdef = comp["MethodNotAllowed"]
            elif resp.status == 404 and "{id}" in tmpl and not valid_id_path(resp.path, tmpl):
                rdef = comp["NotFound"]  # no such id: no such resource, whatever the method
            else:
                errs.append("%s: method not in spec but got %d (want 405)" % (where, resp.status))
        else:
            rs = op["responses"]
            rdef = rs.get(str(resp.status)) or rs.get("%dXX" % (resp.status // 100)) or rs.get("default")
            if rdef is None:
                errs.append("%s: status %d not declared (declared: %s)" % (where, resp.status, ", ".join(rs)))
    if rdef is not None:
        rdef = VALIDATOR.resolve(rdef)
        for name, h in (rdef.get("headers") or {}).items():
            h = VALIDATOR.resolve(h)
            val = resp.header(name)
            if val is None:
                if h.get("required"):
                    errs.append("%s %d: missing required header %s" % (where, resp.status, name))
                continue
            hs = h.get("schema") or {}
            v = val
            if hs.get("type") == "integer":
                try:
                    v = int(val)
                except ValueError:
                    errs.append("%s: header %s=%r is not an integer" % (where, name, val))
                    continue
            for e in VALIDATOR.errors(v, hs, "header " + name):
                errs.append("%s %d: %s" % (where, resp.status, e))
        content = rdef.get("content")
        if method != "HEAD" and resp.status not in (204, 304):
            if content and not resp.body and media_type(resp.header("Content-Type")) == "application/x-ndjson":
                pass  # an empty NDJSON list is an empty body
            elif content and not resp.body:
                errs.append("%s %d: empty body, declared %s" % (where, resp.status, ", ".join(content)))
            elif resp.body and not content:
                errs.append("%s %d: body sent but none declared" % (where, resp.status))
            elif resp.body and content:
                mt = media_type(resp.header("Content-Type"))
                if mt not in content:
                    errs.append("%s %d: Content-Type %r not declared (declared: %s)"
                                % (where, resp.status, resp.header("Content-Type"), ", ".join(content)))
                else:
                    errs.extend("%s %d: %s" % (where, resp.status, e) for e in _check_body(resp, mt, content))
    ct_full = (resp.header("Content-Type") or "").lower().replace(" ", "")
    if media_type(ct_full) == "application/json" and "charset=utf-8" not in ct_full:
        errs.append("%s %d: Content-Type %r, want application/json; charset=utf-8" % (where, resp.status, resp.header("Content-Type")))
    if method != "HEAD" and resp.status in (204, 304) and resp.body:
        errs.append("%s: %d with a body (%d bytes)" % (where, resp.status, len(resp.body)))
    if resp.status >= 400 and method != "HEAD" and resp.body:
        if media_type(resp.header("Content-Type")) != "application/problem+json":
            errs.append("%s %d: error Content-Type %r, want application/problem+json"
                        % (where, resp.status, resp.header("Content-Type")))
        else:
            try:
                pj = json.loads(resp.body)
                if isinstance(pj, dict) and pj.get("status") != resp.status:
                    errs.append("%s: problem status %r != HTTP %d" % (where, pj.get("status"), resp.status))
            except ValueError:
                pass
    if resp.status >= 500 and resp.status != 503:
        errs.append("%s: server error %d %s" % (where, resp.status, resp.body[:200]))
    return errs


def _check_body(resp, mt, content):
    schema = (content[mt] or {}).get("schema")
    out = []
    if mt.endswith("json") and mt != "application/x-ndjson":
        try:
            doc = json.loads(resp.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            return ["body is not JSON (%s): %r" % (e, resp.body[:120])]
        out.extend(VALIDATOR.errors(doc, schema or True))
    elif mt == "application/x-ndjson":
        js = (content.get("application/json") or {}).get("schema")
        item_schema = VALIDATOR.resolve(js).get("properties", {}).get("items", {}).get("items") if js else None
        try:
            text = resp.body.decode("utf-8")
        except UnicodeDecodeError:
            return ["NDJSON body is not UTF-8"]
        for i, line in enumerate(text.split("\n")):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except ValueError:
                out.append("ndjson line %d is not JSON: %r" % (i + 1, line[:80]))
                continue
            if item_schema:
                out.extend(VALIDATOR.errors(doc, item_schema, "line%d" % (i + 1)))
    elif mt.startswith("text/") or mt == "application/yaml":
        try:
            resp.body.decode("utf-8")
        except UnicodeDecodeError:
            out.append("%s body is not UTF-8" % mt)
    return out[:8]


# --------------------------------------------------------------------------
# HTTP client
# --------------------------------------------------------------------------

class Resp:
    def __init__(self, method, path, status, reason, headers, body, raw):
        self.method, self.path, self.status, self.reason = method, path, status, reason
        self.headers, self.body, self.raw = headers, body, raw
        self._json = None

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def ctype(self):
        return media_type(self.header("Content-Type"))

    @property
    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise Failure("%s %s -> %d: body is not JSON: %r" % (self.method, self.path, self.status, self.body[:150]))
        return self._json

    def __repr__(self):
        return "%s %s -> %d" % (self.method, self.path, self.status)


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def request(method, path, body=None, headers=None, base=None, conform=True, timeout=15):
    host, port = base or BASE
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    hdrs = dict(headers or {})
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        raw = r.read()
        resp_headers = r.getheaders()
        status, reason = r.status, r.reason
    except (ConnectionError, socket.timeout, http.client.HTTPException, OSError) as e:
        conn.close()
        raise Failure("%s %s: connection failed: %s: %s" % (method, path, type(e).__name__, e))
    conn.close()
    body_out = raw
    enc = ""
    for k, v in resp_headers:
        if k.lower() == "content-encoding":
            enc = v.strip().lower()
    if enc == "gzip" and raw:
        try:
            body_out = gzip.decompress(raw)
        except OSError as e:
            raise Failure("%s %s: bad gzip body: %s" % (method, path, e))
    resp = Resp(method, path, status, reason, resp_headers, body_out, raw)
    if conform:
        for e in conformance(resp):
            fail(e)
    return resp


def get(path, **kw):
    return request("GET", path, **kw)


def post_json(path, obj, base=None, headers=None, **kw):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return request("POST", path, body=json.dumps(obj), headers=h, base=base, **kw)


def post_text(path, text, base=None, headers=None, **kw):
    h = {"Content-Type": "text/plain; charset=utf-8"}
    h.update(headers or {})
    return request("POST", path, body=text, headers=h, base=base, **kw)


def url(path, **params):
    if not params:
        return path
    return path + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def raw_exchange(data, base=None, timeout=5, read_limit=65536, body=b""):
    """Sends raw bytes (then body in chunks, stopping early if the server
    answers first); returns (status or None, response bytes)."""
    import select
    host, port = base or BASE
    s = socket.create_connection((host, port), timeout=timeout)
    chunks = []
    try:
        try:
            s.sendall(data)
            for i in range(0, len(body), 65536):
                r, _, _ = select.select([s], [], [], 0)
                if r:
                    break
                s.sendall(body[i:i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while sum(len(c) for c in chunks) < read_limit:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
                if b"\r\n\r\n" in b"".join(chunks) and b"Connection: close" not in data:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        s.close()
    out = b"".join(chunks)
    m = re.match(rb"HTTP/1\.[01] (\d{3})", out)
    return (int(m.group(1)) if m else None), out


# --------------------------------------------------------------------------
# Test registry
# --------------------------------------------------------------------------

TESTS = []
CURRENT = None


def test(fn):
    TESTS.append(fn)
    return fn


def fail(msg):
    CURRENT.append(str(msg))


def check(cond, msg):
    if not cond:
        fail(msg)
    return bool(cond)


def expect_status(resp, *codes):
    if resp.status not in codes:
        fail("%r, want %s: %s" % (resp, "/".join(map(str, codes)), resp.body[:200]))
        return False
    return True


def expect_problem(resp, status, slug=None, parameter=None, field=None):
    if not expect_status(resp, status):
        return None
    if resp.method == "HEAD":
        return None
    if resp.ctype != "application/problem+json":
        fail("%r: Content-Type %r, want application/problem+json" % (resp, resp.header("Content-Type")))
        return None
    try:
        pj = resp.json
    except Failure as e:
        fail(str(e))
        return None
    if not isinstance(pj, dict):
        fail("%r: problem is not an object" % resp)
        return None
    if slug and pj.get("type") != PROBLEM + slug:
        fail("%r: problem type %r, want %r" % (resp, pj.get("type"), PROBLEM + slug))
    if parameter is not None and pj.get("parameter") != parameter:
        fail("%r: problem parameter %r, want %r (detail: %s)" % (resp, pj.get("parameter"), parameter, pj.get("detail")))
    if field is not None and pj.get("field") != field:
        fail("%r: problem field %r, want %r (detail: %s)" % (resp, pj.get("field"), field, pj.get("detail")))
    return pj


def items_of(resp):
    if resp.status != 200:
        raise Failure("%r: %s" % (resp, resp.body[:200]))
    doc = resp.json
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise Failure("%r: not a list envelope" % resp)
    return doc["items"]


def ids(items):
    return [i.get("id") for i in items]


def with_param(path, name, value):
    sep = "&" if "?" in path else "?"
    return path + sep + name + "=" + urllib.parse.quote(str(value), safe="")


def walk(path, limit=2, max_pages=2000, base=None):
    """Follows `next` cursors; returns (items, pages)."""
    items, pages = [], 0
    cur = with_param(path, "limit", limit)
    first = cur
    while True:
        r = get(cur, base=base)
        page = items_of(r)
        pages += 1
        if len(page) > limit:
            fail("%r: %d items > limit %d" % (r, len(page), limit))
        items.extend(page)
        doc = r.json
        nxt = doc.get("next")
        links = doc.get("links") or {}
        if nxt is None:
            check(links.get("next") is None, "%r: next null but links.next %r" % (r, links.get("next")))
            break
        check(links.get("next") is not None, "%r: next set but links.next null" % r)
        link_hdr = r.header("Link") or ""
        check('rel="next"' in link_hdr, "%r: next cursor but no Link rel=\"next\" header (%r)" % (r, link_hdr))
        if pages >= max_pages:
            fail("%s: more than %d pages" % (path, max_pages))
            break
        if pages == 1 and links.get("next"):
            # links.next must be usable as-is and give the same page as the cursor
            alt = get(links["next"], base=base)
            via_cursor = get(with_param(first, "cursor", nxt), base=base)
            if alt.status == 200 and via_cursor.status == 200:
                check(ids(alt.json.get("items", [])) == ids(via_cursor.json.get("items", [])),
                      "%s: links.next %r and cursor give different pages" % (path, links["next"]))
            else:
                fail("%s: links.next %r -> %d, cursor -> %d" % (path, links["next"], alt.status, via_cursor.status))
        cur = with_param(first, "cursor", nxt)
    return items, pages


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

FIX = {}
SEED = {}


def body_para(*ps):
    return "\n\n".join(ps)


FIXTURES = [
    ("f1", {
        "title": "Qwzx harbor council approves zebrafish sanctuary plan",
        "published": "2001-01-05", "source": "Testwire QA", "dateline": "Portland",
        "author": "A. Tester", "url": "https://example.test/qwzx/1",
        "body": body_para(
            "Portland: Mayor Eleanor Vance said on Monday that the new sanctuary would protect the bay "
            "and its wildlife for decades, after a long debate in the harbor council.",
            "\u201cWe will protect the zebrafish for our children and for their children,\u201d said Eleanor "
            "Vance, the mayor of Portland.",
            "Councillor Marcus Obi voted against the plan. \u201cThis is a waste of public money,\u201d Obi "
            "said after the vote, adding that the council had other priorities this year.")}),
    ("f2", {
        "title": "Qwzx bridge on the east river to open in spring",
        "published": "2001-02-10", "source": "Testwire QA",
        "body": body_para(
            "Engineers said the bridge over the east river was nearly finished.",
            "\u201cThe bridge will open in the spring,\u201d said Harriet Okonkwo, the chief engineer of "
            "the city.")}),
    ("f3", {
        "title": "Qwzx zebrafish report: zebrafish numbers rise",
        "published": "2001-03-15", "source": "testwire qa",
        "body": body_para(
            "The zebrafish count rose again. Zebrafish were seen in every zebrafish pool.",
            "Zebrafish experts said zebrafish thrive in warm water.")}),
    ("f4", {
        "title": "Qwzx weather notes for the week",
        "published": None, "source": "Other QA",
        "body": body_para(
            "Rain is expected on Tuesday and Wednesday across the region, with sunshine returning on "
            "Thursday. Forecasters said temperatures would stay mild for the season, and that a "
            "single zebrafish had been spotted in a flooded garden, which surprised local residents "
            "who had never seen one outside the aquarium downtown.")}),
]


def ensure_fixtures():
    if FIX:
        return
    for key, obj in FIXTURES:
        r = post_json("/articles", obj)
        if r.status not in (200, 201):
            raise Failure("fixture %s: POST /articles -> %d %s" % (key, r.status, r.body[:200]))
        FIX[key] = r.json["id"]


def ensure_seed():
    if SEED:
        return SEED
    r = get(url("/articles", q="salvage mission", limit=50))
    if r.status == 200:
        for a in r.json.get("items", []):
            if a.get("title") == SEED_TITLE:
                SEED["id"] = a["id"]
    if "id" not in SEED:
        with open(os.path.join(HERE, "seed-blinken-china.txt"), encoding="utf-8") as f:
            text = f.read()
        r = post_text("/articles", text)
        if r.status not in (200, 201):
            raise Failure("seed: POST /articles -> %d %s" % (r.status, r.body[:200]))
        SEED["id"] = r.json["id"]
        SEED["posted"] = True
    r = get(url("/people", q="Kurt Campbell"))
    for p in items_of(r):
        if p.get("name") == "Kurt Campbell":
            SEED["campbell"] = p["id"]
    return SEED


def campbell_id():
    ensure_seed()
    if "campbell" not in SEED:
        raise Failure("no person named 'Kurt Campbell' in /people?q=Kurt%20Campbell")
    return SEED["campbell"]


def health():
    r = get("/health")
    expect_status(r, 200)
    return r.json


# --------------------------------------------------------------------------
# Tests: the spec itself
# --------------------------------------------------------------------------

@test
def spec_is_valid_openapi_31():
    check(str(SPEC.get("openapi", "")).startswith("3.1"), "openapi version %r" % SPEC.get("openapi"))
    ops = set()
    for tmpl, item in SPEC["paths"].items():
        params = set(re.findall(r"\{([^}]+)\}", tmpl))
        for m, op in item.items():
            if m == "parameters":
                continue
            check(m in ("get", "head", "post", "delete", "options", "put", "patch"), "%s: bad key %s" % (tmpl, m))
            oid = op.get("operationId")
            check(oid and oid not in ops, "%s %s: operationId %r missing or duplicated" % (m, tmpl, oid))
            ops.add(oid)
            declared = set()
            for prm in (item.get("parameters", []) + op.get("parameters", [])):
                prm = VALIDATOR.resolve(prm)
                if prm.get("in") == "path":
                    declared.add(prm["name"])
            check(params == declared, "%s %s: path params %s declared %s" % (m, tmpl, params, declared))
            check(op.get("responses"), "%s %s: no responses" % (m, tmpl))
    # every $ref resolves
    def walk_refs(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    try:
                        VALIDATOR.ref(v)
                    except (KeyError, ValueError):
                        fail("unresolved $ref %s at %s" % (v, where))
                else:
                    walk_refs(v, where + "/" + str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk_refs(v, "%s/%d" % (where, i))
    walk_refs(SPEC, "#")
    want = {"/", "/health", "/metrics", "/openapi.yaml", "/articles", "/articles/{id}",
            "/articles/{id}/people", "/articles/{id}/quotes", "/people", "/people/{id}",
            "/people/{id}/quotes", "/people/{id}/articles", "/quotes", "/quotes/{id}",
            "/ui", "/ui/app.js", "/ui/yaml.js", "/ui/app.css", "/ui/chart.js",
            "/people/{id}/co-mentions", "/stats/timeseries", "/stats/top", "/stats/gender",
            "/people/{id}/merge", "/corrections"}
    check(want == set(SPEC["paths"]), "paths differ from the contract: %s" % (want ^ set(SPEC["paths"])))


# --------------------------------------------------------------------------
# Tests: service endpoints
# --------------------------------------------------------------------------

@test
def root_document():
    r = get("/")
    if expect_status(r, 200):
        check(r.json.get("name") == "quotewire", "GET / name %r" % r.json.get("name"))
        check(r.ctype == "application/json", "GET / Content-Type %r" % r.header("Content-Type"))
        ct = r.header("Content-Type") or ""
        check("charset=utf-8" in ct.lower().replace(" ", ""), "GET / Content-Type lacks charset=utf-8: %r" % ct)


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@test
def explorer_files_and_root_negotiation():
    """/ui and its files with their types and CSP; / is JSON for curl and a 303 to /ui/ for a browser."""
    types = {"/ui": "text/html", "/ui/": "text/html", "/ui/app.js": "text/javascript",
             "/ui/yaml.js": "text/javascript", "/ui/chart.js": "text/javascript",
             "/ui/app.css": "text/css"}
    for path, want in types.items():
        r = get(path, headers={"Accept": BROWSER_ACCEPT})
        if not expect_status(r, 200):
            continue
        check(r.ctype == want, "GET %s Content-Type %r, want %s" % (path, r.header("Content-Type"), want))
        csp = r.header("Content-Security-Policy") or ""
        check("script-src 'self'" in csp and "default-src 'none'" in csp, "GET %s CSP %r" % (path, csp))
        check(r.header("X-Content-Type-Options") == "nosniff", "GET %s without nosniff" % path)
        check(len(r.body) > 0, "GET %s: empty body" % path)
    page = get("/ui").body.decode("utf-8")
    for src in ("/ui/app.js", "/ui/yaml.js", "/ui/chart.js", "/ui/app.css"):
        check(src in page, "/ui does not load %s" % src)
    check("<script>" not in page and " style=" not in page, "/ui has an inline script or style")
    check(b"Chart" in get("/ui/chart.js").body, "/ui/chart.js is not Chart.js")
    for path in ("/ui/nope.js", "/ui/app.js/x", "/ui/../openapi.yaml", "/uix"):
        expect_status(get(path), 404)
    expect_problem(get("/ui?limit=1"), 400, "bad-parameter", "limit")
    for accept in (None, "*/*", "application/json", "application/json, text/html",
                   "text/html;q=0.5, application/json"):
        r = get("/", headers={"Accept": accept} if accept else None)
        if expect_status(r, 200):
            check(r.ctype == "application/json", "GET / (Accept %r) -> %r" % (accept, r.header("Content-Type")))
            check("Accept" in (r.header("Vary") or ""), "GET / (Accept %r): no Vary: Accept" % accept)
    for accept in (BROWSER_ACCEPT, "text/html", "application/xhtml+xml", "TEXT/HTML; q=0.9, application/json; q=0.8"):
        for method in ("GET", "HEAD"):
            r = request(method, "/", headers={"Accept": accept})
            if expect_status(r, 303):
                check(r.header("Location") == "/ui/", "%s / (Accept %r) Location %r" % (method, accept, r.header("Location")))
                check(not r.body, "%s / 303 has a body" % method)
    r = get("/health", headers={"Accept": BROWSER_ACCEPT})
    check(r.status == 200 and r.ctype == "application/json", "a browser's /health is not JSON: %r" % r)


@test
def health_document():
    h = health()
    check(h.get("status") == "ok", "health status %r" % h.get("status"))
    check(h.get("version") == "0.1.0", "health version %r" % h.get("version"))
    migrations = [f for f in os.listdir(os.path.join(ROOT, "migrations")) if f.endswith(".sql")]
    check(h.get("schema_version") == len(migrations),
          "health schema_version %r, want %d (the migrations)" % (h.get("schema_version"), len(migrations)))
    check(isinstance(h.get("extract_version"), int) and h["extract_version"] >= 2,
          "health extract_version %r" % h.get("extract_version"))


@test
def extract_version_on_articles():
    ensure_seed()
    h = health()
    v = h.get("extract_version")
    items = items_of(get("/articles?limit=1000"))
    check(items, "no articles")
    wrong = [(a.get("id"), a.get("extract_version")) for a in items if a.get("extract_version") != v]
    check(not wrong, "articles stored by this server's load or POST should carry extract_version %r: %s" % (v, wrong[:5]))
    one = get("/articles/%d" % SEED["id"])
    if expect_status(one, 200):
        check(one.json.get("extract_version") == v, "GET /articles/{id} extract_version %r" % one.json.get("extract_version"))
    check(h.get("articles_outdated") == 0, "health articles_outdated %r on a database this binary filled"
          % h.get("articles_outdated"))


@test
def reextract_while_serving_updates_answers():
    """Articles marked as extracted by version 1 show up as outdated; `reextract`, run against the
    served database, brings them back unchanged (the articles were loaded from files and POSTed as
    text and as JSON: extraction over the stored text gives what load and POST stored), and the
    server's answers (cached on data_version) follow."""
    if not ARGS.binary or not ARGS.db or not os.path.exists(ARGS.db):
        raise Skip("no --binary or --db")
    ensure_seed()
    ensure_fixtures()
    sid = SEED["id"]
    lists = ("/quotes?limit=1000", "/people?limit=1000", "/articles/%d/people" % sid)
    before = [items_of(get(p)) for p in lists]
    n = health().get("articles")
    c = sqlite3.connect(ARGS.db, timeout=10)
    try:
        c.execute("UPDATE articles SET extract_version = 1")
        c.commit()
    finally:
        c.close()
    h = health()
    check(h.get("articles_outdated") == n, "after marking every article version 1: articles_outdated %r, want %r"
          % (h.get("articles_outdated"), n))
    a = get("/articles/%d" % sid).json or {}
    check(a.get("extract_version") == 1, "marked article extract_version %r, want 1" % a.get("extract_version"))
    r = subprocess.run([ARGS.binary, "reextract", "--db", ARGS.db], capture_output=True, timeout=60)
    out = r.stdout.decode("utf-8", "replace")
    check(r.returncode == 0, "reextract exit %d: %s" % (r.returncode, r.stderr[-300:]))
    check(re.search(r"^articles +%d re-extracted" % n, out, re.M), "reextract summary: %r" % out[:300])
    for line in ("added", "removed", "new speaker", "other change"):
        check(re.search(r"^  %s +0\b" % line, out, re.M), "re-extracting with the same extractor changed quotes (%s): %r" % (line, out))
    h = health()
    check(h.get("articles_outdated") == 0, "after reextract: articles_outdated %r" % h.get("articles_outdated"))
    a = get("/articles/%d" % sid).json or {}
    check(a.get("extract_version") == h.get("extract_version"), "after reextract: extract_version %r" % a.get("extract_version"))
    for p, was in zip(lists, before):
        check(items_of(get(p)) == was, "%s changed after reextract with the same extractor" % p)


@test
def health_counts_match_lists():
    ensure_fixtures()
    h = health()
    for name in ("articles", "people", "quotes"):
        items = items_of(get("/%s?limit=1000" % name))
        if len(items) < 1000:
            check(h.get(name) == len(items), "health.%s=%r but /%s lists %d" % (name, h.get(name), name, len(items)))


@test
def metrics_prometheus_text():
    get("/health")
    r = get("/metrics")
    if not expect_status(r, 200):
        return
    ct = r.header("Content-Type") or ""
    check(ct.lower().startswith("text/plain") and "0.0.4" in ct, "metrics Content-Type %r" % ct)
    text = r.body.decode("utf-8", "replace")
    for name in ("quotewire_http_requests_total{", "quotewire_http_request_duration_seconds_sum",
                 "quotewire_http_request_duration_seconds_count", "quotewire_articles",
                 "quotewire_people", "quotewire_quotes", "quotewire_articles_outdated"):
        check(name in text, "metrics lack %s" % name)
    m = re.search(r'^quotewire_http_requests_total\{[^}]*\bmethod="GET"[^}]*\bcode="200"[^}]*\}\s+([0-9.e+]+)', text, re.M) or \
        re.search(r'^quotewire_http_requests_total\{[^}]*\bcode="200"[^}]*\bmethod="GET"[^}]*\}\s+([0-9.e+]+)', text, re.M)
    check(m and float(m.group(1)) >= 1, "no quotewire_http_requests_total{method=\"GET\",code=\"200\"} >= 1")
    get("/nope-for-metrics")
    text = get("/metrics").body.decode("utf-8", "replace")
    check(re.search(r'^quotewire_http_requests_total\{[^}]*code="404"', text, re.M), "no requests_total series with code=\"404\" after a 404")
    h = health()
    m = re.search(r"^quotewire_articles(?:\{\})?\s+([0-9.e+]+)\s*$", text, re.M)
    check(m and int(float(m.group(1))) == h.get("articles"),
          "quotewire_articles %s != health.articles %r" % (m.group(1) if m else None, h.get("articles")))
    for line in text.splitlines():
        if line and not line.startswith("#"):
            check(re.match(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})?'
                           r'\s+[-+0-9.eEInfNa]+(\s+[0-9]+)?$', line),
                  "metrics line not in exposition format: %r" % line[:100])


@test
def openapi_served_matches_file():
    r = get("/openapi.yaml")
    if not expect_status(r, 200):
        return
    check(r.ctype == "application/yaml", "Content-Type %r, want application/yaml" % r.header("Content-Type"))
    try:
        served = yaml.safe_load(r.body.decode("utf-8"))
    except Exception as e:  # noqa
        fail("served /openapi.yaml does not parse: %s" % e)
        return
    check(served == SPEC, "served /openapi.yaml differs from openapi.yaml (stale build?)")


@test
def unknown_path_404():
    for p in ("/nope", "/articles/1/nope", "/people/1/friends", "/openapi.json", "/quotes/1/x"):
        expect_problem(get(p), 404, "not-found")


@test
def trailing_slash_tolerated():
    ensure_seed()
    a = get("/articles?limit=5")
    b = get("/articles/?limit=5")
    if expect_status(b, 200) and a.status == 200:
        check(ids(a.json["items"]) == ids(b.json["items"]), "/articles/ lists differ from /articles")
    expect_status(get("/articles/%d/" % SEED["id"]), 200)
    expect_status(get("/people/"), 200)


# --------------------------------------------------------------------------
# Tests: the seed article (samples/blinken-china.txt)
# --------------------------------------------------------------------------

@test
def seed_campbell_has_exactly_two_quotes():
    ensure_seed()
    r = get("/quotes?person=Kurt%20Campbell")
    items = items_of(r)
    texts = [q.get("text") for q in items]
    check(len(items) == 2, "GET /quotes?person=Kurt%%20Campbell: %d quotes, want 2: %s" % (len(items), _short(texts, 300)))
    check(texts == CAMPBELL_QUOTES, "Campbell's quotes %s, want %s" % (_short(texts, 200), _short(CAMPBELL_QUOTES, 200)))
    for q in items:
        check(q.get("speaker") == "Kurt Campbell", "quote %r speaker %r" % (q.get("id"), q.get("speaker")))
        check(q.get("article_id") == SEED["id"], "quote %r article_id %r != seed %r" % (q.get("id"), q.get("article_id"), SEED["id"]))
        check(q.get("kind") == "direct", "quote %r kind %r" % (q.get("id"), q.get("kind")))
        check(q.get("article_title") == SEED_TITLE, "quote article_title %r" % q.get("article_title"))
        if q.get("speaker_person_id") is not None:
            check((q.get("links") or {}).get("speaker") == "/people/%d" % q["speaker_person_id"],
                  "quote links.speaker %r" % (q.get("links") or {}).get("speaker"))


@test
def seed_person_filter_variants_agree():
    pid = campbell_id()
    base = ids(items_of(get("/quotes?person=Kurt%20Campbell")))
    for variant in ("/quotes?person=kurt%20campbell", "/quotes?person=KURT%20CAMPBELL", "/quotes?person=%d" % pid,
                    "/people/%d/quotes" % pid):
        got = ids(items_of(get(variant)))
        check(got == base, "%s gives %s, /quotes?person=Kurt%%20Campbell gives %s" % (variant, got, base))
    p = get("/people/%d" % pid)
    if expect_status(p, 200):
        person = p.json
        check(person.get("quote_count") == len(base), "Campbell quote_count %r != %d" % (person.get("quote_count"), len(base)))
        for alias in person.get("aliases") or []:
            got = ids(items_of(get(url("/quotes", person=alias))))
            check(got == base, "/quotes?person=%s (alias) gives %s, want %s" % (alias, got, base))
        arts = ids(items_of(get("/people/%d/articles" % pid)))
        check(SEED["id"] in arts, "/people/%d/articles lacks the seed article" % pid)
        check(person.get("article_count") == len(arts), "article_count %r != %d listed" % (person.get("article_count"), len(arts)))
        check(person.get("links") == {"self": "/people/%d" % pid, "quotes": "/people/%d/quotes" % pid,
                                      "articles": "/people/%d/articles" % pid}, "person links %r" % person.get("links"))
    arts = ids(items_of(get("/articles?person=Kurt%20Campbell&limit=1000")))
    check(SEED["id"] in arts, "/articles?person=Kurt%20Campbell lacks the seed article")
    check(arts == ids(items_of(get("/articles?person=%d&limit=1000" % pid))), "/articles?person=name and =id differ")


@test
def seed_article_document_and_offsets():
    ensure_seed()
    r = get("/articles/%d" % SEED["id"])
    if not expect_status(r, 200):
        return
    a = r.json
    check(a.get("title") == SEED_TITLE, "seed title %r" % a.get("title"))
    check(a.get("dateline") == "Washington", "seed dateline %r" % a.get("dateline"))
    text = a.get("text") or ""
    check("Share this post" not in text, "seed text keeps the trailing page junk 'Share this post'")
    tb = text.encode("utf-8")
    check(isinstance(a.get("body_start"), int) and 0 <= a["body_start"] <= len(tb), "body_start %r" % a.get("body_start"))
    check(a.get("links") == {"self": "/articles/%d" % a["id"], "people": "/articles/%d/people" % a["id"],
                             "quotes": "/articles/%d/quotes" % a["id"]}, "article links %r" % a.get("links"))
    quotes = items_of(get("/articles/%d/quotes?limit=1000" % a["id"]))
    check(a.get("quote_count") == len(quotes), "quote_count %r != %d listed" % (a.get("quote_count"), len(quotes)))
    starts = [q.get("start") for q in quotes]
    check(starts == sorted(starts), "/articles/{id}/quotes not ordered by start: %s" % starts)
    for q in quotes:
        s, e = q.get("start"), q.get("end")
        if check(isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(tb), "quote %r offsets %r..%r" % (q.get("id"), s, e)):
            check(tb[s:e].decode("utf-8", "replace") == q.get("text"),
                  "quote %r: text[%d:%d] = %r != %r" % (q.get("id"), s, e, tb[s:e][:60], (q.get("text") or "")[:60]))
    people = items_of(get("/articles/%d/people?limit=1000" % a["id"]))
    check(a.get("people_count") == len(people), "people_count %r != %d listed" % (a.get("people_count"), len(people)))
    names = [p.get("name") for p in people]
    for want in ("Antony Blinken", "Kurt Campbell", "Qin Gang"):
        check(want in names, "seed people lack %s: %s" % (want, names))
    firsts = []
    for p in people:
        ms = p.get("mentions") or []
        check(ms, "person %r has no mentions" % p.get("name"))
        for m in ms:
            s, e = m.get("start"), m.get("end")
            if check(isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(tb), "mention offsets %r..%r" % (s, e)):
                check(tb[s:e].decode("utf-8", "replace") == m.get("text"),
                      "mention of %s: text[%d:%d]=%r != %r" % (p.get("name"), s, e, tb[s:e][:40], m.get("text")))
        if ms:
            firsts.append(min(m.get("start", 0) for m in ms))
    check(firsts == sorted(firsts), "/articles/{id}/people not ordered by first mention: %s" % firsts)


@test
def seed_quote_single_item():
    ensure_seed()
    qs = items_of(get("/articles/%d/quotes" % SEED["id"]))
    if not check(qs, "seed article has no quotes"):
        return
    q = qs[0]
    r = get("/quotes/%d" % q["id"])
    if expect_status(r, 200):
        one = r.json
        check({k: v for k, v in one.items()} == q, "/quotes/%d differs from its list item" % q["id"])
        check(one.get("links", {}).get("article") == "/articles/%d" % SEED["id"], "quote links.article %r" % one.get("links"))


@test
def seed_sample_file_post_is_idempotent():
    path = os.path.join(ROOT, "samples", "blinken-china.txt")
    ensure_seed()
    if not os.path.exists(path) or SEED.get("posted"):
        raise Skip("samples/blinken-china.txt not loaded: the suite posted the seed itself")
    with open(path, "rb") as f:
        data = f.read()
    r = request("POST", "/articles", body=data, headers={"Content-Type": "text/plain"})
    if expect_status(r, 200):
        check(r.json.get("id") == SEED["id"], "POST of samples/blinken-china.txt gave id %r, loaded as %r" % (r.json.get("id"), SEED["id"]))


# --------------------------------------------------------------------------
# Tests: lists, filters, sorting
# --------------------------------------------------------------------------

@test
def articles_source_filter():
    ensure_fixtures()
    want = {FIX["f1"], FIX["f2"], FIX["f3"]}
    for src in ("Testwire QA", "testwire qa", "TESTWIRE QA"):
        got = set(ids(items_of(get(url("/articles", source=src, limit=1000)))))
        check(got == want, "source=%s gives %s, want %s" % (src, sorted(got), sorted(want)))
    got = ids(items_of(get(url("/articles", source="Testwire", limit=1000))))
    check(not (set(got) & want), "source=Testwire (prefix) matches %s; source is exact" % got)
    check(ids(items_of(get(url("/articles", source="No Such Source QA")))) == [], "unknown source not empty")


@test
def articles_date_range_inclusive():
    ensure_fixtures()
    cases = [({"since": "2001-02-10", "until": "2001-03-15"}, {"f2", "f3"}),
             ({"since": "2001-02-11"}, {"f3"}),
             ({"until": "2001-01-05"}, {"f1"}),
             ({"since": "2001-01-05", "until": "2001-01-05"}, {"f1"}),
             ({"since": "2001-03-16"}, set()),
             ({"since": "2001-03-15", "until": "2001-01-01"}, set())]
    for params, keys in cases:
        got = set(ids(items_of(get(url("/articles", source="Testwire QA", limit=1000, **params)))))
        want = {FIX[k] for k in keys}
        check(got == want, "/articles %s gives %s, want %s" % (params, sorted(got), sorted(want)))
    f4 = FIX["f4"]
    got = ids(items_of(get(url("/articles", since="1900-01-01", limit=1000))))
    check(f4 not in got, "since= matches an article with published null")


@test
def articles_fulltext_rank_and_snippet():
    ensure_fixtures()
    r = get(url("/articles", q="zebrafish", limit=1000))
    items = items_of(r)
    got = ids(items)
    for k in ("f1", "f3", "f4"):
        check(FIX[k] in got, "q=zebrafish lacks %s" % k)
    check(FIX["f2"] not in got, "q=zebrafish matches f2, which does not contain it")
    if got:
        check(got[0] == FIX["f3"], "q=zebrafish: f3 (title + 7 hits, short) should rank first, got order %s (f1=%d f3=%d f4=%d)"
              % (got[:5], FIX["f1"], FIX["f3"], FIX["f4"]))
    for a in items:
        sn = a.get("snippet")
        if check(isinstance(sn, str), "q= item %r lacks snippet" % a.get("id")):
            check("<mark>" in sn and "</mark>" in sn, "snippet without <mark>: %r" % sn[:100])
            check(re.search(r"<mark>zebrafish</mark>", sn, re.I), "snippet does not mark the term: %r" % sn[:120])
    plain = items_of(get("/articles?limit=5"))
    check(all("snippet" not in a for a in plain), "snippet present without q")
    sorted_ids = ids(items_of(get(url("/articles", q="zebrafish", sort="id", limit=1000))))
    check(sorted_ids == sorted(got), "q=zebrafish&sort=id not ordered by id: %s" % sorted_ids)
    # diacritics removed by the tokenizer; prefix query
    check(FIX["f3"] in ids(items_of(get(url("/articles", q="zébrafish")))), "q=zébrafish (diacritics) misses f3")
    both = ids(items_of(get(url("/articles", q="zebrafish", source="Other QA"))))
    check(both == [FIX["f4"]], "q + source filter gives %s, want [f4=%d]" % (both, FIX["f4"]))


@test
def nosniff_and_cache_control_everywhere():
    """Every answer says nosniff; reads are revalidated (no-cache), errors
    and metrics are not kept (no-store), from the cache or not."""
    ensure_seed()
    for path, want in (("/health", "no-cache"), ("/articles?limit=2", "no-cache"),
                       ("/people/%d" % campbell_id(), "no-cache"), ("/metrics", "no-store"),
                       ("/nope", "no-store"), ("/articles?limit=0", "no-store"), ("/ui/", "no-cache")):
        for _ in range(2):  # the second may come from the response cache
            r = get(path, conform=False)
            check(r.header("X-Content-Type-Options") == "nosniff", "%s -> %d without nosniff" % (path, r.status))
            check(r.header("Cache-Control") == want, "%s -> %d: Cache-Control %r, want %r"
                  % (path, r.status, r.header("Cache-Control"), want))
    r = get("/health")
    nm = get("/health", headers={"If-None-Match": r.header("ETag")})
    if expect_status(nm, 304):
        check(nm.header("X-Content-Type-Options") == "nosniff" and nm.header("Cache-Control") == "no-cache",
              "304: %r %r" % (nm.header("X-Content-Type-Options"), nm.header("Cache-Control")))


@test
def host_allow_list_stops_dns_rebinding():
    """IP literals and localhost names are answered; another name gets a
    421 problem (a DNS-rebinding page uses its own name) unless given with
    --allowed-host; HTTP/1.1 with no Host is a 400, HTTP/1.0 without one is
    answered."""
    def status(host_line, version="HTTP/1.1", base=None):
        st, raw = raw_exchange(("GET /articles?limit=1 %s\r\n%sConnection: close\r\n\r\n"
                                % (version, host_line)).encode(), base=base)
        return st, raw
    host, port = BASE
    for h in ("127.0.0.1:%d" % port, "localhost:%d" % port, "LOCALHOST", "app.localhost:%d" % port,
              "[::1]:%d" % port, "10.1.2.3", "localhost."):
        st, raw = status("Host: %s\r\n" % h)
        check(st == 200, "Host %s -> %s, want 200" % (h, st))
    for h in ("rebind.example:%d" % port, "rebind.example", "127.0.0.1.rebind.example", "[evil]:80",
              "localhost.rebind.example"):
        st, raw = status("Host: %s\r\n" % h)
        check(st == 421 and b"unknown-host" in raw and b"application/problem+json" in raw,
              "Host %s -> %s, want a 421 unknown-host problem: %r" % (h, st, raw[:200]))
    st, raw = status("")
    check(st == 400 and b"problem+json" in raw, "HTTP/1.1 without Host -> %s, want 400" % st)
    st, raw = status("", version="HTTP/1.0")
    check(st == 200, "HTTP/1.0 without Host -> %s, want 200" % st)
    if not ARGS.binary or not ARGS.db:
        return
    p, base = _start_server(ARGS.db, extra=("--log-level", "error", "--allowed-host", "news.example"))
    try:
        st, _ = status("Host: NEWS.example:8080\r\n", base=base)
        check(st == 200, "--allowed-host news.example: Host NEWS.example -> %s, want 200" % st)
        st, _ = status("Host: other.example\r\n", base=base)
        check(st == 421, "--allowed-host news.example: Host other.example -> %s, want 421" % st)
    finally:
        p.terminate()
        p.wait(timeout=10)


@test
def writes_refused_without_key_by_default():
    """A server started with no API key and no --allow-anonymous-writes
    refuses POST and DELETE (403 writes-disabled) and changes nothing; a
    text/plain POST, which a web page can send without a preflight, too."""
    if not ARGS.binary or not ARGS.db or not os.path.exists(ARGS.db):
        raise Skip("no --binary or --db")
    p, base = _start_server(ARGS.db, extra=("--log-level", "error"))
    try:
        h0 = request("GET", "/health", base=base, conform=False).json
        some = ids(items_of(request("GET", "/articles?limit=1", base=base)))
        expect_problem(request("POST", "/articles", body=json.dumps(
            {"title": "Keyless", "body": "\u201cNo,\u201d said Ann Lee."}).encode(),
            headers={"Content-Type": "application/json"}, base=base), 403, "writes-disabled")
        expect_problem(request("POST", "/articles", body=b"Plain text from a web page.",
                               headers={"Content-Type": "text/plain"}, base=base), 403, "writes-disabled")
        if check(some, "no article to try a DELETE on"):
            expect_problem(request("DELETE", "/articles/%d" % some[0], base=base), 403, "writes-disabled")
        h1 = request("GET", "/health", base=base, conform=False).json
        check((h0["articles"], h0["quotes"]) == (h1["articles"], h1["quotes"]),
              "refused writes changed the counts: %r -> %r" % (h0, h1))
    finally:
        p.terminate()
        p.wait(timeout=10)


@test
def list_role_and_alias_lists_are_bounded():
    """A list item names at most 10 roles and 10 aliases, with role_count
    and alias_count; the person's own document has them all."""
    if not ARGS.db or not os.path.exists(ARGS.db):
        raise Skip("no --db")
    pid = campbell_id()
    extra = ["qa role %02d" % i for i in range(14)]
    c = sqlite3.connect(ARGS.db, timeout=10)
    try:
        with c:
            c.executemany("INSERT INTO person_roles (person_id, role) VALUES (?, ?)",
                          [(pid, r) for r in extra])
        want = sorted(r[0] for r in c.execute("SELECT role FROM person_roles WHERE person_id = ?", (pid,)))
        aliases = sorted(r[0] for r in c.execute("SELECT alias FROM person_aliases WHERE person_id = ?", (pid,)))
        full = get("/people/%d" % pid).json
        check(sorted(full.get("roles", [])) == want and full.get("role_count") == len(want),
              "/people/%d: %d roles (role_count %r), want all %d" % (pid, len(full.get("roles", [])), full.get("role_count"), len(want)))
        check(full.get("alias_count") == len(aliases), "/people/%d: alias_count %r, want %d" % (pid, full.get("alias_count"), len(aliases)))
        listed = [p for p in items_of(get(url("/people", q="Kurt Campbell"))) if p["id"] == pid]
        if check(len(listed) == 1, "/people?q=Kurt Campbell lacks %d" % pid):
            p = listed[0]
            check(p["roles"] == sorted(want)[:10], "list item roles %r, want the first 10 of %d" % (p["roles"], len(want)))
            check(p["role_count"] == len(want), "list item role_count %r, want %d" % (p["role_count"], len(want)))
            check(len(p["aliases"]) == min(10, len(aliases)) and p["alias_count"] == len(aliases),
                  "list item aliases %r / %r, want %d" % (p["aliases"], p["alias_count"], len(aliases)))
    finally:
        with c:
            c.executemany("DELETE FROM person_roles WHERE person_id = ? AND role = ?", [(pid, r) for r in extra])
        c.close()


@test
def fulltext_plans_agree_with_sql():
    """A q= list takes one of four plans by how common the query is and how
    few articles its other filters leave (the matches drive the join; the
    date index is walked and each article checked; only a window of recent
    matches is ranked; the filtered articles are each looked up). Whatever
    the plan, pages must be what SQL gives for the whole set of matches."""
    if not ARGS.db or not os.path.exists(ARGS.db):
        raise Skip("no --db")
    # 240 matches of a common word (date order walks the index, >= 200) and
    # 12 of a rare one (date order sorts them); some dates repeat, some are
    # missing, lengths vary so the ranks differ.
    for i in range(240):
        words = ["qzplanword"] * (1 + i % 5) + (["qzrareword"] if i % 20 == 0 else [])
        r = post_json("/articles", {
            "title": "Plan check %d" % i,
            "published": None if i % 17 == 0 else "2003-%02d-%02d" % (1 + i % 12, 1 + i % 9),
            "source": "Plan QA",
            "body": "Filler text number %d about harbours. %s. " % (i, " and ".join(words))
                    + "More filler. " * (i % 7)})
        expect_status(r, 200, 201)
    c = sqlite3.connect(ARGS.db, timeout=10)
    try:
        for word in ("qzplanword", "qzrareword"):
            m = "FROM articles a JOIN articles_fts f ON f.rowid = a.id WHERE articles_fts MATCH '%s'" % word
            want = {
                "-published": [r[0] for r in c.execute(
                    "SELECT a.id " + m + " ORDER BY a.published DESC, a.id DESC")],
                "published": [r[0] for r in c.execute(
                    "SELECT a.id " + m + " ORDER BY a.published, a.id")],
                "-id": [r[0] for r in c.execute("SELECT a.id " + m + " ORDER BY a.id DESC")],
                "rank": [r[0] for r in c.execute("SELECT a.id " + m + " ORDER BY f.rank, a.id")],
            }
            for sort, ids_want in want.items():
                check(len(ids_want) in (240, 12), "%s: SQL finds %d matches" % (word, len(ids_want)))
                # with a source that holds every match, the filter drives
                # the list (few articles pass it): the same pages
                for extra in ({}, {"source": "Plan QA"}):
                    for limit in (7, 100):
                        got, _ = walk(url("/articles", q=word, sort=sort, **extra), limit=limit)
                        check(ids(got) == ids_want, "q=%s&sort=%s%s limit=%d: %d items, first diff at %s"
                              % (word, sort, "&source=Plan QA" if extra else "", limit, len(got),
                                 next((i for i, (x, y) in enumerate(zip(ids(got), ids_want)) if x != y), None)))
                        check(all("<mark>" in (a.get("snippet") or "") for a in got),
                              "q=%s&sort=%s: an item without a marked snippet" % (word, sort))
                got = items_of(get(url("/articles", q=word, sort=sort, source="Qz Nowhere Press")))
                check(got == [], "q=%s&sort=%s&source=(none) listed %d" % (word, sort, len(got)))
    finally:
        c.close()


@test
def quotes_fulltext_plans_agree_with_sql():
    """/quotes?q= with filters that leave few quotes (a person, an article)
    is driven by those quotes, each checked in the index; the pages must be
    what SQL gives, for every sort."""
    if not ARGS.db or not os.path.exists(ARGS.db):
        raise Skip("no --db")
    stamp = int(time.time())
    for i in range(30):
        who = "Qzalpha Speakerson" if i % 2 else "Qzbeta Talkerman"
        word = "plainword" if i % 3 == 0 else "qzquoteword"  # some of each person's quotes lack it
        body = "Springfield: \u201c%s %s%s now,\u201d said %s, on day %d of the talks." % (
            "Filler words " * (i % 4), word, " qzquoteword" * (i % 3), who, i)
        expect_status(post_json("/articles", {"title": "Quote plan %d %d" % (stamp, i), "body": body}), 200, 201)
    c = sqlite3.connect(ARGS.db, timeout=10)
    try:
        row = c.execute("SELECT id FROM people WHERE name = 'Qzalpha Speakerson'").fetchone()
        if not check(row, "no Qzalpha Speakerson stored"):
            return
        pid = row[0]
        m = ("FROM quotes q JOIN quotes_fts f ON f.rowid = q.id WHERE quotes_fts MATCH 'qzquoteword'"
             " AND q.speaker_person_id = %d" % pid)
        want = {"-id": [r[0] for r in c.execute("SELECT q.id " + m + " ORDER BY q.id DESC")],
                "id": [r[0] for r in c.execute("SELECT q.id " + m + " ORDER BY q.id")],
                "rank": [r[0] for r in c.execute("SELECT q.id " + m + " ORDER BY f.rank, q.id")]}
        check(len(want["id"]) == 10, "SQL finds %d of the person's quotes" % len(want["id"]))
        for sort, ids_want in want.items():
            for person in (str(pid), "Qzalpha Speakerson"):
                got, _ = walk(url("/quotes", q="qzquoteword", person=person, sort=sort), limit=4)
                check(ids(got) == ids_want, "quotes q=...&person=%s&sort=%s: %r, want %r"
                      % (person, sort, ids(got)[:5], ids_want[:5]))
                check(all("<mark>" in (x.get("snippet") or "") for x in got),
                      "quotes sort=%s: an item without a marked snippet" % sort)
            got = items_of(get(url("/quotes", q="qzquoteword", person="Qz Nobody Atall", sort=sort)))
            check(got == [], "quotes q=...&person=(nobody)&sort=%s listed %d" % (sort, len(got)))
    finally:
        c.close()


@test
def quotes_fulltext_and_kind():
    ensure_seed()
    r = get(url("/quotes", q="lifetimes"))
    items = items_of(r)
    check(any(q.get("speaker") == "Kurt Campbell" for q in items), "q=lifetimes misses Campbell's quote")
    for q in items:
        sn = q.get("snippet")
        check(isinstance(sn, str) and "<mark>" in sn, "quote snippet %r" % (sn,))
    for q in items_of(get("/quotes?limit=5")):
        check("snippet" not in q, "quote snippet without q")
    for kind in ("direct", "partial"):
        for q in items_of(get("/quotes?limit=1000&kind=" + kind)):
            check(q.get("kind") == kind, "kind=%s returned a %r quote" % (kind, q.get("kind")))
        for q in items_of(get("/articles/%d/quotes?kind=%s" % (SEED["id"], kind))):
            check(q.get("kind") == kind, "/articles/{id}/quotes?kind=%s returned %r" % (kind, q.get("kind")))
    part = [q.get("text") for q in items_of(get("/quotes?kind=partial&article=%d" % SEED["id"]))]
    check("China\u2019s core concerns" in part, "seed partial quotes %s lack 'China\u2019s core concerns'" % _short(part, 200))


@test
def quotes_article_and_date_filters():
    ensure_seed()
    ensure_fixtures()
    for q in items_of(get("/quotes?limit=1000&article=%d" % SEED["id"])):
        check(q.get("article_id") == SEED["id"], "article= filter returned article_id %r" % q.get("article_id"))
    a = ids(items_of(get("/quotes?limit=1000&article=%d" % SEED["id"])))
    b = ids(items_of(get("/articles/%d/quotes?limit=1000" % SEED["id"])))
    check(sorted(a) == sorted(b), "/quotes?article= and /articles/{id}/quotes disagree: %s vs %s" % (a, b))
    for q in items_of(get("/quotes?limit=1000&since=2001-01-01&until=2001-12-31")):
        check(q.get("published") and "2001-01-01" <= q["published"] <= "2001-12-31",
              "/quotes since/until returned published %r" % q.get("published"))
    check(items_of(get("/quotes?article=999999999")) == [], "/quotes?article=unknown not empty")


@test
def unknown_person_is_empty_not_error():
    for p in ("/quotes?person=Nobody%20Atall", "/articles?person=Nobody%20Atall", "/quotes?person=999999999",
              "/articles?person=999999999"):
        r = get(p)
        if expect_status(r, 200):
            check(r.json.get("items") == [], "%s not empty" % p)


@test
def people_q_substring_case_insensitive():
    ensure_seed()
    for q in ("campbell", "CAMPB", "urt Camp"):
        names = [p.get("name") for p in items_of(get(url("/people", q=q)))]
        check("Kurt Campbell" in names, "/people?q=%s lacks Kurt Campbell: %s" % (q, names))
    for p in items_of(get(url("/people", q="campbell", limit=1000))):
        hay = [p.get("name", "")] + list(p.get("aliases") or [])
        check(any("campbell" in h.lower() for h in hay), "/people?q=campbell returned %r" % p.get("name"))


@test
def people_q_like_wildcards_are_literal():
    for q in ("%", "_", "%%", "a%b"):
        for p in items_of(get(url("/people", q=q, limit=1000))):
            hay = [p.get("name", "")] + list(p.get("aliases") or [])
            check(any(q.lower() in h.lower() for h in hay),
                  "/people?q=%s matched %r: LIKE wildcards not escaped" % (q, p.get("name")))


# --------------------------------------------------------------------------
# Tests: names fold case and accents; the q search syntax (issue 7)
# --------------------------------------------------------------------------

FOLD_TEXT = body_para(
    "Minister promises qwfold tax cut for families",
    "MADRID: Finance minister Jos\u00e9 \u00c1lvarez said on Monday that the government would cut the sales tax next year.",
    "\u201cWe will cut the tax for every family in the country,\u201d said Jos\u00e9 \u00c1lvarez, speaking to reporters in Madrid.",
    "\u00c1lvarez added that the cut would be paid for by savings elsewhere.",
    "Greek finance minister \u0393\u03b9\u03ce\u03c1\u03b3\u03bf\u03c2 \u03a0\u03b1\u03c0\u03b1\u03b4\u03cc\u03c0\u03bf\u03c5\u03bb\u03bf\u03c2 said he was watching. "
    "\u201cSpain is brave,\u201d \u03a0\u03b1\u03c0\u03b1\u03b4\u03cc\u03c0\u03bf\u03c5\u03bb\u03bf\u03c2 said.",
    "Russian economist \u041f\u0451\u0442\u0440 \u0418\u043b\u044c\u0438\u0447 \u0421\u043c\u0438\u0440\u043d\u043e\u0432 disagreed. "
    "\u201cIt will not last,\u201d said \u041f\u0451\u0442\u0440 \u0421\u043c\u0438\u0440\u043d\u043e\u0432.")
# the same minister, written without accents, in another article
FOLD_TEXT2 = body_para(
    "Qwfold budget passes",
    "MADRID: Jose Alvarez said the budget had passed. \u201cTaxes will fall,\u201d said Jose Alvarez.")
FOLD = {}


def ensure_fold():
    if FOLD:
        return FOLD
    for key, text in (("a1", FOLD_TEXT), ("a2", FOLD_TEXT2)):
        r = post_text("/articles", text)
        if r.status not in (200, 201):
            raise Failure("fold fixture: POST /articles -> %d %s" % (r.status, r.body[:200]))
        FOLD[key] = r.json["id"]
    people = items_of(get("/articles/%d/people" % FOLD["a1"]))
    for p in people:
        FOLD[p["name"]] = p["id"]
    for want in ("Jos\u00e9 \u00c1lvarez", "\u0393\u03b9\u03ce\u03c1\u03b3\u03bf\u03c2 \u03a0\u03b1\u03c0\u03b1\u03b4\u03cc\u03c0\u03bf\u03c5\u03bb\u03bf\u03c2",
                 "\u041f\u0451\u0442\u0440 \u0418\u043b\u044c\u0438\u0447 \u0421\u043c\u0438\u0440\u043d\u043e\u0432"):
        if want not in FOLD:
            raise Failure("fold fixture: the extractor did not find %r (found %r)" % (want, [p["name"] for p in people]))
    return FOLD


@test
def person_filter_folds_case_and_accents():
    f = ensure_fold()
    alvarez = f["Jos\u00e9 \u00c1lvarez"]
    want_q = sorted(ids(items_of(get("/quotes?person=%d&limit=1000" % alvarez))))
    want_a = sorted(ids(items_of(get("/articles?person=%d&limit=1000" % alvarez))))
    check(len(want_q) >= 2 and set(want_a) == {f["a1"], f["a2"]},
          "Jos\u00e9 \u00c1lvarez: quotes %s, articles %s; want both fixture articles %s" % (want_q, want_a, [f["a1"], f["a2"]]))
    for name in ("Jos\u00e9 \u00c1lvarez", "jos\u00e9 \u00e1lvarez", "JOS\u00c9 \u00c1LVAREZ", "Jose Alvarez", "jose  alvarez",
                 "Jose\u0301 A\u0301lvarez", "\u00c1LVAREZ"):
        got_q = sorted(ids(items_of(get(url("/quotes", person=name, limit=1000)))))
        got_a = sorted(ids(items_of(get(url("/articles", person=name, limit=1000)))))
        check(got_q == want_q, "/quotes?person=%s: %s, want %s" % (name, got_q, want_q))
        check(got_a == want_a, "/articles?person=%s: %s, want %s" % (name, got_a, want_a))
    greek = f["\u0393\u03b9\u03ce\u03c1\u03b3\u03bf\u03c2 \u03a0\u03b1\u03c0\u03b1\u03b4\u03cc\u03c0\u03bf\u03c5\u03bb\u03bf\u03c2"]
    russian = f["\u041f\u0451\u0442\u0440 \u0418\u043b\u044c\u0438\u0447 \u0421\u043c\u0438\u0440\u043d\u043e\u0432"]
    for pid, names in ((greek, ("\u0393\u0399\u038f\u03a1\u0393\u039f\u03a3 \u03a0\u0391\u03a0\u0391\u0394\u038c\u03a0\u039f\u03a5\u039b\u039f\u03a3",
                                "\u03b3\u03b9\u03c9\u03c1\u03b3\u03bf\u03c3 \u03c0\u03b1\u03c0\u03b1\u03b4\u03bf\u03c0\u03bf\u03c5\u03bb\u03bf\u03c3",
                                "\u03c0\u03b1\u03c0\u03b1\u03b4\u03bf\u03c0\u03bf\u03c5\u03bb\u03bf\u03c2")),
                       (russian, ("\u041f\u0401\u0422\u0420 \u0418\u041b\u042c\u0418\u0427 \u0421\u041c\u0418\u0420\u041d\u041e\u0412",
                                  "\u043f\u0435\u0442\u0440 \u0438\u043b\u044c\u0438\u0447 \u0441\u043c\u0438\u0440\u043d\u043e\u0432",
                                  "\u043f\u0435\u0442\u0440 \u0441\u043c\u0438\u0440\u043d\u043e\u0432"))):
        want = ids(items_of(get("/quotes?person=%d" % pid)))
        check(len(want) == 1, "person %d has quotes %s, want 1" % (pid, want))
        for name in names:
            got = ids(items_of(get(url("/quotes", person=name))))
            check(got == want, "/quotes?person=%s: %s, want %s" % (name, got, want))
    check(items_of(get(url("/quotes", person="Jose Alvare"))) == [], "person=Jose Alvare (a prefix) matched")


@test
def people_folded_across_articles_one_person():
    f = ensure_fold()
    p = get("/people/%d" % f["Jos\u00e9 \u00c1lvarez"]).json
    check(p.get("name") == "Jos\u00e9 \u00c1lvarez", "name %r" % p.get("name"))
    check(p.get("article_count") == 2, "article_count %r, want 2 (Jose Alvarez's article is the same person)" % p.get("article_count"))
    check(p.get("quote_count") == len(items_of(get("/quotes?person=%d&limit=1000" % p["id"]))),
          "quote_count %r differs from the quotes listed" % p.get("quote_count"))
    check("Jose Alvarez" in (p.get("aliases") or []), "aliases %r lack 'Jose Alvarez'" % p.get("aliases"))
    ppl = items_of(get("/articles/%d/people" % f["a2"]))
    check([x["id"] for x in ppl] == [p["id"]], "article 2's people %r, want only %d" % ([(x["id"], x["name"]) for x in ppl], p["id"]))


@test
def people_q_folds_case_and_accents():
    f = ensure_fold()
    alvarez = f["Jos\u00e9 \u00c1lvarez"]
    for q in ("\u00e1lv", "\u00c1LV", "alv", "ALV", "jose \u00e1", "Jos\u00e9 \u00c1lvarez", "JOSE ALVAREZ", "lvare"):
        got = ids(items_of(get(url("/people", q=q, limit=1000))))
        check(alvarez in got, "/people?q=%s lacks Jos\u00e9 \u00c1lvarez (%d): %s" % (q, alvarez, got))
    greek = f["\u0393\u03b9\u03ce\u03c1\u03b3\u03bf\u03c2 \u03a0\u03b1\u03c0\u03b1\u03b4\u03cc\u03c0\u03bf\u03c5\u03bb\u03bf\u03c2"]
    for q in ("\u03a0\u0391\u03a0\u0391\u0394\u038c", "\u03c0\u03b1\u03c0\u03b1\u03b4\u03bf", "\u03b3\u03b9\u03ce\u03c1\u03b3\u03bf\u03c2 \u03c0"):
        check(greek in ids(items_of(get(url("/people", q=q, limit=1000)))), "/people?q=%s lacks the Greek minister" % q)
    russian = f["\u041f\u0451\u0442\u0440 \u0418\u043b\u044c\u0438\u0447 \u0421\u043c\u0438\u0440\u043d\u043e\u0432"]
    for q in ("\u041f\u0401\u0422\u0420", "\u043f\u0435\u0442\u0440", "\u0441\u043c\u0438\u0440\u043d"):
        check(russian in ids(items_of(get(url("/people", q=q, limit=1000)))), "/people?q=%s lacks the Russian economist" % q)
    for p in items_of(get(url("/people", q="\u00e1lv", limit=1000))):
        hay = [p.get("name", "")] + list(p.get("aliases") or [])
        plain = [unicodedata.normalize("NFD", h).encode("ascii", "ignore").decode().lower() for h in hay]
        check(any("alv" in h for h in plain), "/people?q=\u00e1lv returned %r, which does not contain it folded" % p.get("name"))
    check(items_of(get(url("/people", q="xq\u00e9z"))) == [], "/people?q=xq\u00e9z matched someone")


@test
def sample_names_fold():
    if not ARGS.samples_loaded:
        raise Skip("samples/ not loaded by run.sh")
    # vineyard-mildew-cp1252.txt: H\u00e9l\u00e8ne Duval, read as Windows-1252
    want = ids(items_of(get(url("/quotes", person="H\u00e9l\u00e8ne Duval"))))
    check(want, "no quotes for H\u00e9l\u00e8ne Duval in the samples")
    for name in ("helene duval", "H\u00c9L\u00c8NE DUVAL", "Helene Duval", "h\u00e9l\u00e8ne duval"):
        check(ids(items_of(get(url("/quotes", person=name)))) == want, "/quotes?person=%s differs from H\u00e9l\u00e8ne Duval's" % name)
    check(any(p["name"] == "H\u00e9l\u00e8ne Duval" for p in items_of(get(url("/people", q="HELEN")))),
          "/people?q=HELEN lacks H\u00e9l\u00e8ne Duval")


SAMPLE_TITLES = {
    "strike": "Dockworkers on the East Coast set strike deadline as contract talks stall",
    "rates": "Bank of England holds rates, signals cuts may come later in the year",
    "council": "City council approves bike lane plan after heated debate",
    "mildew": "Winemakers count the cost of a wet spring in Bordeaux",
}


def sample_ids():
    """The ids of the sample articles the search tests use (POSTed when not loaded: same text, same article)."""
    out = {}
    for key, fn in (("strike", "port-strike-washington.txt"), ("rates", "rate-decision-reuters.txt"),
                    ("council", "council-vote-frontmatter.txt")):
        with open(os.path.join(ROOT, "samples", fn), encoding="utf-8") as fh:
            r = post_text("/articles", fh.read())
        if r.status not in (200, 201):
            raise Failure("POST samples/%s -> %d" % (fn, r.status))
        out[key] = r.json["id"]
    for a in items_of(get("/articles?limit=1000")):
        if a.get("title") == SAMPLE_TITLES["mildew"]:
            out["mildew"] = a["id"]
    return out


def q_ids(path, q):
    return set(ids(items_of(get(url(path, q=q, limit=1000)))))


@test
def search_syntax_or_not_phrase_prefix():
    s = sample_ids()
    strike, mildew = q_ids("/articles", "strike"), q_ids("/articles", "mildew")
    check(s["strike"] in strike, "q=strike misses the port strike sample")
    either = q_ids("/articles", "strike OR mildew")
    check(either == strike | mildew, "q=strike OR mildew: %s, want strike %s | mildew %s" % (sorted(either), sorted(strike), sorted(mildew)))
    check(q_ids("/articles", "strike mildew") == strike & mildew, "q=strike mildew is not the intersection")
    check(q_ids("/articles", "strike or mildew") == strike & mildew & q_ids("/articles", "or"),
          "lower-case 'or' is a word, not an operator")
    council = q_ids("/articles", "council")
    check(s["council"] in council, "q=council misses the council sample")
    no_mildew = q_ids("/articles", "council -mildew")
    check(no_mildew == council - mildew, "q=council -mildew: %s, want %s" % (sorted(no_mildew), sorted(council - mildew)))
    if "mildew" in s:
        check(s["mildew"] in council and s["mildew"] not in no_mildew, "the vineyard sample (council and mildew) is not excluded")
    check(s["rates"] in q_ids("/articles", "\"interest rates\""), "q=\"interest rates\" misses the rate decision")
    check(s["rates"] not in q_ids("/articles", "\"rates interest\""), "q=\"rates interest\" matches words out of order")
    check(s["rates"] in q_ids("/articles", "\u201cinterest rates\u201d"), "curly quotes are not a phrase")
    check(s["rates"] in q_ids("/articles", "\"interest rates"), "an open quote is not closed")
    pre = q_ids("/articles", "dockwork*")
    check(s["strike"] in pre and s["strike"] not in q_ids("/articles", "dockwork"), "q=dockwork* misses Dockworkers (or dockwork matches it)")
    check(q_ids("/articles", "DOCKWORK*") == pre, "prefix search is case-sensitive")
    quotes = q_ids("/quotes", "ports")
    check(quotes and q_ids("/quotes", "ports -strike") == quotes - q_ids("/quotes", "strike"), "/quotes?q=ports -strike is not ports minus strike")
    check(q_ids("/quotes", "strike OR rates") == q_ids("/quotes", "strike") | q_ids("/quotes", "rates"), "/quotes?q=strike OR rates is not the union")
    for q, why in (("-strike", "only excludes"), ("-strike -\"tax cut\"", "only excludes"), ("s*", "prefix"),
                   ("OR", "no words"), ("* - \"\"", "no words"), (" ".join("w%d" % i for i in range(17)), "more than 16")):
        for path in ("/articles", "/quotes"):
            pj = expect_problem(get(url(path, q=q)), 400, "bad-parameter", "q")
            if pj:
                check(why in pj.get("detail", ""), "%s?q=%s: detail %r lacks %r" % (path, q, pj.get("detail"), why))


@test
def empty_q_is_no_filter_and_underscore_ignored():
    for path in ("/articles", "/quotes", "/people"):
        base = ids(items_of(get(path + "?limit=1000")))
        for qs in ("q=", "q=%20%20", "q=&_=1733040000000", "_=1&q="):
            r = get(path + "?limit=1000&" + qs)
            check(ids(items_of(r)) == base, "%s?%s differs from %s" % (path, qs, path))
            check(all("snippet" not in i for i in items_of(r)), "%s?%s has snippets without a search" % (path, qs))
    check(ids(items_of(get("/quotes?q=strike&_=42"))) == ids(items_of(get("/quotes?q=strike"))), "_ changed a search")
    for p in ("/health?_=1", "/?_=1", "/openapi.yaml?_=1", "/metrics?_=x", "/people/%d?_=1" % campbell_id(),
              "/articles?_=1&_=2", "/quotes?_="):
        expect_status(get(p), 200)
    for p, param in (("/articles?_=1&foo=1", "foo"), ("/quotes?__=1", "__"), ("/health?_=1&verbose=1", "verbose"),
                     ("/articles?q=&q=tax", "q")):
        expect_problem(get(p), 400, "bad-parameter", param)


def nocase(i):
    return bytes(b + 32 if 65 <= b <= 90 else b for b in i["name"].encode("utf-8"))


def _check_sorted(path, key, reverse=False, nulls=True):
    items = items_of(get(path))
    vals = [key(i) for i in items]
    nn = [v for v in vals if v is not None]
    ok = nn == sorted(nn, reverse=reverse)
    check(ok, "%s not sorted: %s" % (path, _short([v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in vals], 200)))
    return items


@test
def sorting_options():
    ensure_fixtures()
    ensure_seed()
    a = ids(_check_sorted("/articles?limit=1000", lambda i: i["id"]))
    check(a == sorted(a), "/articles default order not by id")
    _check_sorted("/articles?limit=1000&sort=-id", lambda i: i["id"], reverse=True)
    _check_sorted("/articles?limit=1000&sort=published", lambda i: i.get("published"))
    _check_sorted("/articles?limit=1000&sort=-published", lambda i: i.get("published"), reverse=True)
    items = items_of(get("/articles?limit=1000&sort=published"))
    pubs = [i.get("published") for i in items]
    # nulls grouped at one end
    nulls = [i for i, p in enumerate(pubs) if p is None]
    if nulls:
        check(nulls == list(range(len(nulls))) or nulls == list(range(len(pubs) - len(nulls), len(pubs))),
              "sort=published: null dates not grouped at one end: %s" % _short(pubs, 200))
    _check_sorted("/people?limit=1000", nocase)
    _check_sorted("/people?limit=1000&sort=-name", nocase, reverse=True)
    _check_sorted("/people?limit=1000&sort=quotes", lambda i: i["quote_count"])
    _check_sorted("/people?limit=1000&sort=-quotes", lambda i: i["quote_count"], reverse=True)
    _check_sorted("/people?limit=1000&sort=articles", lambda i: i["article_count"])
    _check_sorted("/people?limit=1000&sort=-articles", lambda i: i["article_count"], reverse=True)
    _check_sorted("/quotes?limit=1000", lambda i: i["id"])
    _check_sorted("/quotes?limit=1000&sort=-id", lambda i: i["id"], reverse=True)
    _check_sorted("/people/%d/quotes?sort=-id" % campbell_id(), lambda i: i["id"], reverse=True)
    _check_sorted("/people/%d/articles?sort=-published" % campbell_id(), lambda i: i.get("published"), reverse=True)


@test
def limit_bounds_and_default():
    ensure_fixtures()
    n = health().get("articles", 0)
    r = get("/articles")
    items = items_of(r)
    check(len(items) == min(20, n), "default limit: %d items, %d articles exist (want min(20,n))" % (len(items), n))
    one = items_of(get("/articles?limit=1"))
    check(len(one) == 1, "limit=1 gave %d items" % len(one))
    r = get("/articles?limit=1")
    check(r.json.get("next") is not None, "limit=1 with %d articles: next is null" % n)
    check((r.json.get("links") or {}).get("self", "").startswith("/articles"), "links.self %r" % (r.json.get("links") or {}).get("self"))
    expect_status(get("/articles?limit=1000"), 200)
    for bad in ("0", "1001", "abc", "-1", "1.5", "", "99999999999999999999999"):
        expect_problem(get("/articles?limit=" + bad), 400, "bad-parameter", "limit")


# --------------------------------------------------------------------------
# Tests: keyset pagination
# --------------------------------------------------------------------------

PAGED = [
    "/articles", "/articles?sort=-id", "/articles?sort=published", "/articles?sort=-published",
    "/articles?q=zebrafish", "/articles?source=Testwire%20QA&sort=-published",
    "/people", "/people?sort=-name", "/people?sort=quotes", "/people?sort=-quotes", "/people?sort=articles",
    "/people?sort=-articles", "/people?q=a",
    "/quotes", "/quotes?sort=-id", "/quotes?q=China", "/quotes?kind=direct",
    "/articles?q=zebrafish&sort=-published", "/quotes?q=China&sort=-id", "/people?q=a&sort=-quotes",
    "/quotes?since=2000-01-01&sort=-id", "/articles?format=json&until=2030-12-31",
]


@test
def pagination_walk_equals_full_list():
    ensure_fixtures()
    ensure_seed()
    paths = PAGED + ["/articles/%d/quotes" % SEED["id"], "/articles/%d/people" % SEED["id"]]
    if "campbell" in SEED:
        paths += ["/people/%d/quotes" % SEED["campbell"], "/people/%d/articles" % SEED["campbell"]]
    for p in paths:
        full = ids(items_of(get(with_param(p, "limit", 1000))))
        if len(full) >= 1000:
            continue
        walked, pages = walk(p, limit=2)
        w = ids(walked)
        check(len(w) == len(set(w)), "%s limit=2: duplicates %s" % (p, sorted({x for x in w if w.count(x) > 1})[:10]))
        check(w == full, "%s: limit=2 walk (%d items, %d pages) != full list (%d items); first diff at %s"
              % (p, len(w), pages, len(full), next((i for i, (x, y) in enumerate(zip(w, full)) if x != y), min(len(w), len(full)))))


@test
def pagination_stable_under_inserts():
    ensure_fixtures()
    for sort in ("id", "-published", "published"):
        before = ids(items_of(get("/articles?limit=1000&sort=" + sort)))
        if len(before) >= 1000:
            continue
        path = "/articles?sort=%s&limit=2" % sort
        r = get(path)
        seen = ids(items_of(r))
        nxt = r.json.get("next")
        new = post_json("/articles", {"title": "Qwzx pagination insert %s %f" % (sort, time.time()),
                                      "body": "Inserted between page fetches to test keyset pagination.",
                                      "published": "2001-02-01", "source": "Paging QA"})
        new_id = new.json.get("id") if new.status in (200, 201) else None
        pages = 1
        while nxt and pages < 2000:
            r = get(with_param(path, "cursor", nxt))
            seen += ids(items_of(r))
            nxt = r.json.get("next")
            pages += 1
        check(len(seen) == len(set(seen)), "sort=%s: duplicates after insert: %s" % (sort, sorted({x for x in seen if seen.count(x) > 1})))
        missing = [x for x in before if x not in seen]
        check(not missing, "sort=%s: items lost after an insert between pages: %s" % (sort, missing[:10]))
        if sort == "id" and new_id:
            check(seen and seen[-1] == new_id, "sort=id: inserted article %r not last on the walk" % new_id)
        if new_id:
            request("DELETE", "/articles/%d" % new_id)


@test
def cursor_tampering_rejected():
    ensure_fixtures()
    r = get("/articles?limit=1")
    cur = r.json.get("next")
    if not check(cur, "no next cursor on /articles?limit=1"):
        return
    cases = []
    mid = len(cur) // 2
    alt = "A" if cur[mid] != "A" else "B"
    cases.append(("flipped char", "/articles?limit=1&cursor=" + urllib.parse.quote(cur[:mid] + alt + cur[mid + 1:])))
    cases.append(("truncated", "/articles?limit=1&cursor=" + urllib.parse.quote(cur[:-3])))
    cases.append(("garbage", "/articles?cursor=%21%21%21"))
    cases.append(("AAAA", "/articles?cursor=AAAA"))
    cases.append(("plain json", "/articles?cursor=" + base64.urlsafe_b64encode(b'{"id":1}').decode().rstrip("=")))
    cases.append(("other sort -id", "/articles?limit=1&sort=-id&cursor=" + urllib.parse.quote(cur)))
    cases.append(("other sort published", "/articles?limit=1&sort=published&cursor=" + urllib.parse.quote(cur)))
    cases.append(("other list /quotes", "/quotes?limit=1&cursor=" + urllib.parse.quote(cur)))
    cases.append(("other list /people", "/people?limit=1&cursor=" + urllib.parse.quote(cur)))
    try:
        raw = base64.urlsafe_b64decode(cur + "=" * (-len(cur) % 4))
        for i, b in enumerate(raw):
            if 0x30 <= b <= 0x39 or i == 0:
                forged = bytearray(raw)
                forged[i] = forged[i] ^ 0x01
                enc = base64.urlsafe_b64encode(bytes(forged)).decode()
                if not cur.endswith("="):
                    enc = enc.rstrip("=")
                cases.append(("forged byte %d" % i, "/articles?limit=1&cursor=" + urllib.parse.quote(enc)))
                break
    except (ValueError, base64.binascii.Error):
        pass
    for name, p in cases:
        r = get(p)
        if r.status != 400:
            fail("cursor %s: %s -> %d, want 400 cursor" % (name, p[:90], r.status))
        else:
            expect_problem(r, 400, "bad-parameter", "cursor")


# --------------------------------------------------------------------------
# Tests: formats, headers
# --------------------------------------------------------------------------

@test
def csv_format():
    ensure_seed()
    j = items_of(get("/articles?limit=5"))
    for how, p, hdr in (("format=csv", "/articles?limit=5&format=csv", {}),
                        ("Accept", "/articles?limit=5", {"Accept": "text/csv"})):
        r = get(p, headers=hdr)
        if not expect_status(r, 200):
            continue
        ct = r.header("Content-Type") or ""
        check(ct.lower().replace(" ", "").startswith("text/csv;charset=utf-8"), "%s: Content-Type %r" % (how, ct))
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
        if not check(rows, "%s: empty CSV" % how):
            continue
        hdrrow = rows[0]
        check("id" in hdrrow and "title" in hdrrow, "%s: CSV header %r" % (how, hdrrow))
        body = [row for row in rows[1:] if row]
        check(len(body) == len(j), "%s: %d CSV rows vs %d JSON items" % (how, len(body), len(j)))
        if "id" in hdrrow:
            k = hdrrow.index("id")
            check([int(x[k]) for x in body if len(x) > k] == ids(j), "%s: CSV ids differ from JSON" % how)
        check(all(len(x) == len(hdrrow) for x in body), "%s: ragged CSV rows" % how)
    # quote text with commas and curly quotes survives CSV escaping
    r = get("/quotes?format=csv&limit=1000&article=%d" % SEED["id"])
    if expect_status(r, 200):
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
        if rows and "text" in rows[0]:
            k = rows[0].index("text")
            got = [x[k] for x in rows[1:] if x]
            want = [q["text"] for q in items_of(get("/quotes?limit=1000&article=%d" % SEED["id"]))]
            check(got == want, "quotes CSV text column differs from JSON")
        else:
            fail("quotes CSV lacks a text column: %r" % (rows[:1],))
    for p in ("/articles?limit=3", "/people?limit=3", "/quotes?limit=3", "/articles/%d/people" % SEED["id"],
              "/articles?limit=3&q=china", "/quotes?limit=3&q=china"):
        items = items_of(get(p))
        r = get(with_param(p, "format", "csv"))
        if not items or not expect_status(r, 200):
            continue
        hdrrow = next(csv.reader(io.StringIO(r.body.decode("utf-8"))), [])
        want = {k for k in items[0] if k not in ("links", "mentions")}
        check(set(hdrrow) == want, "%s CSV columns %s differ from the JSON fields: missing %s, extra %s"
              % (p, hdrrow, sorted(want - set(hdrrow)), sorted(set(hdrrow) - want)))
    r = get("/articles?source=No%20Such%20QA&format=csv")
    if expect_status(r, 200):
        rows = [x for x in csv.reader(io.StringIO(r.body.decode("utf-8"))) if x]
        check(len(rows) == 1 and "id" in rows[0], "empty CSV list should be just the header row: %r" % rows[:2])
    r = get("/articles?source=No%20Such%20QA&format=ndjson")
    if expect_status(r, 200):
        check(r.body.strip() == b"", "empty NDJSON list has a body %r" % r.body[:80])
    r = get("/articles?limit=1&format=csv")
    if expect_status(r, 200):
        check('rel="next"' in (r.header("Link") or ""), "csv page with more items lacks Link rel=next")


@test
def ndjson_format():
    ensure_seed()
    j = items_of(get("/quotes?limit=7"))
    for how, p, hdr in (("format=ndjson", "/quotes?limit=7&format=ndjson", {}),
                        ("Accept", "/quotes?limit=7", {"Accept": "application/x-ndjson"})):
        r = get(p, headers=hdr)
        if not expect_status(r, 200):
            continue
        check(r.ctype == "application/x-ndjson", "%s: Content-Type %r" % (how, r.header("Content-Type")))
        lines = [json.loads(x) for x in r.body.decode("utf-8").split("\n") if x.strip()]
        check(lines == j, "%s: NDJSON lines differ from JSON items" % how)
    r = get("/articles?limit=1&format=ndjson")
    if expect_status(r, 200):
        link = r.header("Link") or ""
        check('rel="next"' in link, "ndjson page with more items lacks Link rel=next (%r)" % link)
        m = re.search(r"<([^>]+)>", link)
        if m:
            nxt = get(m.group(1))
            check(nxt.status == 200, "Link next target %r -> %d" % (m.group(1), nxt.status))
            check(nxt.ctype == "application/x-ndjson", "Link next of an NDJSON page gives %r (format lost)" % nxt.header("Content-Type"))
    expect_status(get("/people?format=ndjson&limit=3"), 200)
    expect_status(get("/articles/%d/people?format=ndjson" % SEED["id"]), 200)
    expect_problem(get("/articles?format=xml"), 400, "bad-parameter", "format")


@test
def section_field_filter_and_post():
    """POST takes source and section; /articles?section= filters exactly, ASCII case aside."""
    made = []
    for title, sec in (("Section QA one", "QA Desk"), ("Section QA two", "qa desk"), ("Section QA three", "QA Desk 2")):
        r = post_json("/articles", {"title": title, "body": "A body for %s." % title,
                                    "source": "Sectionwire QA", "section": sec})
        if expect_status(r, 200, 201):
            check(r.json.get("section") == sec, "POST section %r came back as %r" % (sec, r.json.get("section")))
            check(r.json.get("source") == "Sectionwire QA", "POST source came back as %r" % r.json.get("source"))
            check(r.json.get("path") is None, "a POSTed article has path %r" % r.json.get("path"))
            made.append(r.json["id"])
    if len(made) != 3:
        return
    for sec in ("QA Desk", "qa desk", "QA DESK"):
        got = ids(items_of(get(url("/articles", section=sec, limit=1000))))
        check(got == made[:2], "section=%s gives %s, want %s" % (sec, got, made[:2]))
    check(ids(items_of(get(url("/articles", section="QA", limit=1000)))) == [], "section=QA (prefix) matches")
    got = ids(items_of(get(url("/articles", section="qa desk 2", source="SECTIONWIRE QA"))))
    check(got == made[2:], "section with source: %s" % got)
    r = get(url("/articles", section="QA Desk", format="csv"))
    if expect_status(r, 200):
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
        check(rows and "section" in rows[0] and all(x[rows[0].index("section")] == "QA Desk" or x[rows[0].index("section")] == "qa desk" for x in rows[1:] if x),
              "CSV section column: %r" % rows[:3])
    expect_problem(get(url("/articles", section="")), 400, "bad-parameter", "section")
    # quotes filter on their article's section too (copied with the quote, migration 0008)
    r = get(url("/quotes", section="qa desk", limit=1000))
    if expect_status(r, 200):
        arts = sorted({q["article_id"] for q in items_of(r)})
        check(set(arts) <= set(made[:2]), "quotes?section=qa desk come from %s, want within %s" % (arts, made[:2]))
    r = post_json("/articles", {"title": "Section QA bad", "body": "Body.", "section": "a\nb"})
    expect_problem(r, 422, "unprocessable", field="section")
    for i in made:
        request("DELETE", "/articles/%d" % i)


@test
def csv_null_empty_and_attachment():
    """CSV: NULL is an empty field, "" an empty string; Content-Disposition names the list."""
    r = post_json("/articles", {"title": "CSV null QA", "body": "Body of the CSV null QA.", "url": "", "author": None,
                                "source": "Csvwire QA"})
    if not expect_status(r, 200, 201):
        return
    aid = r.json["id"]
    r = get(url("/articles", source="Csvwire QA", format="csv"))
    if expect_status(r, 200):
        check(r.header("Content-Disposition") == 'attachment; filename="articles.csv"',
              "Content-Disposition %r" % r.header("Content-Disposition"))
        lines = r.body.decode("utf-8").split("\r\n")
        hdr = lines[0].split(",")
        row = next(csv.reader([lines[1]]))
        k = hdr.index("author")
        raw_fields = lines[1].split(",")
        check(row[k] == "" and '""' not in lines[1].split(",")[k:k + 1], "NULL author should be an empty unquoted field: %r" % lines[1])
        check(raw_fields[hdr.index("section")] == "", "NULL section should be an empty unquoted field: %r" % lines[1])
    r = get("/people/%d/quotes?format=csv" % campbell_id())
    if expect_status(r, 200):
        check(r.header("Content-Disposition") == 'attachment; filename="people-%d-quotes.csv"' % campbell_id(),
              "Content-Disposition %r" % r.header("Content-Disposition"))
    r = get("/people?format=ndjson&limit=1")
    if expect_status(r, 200):
        check(r.header("Content-Disposition") is None, "NDJSON got Content-Disposition %r" % r.header("Content-Disposition"))
    # people with no roles: an empty list is "", not nothing
    r = get("/people?format=csv&limit=1000")
    if expect_status(r, 200):
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
        raw = r.body.decode("utf-8").split("\r\n")
        hdr = rows[0]
        people = {p["id"]: p for p in items_of(get("/people?limit=1000"))}
        for line in raw[1:]:
            if not line:
                continue
            row = next(csv.reader([line]))
            p = people.get(int(row[0]))
            if p is not None and p["roles"] == []:
                check(',"",' in line or line.endswith(',""'), "empty roles list not written as \"\": %r" % line[:120])
                break
    request("DELETE", "/articles/%d" % aid)


@test
def limit_all_streams_whole_lists():
    """limit=all with CSV/NDJSON: the whole list in one chunked response, equal to walking the pages."""
    ensure_seed()
    ensure_fixtures()
    for lst in ("articles", "people", "quotes"):
        paged, _ = walk("/%s" % lst, limit=1000)
        r = get("/%s?limit=all&format=ndjson" % lst)
        if not expect_status(r, 200):
            continue
        te = (r.header("Transfer-Encoding") or "").lower()
        check(te == "chunked", "%s limit=all: Transfer-Encoding %r, want chunked" % (lst, te))
        check(r.header("Link") is None and r.header("ETag") is None, "%s limit=all has Link or ETag" % lst)
        got = [json.loads(x) for x in r.body.decode("utf-8").split("\n") if x.strip()]
        check([g["id"] for g in got] == [p["id"] for p in paged],
              "%s limit=all NDJSON ids differ from the paged list (%d vs %d)" % (lst, len(got), len(paged)))
        r = get("/%s?limit=all" % lst, headers={"Accept": "text/csv"})
        if expect_status(r, 200):
            rows = [x for x in csv.reader(io.StringIO(r.body.decode("utf-8"))) if x]
            check(len(rows) == len(paged) + 1, "%s limit=all CSV: %d rows for %d items" % (lst, len(rows), len(paged)))
            check(sum(1 for x in rows if x and x[0] == "id") == 1, "%s limit=all CSV repeats its header" % lst)
            check(r.header("Content-Disposition") == 'attachment; filename="%s.csv"' % lst,
                  "%s limit=all CSV Content-Disposition %r" % (lst, r.header("Content-Disposition")))
    r = get(url("/quotes", q="china", limit="all", format="ndjson"))
    if expect_status(r, 200):
        got = [json.loads(x)["id"] for x in r.body.decode("utf-8").split("\n") if x.strip()]
        want = [q["id"] for q in items_of(get(url("/quotes", q="china", limit=1000)))]
        check(got == want, "q=china limit=all differs from the ranked page")
    expect_problem(get("/articles?limit=all"), 400, "bad-parameter", "limit")
    expect_problem(get("/articles?limit=all&format=json"), 400, "bad-parameter", "limit")
    expect_problem(get("/articles?limit=ALL&format=csv"), 400, "bad-parameter", "limit")
    h = request("HEAD", "/articles?limit=all&format=csv")
    check(h.status == 200 and h.body == b"", "HEAD limit=all: %d with %d body bytes" % (h.status, len(h.body)))


@test
def metrics_routes_histogram_etag_gzip():
    """/metrics: route templates, not raw paths; a histogram; ETag and gzip as the spec says."""
    ensure_seed()
    get("/articles/%d" % SEED["id"])
    get("/articles/999999999/quotes")
    get("/no-such-path-for-metrics-%d" % os.getpid())
    r = get("/metrics", headers={"Accept-Encoding": "gzip"})
    if not expect_status(r, 200):
        return
    text = r.body.decode("utf-8")
    check(r.header("ETag"), "/metrics lacks ETag")
    check((r.header("Content-Encoding") or "").lower() == "gzip", "/metrics not gzipped though asked")
    check(re.search(r'^quotewire_http_requests_total\{route="/articles/\{id\}",method="GET",code="200"\} [1-9]', text, re.M),
          "no requests_total for route /articles/{id}")
    check(re.search(r'^quotewire_http_requests_total\{route="/articles/\{id\}/quotes",method="GET",code="404"\} [1-9]', text, re.M),
          "no 404 for route /articles/{id}/quotes")
    check(re.search(r'^quotewire_http_requests_total\{route="other",method="GET",code="404"\} [1-9]', text, re.M),
          "unmatched paths are not counted as route=\"other\"")
    check("no-such-path-for-metrics" not in text and "/articles/%d" % SEED["id"] not in text,
          "a raw path leaked into the labels")
    check("# TYPE quotewire_http_request_duration_seconds histogram" in text, "duration is not a histogram")
    # per route: cumulative buckets, +Inf == _count
    series = {}
    for m in re.finditer(r'^quotewire_http_request_duration_seconds_bucket\{route="([^"]*)",le="([^"]*)"\} (\d+)$', text, re.M):
        series.setdefault(m.group(1), []).append((m.group(2), int(m.group(3))))
    check("/articles/{id}" in series, "no histogram for /articles/{id}")
    for route, bs in series.items():
        counts = [c for _, c in bs]
        check(counts == sorted(counts), "%s: buckets not cumulative %r" % (route, bs))
        check(bs[-1][0] == "+Inf", "%s: last bucket %r" % (route, bs[-1]))
        m = re.search(r'^quotewire_http_request_duration_seconds_count\{route="%s"\} (\d+)$' % re.escape(route), text, re.M)
        check(m and int(m.group(1)) == bs[-1][1], "%s: _count != +Inf bucket" % route)
        check(re.search(r'^quotewire_http_request_duration_seconds_sum\{route="%s"\} [0-9.]+$' % re.escape(route), text, re.M),
              "%s: no _sum" % route)
    nm = get("/metrics", headers={"If-None-Match": r.header("ETag") or '"x"'})
    check(nm.status in (200, 304), "If-None-Match on /metrics -> %d" % nm.status)
    again = get("/metrics")
    check(again.body != r.body, "/metrics served the same counters twice (cached?)")


@test
def json_link_header_and_links():
    r = get("/articles?limit=1")
    if expect_status(r, 200):
        doc = r.json
        link = r.header("Link") or ""
        check('rel="next"' in link, "json page with next lacks Link header: %r" % link)
        check(doc["links"]["next"] and "cursor=" in doc["links"]["next"], "links.next %r" % doc["links"].get("next"))
        check(doc["links"]["self"] == "/articles?limit=1", "links.self %r, want the request path+query" % doc["links"].get("self"))
        m = re.search(r"<([^>]+)>", link)
        check(m and m.group(1) == doc["links"]["next"], "Link header target %r != links.next %r" % (m and m.group(1), doc["links"]["next"]))
    r = get("/articles?limit=1000")
    if expect_status(r, 200):
        check(r.json.get("next") is None and "next" not in (r.header("Link") or ""), "last page has a next")


@test
def conditional_get_etag():
    ensure_seed()
    for p in ("/articles?limit=3", "/articles/%d" % SEED["id"], "/people", "/quotes?limit=2", "/", "/openapi.yaml"):
        r = get(p)
        if not expect_status(r, 200):
            continue
        etag = r.header("ETag")
        if not check(etag and re.match(r'^"[^"]+"$', etag), "%s: ETag %r, want a strong quoted tag" % (p, etag)):
            continue
        r2 = get(p)
        check(r2.header("ETag") == etag, "%s: ETag not stable (%r vs %r)" % (p, etag, r2.header("ETag")))
        nm = get(p, headers={"If-None-Match": etag})
        if expect_status(nm, 304):
            check(nm.body == b"", "%s: 304 with a body" % p)
            check(nm.header("ETag") == etag, "%s: 304 ETag %r != %r" % (p, nm.header("ETag"), etag))
        expect_status(get(p, headers={"If-None-Match": '"nope"'}), 200)
        expect_status(get(p, headers={"If-None-Match": '"nope", ' + etag}), 304)
    a = get("/articles?limit=1").header("ETag")
    b = get("/articles?limit=2").header("ETag")
    check(a != b, "different bodies share the ETag %r" % a)


@test
def gzip_encoding():
    ensure_seed()
    p = "/articles/%d" % SEED["id"]
    plain = get(p)
    z = get(p, headers={"Accept-Encoding": "gzip"})
    if expect_status(z, 200):
        check((z.header("Content-Encoding") or "").lower() == "gzip", "%s (%d bytes) not gzipped" % (p, len(plain.body)))
        check("accept-encoding" in (z.header("Vary") or "").lower(), "gzip response lacks Vary: Accept-Encoding (%r)" % z.header("Vary"))
        check(z.body == plain.body, "gunzipped body differs from the identity body")
        check(len(z.raw) < len(plain.body), "gzip body not smaller")
    z = get("/articles?limit=50", headers={"Accept-Encoding": "gzip, deflate, br"})
    if expect_status(z, 200) and len(z.body) >= 1024:
        check((z.header("Content-Encoding") or "").lower() == "gzip", "list not gzipped with Accept-Encoding: gzip, deflate, br")
    small = get("/health", headers={"Accept-Encoding": "gzip"})
    if expect_status(small, 200):
        check(not small.header("Content-Encoding"), "body under 1 KiB was compressed")
    ident = get(p, headers={"Accept-Encoding": "identity"})
    check(not ident.header("Content-Encoding"), "compressed without Accept-Encoding: gzip")


@test
def cors_headers():
    """No CORS grant by default; --cors-origin grants the listed origins
    (echoed, with Vary: Origin, also when the answer could come from the
    cache) and nothing to others; '*' grants any."""
    ensure_seed()
    for p in ("/articles", "/", "/nope"):
        r = get(p, headers={"Origin": "http://example.com"})
        check(r.header("Access-Control-Allow-Origin") is None,
              "default server: %s -> %d grants CORS %r" % (p, r.status, r.header("Access-Control-Allow-Origin")))
    if not ARGS.binary or not ARGS.db:
        return
    p, base = _start_server(ARGS.db, extra=("--log-level", "error", "--cors-origin", "http://dash.example:3000"))
    try:
        for _ in range(2):  # the second answer may come from the response cache
            for path in ("/articles", "/nope", "/articles/abc"):
                r = request("GET", path, headers={"Origin": "http://dash.example:3000"}, base=base)
                check(r.header("Access-Control-Allow-Origin") == "http://dash.example:3000",
                      "%s from the listed origin: Access-Control-Allow-Origin %r" % (path, r.header("Access-Control-Allow-Origin")))
                check("origin" in (r.header("Vary") or "").lower() or any(
                    "origin" in v.lower() for k2, v in r.headers if k2.lower() == "vary"),
                      "%s: a per-origin grant without Vary: Origin" % path)
                r = request("GET", path, headers={"Origin": "http://evil.example"}, base=base)
                check(r.header("Access-Control-Allow-Origin") is None,
                      "%s from another origin: granted %r" % (path, r.header("Access-Control-Allow-Origin")))
                r = request("GET", path, base=base)
                check(r.header("Access-Control-Allow-Origin") is None, "%s without Origin: granted" % path)
        r = request("GET", "/articles", headers={"Origin": "http://dash.example:3000"}, base=base)
        exp = {x.strip().lower() for x in (r.header("Access-Control-Expose-Headers") or "").split(",")}
        for h in ("etag", "link", "location", "content-disposition"):
            check(h in exp, "Access-Control-Expose-Headers lacks %s: %r" % (h, r.header("Access-Control-Expose-Headers")))
        etag = r.header("ETag")
        for _ in range(2):
            nm = request("GET", "/articles", headers={"Origin": "http://dash.example:3000", "If-None-Match": etag},
                         base=base)
            if expect_status(nm, 304):
                check(nm.header("Access-Control-Allow-Origin") == "http://dash.example:3000",
                      "304 to the listed origin lacks its grant")
        options_preflight_on(base)
    finally:
        p.terminate()
        p.wait(timeout=10)
    p, base = _start_server(ARGS.db, extra=("--log-level", "error", "--cors-origin", "*"))
    try:
        r = request("GET", "/articles", headers={"Origin": "http://anything.example"}, base=base)
        check(r.header("Access-Control-Allow-Origin") == "*", "--cors-origin '*': %r" % r.header("Access-Control-Allow-Origin"))
    finally:
        p.terminate()
        p.wait(timeout=10)


def options_preflight_on(base):
    pre = {"Origin": "http://dash.example:3000", "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization, content-type"}
    cases = [("/articles", {"GET", "HEAD", "POST", "OPTIONS"}),
             ("/articles/%d" % SEED["id"], {"GET", "HEAD", "DELETE", "OPTIONS"}),
             ("/people", {"GET", "HEAD", "OPTIONS"}),
             ("/quotes", {"GET", "HEAD", "OPTIONS"}),
             ("/health", {"GET", "HEAD", "OPTIONS"})]
    for p, allow in cases:
        r = request("OPTIONS", p, headers=pre, base=base)
        if not expect_status(r, 204):
            continue
        got = {m.strip().upper() for m in (r.header("Allow") or "").split(",") if m.strip()}
        check(got == allow, "OPTIONS %s Allow %r, want %s" % (p, r.header("Allow"), ", ".join(sorted(allow))))
        check(r.header("Access-Control-Allow-Origin") == "http://dash.example:3000", "OPTIONS %s lacks Access-Control-Allow-Origin" % p)
        meth = {m.strip().upper() for m in (r.header("Access-Control-Allow-Methods") or "").split(",")}
        check(allow - {"HEAD", "OPTIONS"} <= meth, "OPTIONS %s Access-Control-Allow-Methods %r" % (p, r.header("Access-Control-Allow-Methods")))
        hs = {m.strip().lower() for m in (r.header("Access-Control-Allow-Headers") or "").split(",")}
        check({"authorization", "content-type", "if-none-match"} <= hs,
              "OPTIONS %s Access-Control-Allow-Headers %r" % (p, r.header("Access-Control-Allow-Headers")))
    expect_status(request("OPTIONS", "/nope", headers=pre, base=base), 404)


@test
def options_preflight():
    """OPTIONS answers Allow on the default server, with no CORS grant."""
    ensure_seed()
    r = request("OPTIONS", "/articles", headers={"Origin": "http://example.com",
                                                 "Access-Control-Request-Method": "POST"})
    if expect_status(r, 204):
        check(r.header("Access-Control-Allow-Origin") is None, "default server grants a preflight")
        check(r.header("Access-Control-Allow-Methods") is None, "default server lists CORS methods")


@test
def head_requests():
    ensure_seed()
    for p in ("/articles?limit=3", "/articles/%d" % SEED["id"], "/people", "/health", "/quotes/%s" % "1", "/"):
        g = get(p)
        h = request("HEAD", p)
        check(h.status == g.status, "HEAD %s -> %d, GET -> %d" % (p, h.status, g.status))
        check(h.body == b"", "HEAD %s has a body" % p)
        check(media_type(h.header("Content-Type")) == media_type(g.header("Content-Type")),
              "HEAD %s Content-Type %r != GET %r" % (p, h.header("Content-Type"), g.header("Content-Type")))
        if g.status == 200:
            check(h.header("ETag") == g.header("ETag"), "HEAD %s ETag %r != GET %r" % (p, h.header("ETag"), g.header("ETag")))
            if h.header("Content-Length") is not None:
                check(int(h.header("Content-Length")) == len(g.body), "HEAD %s Content-Length %s != %d" % (p, h.header("Content-Length"), len(g.body)))
    expect_status(request("HEAD", "/articles/abc"), 404)


# --------------------------------------------------------------------------
# Tests: errors
# --------------------------------------------------------------------------

@test
def bad_parameters_named():
    ensure_seed()
    sid = SEED["id"]
    cases = [
        ("/articles?foo=1", "foo"), ("/articles?limit=2&limit=3", "limit"), ("/quotes?kind=direct&kind=direct", "kind"),
        ("/articles?source=", "source"), ("/quotes?person=", "person"),
        ("/articles?since=2023-13-01", "since"), ("/articles?since=2023-02-30", "since"),
        ("/articles?until=20230101", "until"), ("/articles?until=yesterday", "until"),
        ("/articles?since=2023-1-1", "since"), ("/quotes?since=2023-00-10", "since"),
        ("/articles?sort=foo", "sort"), ("/articles?sort=name", "sort"), ("/people?sort=published", "sort"),
        ("/quotes?sort=published", "sort"), ("/quotes?kind=foo", "kind"), ("/quotes?kind=Direct", "kind"),
        ("/quotes?article=abc", "article"), ("/quotes?article=1x", "article"),
        ("/articles?format=xml", "format"), ("/articles?kind=direct", "kind"), ("/people?person=1", "person"),
        ("/articles/%d/quotes?q=china" % sid, "q"), ("/articles/%d/people?sort=name" % sid, "sort"),
        ("/articles/%d?limit=5" % sid, "limit"), ("/health?verbose=1", "verbose"), ("/?x=1", "x"),
        ("/people?q=a&Q=b", "Q"), ("/articles?limit", "limit"),
    ]
    if "campbell" in SEED:
        cases += [("/people/%d/quotes?person=1" % SEED["campbell"], "person"),
                  ("/people/%d/articles?person=1" % SEED["campbell"], "person")]
    for p, param in cases:
        expect_problem(get(p), 400, "bad-parameter", param)


@test
def injection_and_fts_syntax_never_500():
    ensure_fixtures()
    before = health()
    nasty = ["' OR 1=1 --", '"unbalanced', "NEAR(", "NEAR(a b, 5)", "*", "a OR", "AND", "^x", "-x", "title:foo",
             "text:zebrafish", "()", ")", "a\"b", "%", "\\", "'; DROP TABLE articles; --", "x" * 3000,
             "\u00e9\u00e8\u4e2d\u6587", "\U0001F600", "col:", "{a b}", "a + b", "NOT", "\"\"", "zebrafish*"]
    for v in nasty:
        for path, prm in (("/articles", "q"), ("/quotes", "q"), ("/people", "q"), ("/articles", "person"),
                          ("/quotes", "person"), ("/articles", "source"), ("/people/1/quotes", "q")):
            r = get(url(path, **{prm: v}))
            if r.status not in (200, 400, 404):
                fail("%s?%s=%r -> %d, want 200 or 400" % (path, prm, v[:40], r.status))
            elif r.status == 400:
                expect_problem(r, 400, "bad-parameter", prm)
    for p in ("/articles?since=2023-01-01%27%20OR%20%271%27=%271", "/quotes?article=1%20OR%201=1",
              "/quotes?person=1%20OR%201=1", "/articles?sort=id;DROP%20TABLE%20articles", "/articles?limit=1;--",
              "/articles/1%20OR%201=1", "/articles/1;DROP%20TABLE%20articles", "/people?q=%00", "/articles?q=a%00b",
              "/articles?q=%ff%fe", "/articles?%ff=1", "/articles?q=%", "/articles?q=%zz"):
        r = get(p)
        check(r.status in (200, 400, 404), "%s -> %d, want 200/400/404" % (p, r.status))
    after = health()
    for k in ("articles", "people", "quotes"):
        check(after.get(k) == before.get(k), "health.%s changed from %r to %r after injection attempts" % (k, before.get(k), after.get(k)))
    if ARGS.db and os.path.exists(ARGS.db):
        try:
            c = sqlite3.connect("file:%s?mode=ro" % ARGS.db, uri=True, timeout=5)
            n = c.execute("select count(*) from articles").fetchone()[0]
            ok = c.execute("pragma quick_check").fetchone()[0]
            c.close()
            check(n == after.get("articles"), "db has %d articles, health says %r" % (n, after.get("articles")))
            check(ok == "ok", "db quick_check: %s" % ok)
        except sqlite3.Error as e:
            fail("cannot read the db after injection attempts: %s" % e)


@test
def not_found_ids():
    for p in ("/articles/abc", "/articles/0", "/articles/-1", "/articles/1.5", "/articles/1e3", "/articles/0x10",
              "/articles/99999999999999999999999999", "/articles/9223372036854775807", "/articles/9223372036854775808",
              "/articles/999999999", "/articles/abc/quotes", "/articles/999999999/people", "/articles/999999999/quotes",
              "/people/abc", "/people/999999999", "/people/999999999/quotes", "/people/999999999/articles",
              "/quotes/abc", "/quotes/999999999", "/quotes/18446744073709551617", "/articles/%20", "/articles/+1"):
        expect_problem(get(p), 404, "not-found")
    for p in ("/articles/999999999", "/articles/abc"):
        expect_problem(request("DELETE", p), 404, "not-found")


@test
def method_not_allowed_with_allow():
    ensure_seed()
    sid = SEED["id"]
    cases = [("PUT", "/articles", {"GET", "HEAD", "POST", "OPTIONS"}),
             ("DELETE", "/articles", {"GET", "HEAD", "POST", "OPTIONS"}),
             ("PATCH", "/articles/%d" % sid, {"GET", "HEAD", "DELETE", "OPTIONS"}),
             ("POST", "/articles/%d" % sid, {"GET", "HEAD", "DELETE", "OPTIONS"}),
             ("POST", "/people", {"GET", "HEAD", "OPTIONS"}), ("DELETE", "/quotes/1", {"GET", "HEAD", "PATCH", "OPTIONS"}),
             ("DELETE", "/people/1", {"GET", "HEAD", "PATCH", "OPTIONS"}),
             ("GET", "/people/1/merge", {"POST", "OPTIONS"}), ("PATCH", "/people/1/merge", {"POST", "OPTIONS"}),
             ("POST", "/corrections", {"GET", "HEAD", "OPTIONS"}),
             ("POST", "/health", {"GET", "HEAD", "OPTIONS"}), ("DELETE", "/articles/%d/quotes" % sid, {"GET", "HEAD", "OPTIONS"}),
             ("PUT", "/", {"GET", "HEAD", "OPTIONS"}), ("POST", "/openapi.yaml", {"GET", "HEAD", "OPTIONS"})]
    for m, p, allow in cases:
        r = request(m, p, body=b"" if m in ("PUT", "POST", "PATCH") else None)
        if expect_problem(r, 405, "method-not-allowed") is not None or r.status == 405:
            got = {x.strip().upper() for x in (r.header("Allow") or "").split(",") if x.strip()}
            check(got == allow, "%s %s: Allow %r, want %s" % (m, p, r.header("Allow"), ", ".join(sorted(allow))))


@test
def malformed_request_line_raw_socket():
    st, out = raw_exchange(b"GARBAGE\r\n\r\n")
    check(st == 400 or st is None and out == b"", "malformed request line -> %r %r" % (st, out[:80]))
    st, out = raw_exchange(b"GET /articles?limit=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    check(st == 200, "raw GET /articles -> %r" % st)
    st, out = raw_exchange(b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    check(st is None or 400 <= st < 500, "70 kB request target -> %r (want 4xx)" % st)
    st, out = raw_exchange(b"GET /articles HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\nConnection: close\r\n\r\n")
    check(st is None or st in (200, 400), "bad header line -> %r" % st)
    st, out = raw_exchange(b"POST /articles HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc", timeout=1)
    check(st is None or 400 <= st < 500 or st in (200, 201), "short body -> %r" % st)
    expect_status(get("/health"), 200)


@test
def concurrent_reads():
    errs = []

    def worker():
        for _ in range(8):
            try:
                r = request("GET", "/articles?limit=5", conform=False)
                if r.status != 200:
                    errs.append(r.status)
            except Failure as e:
                errs.append(str(e))
    ts = [threading.Thread(target=worker) for _ in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(not errs, "concurrent GETs failed: %s" % _short(errs[:5], 300))


# --------------------------------------------------------------------------
# Tests: writes
# --------------------------------------------------------------------------

@test
def post_text_plain_created_then_same():
    text = "Qwzx plain text posting works %f\n\nSpringfield: The council met on Tuesday to discuss the budget.\n" % time.time()
    r = post_text("/articles", text)
    if not expect_status(r, 201):
        return
    a = r.json
    loc = r.header("Location") or ""
    check(re.match(r"^(https?://[^/]+)?/articles/%d$" % a["id"], loc), "Location %r for id %r" % (loc, a.get("id")))
    check(a.get("title", "").startswith("Qwzx plain text posting works"), "title %r" % a.get("title"))
    check(a.get("path") is None, "POSTed article path %r, want null" % a.get("path"))
    check(a.get("dateline") == "Springfield", "dateline %r, want 'Springfield'" % a.get("dateline"))
    g = get("/articles/%d" % a["id"])
    if expect_status(g, 200):
        check(g.json == a, "GET Location differs from the POST body")
    r2 = post_text("/articles", text)
    if expect_status(r2, 200):
        check(r2.json.get("id") == a["id"], "same text again: id %r, want %r" % (r2.json.get("id"), a["id"]))
        check((r2.header("Location") or "").endswith("/articles/%d" % a["id"]), "same text again: Location %r" % r2.header("Location"))
    r3 = request("POST", "/articles", body=text.encode(), headers={"Content-Type": "text/plain"})
    if expect_status(r3, 200):
        check(r3.json.get("id") == a["id"], "text/plain without charset: different id")
    request("DELETE", "/articles/%d" % a["id"])


@test
def post_bounded_quotes_and_mentions():
    """A text with thousands of quotes and names is stored whole, with at
    most 2,000 quotes and 5,000 mentions (the first, in text order), and
    the counts agree with what is listed."""
    stamp = int(time.time() * 1000)
    text = ("Qwzx bounded %d\n\n" % stamp) + "Mr Qwzxsmith said \"no %d\" " % stamp * 2600 + \
        "Anna Qwzxbell Carter " * 5200
    before = health()
    r = post_text("/articles", text, timeout=60)
    if not expect_status(r, 201):
        return
    a = r.json
    check(a.get("quote_count") == 2000, "quote_count %r, want the cap of 2000" % a.get("quote_count"))
    nd = request("GET", "/articles/%d/quotes?limit=all&format=ndjson" % a["id"], conform=False, timeout=30)
    quotes = [json.loads(line) for line in nd.body.splitlines() if line.strip()] if nd.status == 200 else []
    check(len(quotes) == 2000, "%d quotes listed, want 2000" % len(quotes))
    check(all(q["start"] < text.encode().find(b"Anna Qwzxbell") for q in quotes[:5]) if quotes else True,
          "the quotes kept are not the first in the text")
    after = health()
    check(after.get("quotes") == before.get("quotes") + 2000, "health quotes %r -> %r" % (before.get("quotes"), after.get("quotes")))
    people = items_of(get("/articles/%d/people" % a["id"]))
    carter = [p for p in people if "Carter" in (p.get("name") or "")]
    if carter:
        full = get("/people/%d" % carter[0]["id"])
        if expect_status(full, 200):
            check(full.json.get("article_count") == 1, "Carter article_count %r" % full.json.get("article_count"))
    request("DELETE", "/articles/%d" % a["id"])
    gone = health()
    check(gone.get("quotes") == before.get("quotes"), "after DELETE quotes %r, want %r" % (gone.get("quotes"), before.get("quotes")))


@test
def post_text_front_matter():
    text = ("---\ntitle: Qwzx front matter title %d\ndate: 2002-07-01\nsource: Frontwire QA\nauthor: F. Matter\n"
            "url: https://example.test/fm\n---\nQwzx front matter title\n\nLONDON, Jan 5 - Markets were calm on Friday.\n" % int(time.time()))
    r = post_text("/articles", text)
    if expect_status(r, 201):
        a = r.json
        check(a.get("published") == "2002-07-01", "front matter date -> published %r" % a.get("published"))
        check(a.get("source") == "Frontwire QA", "front matter source -> %r" % a.get("source"))
        check(a.get("author") == "F. Matter", "front matter author -> %r" % a.get("author"))
        check(a.get("url") == "https://example.test/fm", "front matter url -> %r" % a.get("url"))
        request("DELETE", "/articles/%d" % a["id"])


@test
def quote_clusters_link_syndicated_copies():
    tag = "%d" % int(time.time() * 1000)
    words = "Qwzx%s the harbour bridge will stay open all winter long" % tag
    texts = [
        "Qwzx cluster wire %s\n\nThe mayor said: \"%s.\"\n" % (tag, words),
        "Qwzx cluster follow-up %s\n\nLast week the mayor told reporters \u201c%s\u201d and left.\n" % (tag, words.upper()),
        "Qwzx cluster trimmed %s\n\n\"%s,\" the mayor said again.\n" % (tag, words.rsplit(" ", 1)[0]),
        "Qwzx cluster other %s\n\n\"Qwzx%s the harbour tunnel will close all winter long,\" the mayor said.\n" % (tag, tag),
    ]
    ids = []
    for t in texts:
        r = post_text("/articles", t)
        if not expect_status(r, 201):
            return
        ids.append(r.json["id"])
    try:
        found = []
        for aid in ids:
            r = get("/articles/%d/quotes" % aid)
            if expect_status(r, 200):
                qs = [q for q in r.json["items"] if ("Qwzx" + tag).lower() in q["text"].lower()]
                check(len(qs) == 1, "article %d: %d test quotes, want 1" % (aid, len(qs)))
                found.extend(qs[:1])
        if len(found) != 4:
            return
        c = found[0]["cluster_id"]
        check(found[0]["cluster_id"] == found[0]["id"], "first quote's cluster %r, want its own id" % c)
        check(found[1]["cluster_id"] == c and found[2]["cluster_id"] == c,
              "copies in other case and marks, and with a trimmed last word: clusters %r, want %r" %
              ([q["cluster_id"] for q in found], c))
        check(found[3]["cluster_id"] != c, "a different quotation joined the cluster")
        check(found[0]["cluster_articles"] == 3 and found[3]["cluster_articles"] == 1,
              "cluster_articles %r" % [q["cluster_articles"] for q in found])
        r = get("/quotes?cluster=%d" % c)
        if expect_status(r, 200):
            check(sorted(q["article_id"] for q in r.json["items"]) == sorted(ids[:3]),
                  "/quotes?cluster: articles %r" % [q["article_id"] for q in r.json["items"]])
        r = get("/quotes/%d" % found[1]["id"])
        if expect_status(r, 200):
            check(r.json["links"]["cluster"] == "/quotes?cluster=%d" % c, "cluster link %r" % r.json["links"]["cluster"])
        for bad in ("0", "-1", "x", ""):
            expect_status(get("/quotes?cluster=" + bad), 400)
        r = get("/quotes?cluster=99999999999999999999")
        if expect_status(r, 200):
            check(r.json["items"] == [], "a cluster id past int64: items %r" % r.json["items"])
    finally:
        for aid in ids:
            request("DELETE", "/articles/%d" % aid)


@test
def post_json_created_then_same():
    obj = {"title": "Qwzx json posting %f" % time.time(), "body": "Paris: A short body for the JSON test.",
           "dateline": "Paris", "published": "2003-04-05", "source": "Jsonwire QA", "url": "https://example.test/j",
           "author": "J. Son"}
    r = post_json("/articles", obj)
    if not expect_status(r, 201):
        return
    a = r.json
    for k in ("title", "published", "source", "url", "author", "dateline"):
        check(a.get(k) == obj[k], "JSON POST %s: %r, want %r" % (k, a.get(k), obj[k]))
    check((r.header("Location") or "").endswith("/articles/%d" % a["id"]), "Location %r" % r.header("Location"))
    check(re.match(r"^[0-9a-f]{64}$", a.get("content_hash", "")), "content_hash %r" % a.get("content_hash"))
    r2 = post_json("/articles", obj)
    if expect_status(r2, 200):
        check(r2.json.get("id") == a["id"], "same JSON again: id %r, want %r" % (r2.json.get("id"), a["id"]))
    r3 = request("POST", "/articles", body=json.dumps({"title": obj["title"] + " nulls", "body": "x y z",
                                                      "source": None, "published": None}),
                 headers={"Content-Type": "application/json; charset=utf-8"})
    if expect_status(r3, 201):
        check(r3.json.get("source") is None and r3.json.get("published") is None, "null optional fields not null")
        request("DELETE", "/articles/%d" % r3.json["id"])
    request("DELETE", "/articles/%d" % a["id"])


@test
def post_body_errors():
    before = health().get("articles")
    jh = {"Content-Type": "application/json"}
    th = {"Content-Type": "text/plain; charset=utf-8"}
    cases400 = [(b'{"title": ', jh), (b'{"title":"a","body":"b",}', jh), (b"\xff\xfe not utf-8", th),
                (b'{"title":"a\xff","body":"b"}', jh), (b"Headline\n\nBody \xc3\x28 bad", th)]
    cases400.append((b"[" * 200000, jh))                       # nesting bomb
    cases400.append((b'{"title":"x","body":' + b"[" * 50000 + b"]" * 50000 + b"}", jh))
    for body, h in cases400:
        r = request("POST", "/articles", body=body, headers=h)
        expect_problem(r, 400)
    cases422 = [
        ("[]", None), ('"string"', None), ("42", None), ("null", None), ("{}", None),
        ('{"body":"x"}', "title"), ('{"title":"x"}', "body"), ('{"title":"","body":"x"}', "title"),
        ('{"title":"x","body":""}', "body"), ('{"title":"x","body":"y","extra":1}', "extra"),
        ('{"title":5,"body":"y"}', "title"), ('{"title":"x","body":["y"]}', "body"),
        ('{"title":"x","body":"y","published":"2023-99-01"}', "published"),
        ('{"title":"x","body":"y","published":"June 14"}', "published"),
        ('{"title":"x","body":"y","source":7}', "source"), ('{"title":"x","body":"y","author":{}}', "author"),
    ]
    for body, field in cases422:
        r = request("POST", "/articles", body=body, headers=jh)
        expect_problem(r, 422, "unprocessable", field=field)
    for body in ("", "   \n\n \t\n"):
        expect_problem(request("POST", "/articles", body=body, headers=th), 422, "unprocessable")
    for ct in ("application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
               "text/html", "text/plain; charset=iso-8859-1"):
        expect_problem(request("POST", "/articles", body=b"<a>Title</a>\n\nbody", headers={"Content-Type": ct}),
                       415, "unsupported-media-type")
    after = health().get("articles")
    check(before == after, "failed POSTs changed the article count %r -> %r" % (before, after))


@test
def post_oversized_413():
    big = ("Qwzx big\n\n" + "word " * 230000).encode()  # > 1 MiB
    st, out = raw_exchange(b"POST /articles HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                           b"Content-Length: %d\r\n\r\n" % len(big), body=big, timeout=10)
    check(st == 413, "POST of %d bytes -> %r, want 413" % (len(big), st))
    if st == 413:
        hdr, _, body = out.partition(b"\r\n\r\n")
        check(b"application/problem+json" in hdr.lower(), "413 without problem+json: %r" % hdr[:300])
    expect_status(get("/health"), 200)


@test
def delete_cascades():
    text = ("Qwzx delete cascade %d\n\nSpringfield: The new bridge opens in May, officials said on Tuesday.\n\n"
            "\u201cThe bridge will open in May,\u201d said Zebulon Quackenbush, the city engineer. "
            "\u201cWe are on schedule and on budget.\u201d\n" % int(time.time()))
    r = post_text("/articles", text)
    if not expect_status(r, 201):
        return
    aid = r.json["id"]
    people = items_of(get("/articles/%d/people" % aid))
    quotes = items_of(get("/articles/%d/quotes" % aid))
    check(any(p.get("name") == "Zebulon Quackenbush" for p in people),
          "extraction found no 'Zebulon Quackenbush' in the delete-test article: %s" % [p.get("name") for p in people])
    check(quotes, "extraction found no quote in the delete-test article")
    only_here = [p["id"] for p in people if p.get("article_count") == 1]
    before = health()
    d = request("DELETE", "/articles/%d" % aid)
    if not expect_status(d, 204):
        return
    check(d.body == b"", "204 with a body")
    expect_problem(get("/articles/%d" % aid), 404, "not-found")
    expect_problem(request("DELETE", "/articles/%d" % aid), 404, "not-found")
    expect_problem(get("/articles/%d/quotes" % aid), 404, "not-found")
    expect_problem(get("/articles/%d/people" % aid), 404, "not-found")
    for q in quotes:
        expect_problem(get("/quotes/%d" % q["id"]), 404, "not-found")
    for pid in only_here:
        expect_problem(get("/people/%d" % pid), 404, "not-found")
    check(items_of(get("/quotes?article=%d" % aid)) == [], "/quotes?article=deleted not empty")
    check(not items_of(get(url("/people", q="Quackenbush"))), "Zebulon Quackenbush still listed after delete")
    after = health()
    check(after.get("articles") == before.get("articles") - 1, "articles count %r -> %r" % (before.get("articles"), after.get("articles")))
    check(after.get("quotes") == before.get("quotes") - len(quotes), "quotes count %r -> %r (deleted %d)" % (before.get("quotes"), after.get("quotes"), len(quotes)))
    check(after.get("people") == before.get("people") - len(only_here), "people count %r -> %r" % (before.get("people"), after.get("people")))
    r = post_text("/articles", text)
    if expect_status(r, 201):
        request("DELETE", "/articles/%d" % r.json["id"])


@test
def last_page_has_no_next():
    ensure_fixtures()
    full = ids(items_of(get(url("/articles", source="Testwire QA", limit=1000))))
    n = len(full)
    r = get(url("/articles", source="Testwire QA", limit=n))
    if expect_status(r, 200):
        check(r.json.get("next") is None, "exactly %d items with limit=%d: next %r, want null (no empty last page)"
              % (n, n, r.json.get("next")))
    r = get(url("/articles", source="Testwire QA", limit=n - 1))
    if expect_status(r, 200) and r.json.get("next"):
        r2 = get(url("/articles", source="Testwire QA", limit=n - 1, cursor=r.json["next"]))
        if expect_status(r2, 200):
            check(len(r2.json["items"]) == 1 and r2.json.get("next") is None,
                  "last page: %d items, next %r" % (len(r2.json["items"]), r2.json.get("next")))
            check(r2.json["links"]["self"].find("cursor=") > 0, "links.self of a cursor page lacks the cursor: %r" % r2.json["links"]["self"])


@test
def query_string_decoding():
    ensure_seed()
    a = ids(items_of(get("/quotes?person=Kurt%20Campbell")))
    b = ids(items_of(get("/quotes?person=Kurt+Campbell")))
    check(a == b, "person=Kurt+Campbell (form encoding) gives %s, person=Kurt%%20Campbell gives %s" % (b, a))
    c = ids(items_of(get("/quotes?%70erson=Kurt%20Campbell")))
    check(a == c, "percent-encoded parameter name not decoded")


@test
def conditional_get_rfc9110_forms():
    r = get("/health")
    etag = r.header("ETag")
    if not check(etag, "no ETag on /health"):
        return
    expect_status(get("/health", headers={"If-None-Match": "*"}), 304)
    expect_status(get("/health", headers={"If-None-Match": "W/" + etag}), 304)
    nm = get("/health", headers={"If-None-Match": etag, "Origin": "http://example.com"})
    if expect_status(nm, 304):
        check(nm.header("Access-Control-Allow-Origin") is None, "default server: a 304 grants CORS")
    h = request("HEAD", "/health", headers={"If-None-Match": etag})
    expect_status(h, 304)


@test
def vary_accept_when_format_negotiated():
    r1 = get("/articles?limit=1", headers={"Accept": "text/csv"})
    r2 = get("/articles?limit=1", headers={"Accept": "application/json"})
    if expect_status(r1, 200) and expect_status(r2, 200):
        check(r1.header("ETag") != r2.header("ETag"), "csv and json of one URL share the ETag %r" % r1.header("ETag"))
        for r in (r1, r2):
            check("accept" in [v.strip().lower() for v in ",".join(r.header_all("Vary")).split(",")],
                  "list body depends on Accept but Vary lacks Accept (Vary: %r): caches mix csv and json" % r.header("Vary"))


@test
def post_variants_accepted():
    text = "Qwzx chunked post %f\n\nOslo: The chunked body arrived in pieces.\n" % time.time()
    host, port = BASE
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("POST", "/articles", body=iter([text[:20].encode(), text[20:].encode()]),
                     headers={"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}, encode_chunked=True)
        r = conn.getresponse()
        body = r.read()
        if check(r.status == 201, "chunked POST -> %d %s" % (r.status, body[:200])):
            aid = json.loads(body)["id"]
            check(json.loads(body)["title"].startswith("Qwzx chunked post"), "chunked POST title")
            request("DELETE", "/articles/%d" % aid)
    finally:
        conn.close()
    r = request("POST", "/articles", body=b"\xef\xbb\xbfQwzx bom title %d\n\nParis: Body text.\n" % int(time.time()),
                headers={"Content-Type": "text/plain"})
    if expect_status(r, 201):
        check(r.json["title"].startswith("Qwzx bom title"), "UTF-8 BOM kept in the title: %r" % r.json["title"][:20])
        request("DELETE", "/articles/%d" % r.json["id"])
    r = request("POST", "/articles", body=b"Qwzx crlf title %d\r\n\r\nLONDON, Jan 5 - Body text.\r\nMore.\r\n" % int(time.time()),
                headers={"Content-Type": "text/plain"})
    if expect_status(r, 201):
        check(not r.json["title"].endswith("\r") and r.json["title"].startswith("Qwzx crlf title"), "CRLF title %r" % r.json["title"])
        check(r.json.get("dateline") == "LONDON, Jan 5", "CRLF dateline %r" % r.json.get("dateline"))
        request("DELETE", "/articles/%d" % r.json["id"])
    r = request("POST", "/articles", body="Qwzx upper-case media type %f\n\nBody text here.\n" % time.time(),
                headers={"Content-Type": "Text/Plain; Charset=UTF-8"})
    if expect_status(r, 201):
        request("DELETE", "/articles/%d" % r.json["id"])
    r = post_json("/articles", {"title": "x", "body": "y", "published": "2023-02-30"})
    expect_problem(r, 422, "unprocessable", field="published")


@test
def snippet_escapes_html():
    r = post_json("/articles", {"title": "Qwzx markup test", "source": "Markup QA",
                                "body": "Before <img src=x onerror=alert(1)> qwzxmarkupterm & <b>bold</b> after."})
    if not expect_status(r, 201, 200):
        return
    aid = r.json["id"]
    try:
        for a in items_of(get(url("/articles", q="qwzxmarkupterm"))):
            sn = a.get("snippet") or ""
            check("<img" not in sn and "<b>" not in sn,
                  "snippet passes article markup through unescaped (XSS for front ends that render <mark>): %r" % sn[:150])
    finally:
        request("DELETE", "/articles/%d" % aid)


@test
def counts_follow_inserts_and_deletes():
    pid = campbell_id()
    before = get("/people/%d" % pid).json
    base_quotes = ids(items_of(get("/quotes?person=%d" % pid)))
    text = ("Qwzx Campbell again %d\n\nWashington: Officials met again on Friday to talk about trade.\n\n"
            "\u201cWe are ready to talk,\u201d said Kurt Campbell, the top Asia expert at the National Security Council.\n"
            % int(time.time()))
    r = post_text("/articles", text)
    if not expect_status(r, 201):
        return
    aid = r.json["id"]
    try:
        mid = get("/people/%d" % pid).json
        check(mid.get("article_count") == before.get("article_count", 0) + 1,
              "Campbell article_count %r after adding an article that mentions him, was %r" % (mid.get("article_count"), before.get("article_count")))
        new_q = [q for q in items_of(get("/articles/%d/quotes" % aid)) if q.get("speaker_person_id") == pid]
        check(new_q, "the new article's quote is not attributed to Kurt Campbell (id %d)" % pid)
        check(mid.get("quote_count") == before.get("quote_count", 0) + len(new_q),
              "Campbell quote_count %r, want %r" % (mid.get("quote_count"), before.get("quote_count", 0) + len(new_q)))
        listed = ids(items_of(get("/people/%d/articles" % pid)))
        check(aid in listed, "/people/{id}/articles lacks the new article")
    finally:
        d = request("DELETE", "/articles/%d" % aid)
    if expect_status(d, 204):
        after = get("/people/%d" % pid)
        if expect_status(after, 200):
            a = after.json
            check(a.get("article_count") == before.get("article_count") and a.get("quote_count") == before.get("quote_count"),
                  "after delete Campbell counts %r/%r, were %r/%r" % (a.get("article_count"), a.get("quote_count"),
                                                                     before.get("article_count"), before.get("quote_count")))
        check(ids(items_of(get("/quotes?person=%d" % pid))) == base_quotes, "Campbell's quotes changed after insert+delete")


@test
def samples_post_same_as_load():
    sdir = os.path.join(ROOT, "samples")
    if not os.path.isdir(sdir) or not ARGS.samples_loaded:
        raise Skip("samples/ not loaded by run.sh")
    known = {a["path"]: a for a in items_of(get("/articles?limit=1000")) if a.get("path")}
    for name in sorted(os.listdir(sdir)):
        fp = os.path.join(sdir, name)
        if not os.path.isfile(fp):
            continue
        with open(fp, "rb") as f:
            data = f.read()
        if not data.strip() or b"\0" in data:
            continue  # the loader skips empty and binary files
        match = [a for pth, a in known.items() if pth.endswith(name)]
        check(match, "sample %s loaded but no article has a path ending in it (paths: %s)" % (name, _short(sorted(known), 200)))
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            expect_problem(request("POST", "/articles", body=data, headers={"Content-Type": "text/plain"}), 400)
            continue
        r = request("POST", "/articles", body=data, headers={"Content-Type": "text/plain"})
        if expect_status(r, 200, 201):
            if r.status == 201:
                fail("POST of samples/%s created article %r: the loaded copy (%s) was not recognised as the same text"
                     % (name, r.json.get("id"), [a["id"] for a in match]))
                request("DELETE", "/articles/%d" % r.json["id"])
            elif match:
                check(r.json.get("id") == match[0]["id"], "POST of samples/%s gave id %r, load gave %r" % (name, r.json.get("id"), match[0]["id"]))


@test
def list_items_agree_with_single_items():
    ensure_seed()
    for a in items_of(get("/articles?limit=8")):
        one = get("/articles/%d" % a["id"])
        if expect_status(one, 200):
            d = dict(one.json)
            d.pop("text", None)
            d.pop("body_start", None)
            check(d == a, "/articles item %d differs from /articles/%d: %s" % (a["id"], a["id"], _short({k: (a.get(k), d.get(k)) for k in set(a) | set(d) if a.get(k) != d.get(k)}, 200)))
    for p in items_of(get("/people?limit=8&sort=-quotes")):
        one = get("/people/%d" % p["id"])
        if expect_status(one, 200):
            check(one.json == p, "/people item %d differs from /people/%d" % (p["id"], p["id"]))
    for p in items_of(get("/articles/%d/people" % SEED["id"])):
        one = get("/people/%d" % p["id"])
        ms = [m.get("start") for m in p.get("mentions") or []]
        check(ms == sorted(ms), "mentions of %s not ordered by start: %s" % (p.get("name"), ms))
        if expect_status(one, 200):
            d = dict(p)
            d.pop("mentions", None)
            check(one.json == d, "/articles/{id}/people item %s differs from /people/%d" % (p.get("name"), p["id"]))
    for q in items_of(get("/quotes?limit=8&sort=-id")):
        one = get("/quotes/%d" % q["id"])
        if expect_status(one, 200):
            check(one.json == q, "/quotes item %d differs from /quotes/%d" % (q["id"], q["id"]))
        art = get("/articles/%d" % q["article_id"])
        if expect_status(art, 200):
            check(q.get("article_title") == art.json.get("title") and q.get("published") == art.json.get("published"),
                  "quote %d article_title/published disagree with its article" % q["id"])


def _parallel(n, fn):
    out = [None] * n
    def run(i):
        try:
            out[i] = fn(i)
        except Failure as e:
            out[i] = e
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


@test
def concurrent_posts_same_text():
    text = "Qwzx race same text %f\n\nOslo: Eight clients post this at once.\n" % time.time()
    rs = _parallel(8, lambda i: post_text("/articles", text))
    bad = [r for r in rs if isinstance(r, Failure)]
    check(not bad, "concurrent POSTs failed: %s" % bad[:2])
    rs = [r for r in rs if not isinstance(r, Failure)]
    statuses = sorted(r.status for r in rs)
    check(set(statuses) <= {200, 201}, "concurrent POSTs of one text: statuses %s, want one 201 and 200s" % statuses)
    check(statuses.count(201) == 1, "concurrent POSTs of one text: %d x 201 (want exactly 1): %s" % (statuses.count(201), statuses))
    got = {r.json.get("id") for r in rs if r.status in (200, 201)}
    check(len(got) == 1, "concurrent POSTs of one text gave ids %s" % sorted(got))
    for i in got:
        request("DELETE", "/articles/%d" % i)


@test
def concurrent_posts_same_new_person():
    stamp = int(time.time() * 1000) % 100000
    def one(i):
        return post_text("/articles", "Qwzx race person %d-%d\n\nLima: Talks went on.\n\n\u201cWe will keep talking "
                         "about item %d,\u201d said Yolanda Pettigrew, the trade minister.\n" % (stamp, i, i))
    rs = _parallel(6, one)
    made = [r.json["id"] for r in rs if not isinstance(r, Failure) and r.status == 201]
    check(len(made) == 6, "concurrent POSTs: %s" % [getattr(r, "status", str(r)[:80]) for r in rs])
    people = [p for p in items_of(get(url("/people", q="Pettigrew", limit=100))) if p.get("name") == "Yolanda Pettigrew"]
    if check(len(people) == 1, "after 6 concurrent articles, %d people named Yolanda Pettigrew" % len(people)):
        check(people[0].get("article_count") == len(made), "Yolanda Pettigrew article_count %r, want %d" % (people[0].get("article_count"), len(made)))
        check(people[0].get("quote_count") == len(made), "Yolanda Pettigrew quote_count %r, want %d" % (people[0].get("quote_count"), len(made)))
    for i in made:
        request("DELETE", "/articles/%d" % i)
    check(not [p for p in items_of(get(url("/people", q="Pettigrew"))) if p.get("name") == "Yolanda Pettigrew"],
          "Yolanda Pettigrew still listed after all her articles were deleted")


@test
def gzip_negotiation_details():
    ensure_seed()
    p = "/articles/%d" % SEED["id"]
    r = get(p, headers={"Accept-Encoding": "gzip;q=0"})
    check(not r.header("Content-Encoding"), "Accept-Encoding: gzip;q=0 (gzip refused) still compressed")
    z = get(p, headers={"Accept-Encoding": "gzip"})
    et = z.header("ETag")
    if check(et, "gzip response without ETag"):
        nm = get(p, headers={"Accept-Encoding": "gzip", "If-None-Match": et})
        expect_status(nm, 304)


@test
def etag_changes_with_content():
    r1 = get("/articles?limit=1000&sort=-id")
    e1 = r1.header("ETag")
    n = post_json("/articles", {"title": "Qwzx etag change %f" % time.time(), "body": "New content changes the list."})
    if not expect_status(n, 201):
        return
    try:
        r2 = get("/articles?limit=1000&sort=-id", headers={"If-None-Match": e1 or '"x"'})
        check(r2.status == 200, "list changed but If-None-Match with the old ETag -> %d" % r2.status)
        check(r2.header("ETag") != e1, "list changed but the ETag %r stayed" % e1)
        h1 = get("/health").header("ETag")
    finally:
        request("DELETE", "/articles/%d" % n.json["id"])
    check(get("/health").header("ETag") != h1, "/health counts changed but its ETag did not")


@test
def empty_query_pairs_consistent():
    a = get("/articles?limit=5&")
    b = get("/articles?&limit=5")
    c = get("/articles?limit=5&&sort=id")
    check(a.status == b.status == c.status, "empty query pairs treated inconsistently: ?limit=5& -> %d, ?&limit=5 -> %d, "
          "?limit=5&&sort=id -> %d" % (a.status, b.status, c.status))


@test
def person_subresource_filters():
    pid = campbell_id()
    sid = SEED["id"]
    got = items_of(get("/people/%d/quotes?article=%d" % (pid, sid)))
    check(len(got) == 2, "/people/{campbell}/quotes?article=seed: %d quotes, want 2" % len(got))
    check(items_of(get("/people/%d/quotes?article=999999999" % pid)) == [], "/people/{id}/quotes?article=unknown not empty")
    check(all(q["kind"] == "direct" for q in items_of(get("/people/%d/quotes?kind=direct" % pid))), "kind filter on /people/{id}/quotes")
    check(items_of(get("/people/%d/quotes?kind=partial" % pid)) == [], "Campbell has no partial quotes")
    got = ids(items_of(get(url("/people/%d/quotes" % pid, q="lifetimes"))))
    check(len(got) == 1, "/people/{campbell}/quotes?q=lifetimes: %s" % got)
    arts = ids(items_of(get(url("/people/%d/articles" % pid, q="salvage"))))
    check(arts == [sid], "/people/{campbell}/articles?q=salvage: %s, want [%d]" % (arts, sid))


def _example(prm):
    sch = VALIDATOR.resolve(prm.get("schema") or {})
    name = prm["name"]
    if "example" in prm:
        return str(prm["example"])
    if name == "article":
        return str(ensure_seed()["id"])
    if name == "person":
        return "Kurt Campbell"
    if "oneOf" in sch:  # limit: an integer or "all"; the integer is the plain case
        sch = VALIDATOR.resolve(sch["oneOf"][0])
    if "enum" in sch:
        return str(sch["enum"][-1])
    if sch.get("format") == "date":
        return "2001-01-01"
    if sch.get("type") == "integer":
        return str(max(sch.get("minimum", 1), 1))
    return "china"


@test
def spec_parameters_match_server():
    """Every query parameter the spec declares is accepted; every other one is a 400 naming it."""
    ensure_seed()
    sub = {"articles": SEED["id"], "people": campbell_id()}
    qs = items_of(get("/quotes?limit=1"))
    sub["quotes"] = qs[0]["id"] if qs else 1
    all_names = set()
    for item in SPEC["paths"].values():
        for op in item.values():
            if isinstance(op, dict):
                for prm in op.get("parameters", []):
                    prm = VALIDATOR.resolve(prm)
                    if prm.get("in") == "query":
                        all_names.add(prm["name"])
    for tmpl, item in SPEC["paths"].items():
        op = item.get("get")
        if not op:
            continue
        path = re.sub(r"^/(\w+)/\{id\}", lambda m: "/%s/%d" % (m.group(1), sub[m.group(1)]), tmpl)
        declared = set()
        for prm in op.get("parameters", []):
            prm = VALIDATOR.resolve(prm)
            if prm.get("in") != "query":
                continue
            declared.add(prm["name"])
            if prm["name"] == "cursor":
                continue
            r = get(url(path, **{prm["name"]: _example(prm)}))
            check(r.status == 200, "GET %s?%s=%s (declared in the spec) -> %d %s"
                  % (path, prm["name"], _example(prm), r.status, r.body[:120]))
        for name in sorted(all_names - declared):
            r = get(url(path, **{name: "1"}))
            if r.status != 400:
                fail("GET %s?%s=1 (not declared for %s) -> %d, want 400" % (path, name, tmpl, r.status))
            else:
                expect_problem(r, 400, "bad-parameter", name)


@test
def every_article_and_person_consistent():
    """Counts, offsets and links agree across every article and person."""
    ensure_fixtures()
    ensure_seed()
    arts = items_of(get("/articles?limit=1000"))
    for a in arts[:200]:
        aid = a["id"]
        full = get("/articles/%d" % aid)
        if not expect_status(full, 200):
            continue
        tb = (full.json.get("text") or "").encode("utf-8")
        check("\ufffd" not in full.json.get("text", ""), "article %d (%s) text contains U+FFFD: a decoding lost characters"
              % (aid, full.json.get("path") or full.json.get("title")))
        quotes = items_of(get("/articles/%d/quotes?limit=1000" % aid))
        people = items_of(get("/articles/%d/people?limit=1000" % aid))
        check(a.get("quote_count") == len(quotes), "article %d quote_count %r, %d listed" % (aid, a.get("quote_count"), len(quotes)))
        check(a.get("people_count") == len(people), "article %d people_count %r, %d listed" % (aid, a.get("people_count"), len(people)))
        for q in quotes:
            s_, e_ = q.get("start"), q.get("end")
            check(q.get("article_id") == aid, "quote %r of article %d has article_id %r" % (q.get("id"), aid, q.get("article_id")))
            if check(isinstance(s_, int) and isinstance(e_, int) and 0 <= s_ < e_ <= len(tb), "article %d quote %r offsets %r..%r (text %d bytes)" % (aid, q.get("id"), s_, e_, len(tb))):
                check(tb[s_:e_].decode("utf-8", "replace") == q.get("text"),
                      "article %d quote %r: text[%d:%d]=%r != %r" % (aid, q.get("id"), s_, e_, tb[s_:e_][:50], (q.get("text") or "")[:50]))
            spid = q.get("speaker_person_id")
            want = "/people/%d" % spid if spid is not None else None
            check((q.get("links") or {}).get("speaker") == want, "quote %r links.speaker %r, want %r" % (q.get("id"), (q.get("links") or {}).get("speaker"), want))
            check(q.get("article_title") == full.json.get("title"), "quote %r article_title %r" % (q.get("id"), q.get("article_title")))
        for pp in people:
            for m in pp.get("mentions") or []:
                s_, e_ = m.get("start"), m.get("end")
                if check(isinstance(s_, int) and isinstance(e_, int) and 0 <= s_ < e_ <= len(tb), "article %d mention %r..%r" % (aid, s_, e_)):
                    check(tb[s_:e_].decode("utf-8", "replace") == m.get("text"),
                          "article %d mention of %s: text[%d:%d]=%r != %r" % (aid, pp.get("name"), s_, e_, tb[s_:e_][:40], m.get("text")))
    people = items_of(get("/people?limit=1000"))
    for pp in people[:200]:
        pid = pp["id"]
        nq = len(items_of(get("/people/%d/quotes?limit=1000" % pid)))
        na = len(items_of(get("/people/%d/articles?limit=1000" % pid)))
        check(pp.get("quote_count") == nq, "person %d (%s) quote_count %r, %d listed" % (pid, pp.get("name"), pp.get("quote_count"), nq))
        check(pp.get("article_count") == na, "person %d (%s) article_count %r, %d listed" % (pid, pp.get("name"), pp.get("article_count"), na))
        check(na > 0 or nq > 0, "person %d (%s) has no article and no quote but is listed" % (pid, pp.get("name")))


@test
def fuzz_requests_never_5xx():
    """Deterministic random paths, parameters and bodies: never a 5xx, server keeps answering."""
    import random
    rnd = random.Random(20261129)
    ensure_seed()
    paths = list(SPEC["paths"]) + ["/articles/x/y/z", "/%s" % ("a" * 300), "/people//quotes", "//articles", "/articles/../health"]
    names = ["q", "person", "source", "since", "until", "sort", "limit", "cursor", "format", "kind", "article", "x"]
    alphabet = "abcXYZ019 -_.~'\"%*()[]{}:;,<>=+&?/\\^$#@!\u00e9\u4e2d\U0001F600\x00\x7f"
    bad = []
    for i in range(250):
        tmpl = rnd.choice(paths)
        path = tmpl.replace("{id}", rnd.choice(["1", str(SEED["id"]), "0", "-5", "abc", "9" * 25, "%00", "1%2F2"]))
        params = []
        for _ in range(rnd.randint(0, 3)):
            v = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
            params.append("%s=%s" % (rnd.choice(names), urllib.parse.quote(v, safe="") if rnd.random() < 0.8 else
                                     v.encode("utf-8", "ignore").hex()))
        full = path + ("?" + "&".join(params) if params else "")
        r = request(rnd.choice(["GET", "GET", "GET", "HEAD", "OPTIONS"]), full)
        if r.status >= 500 and r.status != 503:
            bad.append("%s -> %d" % (full[:80], r.status))
    before = health().get("articles")
    created = 0
    for i in range(60):
        kind = rnd.random()
        if kind < 0.4:
            body = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 300)))
            ct = rnd.choice(["text/plain", "application/json"])
        elif kind < 0.8:
            obj = {rnd.choice(["title", "body", "published", "source", "dateline", "url", "author", "x"]):
                   rnd.choice(["", "a", 5, None, [], {}, "2023-01-01", "2023-13-45", "x" * 50, True, 1.5])
                   for _ in range(rnd.randint(0, 5))}
            body = json.dumps(obj).encode()
            ct = "application/json"
        else:
            body = ("Qwzx fuzz %d %d\n\n" % (i, rnd.randrange(10 ** 9)) + "".join(rnd.choice(alphabet) for _ in range(200))).encode("utf-8", "surrogatepass")
            ct = "text/plain; charset=utf-8"
        try:
            r = request("POST", "/articles", body=body, headers={"Content-Type": ct})
        except Failure as e:
            bad.append("POST %s %r: %s" % (ct, body[:40], e))
            continue
        if r.status >= 500:
            bad.append("POST %s %r -> %d" % (ct, body[:40], r.status))
        if r.status == 201:
            created += 1
            request("DELETE", "/articles/%d" % r.json["id"])
    check(not bad, "5xx or dropped connections on fuzzed input: %s" % "; ".join(bad[:5]))
    check(health().get("articles") == before, "article count changed after fuzzed POSTs (+DELETE of the %d created)" % created)


@test
def pagination_survives_delete_of_boundary_item():
    made = []
    for i in range(4):
        r = post_json("/articles", {"title": "Qwzx boundary %d %f" % (i, time.time()), "body": "Boundary item %d." % i,
                                    "source": "Boundary QA", "published": "2002-0%d-01" % (i + 1)})
        if not expect_status(r, 201):
            return
        made.append(r.json["id"])
    try:
        for sort in ("id", "-published"):
            path = url("/articles", source="Boundary QA", sort=sort, limit=2)
            r = get(path)
            first = ids(items_of(r))
            cur = r.json.get("next")
            if not check(cur, "no cursor"):
                continue
            d = request("DELETE", "/articles/%d" % first[-1])
            expect_status(d, 204)
            made.remove(first[-1])
            r2 = get(with_param(path, "cursor", cur))
            if expect_status(r2, 200):
                rest = ids(r2.json["items"])
                check(not (set(rest) & set(first)), "sort=%s: page 2 repeats %s after its boundary item was deleted" % (sort, set(rest) & set(first)))
                check(len(rest) == 2, "sort=%s: page 2 after deleting the boundary item has %s" % (sort, rest))
            # put one back for the next round
            r = post_json("/articles", {"title": "Qwzx boundary again %f" % time.time(), "body": "Again.",
                                        "source": "Boundary QA", "published": "2002-09-01"})
            if r.status == 201:
                made.append(r.json["id"])
    finally:
        for i in made:
            request("DELETE", "/articles/%d" % i)


@test
def expect_100_continue():
    """curl sends Expect: 100-continue for bodies over 1 KiB."""
    import select
    body = ("Qwzx expect continue %f\n\n" % time.time() + "Words of a longer body. " * 60 + "\n").encode()
    sock = socket.create_connection(BASE, timeout=5)
    try:
        sock.sendall(b"POST /articles HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\n"
                     b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
        r, _, _ = select.select([sock], [], [], 2)
        first = sock.recv(65536) if r else b""
        check(first.startswith(b"HTTP/1.1 100"), "Expect: 100-continue got %r first" % first[:60])
        sock.sendall(body)
        out = first
        while True:
            c = sock.recv(65536)
            if not c:
                break
            out += c
    finally:
        sock.close()
    m = re.search(rb"HTTP/1\.1 (\d{3})[^\r]*\r\n((?:.+\r\n)*)\r\n(.*)$", out.split(b"\r\n\r\n", 1)[1] if out.startswith(b"HTTP/1.1 100") else out, re.S)
    if check(m and m.group(1) == b"201", "POST with Expect: 100-continue -> %r" % out[:120]):
        aid = json.loads(m.group(3))["id"]
        request("DELETE", "/articles/%d" % aid)
    st, out = raw_exchange(b"POST /articles HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\n"
                           b"Connection: close\r\nContent-Length: 50000000\r\n\r\n", timeout=5)
    check(st == 413, "Content-Length 50 MB with Expect: 100-continue -> %r, want 413 before the body" % st)


@test
def absolute_form_request_target():
    """RFC 9112 3.2.2: a server MUST accept the absolute-form request target."""
    host, port = BASE
    st, out = raw_exchange(b"GET http://%s:%d/health HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n"
                           % (host.encode(), port, host.encode(), port))
    check(st == 200, "GET http://%s:%d/health (absolute-form) -> %r, want 200" % (host, port, st))


@test
def encoded_slash_is_not_a_separator():
    ensure_seed()
    r = get("/articles/%d%%2Fquotes" % SEED["id"], conform=False)
    check(r.status == 404, "GET /articles/%d%%2Fquotes -> %d: %%2F decoded before routing, so the id segment "
          "'%d/quotes' reached /articles/{id}/quotes (want 404: not an integer id)" % (SEED["id"], r.status, SEED["id"]))


@test
def pipelined_requests():
    st, out = raw_exchange(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /nope HTTP/1.1\r\nHost: localhost\r\n\r\n"
                           b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", timeout=5, read_limit=1 << 20)
    codes = re.findall(rb"HTTP/1\.1 (\d{3}) ", out)
    check(codes == [b"200", b"404", b"200"], "3 pipelined requests answered %s, want [200, 404, 200]" % [c.decode() for c in codes])


# --------------------------------------------------------------------------
# Tests: the instance with --api-key-file and a small --max-body
# --------------------------------------------------------------------------

def auth_required():
    if AUTH is None:
        raise Skip("no --auth-base/--auth-key: auth instance not running")


@test
def auth_writes_need_key():
    auth_required()
    good = {"Authorization": "Bearer " + ARGS.auth_key}
    text = "Qwzx auth test %f\n\nOslo: Nothing happened today.\n" % time.time()
    for hdr in ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": "Bearer "},
                {"Authorization": "Basic " + base64.b64encode(b"u:" + ARGS.auth_key.encode()).decode()},
                {"Authorization": ARGS.auth_key}, {"Authorization": "Bearer " + ARGS.auth_key + "x"}):
        r = post_text("/articles", text, base=AUTH, headers=hdr)
        if expect_problem(r, 401, "unauthorized") is not None:
            check((r.header("WWW-Authenticate") or "") == 'Bearer realm="quotewire"', "WWW-Authenticate %r" % r.header("WWW-Authenticate"))
    r = request("POST", "/articles", body=b'{"title": ', headers={"Content-Type": "application/json"}, base=AUTH)
    expect_problem(r, 401, "unauthorized")
    r = post_text("/articles", text, base=AUTH, headers=good)
    if not expect_status(r, 201):
        return
    aid = r.json["id"]
    check((r.header("Location") or "").endswith("/articles/%d" % aid), "Location %r" % r.header("Location"))
    r = post_text("/articles", text, base=AUTH, headers={"Authorization": "bearer " + ARGS.auth_key})
    check(r.status in (200, 401), "lower-case 'bearer' scheme -> %d" % r.status)
    expect_problem(request("DELETE", "/articles/%d" % aid, base=AUTH), 401, "unauthorized")
    expect_problem(request("DELETE", "/articles/%d" % aid, base=AUTH, headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    expect_status(get("/articles/%d" % aid, base=AUTH), 200)
    d = request("DELETE", "/articles/%d" % aid, base=AUTH, headers=good)
    expect_status(d, 204)
    expect_status(get("/articles/%d" % aid, base=AUTH), 404)


@test
def auth_reads_public():
    auth_required()
    for p in ("/", "/health", "/articles", "/people", "/quotes", "/metrics", "/openapi.yaml"):
        expect_status(get(p, base=AUTH), 200)
        expect_status(get(p, base=AUTH, headers={"Authorization": "Bearer wrong"}), 200)
    r = request("OPTIONS", "/articles", base=AUTH, headers={"Origin": "http://x", "Access-Control-Request-Method": "POST"})
    expect_status(r, 204)


@test
def auth_max_body_413():
    auth_required()
    good = {"Authorization": "Bearer " + ARGS.auth_key}
    big = "Qwzx max body\n\n" + "x " * (ARGS.auth_max_body)
    r = post_text("/articles", big, base=AUTH, headers=good)
    expect_problem(r, 413, "too-large")
    small = "Qwzx under max body %f\n\nfits.\n" % time.time()
    r = post_text("/articles", small, base=AUTH, headers=good)
    if expect_status(r, 201):
        request("DELETE", "/articles/%d" % r.json["id"], base=AUTH, headers=good)


# --------------------------------------------------------------------------
# Tests: the serve CLI (own instance: --no-cors, SIGTERM, busy database)
# --------------------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@test
def serve_cli_usage_and_sigterm():
    if not ARGS.binary:
        raise Skip("no --binary")
    r = subprocess.run([ARGS.binary, "serve", "--bogus-flag"], capture_output=True, timeout=10)
    check(r.returncode == 2, "serve --bogus-flag exit %d, want 2" % r.returncode)
    for bad in (["--listen", "nonsense"], ["--max-body", "abc"], ["--threads", "x"], ["extra-arg"]):
        try:
            r = subprocess.run([ARGS.binary, "serve", "--db", os.path.join(tempfile.gettempdir(), "qw-never.db")] + bad,
                               capture_output=True, timeout=3)
            check(r.returncode == 2, "serve %s exit %d, want 2 (bad usage)" % (" ".join(bad), r.returncode))
        except subprocess.TimeoutExpired:
            fail("serve %s kept running: bad usage not rejected" % " ".join(bad))
    with tempfile.TemporaryDirectory() as td:
        empty = os.path.join(td, "empty.key")
        open(empty, "w").close()
        for kf in (os.path.join(td, "missing.key"), empty):
            try:
                r = subprocess.run([ARGS.binary, "serve", "--db", os.path.join(td, "k.db"), "--create", "--listen", "127.0.0.1:0",
                                    "--api-key-file", kf], capture_output=True, timeout=3)
                check(r.returncode != 0, "serve --api-key-file %s exit 0" % os.path.basename(kf))
            except subprocess.TimeoutExpired:
                fail("serve --api-key-file %s (unusable key) started anyway: writes would be open or unusable"
                     % os.path.basename(kf))
    r = subprocess.run([ARGS.binary, "serve", "--help"], capture_output=True, timeout=10)
    check(r.returncode == 0 and r.stdout, "serve --help exit %d" % r.returncode)
    with tempfile.TemporaryDirectory() as td:
        port = free_port()
        db = os.path.join(td, "cli.db")
        p = subprocess.Popen([ARGS.binary, "serve", "--db", db, "--create", "--listen", "127.0.0.1:%d" % port, "--no-cors",
                              "--allow-anonymous-writes"],
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        try:
            base = ("127.0.0.1", port)
            ready = False
            for _ in range(100):
                try:
                    if request("GET", "/health", base=base, conform=False, timeout=1).status == 200:
                        ready = True
                        break
                except Failure:
                    time.sleep(0.05)
            if not check(ready, "--no-cors instance did not come up"):
                return
            r = get("/articles", base=base, headers={"Origin": "http://example.com"})
            check(r.header("Access-Control-Allow-Origin") is None, "--no-cors still sends Access-Control-Allow-Origin")
            # a writer holding the database: POST must give 503 with Retry-After, not hang or 500
            c = sqlite3.connect(db, timeout=1, isolation_level=None)
            try:
                c.execute("BEGIN EXCLUSIVE")
                t0 = time.time()
                try:
                    r = post_text("/articles", "Qwzx busy\n\nBody.\n", base=base, timeout=12)
                    if expect_problem(r, 503, "unavailable") is not None:
                        check(r.header("Retry-After") == "1", "503 Retry-After %r, want 1" % r.header("Retry-After"))
                except Failure as e:
                    fail("POST while the db is locked: %s (after %.1fs)" % (e, time.time() - t0))
            finally:
                c.execute("ROLLBACK")
                c.close()
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(timeout=10)
                check(rc == 0, "serve exit status %d on SIGTERM, want 0" % rc)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                fail("serve did not exit within 10 s of SIGTERM")
            err = p.stderr.read().decode("utf-8", "replace")
            check("quotewire: listening on http://127.0.0.1:%d/" % port in err,
                  "no 'quotewire: listening on http://127.0.0.1:%d/' on stderr: %r" % (port, err[:200]))


@test
def serve_refuses_a_missing_database():
    """A mistyped --db is an error, not a new empty database served as if
    the archive were gone; --create makes one on purpose."""
    if not ARGS.binary:
        raise Skip("no --binary")
    with tempfile.TemporaryDirectory() as td:
        db = os.path.join(td, "typo.db")
        try:
            r = subprocess.run([ARGS.binary, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                               capture_output=True, timeout=5)
        except subprocess.TimeoutExpired:
            fail("serve --db MISSING started serving an empty database")
            return
        err = r.stderr.decode("utf-8", "replace")
        check(r.returncode == 1, "serve --db MISSING exit %d, want 1" % r.returncode)
        check("does not exist" in err and "--create" in err and err.count("\n") == 1,
              "serve --db MISSING: want one line naming --create, got %r" % err)
        check(not os.path.exists(db), "serve --db MISSING created the file")


@test
def serve_refuses_port_in_use():
    if not ARGS.binary:
        raise Skip("no --binary")
    with tempfile.TemporaryDirectory() as td:
        p = subprocess.Popen([ARGS.binary, "serve", "--db", os.path.join(td, "x.db"), "--create", "--listen", "%s:%d" % BASE],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            rc = p.wait(timeout=3)
            check(rc != 0, "serve on a port in use exited 0")
        except subprocess.TimeoutExpired:
            fail("a second 'serve --listen %s:%d' on the port in use keeps running (SO_REUSEPORT): two servers "
                 "silently share the port and its requests" % BASE)
            p.terminate()
            p.wait()


def _start_server(db, extra=("--allow-anonymous-writes",)):
    port = free_port()
    p = subprocess.Popen([ARGS.binary, "serve", "--db", db, "--create", "--listen", "127.0.0.1:%d" % port] + list(extra),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = ("127.0.0.1", port)
    for _ in range(200):
        try:
            if request("GET", "/health", base=base, conform=False, timeout=1).status == 200:
                return p, base
        except Failure:
            pass
        if p.poll() is not None:
            break
        time.sleep(0.05)
    p.kill()
    p.wait()
    raise Failure("server on %s did not come up" % db)


@test
def kill9_keeps_committed_article():
    if not ARGS.binary:
        raise Skip("no --binary")
    with tempfile.TemporaryDirectory() as td:
        db = os.path.join(td, "k9.db")
        p, base = _start_server(db)
        try:
            r = post_text("/articles", "Qwzx kill nine\n\nOslo: \u201cThis must survive,\u201d said Ingrid Solberg, the archivist.\n", base=base)
            ok = expect_status(r, 201)
        finally:
            p.kill()
            p.wait()
        if not ok:
            return
        aid = r.json["id"]
        p, base = _start_server(db)
        try:
            g = get("/articles/%d" % aid, base=base)
            if expect_status(g, 200):
                check(g.json.get("title") == "Qwzx kill nine", "after kill -9: title %r" % g.json.get("title"))
                check(g.json.get("quote_count") == r.json.get("quote_count"), "after kill -9: quote_count %r, was %r"
                      % (g.json.get("quote_count"), r.json.get("quote_count")))
            h = get("/health", base=base).json
            check(h.get("articles") == 1, "after kill -9: %r articles, want 1" % h.get("articles"))
        finally:
            p.terminate()
            p.wait()


@test
def zz_database_integrity_after_suite():
    """Runs last: the main database is consistent after everything above (SQLite, foreign keys, FTS5 indexes)."""
    if not ARGS.db or not os.path.exists(ARGS.db):
        raise Skip("no --db")
    try:
        c = sqlite3.connect(ARGS.db, timeout=10)
        try:
            check(c.execute("pragma integrity_check").fetchone()[0] == "ok", "pragma integrity_check failed")
            fk = c.execute("pragma foreign_key_check").fetchall()
            check(not fk, "foreign key violations: %s" % fk[:5])
            for t in ("articles_fts", "quotes_fts"):
                try:
                    c.execute("INSERT INTO %s(%s, rank) VALUES('integrity-check', 1)" % (t, t))
                except sqlite3.DatabaseError as e:
                    fail("%s integrity-check: %s (index out of step with its content table)" % (t, e))
            orphans = c.execute("select count(*) from people p where not exists (select 1 from mentions m where m.person_id = p.id)"
                                " and not exists (select 1 from quotes q where q.speaker_person_id = p.id)").fetchone()[0]
            check(orphans == 0, "%d people with no mention and no quote left in the database" % orphans)
            c.rollback()
        finally:
            c.close()
    except sqlite3.Error as e:
        fail("cannot check the database: %s" % e)


# --------------------------------------------------------------------------
# Runner
# --------------------------------------------------------------------------

def parse_base(u):
    pu = urllib.parse.urlsplit(u)
    return (pu.hostname, pu.port or 80)



# ---- aggregates: every figure checked against SQL over the raw tables
# (articles.published and joins, not the copies quotes and mentions carry)

def _sql(query, *args):
    c = sqlite3.connect("file:%s?mode=ro" % ARGS.db, uri=True, timeout=10)
    try:
        return c.execute(query, args).fetchall()
    finally:
        c.close()


def _month(d):
    return d[:7] + "-01"


def _months(lo, hi):
    out, y, m = [], int(lo[:4]), int(lo[5:7])
    while "%04d-%02d-01" % (y, m) <= hi:
        out.append("%04d-%02d-01" % (y, m))
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out


@test
def stats_timeseries_matches_sql():
    """Quotes, articles and mentions per month (and split) equal SQL over the raw tables, zero-filled."""
    ensure_seed()
    raw = {"quotes": "SELECT a.published FROM quotes q JOIN articles a ON a.id = q.article_id",
           "articles": "SELECT a.published FROM articles a",
           "mentions": "SELECT a.published FROM mentions m JOIN articles a ON a.id = m.article_id"}
    for metric, q in raw.items():
        days = [r[0] for r in _sql(q)]
        dated = [d for d in days if d]
        r = get(url("/stats/timeseries", metric=metric, interval="month"))
        if not expect_status(r, 200):
            continue
        doc = r.json
        check(doc["undated"] == len(days) - len(dated), "%s undated %s, SQL %d" % (metric, doc["undated"], len(days) - len(dated)))
        if not dated:
            check(doc["series"] == [] and doc["from"] is None, "%s: no dated rows, series %r" % (metric, doc["series"][:3]))
            continue
        want = {}
        for d in dated:
            want[_month(d)] = want.get(_month(d), 0) + 1
        months = _months(min(want), max(want))
        got = [(x["bucket"], x["count"]) for x in doc["series"]]
        check(got == [(m, want.get(m, 0)) for m in months], "%s per month: %s, SQL %s" % (metric, got, sorted(want.items())))
        check(doc["from"] == months[0] and doc["to"] == months[-1], "%s range %s..%s" % (metric, doc["from"], doc["to"]))
    # split by gender: the speaker's, quotes by persons only
    rows = _sql("SELECT a.published, coalesce(p.gender, 'unknown') FROM quotes q JOIN articles a ON a.id = q.article_id"
                " JOIN people p ON p.id = q.speaker_person_id WHERE a.published IS NOT NULL")
    r = get(url("/stats/timeseries", by="gender", interval="year"))
    if expect_status(r, 200):
        got = {(x["bucket"], x["group"]): x["count"] for x in r.json["series"]}
        want = {}
        for d, g in rows:
            k = (d[:4] + "-01-01", g)
            want[k] = want.get(k, 0) + 1
        check({k: v for k, v in got.items() if v} == want, "by gender: %s, SQL %s" % (got, want))
        check([g["group"] for g in r.json["groups"]] == ["female", "male", "unknown"], "gender groups %r" % r.json["groups"])
        buckets = sorted({x["bucket"] for x in r.json["series"]})
        check(len(r.json["series"]) == 3 * len(buckets), "every bucket has every gender: %d rows, %d buckets" % (len(r.json["series"]), len(buckets)))
    # by person: the speakers with most dated quotes, their counts
    r = get(url("/stats/timeseries", by="person", limit=3, interval="year"))
    if expect_status(r, 200):
        tops = _sql("SELECT q.speaker_person_id, count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
                    " WHERE a.published IS NOT NULL AND q.speaker_person_id IS NOT NULL"
                    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3")
        check([(g["person_id"], g["total"]) for g in r.json["groups"]] == [tuple(t) for t in tops],
              "by person groups %s, SQL %s" % (r.json["groups"], tops))
        for x in r.json["series"]:
            check(isinstance(x.get("person_id"), int) and x.get("group"), "by person row %r" % x)


@test
def stats_timeseries_intervals_and_ranges():
    """since/until fix the range, weeks start on Monday, days zero-fill, distinct counts clusters."""
    ensure_seed()
    r = get(url("/stats/timeseries", interval="day", since="2024-02-27", until="2024-03-02"))
    if expect_status(r, 200):
        check([x["bucket"] for x in r.json["series"]] == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"],
              "days across a leap day: %r" % [x["bucket"] for x in r.json["series"]])
        want = _sql("SELECT count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
                    " WHERE a.published BETWEEN '2024-02-27' AND '2024-03-02'")[0][0]
        check(sum(x["count"] for x in r.json["series"]) == want, "day sum %d, SQL %d" % (sum(x["count"] for x in r.json["series"]), want))
        check(r.json["undated"] == 0, "undated with since: %r" % r.json["undated"])
    r = get(url("/stats/timeseries", interval="week", since="2024-01-03", until="2024-01-20"))
    if expect_status(r, 200):
        got = [x["bucket"] for x in r.json["series"]]
        check(got == ["2024-01-01", "2024-01-08", "2024-01-15"], "weeks from Monday: %r" % got)
        for b in got:
            check(datetime.date.fromisoformat(b).weekday() == 0, "week bucket %s is no Monday" % b)
    r = get(url("/stats/timeseries", interval="year", since="2030-01-01", until="2020-01-01"))
    if expect_status(r, 200):
        check(r.json["series"] == [] and r.json["from"] is None, "since after until: %r" % r.json)
    r = get(url("/stats/timeseries", distinct="true", interval="year"))
    if expect_status(r, 200):
        want = dict(_sql("SELECT substr(a.published, 1, 4) || '-01-01', count(DISTINCT q.cluster_id) FROM quotes q"
                         " JOIN articles a ON a.id = q.article_id WHERE a.published IS NOT NULL GROUP BY 1"))
        got = {x["bucket"]: x["count"] for x in r.json["series"] if x["count"]}
        check(got == want, "distinct per year %s, SQL %s" % (got, want))
    for q, want in ((dict(interval="hour"), "interval"), (dict(metric="words"), "metric"), (dict(by="colour"), "by"),
                    (dict(limit="101"), "limit"), (dict(limit="all", format="csv"), "limit"),
                    (dict(metric="articles", kind="direct"), "kind"), (dict(metric="mentions", distinct="true"), "distinct"),
                    (dict(metric="articles", by="kind"), "by"), (dict(distinct="yes"), "distinct"),
                    (dict(interval="day", since="1000-01-01", until="9999-12-31"), "interval"),
                    (dict(cursor="x"), "cursor"), (dict(sort="id"), "sort")):
        expect_problem(get(url("/stats/timeseries", **q)), 400, "bad-parameter", want)


@test
def stats_formats():
    """The aggregates come as CSV (one header, an attachment) and NDJSON (the JSON rows)."""
    ensure_seed()
    j = get(url("/stats/timeseries", by="kind", interval="year"))
    c = get(url("/stats/timeseries", by="kind", interval="year", format="csv"))
    n = get(url("/stats/timeseries", by="kind", interval="year", format="ndjson"))
    if expect_status(j, 200) and expect_status(c, 200) and expect_status(n, 200):
        rows = list(csv.reader(io.StringIO(c.body.decode("utf-8"))))
        check(rows[0] == ["bucket", "group", "count"], "CSV header %r" % rows[0])
        check([[x["bucket"], x["group"], str(x["count"])] for x in j.json["series"]] == rows[1:], "CSV rows differ from JSON")
        check(c.header("content-disposition") == 'attachment; filename="stats-timeseries.csv"', "CSV disposition %r" % c.header("content-disposition"))
        lines = [json.loads(x) for x in n.body.decode("utf-8").splitlines() if x]
        check(lines == j.json["series"], "NDJSON lines differ from the JSON series")
    c = get(url("/stats/top", format="csv", limit=3))
    if expect_status(c, 200):
        rows = list(csv.reader(io.StringIO(c.body.decode("utf-8"))))
        check(rows[0] == ["rank", "id", "name", "gender", "count"], "top CSV header %r" % rows[0])


@test
def stats_top_matches_sql():
    """Top people, sources and sections equal SQL, also within a date range and a source."""
    ensure_seed()
    r = get(url("/stats/top", limit=5))
    if expect_status(r, 200):
        want = _sql("SELECT speaker_person_id, count(*) FROM quotes WHERE speaker_person_id IS NOT NULL"
                    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5")
        check([(x["id"], x["count"]) for x in r.json["items"]] == [tuple(w) for w in want], "top people %s, SQL %s" % (r.json["items"], want))
        check([x["rank"] for x in r.json["items"]] == list(range(1, len(want) + 1)), "ranks")
    r = get(url("/stats/top", since="2024-03-01", until="2024-03-31", limit=10))
    if expect_status(r, 200):
        want = _sql("SELECT q.speaker_person_id, count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
                    " WHERE q.speaker_person_id IS NOT NULL AND a.published BETWEEN '2024-03-01' AND '2024-03-31'"
                    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10")
        check([(x["id"], x["count"]) for x in r.json["items"]] == [tuple(w) for w in want], "top in March %s, SQL %s" % (r.json["items"], want))
    src = _sql("SELECT source FROM articles WHERE source IS NOT NULL ORDER BY id LIMIT 1")
    if src:
        r = get(url("/stats/top", source=src[0][0].upper(), metric="mentions"))
        if expect_status(r, 200):
            want = _sql("SELECT m.person_id, count(*) FROM mentions m JOIN articles a ON a.id = m.article_id"
                        " WHERE a.source = ? COLLATE NOCASE GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10", src[0][0])
            check([(x["id"], x["count"]) for x in r.json["items"]] == [tuple(w) for w in want], "top mentioned in %s" % src[0][0])
    r = get(url("/stats/top", of="sources", metric="articles"))
    if expect_status(r, 200):
        want = _sql("SELECT source COLLATE NOCASE, count(*) FROM articles WHERE source IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10")
        check([(x["value"].lower(), x["count"]) for x in r.json["items"]] == [(w[0].lower(), w[1]) for w in want], "top sources %s, SQL %s" % (r.json["items"], want))
    for q, want in ((dict(of="words"), "of"), (dict(limit="0"), "limit"), (dict(facet="kind"), "facet")):
        expect_problem(get(url("/stats/top", **q)), 400, "bad-parameter", want)


@test
def stats_gender_balance_matches_sql():
    """Shares of quotes by women, men and unknown per year equal SQL; they add up to 1."""
    ensure_seed()
    r = get("/stats/gender")
    if not expect_status(r, 200):
        return
    rows = _sql("SELECT substr(a.published, 1, 4) || '-01-01', coalesce(p.gender, 'unknown'), count(*) FROM quotes q"
                " JOIN articles a ON a.id = q.article_id JOIN people p ON p.id = q.speaker_person_id"
                " WHERE a.published IS NOT NULL GROUP BY 1, 2")
    want = {}
    for b, g, n in rows:
        want.setdefault(b, {"female": 0, "male": 0, "unknown": 0})[g] = n
    for x in r.json["series"]:
        w = want.get(x["bucket"], {"female": 0, "male": 0, "unknown": 0})
        check(all(x[g] == w[g] for g in w), "gender %s: %r, SQL %r" % (x["bucket"], x, w))
        t = sum(w.values())
        check(x["total"] == t, "total %s" % x)
        if t:
            check(abs(x["share_female"] - w["female"] / t) < 1e-9 and abs(x["share_female"] + x["share_male"] + x["share_unknown"] - 1) < 1e-9,
                  "shares %r" % x)
        else:
            check(x["share_female"] is None, "share of an empty bucket %r" % x)
    check({x["bucket"] for x in r.json["series"] if x["total"]} == set(want), "buckets %s, SQL %s" % ([x["bucket"] for x in r.json["series"]], sorted(want)))


@test
def co_mentions_match_sql():
    """Who appears alongside a person: shared articles and their quotes there equal SQL; the link lists those articles."""
    ensure_seed()
    pid = campbell_id()
    r = get("/people/%d/co-mentions" % pid)
    if not expect_status(r, 200):
        return
    want = _sql("SELECT m.person_id, count(DISTINCT m.article_id) FROM mentions m WHERE m.article_id IN"
                " (SELECT article_id FROM mentions WHERE person_id = ?) AND m.person_id != ?"
                " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20", pid, pid)
    check([(x["id"], x["articles"]) for x in r.json["items"]] == [tuple(w) for w in want], "co-mentions %s, SQL %s" % (r.json["items"], want))
    check(r.json["person"]["id"] == pid and r.json["person"]["name"] == "Kurt Campbell", "person %r" % r.json["person"])
    for x in r.json["items"][:5]:
        nq = _sql("SELECT count(*) FROM quotes WHERE speaker_person_id = ? AND article_id IN"
                  " (SELECT article_id FROM mentions WHERE person_id = ?)", x["id"], pid)[0][0]
        check(x["quotes"] == nq, "quotes of %s in shared articles %d, SQL %d" % (x["name"], x["quotes"], nq))
        shared = ids(items_of(get(x["links"]["articles"] + "&limit=1000")))
        sq = [a for (a,) in _sql("SELECT DISTINCT a.article_id FROM mentions a JOIN mentions b ON b.article_id = a.article_id"
                                  " WHERE a.person_id = ? AND b.person_id = ? ORDER BY 1", pid, x["id"])]
        check(shared == sq, "shared articles of %s: %s, SQL %s" % (x["name"], shared, sq))
    expect_problem(get("/people/999999999/co-mentions"), 404, "not-found")
    expect_problem(get("/people/%d/co-mentions?kind=direct" % pid), 400, "bad-parameter", "kind")
    r = get(url("/people/%d/co-mentions" % pid, q="salvage", gender="male"))
    if expect_status(r, 200):
        want = _sql("SELECT m.person_id, count(DISTINCT m.article_id) FROM mentions m JOIN people p ON p.id = m.person_id"
                    " WHERE p.gender = 'male' AND m.person_id != ? AND m.article_id IN (SELECT article_id FROM mentions"
                    " WHERE person_id = ? AND article_id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'salvage'))"
                    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20", pid, pid)
        check([(x["id"], x["articles"]) for x in r.json["items"]] == [tuple(w) for w in want] and want,
              "co-mentions with q and gender %s, SQL %s" % (r.json["items"], want))


@test
def totals_and_facets():
    """count=exact is the number of items over every page; facets count the whole list and add up to it."""
    ensure_seed()
    for path, facets in (("/quotes", "source,section,kind,gender"), ("/articles", "source,section"),
                         ("/people", "gender"), ("/people/%d/quotes" % campbell_id(), "kind"),
                         ("/articles/%d/people" % SEED["id"], "gender")):
        r = get(url(path, limit=2, count="exact", facet=facets))
        if not expect_status(r, 200):
            continue
        every, _ = walk(path, limit=7)
        check(r.json.get("total") == len(every), "%s total %s, %d items over the pages" % (path, r.json.get("total"), len(every)))
        for f in facets.split(","):
            vals = r.json.get("facets", {}).get(f)
            check(isinstance(vals, list) and sum(v["count"] for v in vals) == len(every),
                  "%s facet %s adds up to %s, want %d" % (path, f, vals and sum(v["count"] for v in vals), len(every)))
            counts = [v["count"] for v in vals or []]
            check(counts == sorted(counts, reverse=True), "%s facet %s not most frequent first" % (path, f))
        check(len(r.json["items"]) <= 2, "page size kept with count")
    r = get(url("/quotes", kind="direct", count="exact", facet="kind"))
    if expect_status(r, 200):
        n = _sql("SELECT count(*) FROM quotes WHERE kind = 'direct'")[0][0]
        check(r.json["total"] == n and r.json["facets"]["kind"] == ([{"value": "direct", "count": n}] if n else []),
              "filtered total/facet %r, SQL %d" % (r.json.get("facets"), n))
    r = get(url("/quotes", gender="female", count="exact"))
    if expect_status(r, 200):
        n = _sql("SELECT count(*) FROM quotes q JOIN people p ON p.id = q.speaker_person_id WHERE p.gender = 'female'")[0][0]
        check(r.json["total"] == n, "gender=female total %s, SQL %d" % (r.json["total"], n))
    plain = get("/quotes?limit=2")
    if expect_status(plain, 200):
        check("total" not in plain.json and "facets" not in plain.json, "total without count=exact")
    expect_problem(get("/quotes?count=yes"), 400, "bad-parameter", "count")
    expect_problem(get("/quotes?count=exact&format=csv"), 400, "bad-parameter", "count")
    expect_problem(get("/quotes?facet=source,source"), 400, "bad-parameter", "facet")
    expect_problem(get("/articles?facet=gender"), 400, "bad-parameter", "facet")
    expect_problem(get("/people?facet=source"), 400, "bad-parameter", "facet")
    expect_problem(get("/quotes?gender=other"), 400, "bad-parameter", "gender")


@test
def no_response_cache_runs_every_get():
    """--no-response-cache (for benchmarks of the read path): a repeated GET runs its queries again
    instead of coming from the response cache, which it does by default."""
    if not ARGS.binary:
        raise Skip("no --binary")
    with tempfile.TemporaryDirectory() as td:
        db = os.path.join(td, "nc.db")
        served = {}
        for flag in ([], ["--no-response-cache"]):
            port = free_port()
            log = os.path.join(td, "log%d" % len(flag))
            with open(log, "w") as lf:
                p = subprocess.Popen([ARGS.binary, "serve", "--db", db, "--create", "--listen", "127.0.0.1:%d" % port,
                                      "--log-level", "debug"] + flag, stdout=subprocess.DEVNULL, stderr=lf)
            try:
                base = ("127.0.0.1", port)
                for _ in range(200):
                    try:
                        if request("GET", "/health", base=base, conform=False, timeout=1).status == 200:
                            break
                    except Failure:
                        time.sleep(0.05)
                for _ in range(3):
                    expect_status(get("/articles?limit=5", base=base), 200)
            finally:
                p.terminate()
                p.wait()
            with open(log) as lf:
                served[bool(flag)] = sum(1 for line in lf if "/articles -> 200 (cached)" in line)
        check(served[False] >= 1, "without the flag no GET came from the cache (%r)" % served)
        check(served[True] == 0, "with --no-response-cache %d GETs came from the cache" % served[True])


# the corrections' tests (PATCH, merge, the audit trail, export and import)
sys.path.insert(0, HERE)
import test_corrections  # noqa: E402,F401  (registers its tests with @test)


def main():
    global ARGS, SPEC, VALIDATOR, BASE, AUTH, CURRENT, VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="http://127.0.0.1:8080")
    ap.add_argument("--auth-base")
    ap.add_argument("--auth-key")
    ap.add_argument("--auth-max-body", type=int, default=4096)
    ap.add_argument("--spec", default=os.path.join(ROOT, "openapi.yaml"))
    ap.add_argument("--binary")
    ap.add_argument("--db")
    ap.add_argument("--samples-loaded", action="store_true", help="run.sh loaded samples/ into --db")
    ap.add_argument("--deadline", type=int, default=180, help="seconds after which the remaining tests fail unrun")
    ap.add_argument("-k", dest="only", help="run tests whose name contains this")
    ap.add_argument("-v", action="store_true", help="print every failure message on its own line")
    ARGS = ap.parse_args()
    VERBOSE = ARGS.v
    with open(ARGS.spec, encoding="utf-8") as f:
        SPEC = yaml.safe_load(f)
    VALIDATOR = Validator(SPEC)
    _compile_paths()
    BASE = parse_base(ARGS.base)
    if ARGS.auth_base and ARGS.auth_key:
        AUTH = parse_base(ARGS.auth_base)
    passed = failed = skipped = 0
    t0 = time.time()
    for fn in TESTS:
        if ARGS.only and ARGS.only not in fn.__name__:
            continue
        CURRENT = []
        if time.time() - t0 > ARGS.deadline:
            failed += 1
            print("FAIL %s: not run: the suite took over %d s (hung server?)" % (fn.__name__, ARGS.deadline))
            continue
        try:
            fn()
        except Skip as e:
            skipped += 1
            print("SKIP %s: %s" % (fn.__name__, e))
            continue
        except Failure as e:
            CURRENT.append(str(e))
        except Exception as e:  # a bug in a test or a wildly wrong response
            CURRENT.append("%s: %s" % (type(e).__name__, e))
            if VERBOSE:
                traceback.print_exc()
        if CURRENT:
            failed += 1
            uniq = list(dict.fromkeys(CURRENT))
            if VERBOSE:
                print("FAIL %s:" % fn.__name__)
                for m in uniq:
                    print("    " + m)
            else:
                line = " | ".join(m[:300] for m in uniq[:6])
                if len(uniq) > 6:
                    line += " | (+%d more)" % (len(uniq) - 6)
                print("FAIL %s: %s" % (fn.__name__, line.replace("\n", " ")))
        else:
            passed += 1
        sys.stdout.flush()
    if VERBOSE:
        print("(%.1f s; seed %r; fixtures %r)" % (time.time() - t0, SEED, FIX))
    print("http: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

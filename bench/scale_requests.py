#!/usr/bin/env python3
"""Times every documented GET request kind of openapi.yaml on one served
database, for make bench-scale.

    scale_requests.py URL DB [--runs R] [--seed S] [--p95-ms MS]

URL is a running `quotewire serve --no-response-cache` on DB (so every
request runs its queries; nothing is served from the response cache).  One
client, sequential, one keep-alive connection, no gzip: each kind is asked R
times (default 20) and its p50 and p95 (nearest rank) printed with the
status codes seen and the median body size.  A kind is flagged SLOW when its
p95 is over MS (default 100) and FAIL when any answer was not a 200 (a 503
at the query deadline is a failure).

Parameters come from the data, as bench/aggregates.py picks them: the most
quoted person, the person in the most articles, the last full year, the
largest source and section (from /stats/top), a part of the top person's
surname; random article, person and quote ids are drawn with a fixed seed,
a new one for each run.  Paging to page 50 follows `links.next` (keyset
cursors: the API has no offset) before the timing; the page-50 request is
the one timed.  Python 3 standard library only.
"""
import argparse
import http.client
import json
import random
import sqlite3
import sys
import time
import urllib.parse

PAGE = 50


class Client:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def get(self, path):
        """(status, body bytes, seconds); status 0 when the request failed."""
        for attempt in (0, 1):
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            t0 = time.perf_counter()
            try:
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                body = r.read()
                dt = time.perf_counter() - t0
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, body, dt
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.conn.close()
                self.conn = None
                # a kept-alive connection the server closed meanwhile: once more
                if fresh or attempt:
                    return 0, str(e).encode(), time.perf_counter() - t0
            except (OSError, http.client.HTTPException) as e:
                self.conn.close()
                self.conn = None
                return 0, str(e).encode(), time.perf_counter() - t0
        return 0, b"", 0.0

    def json(self, path):
        status, body, _ = self.get(path)
        if status != 200:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return None


def url(path, params):
    return path + ("?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote) if params else "")


def random_ids(c, table, rnd, n):
    lo, hi = c.execute("SELECT min(id), max(id) FROM %s" % table).fetchone()
    if lo is None:
        return []
    out = []
    for _ in range(n):
        r = c.execute("SELECT id FROM %s WHERE id >= ? ORDER BY id LIMIT 1" % table,
                      (rnd.randint(lo, hi),)).fetchone()
        out.append(r[0])
    return out


def page_path(cl, path, params, page):
    """The path of page `page` of a list (following links.next), the number
    of the page it is (the last there is when there are fewer), and whether
    a page on the way failed."""
    p = url(path, params)
    for k in range(1, page):
        d = cl.json(p)
        if d is None:
            return p, k, True
        if not d.get("links", {}).get("next"):
            return p, k, False
        p = d["links"]["next"]
    return p, page, False


def pct(sorted_ms, q):
    # nearest rank
    k = max(0, min(len(sorted_ms) - 1, -(-len(sorted_ms) * q // 100) - 1))
    return sorted_ms[int(k)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("db")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--p95-ms", type=float, default=100.0)
    a = ap.parse_args()
    R = a.runs
    rnd = random.Random(a.seed)
    cl = Client(a.url)

    c = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
    n = c.execute("SELECT count(*) FROM articles").fetchone()[0]
    top = c.execute("SELECT id, name, quote_count FROM people ORDER BY quote_count DESC, id LIMIT 1").fetchone()
    wide = c.execute("SELECT id, name, article_count FROM people ORDER BY article_count DESC, id LIMIT 1").fetchone()
    last = c.execute("SELECT max(published) FROM articles").fetchone()[0]
    first = c.execute("SELECT min(published) FROM articles WHERE published IS NOT NULL").fetchone()[0]
    art_ids = random_ids(c, "articles", rnd, R)
    person_ids = random_ids(c, "people", rnd, R)
    quote_ids = random_ids(c, "quotes", rnd, R)
    clusters = [c.execute("SELECT cluster_id FROM quotes WHERE id = ?", (q,)).fetchone()[0] for q in quote_ids]
    c.close()
    if not n or not top or not quote_ids:
        print("requests: skipped (no articles, people or quotes in %s)" % a.db)
        return 0

    pid, pname, pquotes = top
    wid, wname, warts = wide
    year = int(last[:4]) - 1 if last and first and int(last[:4]) > int(first[:4]) else int((last or "2024")[:4])
    y = str(year)
    src = cl.json("/stats/top?of=sources&metric=articles&limit=1")
    src = src["items"][0]["value"] if src and src.get("items") else "Reuters"
    sec = cl.json("/stats/top?of=sections&metric=articles&limit=1")
    sec = sec["items"][0]["value"] if sec and sec.get("items") else "business"
    co = cl.json("/people/%d/co-mentions?limit=1" % pid)
    partner = co["items"][0]["id"] if co and co.get("items") else pid
    surname = pname.split()[-1].lower()
    part = surname[:4] if len(surname) >= 4 else surname

    print("on %d articles (%s .. %s): PERSON %s (id %d, %d quotes), WIDE %s (id %d, in %d articles), "
          "PARTNER id %d, YEAR %s, SOURCE %s, SECTION %s, NAMEPART %s; random ids seed %d; %d runs per kind"
          % (n, first, last, pname, pid, pquotes, wname, wid, warts, partner, y, src, sec, part, a.seed, R))

    P, W = str(pid), str(wid)
    march = {"since": y + "-03-01", "until": y + "-03-31"}
    whole = {"since": y + "-01-01", "until": y + "-12-31"}
    # (label, path or function of the run number)
    kinds = []

    def fixed(label, path, params=None):
        p = url(path, params or {})
        kinds.append((label, lambda i: p))

    def each(label, fmt, ids, params=None):
        q = ("?" + urllib.parse.urlencode(params)) if params else ""
        kinds.append((label, lambda i: fmt % ids[i % len(ids)] + q))

    def paged(label, path, params):
        p, got, failed = page_path(cl, path, params, PAGE)
        if failed:
            label += " (page %d failed on the way)" % got
        elif got < PAGE:
            label += " (only %d pages)" % got
        kinds.append((label, lambda i: p))

    # service and explorer
    fixed("/", "/")
    fixed("/health", "/health")
    fixed("/metrics", "/metrics")
    fixed("/openapi.yaml", "/openapi.yaml")
    fixed("/ui/", "/ui/")
    for f in ("app.js", "yaml.js", "app.css", "chart.js"):
        fixed("/ui/" + f, "/ui/" + f)

    # articles
    fixed("/articles", "/articles")
    fixed("/articles?sort=-id", "/articles", {"sort": "-id"})
    fixed("/articles?sort=published", "/articles", {"sort": "published"})
    fixed("/articles?sort=-published", "/articles", {"sort": "-published"})
    paged("/articles?sort=-published page %d" % PAGE, "/articles", {"sort": "-published"})
    fixed("/articles?q=said", "/articles", {"q": "said"})
    fixed("/articles?q=march", "/articles", {"q": "march"})
    fixed('/articles?q="last year"', "/articles", {"q": '"last year"'})
    fixed("/articles?q=strike OR walkout", "/articles", {"q": "strike OR walkout"})
    fixed("/articles?q=said -march", "/articles", {"q": "said -march"})
    fixed("/articles?q=gov*", "/articles", {"q": "gov*"})
    paged("/articles?q=said page %d" % PAGE, "/articles", {"q": "said"})
    fixed("/articles?q=said&sort=-published", "/articles", {"q": "said", "sort": "-published"})
    fixed("/articles?q=march&sort=-published", "/articles", {"q": "march", "sort": "-published"})
    fixed('/articles?q="last year"&sort=-published', "/articles", {"q": '"last year"', "sort": "-published"})
    paged("/articles?q=said&sort=-published page %d" % PAGE, "/articles", {"q": "said", "sort": "-published"})
    fixed("/articles?q=said&sort=-id", "/articles", {"q": "said", "sort": "-id"})
    fixed("/articles?q=said&count=exact", "/articles", {"q": "said", "count": "exact"})
    fixed("/articles?source=SOURCE", "/articles", {"source": src})
    fixed("/articles?source=SOURCE&sort=-published", "/articles", {"source": src, "sort": "-published"})
    fixed("/articles?section=SECTION", "/articles", {"section": sec})
    fixed("/articles?section=nosuch", "/articles", {"section": "nosuch"})
    fixed("/articles?q=said&source=SOURCE", "/articles", {"q": "said", "source": src})
    fixed("/articles?q=said&section=nosuch", "/articles", {"q": "said", "section": "nosuch"})
    fixed("/articles?since=YEAR-03-01&until=YEAR-03-31", "/articles", march)
    fixed("/articles?since=YEAR-01-01&until=YEAR-12-31&sort=-published", "/articles", dict(whole, sort="-published"))
    fixed("/articles?q=said&since=YEAR-03-01&until=YEAR-03-31", "/articles", dict(march, q="said"))
    fixed("/articles?person=PERSON (name)", "/articles", {"person": pname})
    fixed("/articles?person=WIDE (id)", "/articles", {"person": W})
    fixed("/articles?q=said&person=WIDE", "/articles", {"q": "said", "person": W})
    fixed("/articles?gender=female", "/articles", {"gender": "female"})
    fixed("/articles?count=exact&facet=source,section&limit=1", "/articles",
          {"count": "exact", "facet": "source,section", "limit": "1"})
    fixed("/articles?format=csv&limit=1000", "/articles", {"format": "csv", "limit": "1000"})
    fixed("/articles?format=ndjson&limit=1000", "/articles", {"format": "ndjson", "limit": "1000"})
    each("/articles/{random id}", "/articles/%d", art_ids)
    each("/articles/{random id}/people", "/articles/%d/people", art_ids)
    each("/articles/{random id}/quotes", "/articles/%d/quotes", art_ids)

    # people
    fixed("/people", "/people")
    for s in ("-name", "quotes", "-quotes", "articles", "-articles"):
        fixed("/people?sort=" + s, "/people", {"sort": s})
    paged("/people?sort=-quotes page %d" % PAGE, "/people", {"sort": "-quotes"})
    fixed("/people?q=NAMEPART", "/people", {"q": part})
    fixed("/people?q=son&sort=-quotes", "/people", {"q": "son", "sort": "-quotes"})
    fixed("/people?gender=female&sort=-articles", "/people", {"gender": "female", "sort": "-articles"})
    fixed("/people?count=exact&facet=gender&limit=1", "/people", {"count": "exact", "facet": "gender", "limit": "1"})
    each("/people/{random id}", "/people/%d", person_ids)
    fixed("/people/PERSON", "/people/" + P)
    each("/people/{random id}/quotes", "/people/%d/quotes", person_ids)
    fixed("/people/PERSON/quotes", "/people/%s/quotes" % P)
    fixed("/people/PERSON/quotes?q=the", "/people/%s/quotes" % P, {"q": "the"})
    fixed("/people/PERSON/quotes?format=csv&limit=all", "/people/%s/quotes" % P, {"format": "csv", "limit": "all"})
    each("/people/{random id}/articles", "/people/%d/articles", person_ids)
    fixed("/people/WIDE/articles", "/people/%s/articles" % W)
    fixed("/people/WIDE/articles?sort=-published", "/people/%s/articles" % W, {"sort": "-published"})
    fixed("/people/PERSON/articles?with=PARTNER", "/people/%s/articles" % P, {"with": str(partner)})
    fixed("/people/WIDE/articles?q=said", "/people/%s/articles" % W, {"q": "said"})
    each("/people/{random id}/co-mentions", "/people/%d/co-mentions", person_ids)
    fixed("/people/PERSON/co-mentions", "/people/%s/co-mentions" % P)
    fixed("/people/WIDE/co-mentions", "/people/%s/co-mentions" % W)
    fixed("/people/WIDE/co-mentions?since=YEAR-01-01&until=YEAR-12-31", "/people/%s/co-mentions" % W, whole)
    fixed("/people/WIDE/co-mentions?q=said", "/people/%s/co-mentions" % W, {"q": "said"})

    # quotes
    fixed("/quotes", "/quotes")
    fixed("/quotes?sort=-id", "/quotes", {"sort": "-id"})
    fixed("/quotes?q=the", "/quotes", {"q": "the"})
    fixed("/quotes?q=will", "/quotes", {"q": "will"})
    fixed('/quotes?q="last year"', "/quotes", {"q": '"last year"'})
    fixed("/quotes?q=the&sort=-id", "/quotes", {"q": "the", "sort": "-id"})
    fixed("/quotes?q=will&sort=-id", "/quotes", {"q": "will", "sort": "-id"})
    paged("/quotes?q=the page %d" % PAGE, "/quotes", {"q": "the"})
    fixed("/quotes?q=the&count=exact", "/quotes", {"q": "the", "count": "exact"})
    fixed("/quotes?person=PERSON (name)", "/quotes", {"person": pname})
    fixed("/quotes?person=PERSON (id)", "/quotes", {"person": P})
    fixed("/quotes?person=PERSON&q=the", "/quotes", {"person": P, "q": "the"})
    each("/quotes?article={random id}", "/quotes?article=%d", art_ids)
    fixed("/quotes?kind=partial", "/quotes", {"kind": "partial"})
    each("/quotes?cluster={random quote's}", "/quotes?cluster=%d", clusters)
    fixed("/quotes?since=YEAR-03-01&until=YEAR-03-31", "/quotes", march)
    fixed("/quotes?source=SOURCE", "/quotes", {"source": src})
    fixed("/quotes?section=SECTION", "/quotes", {"section": sec})
    fixed("/quotes?gender=female", "/quotes", {"gender": "female"})
    fixed("/quotes?q=the&gender=female&since=YEAR-01-01&until=YEAR-12-31", "/quotes",
          dict(whole, q="the", gender="female"))
    fixed("/quotes?count=exact&facet=source,section,kind,gender&limit=1", "/quotes",
          {"count": "exact", "facet": "source,section,kind,gender", "limit": "1"})
    fixed("/quotes?format=csv&limit=1000", "/quotes", {"format": "csv", "limit": "1000"})
    each("/quotes/{random id}", "/quotes/%d", quote_ids)

    # corrections
    fixed("/corrections", "/corrections")
    fixed("/corrections?sort=-id&target=quote", "/corrections", {"sort": "-id", "target": "quote"})

    # aggregates
    ts = "/stats/timeseries"
    fixed(ts, ts)
    fixed(ts + "?interval=day&since=YEAR-01-01&until=YEAR-12-31", ts, dict(whole, interval="day"))
    fixed(ts + "?interval=week&by=gender", ts, {"interval": "week", "by": "gender"})
    fixed(ts + "?interval=month&by=kind", ts, {"interval": "month", "by": "kind"})
    fixed(ts + "?interval=month&by=person", ts, {"interval": "month", "by": "person"})
    fixed(ts + "?interval=year&by=source&limit=20", ts, {"interval": "year", "by": "source", "limit": "20"})
    fixed(ts + "?metric=articles&interval=month&by=source", ts, {"metric": "articles", "interval": "month", "by": "source"})
    fixed(ts + "?metric=articles&interval=month&by=section", ts, {"metric": "articles", "interval": "month", "by": "section"})
    fixed(ts + "?metric=articles&q=said&interval=year", ts, {"metric": "articles", "q": "said", "interval": "year"})
    fixed(ts + "?metric=mentions&interval=year&by=section", ts, {"metric": "mentions", "interval": "year", "by": "section"})
    fixed(ts + "?metric=mentions&person=WIDE&interval=month", ts, {"metric": "mentions", "person": W, "interval": "month"})
    fixed(ts + "?person=PERSON&interval=month", ts, {"person": pname, "interval": "month"})
    fixed(ts + "?q=will&interval=year", ts, {"q": "will", "interval": "year"})
    fixed(ts + "?distinct=true&interval=year", ts, {"distinct": "true", "interval": "year"})
    fixed(ts + "?source=SOURCE&gender=female&interval=month", ts, {"source": src, "gender": "female", "interval": "month"})
    fixed(ts + "?interval=month&format=csv", ts, {"interval": "month", "format": "csv"})
    top_ = "/stats/top"
    fixed(top_, top_)
    fixed(top_ + "?since=YEAR-03-01&until=YEAR-03-31", top_, march)
    fixed(top_ + "?since=YEAR-03-01&until=YEAR-03-31&source=SOURCE", top_, dict(march, source=src))
    fixed(top_ + "?metric=mentions&source=SOURCE", top_, {"metric": "mentions", "source": src})
    fixed(top_ + "?metric=articles&limit=100", top_, {"metric": "articles", "limit": "100"})
    fixed(top_ + "?of=sources&metric=articles", top_, {"of": "sources", "metric": "articles"})
    fixed(top_ + "?of=sections", top_, {"of": "sections"})
    fixed(top_ + "?distinct=true", top_, {"distinct": "true"})
    fixed(top_ + "?q=will", top_, {"q": "will"})
    fixed(top_ + "?gender=female&section=SECTION", top_, {"gender": "female", "section": sec})
    g = "/stats/gender"
    fixed(g, g)
    fixed(g + "?interval=month&since=YEAR-01-01&until=YEAR-12-31", g, dict(whole, interval="month"))
    fixed(g + "?interval=week", g, {"interval": "week"})
    fixed(g + "?distinct=true&source=SOURCE", g, {"distinct": "true", "source": src})
    fixed(g + "?q=the", g, {"q": "the"})

    rows = []
    t_all = time.perf_counter()
    for label, make in kinds:
        ms, codes, sizes, bad = [], {}, [], None
        for i in range(R):
            status, body, dt = cl.get(make(i))
            ms.append(dt * 1000)
            key = str(status) if status else "ERR"
            codes[key] = codes.get(key, 0) + 1
            sizes.append(len(body))
            if status != 200 and bad is None:
                bad = (make(i), key, body[:160].decode("utf-8", "replace"))
        ms.sort()
        sizes.sort()
        rows.append((label, codes, pct(ms, 50), pct(ms, 95), ms[-1], sizes[len(sizes) // 2], bad))
        sys.stdout.flush()

    w = max(len(r[0]) for r in rows)
    print("%-*s  %-14s %9s %9s %9s %10s" % (w, "kind", "status", "p50 ms", "p95 ms", "max ms", "bytes"))
    fast = fails = 0
    for label, codes, p50, p95, mx, size, bad in rows:
        cs = " ".join("%s" % k if v == R else "%sx%d" % (k, v) for k, v in sorted(codes.items()))
        flags = []
        if p95 > a.p95_ms:
            flags.append("SLOW")
        else:
            fast += 1
        if bad:
            flags.append("FAIL")
            fails += 1
        print(("%-*s  %-14s %9.1f %9.1f %9.1f %10d  %s" % (w, label, cs, p50, p95, mx, size, " ".join(flags))).rstrip())
    for label, _, _, _, _, _, bad in rows:
        if bad:
            print("FAIL %s: %s answered %s: %s" % (label, bad[0], bad[1], bad[2].replace("\n", " ")))
    print("(%d requests in %.1f s; p50/p95 nearest rank of %d runs, bytes the median body, not gzipped)"
          % (len(rows) * R, time.perf_counter() - t_all, R))
    print("request kinds: %d, p95 <= %g ms: %d, failures: %d" % (len(rows), a.p95_ms, fast, fails))
    return 0


if __name__ == "__main__":
    sys.exit(main())

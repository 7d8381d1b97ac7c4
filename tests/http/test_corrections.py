"""Corrections over HTTP (PATCH /quotes/{id}, PATCH /people/{id},
POST /people/{id}/merge, GET /corrections) and `quotewire corrections`.

Imported by test_api.py, whose helpers it uses (every response is checked
against openapi.yaml there).  Each test runs its own server on a fresh
database loaded with samples/, with two named API keys.
"""
import contextlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

t = sys.modules["__main__"]
test = t.test
check = t.check

KEYS = "# name key\nalice k-alice-1\nbob k-bob-2\n"
ALICE = {"Authorization": "Bearer k-alice-1"}
BOB = {"Authorization": "Bearer k-bob-2"}


def need_binary():
    if not t.ARGS.binary:
        raise t.Skip("no --binary")


def run(*args, stdin=None):
    r = subprocess.run([t.ARGS.binary] + list(args), capture_output=True, timeout=120, input=stdin)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def load_samples(db):
    rc, out, err = run("load", "--db", db, os.path.join(t.ROOT, "samples"))
    if rc != 0:
        raise t.Failure("load samples: exit %d: %s" % (rc, err[-300:]))


@contextlib.contextmanager
def server(td, db=None, load=True):
    db = db or os.path.join(td, "c.db")
    if load and not os.path.exists(db):
        load_samples(db)
    keys = os.path.join(td, "keys")
    with open(keys, "w") as f:
        f.write(KEYS)
    p, base = t._start_server(db, ("--api-key-file", keys))
    try:
        yield base, db
    finally:
        p.terminate()
        p.wait()


def patch(path, obj, base, headers=ALICE, raw=None, ctype="application/json"):
    h = {"Content-Type": ctype}
    h.update(headers or {})
    return t.request("PATCH", path, body=raw if raw is not None else json.dumps(obj), headers=h, base=base)


def post(path, obj, base, headers=ALICE):
    return t.post_json(path, obj, base=base, headers=headers)


def items(path, base):
    return t.items_of(t.get(path, base=base))


def seed(base):
    arts = [a for a in items("/articles?limit=100", base) if a["title"] == t.SEED_TITLE]
    if not arts:
        raise t.Failure("seed article not loaded")
    return arts[0]["id"]


def quotes_of(aid, base):
    return items("/articles/%d/quotes?limit=1000" % aid, base)


def person_named(name, base):
    for p in items("/people?limit=1000", base):
        if p["name"] == name:
            return p
    raise t.Failure("no person %r" % name)


def top_quotes(base):
    """Quotes per person by /stats/top: {name: count}."""
    doc = t.get("/stats/top?of=people&metric=quotes&limit=100", base=base).json
    return {i["name"]: i["count"] for i in doc["items"]}


def totals(base):
    h = t.get("/health", base=base).json
    ts = t.get("/stats/timeseries?metric=quotes&interval=year", base=base).json
    return h["quotes"], h["people"], ts["undated"] + sum(r["count"] for r in ts["series"])


def state(base):
    """What corrections may change, by keys that survive ids: per quote (article title, start)
    -> (speaker, kind), and per person name -> (gender, quote_count, article_count)."""
    qs = {(q["article_title"], q["start"]): (q["speaker"], q["kind"]) for q in items("/quotes?limit=1000", base)}
    ps = {p["name"]: (p["gender"], p["quote_count"], p["article_count"]) for p in items("/people?limit=1000", base)}
    return qs, ps


@test
def corrections_speaker_and_reject_survive_reprocessing():
    """A corrected speaker and a rejected quote hold after reextract, loading the same files
    again, and DELETE + POST of the same text; counts and aggregates follow at once."""
    need_binary()
    with tempfile.TemporaryDirectory() as td, server(td) as (base, db):
        sid = seed(base)
        qs = quotes_of(sid, base)
        org = [q for q in qs if q["speaker_person_id"] is None and q["speaker"]]
        campbell = person_named("Kurt Campbell", base)
        if not org:
            raise t.Failure("seed has no quote attributed to an organisation")
        target = org[0]
        victim = [q for q in qs if q["id"] != target["id"] and q["speaker_person_id"]][0]
        nq, npeople, agg = totals(base)
        top = top_quotes(base)

        r = patch("/quotes/%d" % target["id"], {"speaker_person_id": campbell["id"]}, base)
        if t.expect_status(r, 200):
            q = r.json
            check(q["speaker"] == "Kurt Campbell" and q["speaker_person_id"] == campbell["id"],
                  "after PATCH speaker: %r %r" % (q["speaker"], q["speaker_person_id"]))
            check(q["curated"] is True and q["extracted_speaker"] == target["speaker"],
                  "curated %r extracted_speaker %r (want %r)" % (q["curated"], q["extracted_speaker"], target["speaker"]))
            check(q["status"] == "accepted" and q["id"] == target["id"], "status %r id %r" % (q["status"], q["id"]))
        p = t.get("/people/%d" % campbell["id"], base=base).json
        check(p["quote_count"] == campbell["quote_count"] + 1, "Campbell quote_count %r, want %r"
              % (p["quote_count"], campbell["quote_count"] + 1))
        check(top_quotes(base).get("Kurt Campbell") == top.get("Kurt Campbell", 0) + 1,
              "/stats/top does not count the corrected quote")

        r = patch("/quotes/%d" % victim["id"], {"status": "rejected"}, base, headers=BOB)
        if t.expect_status(r, 200):
            check(r.json["status"] == "rejected" and r.json["text"] == victim["text"], "reject answer %r" % r.json)
        gone = t.get("/quotes/%d" % victim["id"], base=base)
        if t.expect_problem(gone, 404, "not-found") is not None:
            check("rejected" in gone.json["detail"], "rejected quote's 404: %r" % gone.json["detail"])
        check(victim["id"] not in {q["id"] for q in items("/quotes?limit=1000", base)}, "rejected quote still listed")
        check(totals(base) == (nq - 1, npeople, agg - 1), "after reject: health/aggregate totals %r, want %r"
              % (totals(base), (nq - 1, npeople, agg - 1)))
        want = state(base)

        rc, out, err = run("reextract", "--db", db, "--all")
        check(rc == 0, "reextract exit %d: %s" % (rc, err[-200:]))
        check(re.search(r"^corrections +0 orphaned", out, re.M), "reextract summary: %r" % out[-400:])
        check(state(base) == want, "reextract lost a correction")
        rc, out, err = run("load", "--db", db, os.path.join(t.ROOT, "samples"))
        check(rc == 0 and state(base) == want, "loading the samples again lost a correction (exit %d)" % rc)

        with open(os.path.join(t.ROOT, "samples", "blinken-china.txt"), encoding="utf-8") as f:
            text = f.read()
        t.expect_status(t.request("DELETE", "/articles/%d" % sid, headers=ALICE, base=base), 204)
        states = {c["state"] for c in items("/corrections", base)}
        check(states == {"waiting"}, "with the article deleted, corrections are %r, want waiting" % states)
        r = t.post_text("/articles", text, base=base, headers=ALICE)
        if t.expect_status(r, 201):
            check(state(base) == want, "DELETE + POST of the same text lost a correction")
            qs = quotes_of(r.json["id"], base)
            moved = [q for q in qs if q["start"] == target["start"]]
            check(moved and moved[0]["speaker"] == "Kurt Campbell" and moved[0]["curated"],
                  "re-posted quote: %r" % moved[:1])
            check(not [q for q in qs if q["start"] == victim["start"]], "rejected quote came back on re-POST")
        check(totals(base) == (nq - 1, npeople, agg - 1), "after DELETE + POST: totals %r" % (totals(base),))

        trail = items("/corrections", base)
        check([(c["actor"], c["field"], c["state"]) for c in trail] ==
              [("alice", "speaker", "applied"), ("bob", "status", "applied")], "trail %r" %
              [(c["actor"], c["field"], c["state"]) for c in trail])
        check(trail[0]["before"] == {"speaker": target["speaker"], "speaker_person_id": None},
              "trail before %r" % trail[0]["before"])
        check([c["actor"] for c in items("/corrections?actor=bob", base)] == ["bob"], "actor filter")
        check(items("/corrections?target=person", base) == [], "target filter")
        check([c["id"] for c in items("/corrections?sort=-id&limit=1", base)] == [trail[1]["id"]], "sort=-id")
        check(items("/corrections?since=2999-01-01", base) == [], "since filter")
        csv = t.get("/corrections?format=csv", base=base)
        if t.expect_status(csv, 200):
            lines = csv.body.decode().strip().split("\r\n")
            check(lines[0].startswith("id,at,actor,target") and len(lines) == 3, "csv %r" % lines[:2])
        nd = t.get("/corrections?format=ndjson", base=base)
        check(len(nd.body.decode().strip().split("\n")) == 2, "ndjson lines")
        back = patch("/quotes/%d" % victim["id"], {"status": "accepted"}, base)
        if t.expect_status(back, 200):
            check(back.json["text"] == victim["text"] and back.json["status"] == "accepted", "accept %r" % back.json)
            check(totals(base) == (nq, npeople, agg), "after accepting again: totals %r" % (totals(base),))


@test
def corrections_merge_moves_everything_and_holds_later():
    """Merging moves quotes, mentions, roles, aliases and counts; an article loaded later that
    names the merged person is stored under the survivor."""
    need_binary()
    with tempfile.TemporaryDirectory() as td, server(td, load=False) as (base, db):
        texts = ["Qwzx merge one\n\nLEEDS: \u201cWe will win the cup this year,\u201d said Jonathan Smyth, the coach.\n",
                 "Qwzx merge two\n\nLEEDS: \u201cWe lost the final on penalties,\u201d said Jon Smith, the manager.\n"]
        for x in texts:
            t.expect_status(t.post_text("/articles", x, base=base, headers=ALICE), 201)
        a, b = person_named("Jonathan Smyth", base), person_named("Jon Smith", base)
        _, npeople, _ = totals(base)
        r = post("/people/%d/merge" % a["id"], {"into": b["id"]}, base)
        if t.expect_status(r, 200):
            s = r.json
            check(s["id"] == b["id"] and s["quote_count"] == 2 and s["article_count"] == 2 and s["curated"],
                  "survivor %r" % s)
            check("Jonathan Smyth" in s["aliases"], "merged name not an alias: %r" % s["aliases"])
            check(set(s["roles"]) >= {"coach", "manager"} or len(s["roles"]) >= len(b["roles"]), "roles %r" % s["roles"])
        gone = t.get("/people/%d" % a["id"], base=base)
        if t.expect_problem(gone, 404) is not None:
            check("/people/%d" % b["id"] in gone.json["detail"], "merged person's 404: %r" % gone.json["detail"])
        check(totals(base)[1] == npeople - 1, "people count after merge %r, want %r" % (totals(base)[1], npeople - 1))
        check({q["speaker_person_id"] for q in items("/quotes?limit=100", base)} == {b["id"]}, "quotes not moved")
        arts = items("/people/%d/articles" % b["id"], base)
        check(len(arts) == 2, "survivor's articles %d" % len(arts))
        r = t.post_text("/articles", "Qwzx merge three\n\nLEEDS: \u201cThe squad is ready,\u201d said Jonathan Smyth.\n",
                        base=base, headers=ALICE)
        if t.expect_status(r, 201):
            qs = quotes_of(r.json["id"], base)
            check(qs and qs[0]["speaker_person_id"] == b["id"] and qs[0]["speaker"] == "Jon Smith",
                  "later article's quote: %r" % qs[:1])
        check(t.get("/people/%d" % b["id"], base=base).json["quote_count"] == 3, "survivor quote_count after a later load")
        t.expect_problem(post("/people/%d/merge" % b["id"], {"into": b["id"]}, base), 422, field="into")
        t.expect_problem(post("/people/%d/merge" % b["id"], {"into": 999999}, base), 422, field="into")
        t.expect_problem(post("/people/%d/merge" % a["id"], {"into": b["id"]}, base), 404)
        merges = items("/corrections?target=person", base)
        check([(m["field"], m["before"]["name"], m["after"]["into"]) for m in merges] == [("merge", "Jonathan Smyth", b["id"])],
              "trail %r" % merges)


@test
def corrections_rename_and_gender_hold():
    """A new name and a cleared gender stick: later extractions of the old name use the new one,
    and a gender the text gives again does not come back."""
    need_binary()
    with tempfile.TemporaryDirectory() as td, server(td, load=False) as (base, db):
        one = "Qwzx rename one\n\nYORK: \u201cRates will stay where they are,\u201d said Mr Alan Pryce, the governor.\n"
        t.expect_status(t.post_text("/articles", one, base=base, headers=ALICE), 201)
        p = person_named("Alan Pryce", base)
        check(p["gender"] == "male", "extracted gender %r" % p["gender"])
        r = patch("/people/%d" % p["id"], {"name": "Alan J. Pryce", "gender": None}, base)
        if t.expect_status(r, 200):
            check(r.json["name"] == "Alan J. Pryce" and r.json["gender"] is None and r.json["curated"], "%r" % r.json)
            check("Alan Pryce" in r.json["aliases"], "old name not an alias: %r" % r.json["aliases"])
        check([q["speaker"] for q in items("/quotes", base)] == ["Alan J. Pryce"], "quote speaker not renamed")
        two = "Qwzx rename two\n\nYORK: \u201cInflation is falling,\u201d said Mr Alan Pryce.\n"
        r = t.post_text("/articles", two, base=base, headers=ALICE)
        if t.expect_status(r, 201):
            qs = quotes_of(r.json["id"], base)
            check(qs and qs[0]["speaker_person_id"] == p["id"], "later quote: %r" % qs[:1])
        again = t.get("/people/%d" % p["id"], base=base).json
        check(again["gender"] is None and again["quote_count"] == 2, "after a later load: %r" % again)
        other = "Qwzx rename three\n\nYORK: \u201cNo comment,\u201d said Ms Beth Carrow, a spokeswoman.\n"
        t.expect_status(t.post_text("/articles", other, base=base, headers=ALICE), 201)
        beth = person_named("Beth Carrow", base)
        r = patch("/people/%d" % beth["id"], {"name": "Alan J. Pryce"}, base)
        t.expect_problem(r, 409, "conflict")


@test
def corrections_bad_edits_change_nothing():
    need_binary()
    with tempfile.TemporaryDirectory() as td, server(td) as (base, db):
        sid = seed(base)
        q = quotes_of(sid, base)[0]
        p = person_named("Kurt Campbell", base)
        before = state(base)
        qp, pp = "/quotes/%d" % q["id"], "/people/%d" % p["id"]
        t.expect_problem(patch("/quotes/999999", {"kind": "partial"}, base), 404)
        t.expect_problem(patch(qp, {"speaker_person_id": 999999}, base), 422)
        t.expect_problem(patch(qp, {"speaker_person_id": "4"}, base), 422, field="speaker_person_id")
        t.expect_problem(patch(qp, {"kind": 5}, base), 422, field="kind")
        t.expect_problem(patch(qp, {"status": "deleted"}, base), 422, field="status")
        t.expect_problem(patch(qp, {"speaker": "x", "speaker_person_id": p["id"]}, base), 422)
        t.expect_problem(patch(qp, {"speaker": "  "}, base), 422, field="speaker")
        t.expect_problem(patch(qp, {"speaker": "a\nb"}, base), 422, field="speaker")
        t.expect_problem(patch(qp, {"colour": "red"}, base), 422, field="colour")
        t.expect_problem(patch(qp, {}, base), 422)
        t.expect_problem(patch(qp, None, base, raw="[1, 2]"), 422)
        t.expect_problem(patch(qp, None, base, raw="{\"kind\": "), 400)
        t.expect_problem(patch(qp, None, base, raw="{\"kind\": \"partial\", \"kind\": \"direct\"}"), 400)
        t.expect_problem(patch(qp, {"kind": "partial"}, base, ctype="text/plain"), 415)
        t.expect_problem(patch(qp, {"kind": "partial"}, base, headers={}), 401)
        t.expect_problem(patch(qp, {"kind": "partial"}, base, headers={"Authorization": "Bearer nope"}), 401)
        t.expect_problem(patch(pp, {"name": ""}, base), 422, field="name")
        t.expect_problem(patch(pp, {"name": "x" * 201}, base), 422, field="name")
        t.expect_problem(patch(pp, {"gender": "other"}, base), 422, field="gender")
        t.expect_problem(patch(pp, {"roles": []}, base), 422, field="roles")
        t.expect_problem(patch("/people/999999", {"gender": "male"}, base), 404)
        t.expect_problem(post(pp + "/merge", {"into": "x"}, base), 422, field="into")
        t.expect_problem(post(pp + "/merge", {}, base), 422, field="into")
        t.expect_problem(post(pp + "/merge", {"into": p["id"], "why": 1}, base), 422)
        t.expect_problem(t.request("PUT", qp, body=b"{}", headers=ALICE, base=base), 405)
        t.expect_problem(t.get("/corrections?target=article", base=base), 400, parameter="target")
        t.expect_problem(t.get("/corrections?orphaned=yes", base=base), 400, parameter="orphaned")
        t.expect_problem(t.get("/corrections?sort=at", base=base), 400, parameter="sort")
        check(state(base) == before, "a refused edit changed something")
        check(items("/corrections", base) == [], "a refused edit left a correction")


@test
def corrections_export_import_reproduce():
    """Corrections exported from one database and imported into another built from the same files
    give the same quotes, speakers and counts; importing again changes nothing."""
    need_binary()
    with tempfile.TemporaryDirectory() as td:
        with server(td) as (base, db):
            sid = seed(base)
            qs = quotes_of(sid, base)
            campbell = person_named("Kurt Campbell", base)
            qin = person_named("Qin Gang", base)
            org = [q for q in qs if q["speaker_person_id"] is None][0]
            t.expect_status(patch("/quotes/%d" % org["id"], {"speaker_person_id": campbell["id"], "kind": "partial"}, base), 200)
            t.expect_status(patch("/quotes/%d" % qs[-1]["id"], {"speaker": "a State Department spokesman"}, base), 200)
            t.expect_status(patch("/quotes/%d" % qs[1]["id"], {"status": "rejected"}, base, headers=BOB), 200)
            t.expect_status(post("/people/%d/merge" % qin["id"], {"into": campbell["id"]}, base), 200)
            t.expect_status(patch("/people/%d" % campbell["id"], {"name": "Kurt M. Campbell", "gender": "unknown"}, base), 200)
            want = state(base)
            want_totals = totals(base)
        out = os.path.join(td, "corr.ndjson")
        rc, _, err = run("corrections", "export", "--db", db, "--output", out)
        check(rc == 0, "export exit %d: %s" % (rc, err))
        with open(out) as f:
            lines = [json.loads(x) for x in f]
        check(len(lines) == 7 and all("uid" in x for x in lines), "export: %d lines" % len(lines))
        fresh = os.path.join(td, "fresh.db")
        load_samples(fresh)
        rc, o1, err = run("corrections", "import", "--db", fresh, out)
        check(rc == 0 and re.search(r"7 applied, 0 already there", o1), "import: %d %r %r" % (rc, o1, err))
        rc, o2, err = run("corrections", "import", "--db", fresh, out)
        check(rc == 0 and re.search(r"0 applied, 7 already there", o2), "import again: %d %r" % (rc, o2))
        rc, _, err = run("corrections", "import", "--db", fresh, stdin=b'{"uid": "x"}\n')
        check(rc == 1 and "line 1" in err, "bad line: exit %d %r" % (rc, err))
        with server(td, db=fresh) as (base2, _):
            check(state(base2) == want, "imported corrections give other quotes or counts")
            check(totals(base2) == want_totals, "totals %r, want %r" % (totals(base2), want_totals))
            check(len(items("/corrections", base2)) == 7, "imported trail")
        # imported first, into an empty database, then the files loaded: the same again
        empty = os.path.join(td, "empty.db")
        rc, _, err = run("migrate", "--db", empty)
        rc2, o3, err2 = run("corrections", "import", "--db", empty, out)
        check(rc == 0 and rc2 == 0 and "articles        0 written" in o3, "import into an empty database: %r %r" % (err, err2))
        load_samples(empty)
        with server(td, db=empty) as (base3, _):
            check(state(base3) == want, "corrections imported before the load did not apply to it")
            check({c["state"] for c in items("/corrections", base3)} == {"applied"}, "states after the load")


@test
def corrections_orphaned_reported():
    """A correction whose quote span the article's extraction does not find (made on another
    extractor's output, here imported) is reported as orphaned, not dropped."""
    need_binary()
    with tempfile.TemporaryDirectory() as td:
        db = os.path.join(td, "c.db")
        load_samples(db)
        c = sqlite3.connect(db)
        h, s, e = c.execute("SELECT a.content_hash, q.start, q.end FROM quotes q JOIN articles a"
                            " ON a.id = q.article_id ORDER BY q.id LIMIT 1").fetchone()
        c.close()
        line = {"uid": "orphan-test-1", "at": "2026-01-01T00:00:00Z", "actor": "elsewhere", "target": "quote",
                "target_id": 1, "field": "kind", "before": "direct", "after": "partial", "article_hash": h,
                "start": s + 1, "end": e, "person_key": None, "into_key": None}
        rc, out, err = run("corrections", "import", "--db", db, stdin=(json.dumps(line) + "\n").encode())
        check(rc == 0, "import exit %d %r" % (rc, err))
        # a correction made when the extractor found a span it no longer finds: reextract says so
        c = sqlite3.connect(db)
        c.execute("INSERT INTO quote_edits (article_hash, start, end, kind) VALUES (?, ?, ?, 'partial')", (h, s, e - 1))
        c.execute("INSERT INTO corrections (uid, at, actor, target, target_id, field, before, after, article_hash,"
                  " span_start, span_end) VALUES ('orphan-test-2', '2026-01-02T00:00:00Z', 'older', 'quote', 1,"
                  " 'kind', '\"direct\"', '\"partial\"', ?, ?, ?)", (h, s, e - 1))
        c.commit()
        c.close()
        rc, out, err = run("reextract", "--db", db, "--all")
        check(rc == 0 and re.search(r"^corrections +1 orphaned", out, re.M), "reextract: %d %r" % (rc, out[-300:]))
        with server(td, db=db) as (base, _):
            orph = items("/corrections?orphaned=true", base)
            check([o["actor"] for o in orph] == ["elsewhere", "older"] and {o["state"] for o in orph} == {"orphaned"},
                  "orphaned %r" % orph)
            check(items("/corrections?orphaned=false", base) == [], "orphaned=false lists the orphan")
            h = t.get("/health", base=base).json
            check(h["corrections"] == 2 and h["corrections_orphaned"] == 2, "/health: %r" % h)
            m = t.get("/metrics", base=base).body.decode()
            check(re.search(r"^quotewire_corrections_orphaned 2$", m, re.M), "/metrics has no orphaned gauge of 2")
            check(all(q["kind"] == "direct" or q["start"] != s for q in items("/quotes?limit=1000", base)),
                  "an orphaned correction was applied to another span")


@test
def corrections_chains_of_merges_and_renames_hold():
    """A merged into B, B into C, C renamed: every old name maps to the last survivor, also after
    every article is deleted and posted again."""
    need_binary()
    with tempfile.TemporaryDirectory() as td, server(td, load=False) as (base, db):
        names = ["Ann Brook", "Anne Brooke", "Annie Brookes"]
        texts = ["Qwzx chain %d\n\nHULL: \u201cThe river is rising again today,\u201d said %s, the warden.\n" % (i, n)
                 for i, n in enumerate(names)]
        ids = []
        for x in texts:
            r = t.post_text("/articles", x, base=base, headers=ALICE)
            t.expect_status(r, 201)
            ids.append(r.json["id"])
        a, b, c = (person_named(n, base) for n in names)
        t.expect_status(post("/people/%d/merge" % a["id"], {"into": b["id"]}, base), 200)
        t.expect_status(post("/people/%d/merge" % b["id"], {"into": c["id"]}, base), 200)
        t.expect_status(patch("/people/%d" % c["id"], {"name": "Ann Brookes"}, base), 200)
        gone = t.get("/people/%d" % a["id"], base=base).json
        check(("/people/%d" % c["id"]) in gone.get("detail", "") and "Ann Brookes" in gone.get("detail", ""),
              "the first merged person's 404 does not name the last survivor: %r" % gone)
        ppl = items("/people?limit=100", base)
        check([(p["name"], p["quote_count"], p["article_count"]) for p in ppl] == [("Ann Brookes", 3, 3)],
              "after the chain: %r" % [(p["name"], p["quote_count"], p["article_count"]) for p in ppl])
        for i in ids:
            t.expect_status(t.request("DELETE", "/articles/%d" % i, headers=ALICE, base=base), 204)
        check(items("/people", base) == [], "people left after deleting every article")
        for x in texts:
            t.expect_status(t.post_text("/articles", x, base=base, headers=ALICE), 201)
        ppl = items("/people?limit=100", base)
        check([(p["name"], p["quote_count"], p["article_count"], p["curated"]) for p in ppl] == [("Ann Brookes", 3, 3, True)],
              "after posting every article again: %r" % [(p["name"], p["quote_count"], p["article_count"]) for p in ppl])
        check({q["speaker"] for q in items("/quotes", base)} == {"Ann Brookes"}, "quote speakers after the chain")

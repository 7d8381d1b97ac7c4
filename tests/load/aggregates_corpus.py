#!/usr/bin/env python3
"""The dashboard questions of the aggregates, one request each, on real
corpora, checked against SQL run directly on the database (the raw tables:
articles.published and joins, not the copies quotes and mentions carry):

  BBC (loaded with its topic folders as sections):
    - who appears alongside Tony Blair (/people/{id}/co-mentions)
    - the top 10 quoted people in one section (/stats/top)
  Reuters-21578 (loaded with --year 1987: its datelines give month and day):
    - quotes per month for the most quoted person (/stats/timeseries)
    - the top 10 quoted people in a date range (/stats/top)
    - the share of quotes by women per year, and per month (/stats/gender)
    - articles per week in one date range (/stats/timeseries)

Usage: aggregates_corpus.py BINARY CORPUS_DIR.  Prints "N passed, N failed";
skips (0 passed, 0 failed) when the corpus is not there.
"""
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

passed = failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, binary, db):
        self.port = free_port()
        self.p = subprocess.Popen([binary, "serve", "--db", db, "--listen", "127.0.0.1:%d" % self.port],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if self.get("/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def get(self, path, **params):
        if params:
            path += "?" + urllib.parse.urlencode(params)
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, (json.loads(body) if body and r.status == 200 else body)

    def stop(self):
        self.p.terminate()
        self.p.wait()


def load(binary, db, corpus, *opts):
    subprocess.run([binary, "load", "--quiet", "--db", db] + list(opts) + [corpus], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return sqlite3.connect("file:%s?mode=ro" % db, uri=True)


def bbc(binary, corpus, tmp):
    db = load(binary, os.path.join(tmp, "bbc.db"), os.path.join(corpus, "bbc"))
    srv = Server(binary, os.path.join(tmp, "bbc.db"))
    try:
        sections = [r[0] for r in db.execute("SELECT DISTINCT section FROM articles WHERE section IS NOT NULL")]
        check(len(sections) == 5, "BBC sections %s" % sections)
        blair = db.execute("SELECT id FROM people WHERE name = 'Tony Blair'").fetchone()
        check(blair is not None, "Tony Blair is a person")
        if blair:
            pid = blair[0]
            st, doc = srv.get("/people/%d/co-mentions" % pid, limit=10)
            want = db.execute(
                "SELECT m.person_id, count(DISTINCT m.article_id) FROM mentions m WHERE m.article_id IN"
                " (SELECT article_id FROM mentions WHERE person_id = ?1) AND m.person_id != ?1"
                " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10", (pid,)).fetchall()
            check(st == 200 and [(x["id"], x["articles"]) for x in doc["items"]] == want,
                  "alongside Tony Blair: %s, SQL %s" % (st == 200 and doc["items"][:3], want[:3]))
            if st == 200 and doc["items"]:
                top = doc["items"][0]
                nq = db.execute("SELECT count(*) FROM quotes WHERE speaker_person_id = ? AND article_id IN"
                                " (SELECT article_id FROM mentions WHERE person_id = ?)", (top["id"], pid)).fetchone()[0]
                check(top["quotes"] == nq, "%s's quotes beside Blair %d, SQL %d" % (top["name"], top["quotes"], nq))
                print("alongside Tony Blair: " + ", ".join("%s (%d articles, %d quotes)" % (x["name"], x["articles"], x["quotes"])
                                                           for x in doc["items"][:5]))
        st, doc = srv.get("/stats/top", section="politics", limit=10)
        want = db.execute("SELECT q.speaker_person_id, count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
                          " WHERE a.section = 'politics' AND q.speaker_person_id IS NOT NULL"
                          " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10").fetchall()
        check(st == 200 and [(x["id"], x["count"]) for x in doc["items"]] == want,
              "top quoted in politics %s, SQL %s" % (st == 200 and doc["items"][:3], want[:3]))
        st, doc = srv.get("/stats/timeseries", metric="articles", by="section")
        n = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        check(st == 200 and doc["undated"] == n and doc["series"] == [],
              "BBC has no dates: every article undated (%s)" % (st == 200 and doc["undated"]))
        st, doc = srv.get("/articles", count="exact", facet="section", limit=1)
        want = dict(db.execute("SELECT section, count(*) FROM articles GROUP BY 1").fetchall())
        check(st == 200 and doc["total"] == n and {f["value"]: f["count"] for f in doc["facets"]["section"]} == want,
              "BBC section facet %s, SQL %s" % (st == 200 and doc.get("facets"), want))
    finally:
        srv.stop()


def reuters(binary, corpus, tmp):
    # 1987 wire copy: datelines give month and day ("NEW YORK, March 3 -")
    db = load(binary, os.path.join(tmp, "reu.db"), os.path.join(corpus, "reuters21578"), "--year", "1987")
    undated = db.execute("SELECT count(*) FROM articles WHERE published IS NULL").fetchone()[0]
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    check(undated < total // 20, "--year 1987 dates the datelines: %d of %d undated" % (undated, total))
    srv = Server(binary, os.path.join(tmp, "reu.db"))
    try:
        top = db.execute("SELECT q.speaker_person_id FROM quotes q JOIN articles a ON a.id = q.article_id"
                         " WHERE q.speaker_person_id IS NOT NULL AND a.published IS NOT NULL"
                         " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()
        check(top is not None, "Reuters has dated quotes by people")
        if top:
            pid = top[0]
            name = db.execute("SELECT name FROM people WHERE id = ?", (pid,)).fetchone()[0]
            st, doc = srv.get("/stats/timeseries", person=name, interval="month")
            want = dict(db.execute("SELECT substr(a.published, 1, 7) || '-01', count(*) FROM quotes q"
                                   " JOIN articles a ON a.id = q.article_id WHERE q.speaker_person_id = ?"
                                   " AND a.published IS NOT NULL GROUP BY 1", (pid,)).fetchall())
            got = {x["bucket"]: x["count"] for x in doc["series"]} if st == 200 else {}
            check({k: v for k, v in got.items() if v} == want, "quotes per month of %s: %s, SQL %s" % (name, got, want))
            check(st == 200 and len(got) == len(set(got)) and sorted(got) == [x["bucket"] for x in doc["series"]],
                  "months in order, each once")
            print("quotes per month of %s: %s" % (name, ", ".join("%s %d" % (k[:7], v) for k, v in sorted(got.items()))))
        st, doc = srv.get("/stats/top", since="1987-03-01", until="1987-03-31", limit=10)
        want = db.execute("SELECT q.speaker_person_id, count(*) FROM quotes q JOIN articles a ON a.id = q.article_id"
                          " WHERE q.speaker_person_id IS NOT NULL AND a.published BETWEEN '1987-03-01' AND '1987-03-31'"
                          " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10").fetchall()
        check(st == 200 and [(x["id"], x["count"]) for x in doc["items"]] == want,
              "top 10 quoted in March 1987 %s, SQL %s" % (st == 200 and doc["items"][:3], want[:3]))
        for interval, expr in (("year", "substr(a.published, 1, 4) || '-01-01'"),
                               ("month", "substr(a.published, 1, 7) || '-01'")):
            st, doc = srv.get("/stats/gender", interval=interval)
            rows = db.execute("SELECT %s, coalesce(p.gender, 'unknown'), count(*) FROM quotes q"
                              " JOIN articles a ON a.id = q.article_id JOIN people p ON p.id = q.speaker_person_id"
                              " WHERE a.published IS NOT NULL GROUP BY 1, 2" % expr).fetchall()
            want = {}
            for b, g, n in rows:
                want.setdefault(b, {"female": 0, "male": 0, "unknown": 0})[g] = n
            got = {x["bucket"]: {g: x[g] for g in ("female", "male", "unknown")} for x in doc["series"] if x["total"]} \
                if st == 200 else {}
            check(got == want, "gender per %s: %s, SQL %s" % (interval, got, want))
            if interval == "year" and st == 200:
                for x in doc["series"]:
                    t = x["female"] + x["male"] + x["unknown"]
                    check(t == 0 or abs(x["share_female"] - x["female"] / t) < 1e-9, "share of women %r" % x)
                print("share of quotes by women per year: " + ", ".join("%s %.3f (%d of %d)" % (
                    x["bucket"][:4], x["share_female"] or 0, x["female"], x["total"]) for x in doc["series"]))
        st, doc = srv.get("/stats/timeseries", metric="articles", interval="week", since="1987-03-02", until="1987-04-26")
        want = dict(db.execute("SELECT date(published, '-6 days', 'weekday 1'), count(*) FROM articles"
                               " WHERE published BETWEEN '1987-03-02' AND '1987-04-26' GROUP BY 1").fetchall())
        got = {x["bucket"]: x["count"] for x in doc["series"]} if st == 200 else {}
        check(len(got) == 8 and {k: v for k, v in got.items() if v} == want, "articles per week %s, SQL %s" % (got, want))
    finally:
        srv.stop()


def main():
    binary, corpus = sys.argv[1], sys.argv[2]
    if not os.path.isdir(os.path.join(corpus, "bbc")) or not os.path.isdir(os.path.join(corpus, "reuters21578")):
        print("aggregates_corpus: skipped (no %s/bbc and reuters21578)" % corpus)
        print("aggregates_corpus: 0 passed, 0 failed")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        bbc(binary, corpus, tmp)
        reuters(binary, corpus, tmp)
    print("aggregates_corpus: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

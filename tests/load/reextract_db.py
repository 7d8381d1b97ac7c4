"""Database and API helpers for tests/load/reextract.sh.

    reextract_db.py dump DB [--by-name]   hash of every row the API shows (--by-name: people
                                          and quotes compared by name and span, not by id)
    reextract_db.py check DB              "ok", or what is inconsistent: integrity_check,
                                          foreign keys, FTS5 indexes, kept counts against a
                                          recount, people with nothing, aliases no mention uses
    reextract_db.py older DB              turns DB into what an older extractor would have
                                          stored (see below), consistently, at version 1
    reextract_db.py expect OLD REF        the summary lines reextract must print for OLD
                                          when the current extractor gives REF
    reextract_db.py api BASE              hash of every list and article answer of a server
    reextract_db.py hammer BASE SECONDS STOP
                                          GETs, one POST and at the end a DELETE of it, until
                                          SECONDS pass or the file STOP appears; prints
                                          "requests N errors M" (errors: not 2xx)
"""
import hashlib
import json
import os
import sqlite3
import sys
import time
import urllib.error
import urllib.request


def connect(path):
    c = sqlite3.connect(path, timeout=30)
    c.execute("PRAGMA foreign_keys=ON")
    return c


DUMP_IDS = [
    "SELECT id, name, name_key, gender, article_count, quote_count FROM people ORDER BY id",
    "SELECT person_id, role FROM person_roles ORDER BY 1, 2",
    "SELECT person_id, alias FROM person_aliases ORDER BY 1, 2",
    "SELECT article_id, person_id, start, end, text FROM mentions ORDER BY 1, 3, 4, 2",
    "SELECT id, article_id, start, end, text, kind, speaker, speaker_person_id, cue, confidence"
    " FROM quotes ORDER BY id",
    "SELECT id, title, text, body_start, content_hash, ingested_at, extract_version FROM articles"
    " ORDER BY id",
]
DUMP_NAMES = [
    "SELECT name, name_key, gender, article_count, quote_count FROM people ORDER BY name_key",
    "SELECT p.name_key, role FROM person_roles JOIN people p ON p.id = person_id ORDER BY 1, 2",
    "SELECT p.name_key, alias FROM person_aliases JOIN people p ON p.id = person_id ORDER BY 1, 2",
    "SELECT article_id, p.name_key, start, end, text FROM mentions JOIN people p"
    " ON p.id = person_id ORDER BY 1, 3, 4, 2",
    "SELECT article_id, start, end, text, kind, speaker, p.name_key, cue, confidence FROM quotes"
    " LEFT JOIN people p ON p.id = speaker_person_id ORDER BY 1, 2, 3, 5",
    "SELECT id, title, text, body_start, content_hash, ingested_at FROM articles ORDER BY id",
]


def dump(path, by_name):
    c = connect(path)
    h = hashlib.sha256()
    for q in DUMP_NAMES if by_name else DUMP_IDS:
        rows = c.execute(q).fetchall()
        h.update(repr(rows).encode())
        h.update(b"%d" % len(rows))
    print(h.hexdigest())


def check(path):
    c = connect(path)
    problems = []
    r = [x[0] for x in c.execute("PRAGMA integrity_check")]
    if r != ["ok"]:
        problems.append("integrity_check %s" % r[:3])
    fk = c.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append("foreign keys %s" % fk[:3])
    for t in ("articles_fts", "quotes_fts"):
        try:
            c.execute("INSERT INTO %s(%s, rank) VALUES('integrity-check', 1)" % (t, t))
        except sqlite3.DatabaseError as e:
            problems.append("%s: %s" % (t, e))
    n = c.execute(
        "SELECT count(*) FROM people p WHERE article_count != (SELECT count(*) FROM"
        " (SELECT article_id FROM mentions WHERE person_id = p.id UNION"
        "  SELECT article_id FROM quotes WHERE speaker_person_id = p.id))"
        " OR quote_count != (SELECT count(*) FROM quotes WHERE speaker_person_id = p.id)").fetchone()[0]
    if n:
        problems.append("%d people with counts that differ from a recount" % n)
    n = c.execute("SELECT count(*) FROM people WHERE article_count = 0").fetchone()[0]
    if n:
        problems.append("%d people with nothing" % n)
    n = c.execute("SELECT count(*) FROM person_aliases a WHERE NOT EXISTS (SELECT 1 FROM mentions m"
                  " WHERE m.person_id = a.person_id AND m.text = a.alias)").fetchone()[0]
    if n:
        problems.append("%d aliases no mention uses" % n)
    kept = dict(c.execute("SELECT name, n FROM counters"))
    for t in ("articles", "people", "quotes", "mentions", "corrections"):
        n = c.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
        if kept.get(t) != n:
            problems.append("counters: %s %r, counted %d" % (t, kept.get(t), n))
    c.rollback()
    print("ok" if not problems else "; ".join(problems))


def older(path):
    """An older extractor, simulated: it missed every third quote, gave every fifth no speaker,
    had other confidences for every eleventh, and never found every seventh person.  Counts,
    orphans and aliases are settled as the store would have left them."""
    c = connect(path)
    c.execute("DELETE FROM quotes WHERE id % 3 = 0")
    c.execute("UPDATE quotes SET speaker = NULL, speaker_person_id = NULL WHERE id % 5 = 0")
    c.execute("UPDATE quotes SET confidence = confidence / 2 WHERE id % 11 = 0")
    c.execute("UPDATE quotes SET speaker = NULL, speaker_person_id = NULL"
              " WHERE speaker_person_id % 7 = 0")
    c.execute("DELETE FROM mentions WHERE person_id % 7 = 0")
    c.execute("UPDATE people SET article_count = (SELECT count(*) FROM (SELECT article_id FROM"
              " mentions WHERE person_id = people.id UNION SELECT article_id FROM quotes"
              " WHERE speaker_person_id = people.id)),"
              " quote_count = (SELECT count(*) FROM quotes WHERE speaker_person_id = people.id)")
    c.execute("DELETE FROM people WHERE article_count = 0")
    c.execute("DELETE FROM person_aliases WHERE alias NOT IN"
              " (SELECT text FROM mentions WHERE person_id = person_aliases.person_id)")
    c.execute("UPDATE articles SET extract_version = 1")
    c.execute("UPDATE counters SET n = CASE name WHEN 'quotes' THEN (SELECT count(*) FROM quotes)"
              " WHEN 'mentions' THEN (SELECT count(*) FROM mentions) ELSE n END")
    c.commit()


def expect(old, ref):
    c = connect(old)
    c.execute("ATTACH ? AS r", (ref,))
    one = lambda q: c.execute(q).fetchone()[0]
    join = ("FROM r.quotes rq JOIN main.quotes q ON q.article_id = rq.article_id"
            " AND q.start = rq.start AND q.end = rq.end")
    speaker = "(q.speaker IS NOT rq.speaker OR q.speaker_person_id IS NOT rq.speaker_person_id)"
    print("articles %d" % one("SELECT count(*) FROM main.articles"))
    print("quotes %d before, %d after" % (one("SELECT count(*) FROM main.quotes"),
                                         one("SELECT count(*) FROM r.quotes")))
    print("added %d" % (one("SELECT count(*) FROM r.quotes") - one("SELECT count(*) %s" % join)))
    print("removed %d" % (one("SELECT count(*) FROM main.quotes") - one("SELECT count(*) %s" % join)))
    print("new speaker %d" % one("SELECT count(*) %s WHERE %s" % (join, speaker)))
    print("other change %d" % one("SELECT count(*) %s WHERE NOT %s AND (q.kind IS NOT rq.kind OR"
                                  " q.cue IS NOT rq.cue OR q.confidence IS NOT rq.confidence)"
                                  % (join, speaker)))
    print("mentions %d before, %d after" % (one("SELECT count(*) FROM main.mentions"),
                                           one("SELECT count(*) FROM r.mentions")))
    print("people %d added, %d no longer mentioned" % (
        one("SELECT count(*) FROM r.people WHERE name_key NOT IN (SELECT name_key FROM main.people)"),
        one("SELECT count(*) FROM main.people WHERE name_key NOT IN (SELECT name_key FROM r.people)")))


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.status, json.loads(r.read().decode("utf-8"))


def walk(base, path):
    items, nxt = [], path + ("&" if "?" in path else "?") + "limit=1000"
    while nxt:
        st, doc = get(base, nxt)
        items.extend(doc["items"])
        nxt = (doc.get("links") or {}).get("next")
    return items


def api(base):
    h = hashlib.sha256()
    articles = walk(base, "/articles")
    for path in ("/people", "/quotes", "/people?sort=-quotes", "/quotes?q=said"):
        h.update(json.dumps(walk(base, path), sort_keys=True).encode())
    h.update(json.dumps(articles, sort_keys=True).encode())
    for a in articles:
        for sub in ("", "/people", "/quotes"):
            p = "/articles/%d%s" % (a["id"], sub)
            doc = get(base, p)[1] if not sub else walk(base, p)
            h.update(json.dumps(doc, sort_keys=True).encode())
    print(h.hexdigest())


def hammer(base, seconds, stop):
    paths = ["/health", "/quotes?limit=50", "/people?sort=-quotes&limit=50", "/articles?limit=20",
             "/articles/1", "/articles/1/quotes", "/quotes?q=said&limit=10", "/metrics"]
    n = errors = 0
    deadline = time.time() + seconds
    posted = None
    body = ("Qwzx reextract probe\n\nOslo: \u201cThe archive stays open,\u201d said Ingrid "
            "Qwzxsen, the archivist.\n").encode("utf-8")
    while time.time() < deadline and not os.path.exists(stop):
        p = paths[n % len(paths)]
        try:
            if n == 40 and posted is None:
                req = urllib.request.Request(base + "/articles", data=body, method="POST",
                                             headers={"Content-Type": "text/plain; charset=utf-8"})
                with urllib.request.urlopen(req, timeout=30) as r:
                    posted = json.loads(r.read().decode("utf-8"))["id"]
                    ok = r.status in (200, 201)
            else:
                with urllib.request.urlopen(base + p, timeout=30) as r:
                    r.read()
                    ok = r.status == 200
        except (urllib.error.URLError, OSError) as e:
            ok = False
            print("error: %s %s" % (p, e), file=sys.stderr)
        n += 1
        errors += 0 if ok else 1
    if posted is not None:
        try:
            req = urllib.request.Request(base + "/articles/%d" % posted, method="DELETE")
            with urllib.request.urlopen(req, timeout=30) as r:
                errors += 0 if r.status == 204 else 1
        except (urllib.error.URLError, OSError) as e:
            errors += 1
            print("error: DELETE %s" % e, file=sys.stderr)
    else:
        errors += 1
        print("error: the POST never happened", file=sys.stderr)
    print("requests %d errors %d" % (n, errors))


def main():
    cmd = sys.argv[1]
    if cmd == "dump":
        dump(sys.argv[2], "--by-name" in sys.argv[3:])
    elif cmd == "check":
        check(sys.argv[2])
    elif cmd == "older":
        older(sys.argv[2])
    elif cmd == "expect":
        expect(sys.argv[2], sys.argv[3])
    elif cmd == "api":
        api(sys.argv[2])
    elif cmd == "hammer":
        hammer(sys.argv[2], float(sys.argv[3]), sys.argv[4])
    else:
        sys.exit("unknown command %s" % cmd)


if __name__ == "__main__":
    main()

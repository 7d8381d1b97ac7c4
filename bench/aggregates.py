#!/usr/bin/env python3
"""Times every aggregate (and the lists' totals and facets) on one database.

    aggregates.py BINARY DB

Starts `BINARY serve` on DB, then for each request prints the median of
three uncached runs (each with its own `_=` cache buster, which the API
ignores but the response cache keys on) and, after it, one cached run.
The person and the date ranges are picked from the data: the most quoted
person, the last full year and its March.  Python 3 standard library only.
"""
import http.client
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse


def main():
    binary, db = sys.argv[1], sys.argv[2]
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    n = c.execute("SELECT count(*) FROM articles").fetchone()[0]
    top = c.execute("SELECT id, name FROM people ORDER BY quote_count DESC LIMIT 1").fetchone()
    span = c.execute("SELECT min(published), max(published) FROM articles").fetchone()
    src = c.execute("SELECT source FROM articles WHERE source IS NOT NULL LIMIT 1").fetchone()
    c.close()
    if not top:
        print("aggregates: skipped (no people in %s)" % db)
        return
    pid, name = top
    year = str(int(span[1][:4]) - 1) if span[1] else None
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.Popen([binary, "serve", "--db", db, "--listen", "127.0.0.1:%d" % port,
                          "--log-level", "error"])
    try:
        for _ in range(200):
            try:
                h = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                h.request("GET", "/health")
                if h.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        reqs = [
            ("/stats/timeseries", {"interval": "month"}),
            ("/stats/timeseries", {"interval": "week", "by": "gender"}),
            ("/stats/timeseries", {"metric": "articles", "interval": "month", "by": "source"}),
            ("/stats/timeseries", {"metric": "mentions", "interval": "year", "by": "section"}),
            ("/stats/timeseries", {"interval": "month", "by": "person"}),
            ("/stats/timeseries", {"person": name, "interval": "month"}),
            ("/stats/timeseries", {"distinct": "true", "interval": "year"}),
            ("/stats/top", {}),
            ("/stats/top", {"since": year + "-03-01", "until": year + "-03-31"} if year else {}),
            ("/stats/top", {"metric": "mentions", "source": src[0]} if src else {"metric": "mentions"}),
            ("/stats/top", {"of": "sources", "metric": "articles"}),
            ("/stats/top", {"distinct": "true"}),
            ("/stats/gender", {"interval": "year"}),
            ("/stats/gender", {"interval": "month", "since": year + "-01-01", "until": year + "-12-31"} if year else {}),
            ("/people/%d/co-mentions" % pid, {}),
            ("/quotes", {"count": "exact", "facet": "source,section,kind,gender", "limit": "1"}),
            ("/articles", {"count": "exact", "facet": "source,section", "limit": "1"}),
        ]
        print("aggregates on %s articles (%s .. %s); person: %s" % (n, span[0], span[1], name))
        k = 0
        for path, params in reqs:
            times, status, size = [], 0, 0
            for _ in range(3):
                k += 1
                q = dict(params, _=str(k))
                t0 = time.perf_counter()
                h = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                h.request("GET", path + "?" + urllib.parse.urlencode(q))
                r = h.getresponse()
                body = r.read()
                times.append(time.perf_counter() - t0)
                status, size = r.status, len(body)
            t0 = time.perf_counter()
            h = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            h.request("GET", path + "?" + urllib.parse.urlencode(dict(params, _=str(k))))
            h.getresponse().read()
            cached = time.perf_counter() - t0
            times.sort()
            label = path + ("?" + urllib.parse.urlencode(params) if params else "")
            print("  %-95s %3d %8d B  uncached %7.1f ms (max %7.1f)  cached %5.1f ms" % (
                label[:95], status, size, times[1] * 1000, times[2] * 1000, cached * 1000))
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    main()

#!/bin/sh
# quotewire load --source / sections / relative paths, on a corpus of topic
# folders made from samples/ (as the BBC corpus arrives: one folder a topic):
#  1. `load --source NAME ../corpus` from another folder: every article has
#     the source (front matter wins), its topic folder as section, and a
#     path relative to the folder given; the API shows the same, and
#     /articles?section= filters on it, ASCII case aside, using the index;
#  2. --no-sections; a file given itself; bad --source values exit 2;
#  3. a database from before schema 4 (made from the older migrations, with
#     the absolute paths older loads stored): `migrate` adds the column and
#     the indexes, the API shows file names only, never the server's
#     folders; loading the same folder again fills in source and section
#     and makes the paths relative, and a third load changes nothing.
# Usage: tests/load/sections.sh [path/to/quotewire]   (from the repository root)
BIN=${1:-./quotewire}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
SAMPLES=$(pwd)/samples
MIGRATIONS=$(pwd)/migrations
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
passed=0 failed=0
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok; else bad "$d"; fi
}
sql() { # sql DB QUERY -> the rows, one a line, columns joined by |
    "$PY" -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall():
    print("|".join("NULL" if v is None else str(v) for v in r))' "$1" "$2"
}
free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
start_server() { # start_server DB -> sets spid, base
    port=$(free_port)
    "$BIN" serve --db "$1" --listen "127.0.0.1:$port" >>"$tmp/serve.log" 2>&1 &
    spid=$!
    base=http://127.0.0.1:$port
    "$PY" - "$base" <<'EOF'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1] + "/health", timeout=1).read()
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
EOF
}
stop_server() {
    [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
    spid=
}
api() { # api PATH -> body
    "$PY" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' "$base$1"
}

# The corpus: two topic folders, a deeper folder, a file at the top.
C=$tmp/corpus
mkdir -p "$C/business" "$C/politics/local" "$tmp/elsewhere"
cp "$SAMPLES/rate-decision-reuters.txt" "$SAMPLES/port-strike-washington.txt" "$C/business/"
cp "$SAMPLES/blinken-china.txt" "$C/politics/"
cp "$SAMPLES/council-vote-frontmatter.txt" "$C/politics/local/"
cp "$SAMPLES/flood-relief-curly.txt" "$C/"
grep -q '^source: Riverside Gazette' "$C/politics/local/council-vote-frontmatter.txt" ||
    bad "samples/council-vote-frontmatter.txt no longer names its source"

# 1. A load from another folder, with a relative path to the corpus.
(cd "$tmp/elsewhere" && "$BIN" load --quiet --db "$tmp/a.db" --source BBC ../corpus)
st=$?
check "load --source exits 0 (got $st)" [ "$st" -eq 0 ]
got=$(sql "$tmp/a.db" "SELECT path, coalesce(section, 'NULL'), source FROM articles ORDER BY path")
want="business/port-strike-washington.txt|business|BBC
business/rate-decision-reuters.txt|business|BBC
flood-relief-curly.txt|NULL|BBC
politics/blinken-china.txt|politics|BBC
politics/local/council-vote-frontmatter.txt|politics|Riverside Gazette"
check "paths, sections and sources: got
$got" [ "$got" = "$want" ]
check "the dateline's agency stays in the dateline" \
    [ "$(sql "$tmp/a.db" "SELECT dateline FROM articles WHERE path LIKE '%reuters.txt'")" != "" ]
check "no stored path names a folder above the corpus" \
    [ "$(sql "$tmp/a.db" "SELECT count(*) FROM articles WHERE path LIKE '%corpus%' OR path LIKE '/%' OR path LIKE '%..%'")" = 0 ]
plan=$(sql "$tmp/a.db" "EXPLAIN QUERY PLAN SELECT id FROM articles a WHERE a.section = 'X' ORDER BY a.id")
check "section filter uses articles_section: $plan" sh -c "echo '$plan' | grep -q 'INDEX articles_section'"
plan=$(sql "$tmp/a.db" "EXPLAIN QUERY PLAN SELECT id FROM articles a WHERE a.source = 'x' COLLATE NOCASE ORDER BY a.id")
check "source filter uses articles_source: $plan" sh -c "echo '$plan' | grep -q 'INDEX articles_source'"

if start_server "$tmp/a.db"; then
    api "/articles?limit=1000" >"$tmp/all.json"
    api "/articles?section=BUSINESS&format=ndjson" >"$tmp/business.ndjson"
    api "/articles?limit=all&format=csv&section=politics" >"$tmp/politics.csv"
    stop_server
    check "the API shows relative paths and sections" "$PY" - "$tmp/all.json" "$tmp" <<'EOF'
import json, sys
items = json.load(open(sys.argv[1]))["items"]
paths = sorted((i["path"], i["section"], i["source"]) for i in items)
ok = len(items) == 5 and all(sys.argv[2] not in p and not p.startswith("/") for p, _, _ in paths)
ok = ok and ("politics/blinken-china.txt", "politics", "BBC") in paths
sys.exit(0 if ok else 1)
EOF
    check "section=BUSINESS finds both business articles" \
        [ "$(grep -c '"section":"business"' "$tmp/business.ndjson")" = 2 ]
    check "a streamed CSV of a section: one header, two rows" \
        [ "$(grep -c '' "$tmp/politics.csv")" = 3 ] && [ "$(grep -c '^id,' "$tmp/politics.csv")" = 1 ]
else
    bad "server did not start on a.db"; stop_server
fi

# 2. --no-sections (front matter still names one), a file given itself.
"$BIN" load --quiet --db "$tmp/b.db" --no-sections "$C/" "$SAMPLES/chess-oslo-iso.txt"
check "--no-sections: only front matter's section" \
    [ "$(sql "$tmp/b.db" "SELECT count(*) FROM articles WHERE section IS NOT NULL")" = 0 ]
check "a file given itself is stored by its name" \
    [ "$(sql "$tmp/b.db" "SELECT count(*) FROM articles WHERE path = 'chess-oslo-iso.txt'")" = 1 ]
check "a trailing slash on the folder changes nothing" \
    [ "$(sql "$tmp/b.db" "SELECT count(*) FROM articles WHERE path = 'politics/blinken-china.txt'")" = 1 ]
check "without --source, the dateline's agency is the source" \
    [ "$(sql "$tmp/b.db" "SELECT source FROM articles WHERE path LIKE '%reuters.txt'")" = Reuters ]
for badsrc in "" " BBC" "$(printf 'B\tC')"; do
    "$BIN" load --quiet --db "$tmp/c.db" --source "$badsrc" "$C" 2>"$tmp/err"
    st=$?
    check "--source '$badsrc' exits 2 (got $st)" [ "$st" -eq 2 ]
done
"$BIN" load --quiet --db "$tmp/c.db" "$C" --source 2>"$tmp/err"
st=$?
check "--source without a value exits 2 (got $st)" [ "$st" -eq 2 ]
check "--help names --source and --no-sections" \
    sh -c "'$BIN' load --help | grep -q -- '--source NAME' && '$BIN' load --help | grep -q -- '--no-sections'"

# 3. A database from before schema 4: the older migrations, and the rows a
#    load stored then (absolute paths, no section, no --source).
"$PY" - "$MIGRATIONS" "$tmp/b.db" "$tmp/old.db" "$C" <<'EOF' || bad "cannot make the pre-0004 database"
import glob, os, sqlite3, sys
migs, new, old, corpus = sys.argv[1:5]
files = sorted(f for f in glob.glob(os.path.join(migs, "*.sql")) if int(os.path.basename(f)[:4]) < 4)
o = sqlite3.connect(old)
# quotewire's connections have qw_fold (migration 0007 re-keys people with
# it); the tables are still empty here, so any function of that name will do
o.create_function("qw_fold", 1, lambda s: s)
for f in files:
    o.executescript(open(f).read())
o.execute("PRAGMA user_version=%d" % len(files))
cols = [r[1] for r in o.execute("PRAGMA table_info(articles)")]
assert "section" not in cols
n = sqlite3.connect(new)
n.row_factory = sqlite3.Row
for r in n.execute("SELECT * FROM articles WHERE path != 'chess-oslo-iso.txt'"):
    d = {c: r[c] for c in cols}
    d["path"] = os.path.join(os.path.abspath(corpus), d["path"])
    o.execute("INSERT INTO articles (%s) VALUES (%s)" % (",".join(cols), ",".join("?" * len(cols))),
              [d[c] for c in cols])
o.commit()
EOF
"$BIN" migrate --db "$tmp/old.db" >/dev/null 2>&1
check "migrate adds articles.section" \
    [ "$(sql "$tmp/old.db" "SELECT count(*) FROM pragma_table_info('articles') WHERE name = 'section'")" = 1 ]
check "migrate adds articles_section and rebuilds articles_source NOCASE" \
    [ "$(sql "$tmp/old.db" "SELECT count(*) FROM sqlite_master WHERE name IN ('articles_section', 'articles_source') AND (sql LIKE '%section, id%' OR sql LIKE '%NOCASE%')")" = 2 ]
check "migration keeps the rows and invents no section" \
    [ "$(sql "$tmp/old.db" "SELECT count(*) || '|' || count(section) FROM articles")" = "5|0" ]
check "the old rows hold absolute paths" \
    [ "$(sql "$tmp/old.db" "SELECT count(*) FROM articles WHERE path LIKE '/%'")" = 5 ]
if start_server "$tmp/old.db"; then
    api "/articles?limit=1000" >"$tmp/old.json"
    api "/articles?limit=all&format=csv" >"$tmp/old.csv"
    stop_server
    check "the API never shows the server's folders" sh -c "! grep -q '$tmp' '$tmp/old.json' '$tmp/old.csv'"
    check "an old absolute path shows as its file name" grep -q '"path":"blinken-china.txt"' "$tmp/old.json"
else
    bad "server did not start on old.db"; stop_server
fi
"$BIN" load --quiet --db "$tmp/old.db" --source BBC "$C"
got=$(sql "$tmp/old.db" "SELECT path, coalesce(section, 'NULL'), source FROM articles ORDER BY path")
# A source the old load guessed from a dateline or an image credit stays:
# a stored row cannot tell a guess from front matter, so only what is
# missing is filled in.
want_old="business/port-strike-washington.txt|business|BBC
business/rate-decision-reuters.txt|business|Reuters
flood-relief-curly.txt|NULL|AP
politics/blinken-china.txt|politics|ToI
politics/local/council-vote-frontmatter.txt|politics|Riverside Gazette"
check "loading again fills in source, section and relative paths: got
$got" [ "$got" = "$want_old" ]
before=$(sql "$tmp/old.db" "SELECT group_concat(id || path || source || coalesce(section, ''), ';') FROM articles")
"$BIN" load --quiet --db "$tmp/old.db" --source Other "$C"
after=$(sql "$tmp/old.db" "SELECT group_concat(id || path || source || coalesce(section, ''), ';') FROM articles")
check "a third load (another --source) changes nothing" [ "$before" = "$after" ]

# 4. --year: wire datelines with month and day but no year ("LONDON, Jan 5 -")
mkdir -p "$tmp/wire"
printf 'Rates held\n\nLONDON, Jan 5 - "We held rates today," the governor Ann Lee said.\n' >"$tmp/wire/a.txt"
printf 'No such day\n\nLONDON, Feb 30 - Nothing happened, said Ann Lee.\n' >"$tmp/wire/b.txt"
printf 'Dated\n\nLONDON, March 3, 1999 - A full date, said Ann Lee.\n' >"$tmp/wire/c.txt"
"$BIN" load --quiet --db "$tmp/w.db" "$tmp/wire"
check "without --year, month-and-day datelines stay undated" \
    [ "$(sql "$tmp/w.db" "SELECT group_concat(path || '=' || coalesce(published, 'NULL'), ' ') FROM (SELECT * FROM articles ORDER BY path)")" = "a.txt=NULL b.txt=NULL c.txt=1999-03-03" ]
"$BIN" load --quiet --db "$tmp/w.db" --year 1987 "$tmp/wire"
check "loading again with --year 1987 dates them (not Feb 30), and the quotes follow" \
    [ "$(sql "$tmp/w.db" "SELECT group_concat(path || '=' || coalesce(published, 'NULL'), ' ') FROM (SELECT * FROM articles ORDER BY path)") $(sql "$tmp/w.db" "SELECT count(*) FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.pub_day IS NOT a.published") $(sql "$tmp/w.db" "SELECT count(*) FROM quotes WHERE pub_day = '1987-01-05'")" = "a.txt=1987-01-05 b.txt=NULL c.txt=1999-03-03 0 1" ]
"$BIN" load --quiet --db "$tmp/w.db" --year 87 "$tmp/wire" 2>/dev/null
st=$?
check "--year 87 is bad usage (exit 2, got $st)" [ "$st" -eq 2 ]

echo "sections: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

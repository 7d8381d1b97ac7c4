#!/bin/sh
# Files that are not quotewire databases: another program's SQLite file
# (with or without its own user_version) and a file that is not SQLite at
# all.  migrate, load and serve each refuse them with one clear line (exit 1,
# load 3), name the file, and leave it exactly as it was.
# Usage: tests/load/foreign_db.sh [path/to/quotewire]   (run from the repository root)
BIN=${1:-./quotewire}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }

"$PY" - "$tmp" <<'PY'
import sqlite3, sys
d = sys.argv[1]
for name, version in (("app", 0), ("versioned", 3), ("future", 99)):
    c = sqlite3.connect("%s/%s.db" % (d, name))
    c.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)")
    c.execute("INSERT INTO users(name) VALUES ('ada')")
    c.execute("PRAGMA user_version=%d" % version)
    c.commit()
    c.close()
open(d + "/text.db", "w").write("these are not the bytes of a database\n" * 20)
PY
mkdir "$tmp/art"
printf 'Headline\n\nMr Smith said "no".\n' >"$tmp/art/a.txt"
for f in app versioned future text; do
    db=$tmp/$f.db
    sum=$(cksum <"$db")
    for cmd in migrate load serve; do
        case $cmd in
        load) want=3; set -- load --db "$db" "$tmp/art" ;;
        serve) want=1; set -- serve --db "$db" --listen 127.0.0.1:0 ;;
        *) want=1; set -- migrate --db "$db" ;;
        esac
        timeout 10 "$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        check "$cmd on $f.db exits $want (got $rc)" [ "$rc" = "$want" ]
        check "$cmd on $f.db: one line naming the file" \
            sh -c "[ \$(wc -l <'$tmp/err') = 1 ] && grep -q '$db' '$tmp/err' && grep -qi 'not a quotewire database\|not a database' '$tmp/err'"
        check "$cmd on $f.db: no SQL in the message" sh -c "! grep -qi 'create \|insert \|select ' '$tmp/err'"
    done
    check "$f.db left unchanged" [ "$(cksum <"$db")" = "$sum" ]
    check "$f.db: no journal or WAL left" [ ! -e "$db-wal" ] && [ ! -e "$db-journal" ]
done
echo "foreign_db: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

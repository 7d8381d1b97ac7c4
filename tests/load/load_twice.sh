#!/bin/sh
# quotewire load: loading samples/ twice adds each article once; bad files
# are skipped with a warning and exit status 1; usage errors exit 2.
# Usage: tests/load/load_twice.sh [path/to/quotewire]   (run from the repository root)
BIN=${1:-./quotewire}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
SAMPLES=$(pwd)/samples
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok; else bad "$d"; fi
}
sql() { # sql DB QUERY -> first column of the first row
    "$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = c.execute(sys.argv[2]).fetchone()
print(r[0] if r else "")' "$1" "$2"
}

nsamples=$(find "$SAMPLES" -type f ! -name '.*' | wc -l)
check "samples/ has articles" [ "$nsamples" -ge 5 ]

# First load.
"$BIN" load --db "$tmp/a.db" "$SAMPLES" >"$tmp/out1" 2>"$tmp/err1"
st=$?
check "first load exits 0 (got $st)" [ "$st" -eq 0 ]
check "first load adds every sample" grep -Eq "^articles added +$nsamples\$" "$tmp/out1"
check "articles in the database" [ "$(sql "$tmp/a.db" 'SELECT count(*) FROM articles')" = "$nsamples" ]
check "Windows-1252 warning names the file" grep -q 'cp1252.txt.*Windows-1252' "$tmp/err1"
check "no progress line when stderr is not a terminal" sh -c "! grep -q 'articles/s' '$tmp/err1'"

# Second load: nothing new.
"$BIN" load --db "$tmp/a.db" "$SAMPLES" >"$tmp/out2" 2>"$tmp/err2"
st=$?
check "second load exits 0 (got $st)" [ "$st" -eq 0 ]
check "second load adds none" grep -Eq '^articles added +0$' "$tmp/out2"
check "second load counts duplicates" grep -Eq "^duplicates +$nsamples\$" "$tmp/out2"
check "still one row per article" [ "$(sql "$tmp/a.db" 'SELECT count(*) FROM articles')" = "$nsamples" ]
check "no new quotes" grep -Eq '^quotes +0 new$' "$tmp/out2"

# The same texts under other names and in a subfolder are duplicates too.
mkdir -p "$tmp/copy/sub" "$tmp/copy/.hidden"
cp "$SAMPLES"/* "$tmp/copy/sub/"
printf 'Hidden\n\nNot loaded.\n' >"$tmp/copy/.hidden/h.txt"
printf 'Hidden\n\nNot loaded either.\n' >"$tmp/copy/.h.txt"
printf 'GIF89a\001\000\001\000\000\000\000' >"$tmp/copy/pic.gif"
: >"$tmp/copy/empty.txt"
"$BIN" load --db "$tmp/a.db" "$tmp/copy" >"$tmp/out3" 2>"$tmp/err3"
st=$?
check "a skipped file makes exit status 1 (got $st)" [ "$st" -eq 1 ]
check "copies are duplicates" grep -Eq "^duplicates +$nsamples\$" "$tmp/out3"
check "hidden files and folders are not seen" grep -Eq "^files seen +$((nsamples + 2))\$" "$tmp/out3"
check "skips counted by reason" grep -Eq '^skipped +2 \(empty 1, binary 1\)$' "$tmp/out3"
check "warning names the binary file" grep -q "skipped $tmp/copy/pic.gif: binary file" "$tmp/err3"
check "warning names the empty file" grep -q "skipped $tmp/copy/empty.txt: empty" "$tmp/err3"

# A missing path is one skipped file; the others still load.
"$BIN" load --db "$tmp/b.db" "$tmp/nope.txt" "$SAMPLES/blinken-china.txt" >"$tmp/out4" 2>"$tmp/err4"
st=$?
check "missing path exits 1 (got $st)" [ "$st" -eq 1 ]
check "the rest loads" [ "$(sql "$tmp/b.db" 'SELECT count(*) FROM articles')" = 1 ]
check "seed article keeps its dateline" \
    [ "$(sql "$tmp/b.db" "SELECT dateline || '|' || image_credit FROM articles")" = "Washington|ToI" ]

# A database that cannot be used is exit 3, not the 1 of a skipped file.
printf 'not a database, just text\n%.0s' $(seq 1 200) >"$tmp/foreign.db"
"$BIN" load --db "$tmp/foreign.db" "$SAMPLES/blinken-china.txt" >"$tmp/out6" 2>"$tmp/err6"
st=$?
check "a file that is not a database exits 3 (got $st)" [ "$st" -eq 3 ]
check "and says which file" grep -q "foreign.db" "$tmp/err6"
mkdir -p "$tmp/ro" && "$BIN" load --db "$tmp/ro" "$SAMPLES/blinken-china.txt" >/dev/null 2>&1
st=$?
check "a folder as the database exits 3 (got $st)" [ "$st" -eq 3 ]

# --max-bytes, --quiet, QUOTEWIRE_DB.
QUOTEWIRE_DB="$tmp/env.db" "$BIN" load --quiet --max-bytes 1K "$SAMPLES" >"$tmp/out5" 2>"$tmp/err5"
st=$?
check "--max-bytes skips larger files (exit $st)" [ "$st" -eq 1 ]
check "QUOTEWIRE_DB names the database" [ -f "$tmp/env.db" ]
check "--quiet prints no summary" [ ! -s "$tmp/out5" ]

# Usage.
"$BIN" load --db "$tmp/c.db" >/dev/null 2>&1
check "no paths exits 2" [ $? -eq 2 ]
"$BIN" load --db "$tmp/c.db" --frobnicate "$SAMPLES" >/dev/null 2>&1
check "unknown option exits 2" [ $? -eq 2 ]
"$BIN" load --batch 0 "$SAMPLES" >/dev/null 2>&1
check "bad --batch exits 2" [ $? -eq 2 ]
"$BIN" load --help >"$tmp/help" 2>&1
check "--help exits 0" [ $? -eq 0 ]
check "--help shows usage" grep -q 'usage: quotewire load' "$tmp/help"
check "bad usage touches no database" [ ! -e "$tmp/c.db" ]

echo "load_twice: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

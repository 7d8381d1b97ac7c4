#!/bin/sh
# kill -9 during `quotewire load`, several times at random moments, then
# run the load again: every article must be there exactly once, with the
# same people, mentions and quotes as an uninterrupted load, and SQLite's
# integrity_check must say ok.
# Usage: tests/load/kill_during_load.sh [path/to/quotewire]   (from the repository root)
# The articles are variants generated from samples/, plus the BBC corpus
# from ../shared/corpus when it is there (QUOTEWIRE_CORPUS overrides).
BIN=${1:-./quotewire}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
SAMPLES=$(pwd)/samples
CORPUS=${QUOTEWIRE_CORPUS:-../shared/corpus/bbc}
VARIANTS=${KILL_TEST_VARIANTS:-300}
KILLS=${KILL_TEST_KILLS:-4}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
passed=0 failed=0
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() {
    d=$1; shift
    if "$@"; then ok; else bad "$d"; fi
}

# Variants: the headline of each sample gets " (edition N)", so each file
# is a distinct article with the samples' quotes and encodings.
"$PY" - "$SAMPLES" "$tmp/articles" "$VARIANTS" <<'EOF' || { echo "kill_during_load: 0 passed, 1 failed"; exit 1; }
import os, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
samples = sorted(f for f in os.listdir(src) if not f.startswith('.'))
for i in range(n):
    d = os.path.join(dst, "batch%03d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    for name in samples:
        lines = open(os.path.join(src, name), 'rb').read().split(b'\n')
        k = 0
        if lines and lines[0].strip() == b'---':
            k = 1
            while k < len(lines) and lines[k].strip() != b'---':
                k += 1
            k += 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k < len(lines):
            lines[k] = lines[k].rstrip(b'\r') + b' (edition %d)' % i
        with open(os.path.join(d, "%04d-%s" % (i, name)), 'wb') as f:
            f.write(b'\n'.join(lines))
EOF
set -- "$tmp/articles"
if [ -d "$CORPUS" ]; then
    set -- "$@" "$CORPUS"
fi

counts() { # counts DB -> "articles mentions quotes people distinct_hashes"
    "$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
q = lambda s: c.execute(s).fetchone()[0]
print(q("SELECT count(*) FROM articles"), q("SELECT count(*) FROM mentions"),
      q("SELECT count(*) FROM quotes"), q("SELECT count(*) FROM people"),
      q("SELECT count(DISTINCT content_hash) FROM articles"))' "$1"
}
hashes() {
    "$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for (h,) in c.execute("SELECT content_hash FROM articles ORDER BY content_hash"):
    print(h)' "$1"
}
integrity() {
    "$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
r = [x[0] for x in c.execute("PRAGMA integrity_check")]
fk = c.execute("PRAGMA foreign_key_check").fetchall()
print("ok" if r == ["ok"] and not fk else "%s %s" % (r[:3], fk[:3]))' "$1"
}

# The reference: one uninterrupted load.
start=$(date +%s.%N)
"$BIN" load --quiet --db "$tmp/ref.db" "$@" 2>"$tmp/ref.err"
st=$?
ref_seconds=$(echo "$start $(date +%s.%N)" | awk '{printf "%.2f", $2 - $1}')
check "reference load exits 0 (got $st)" [ "$st" -eq 0 ]
ref=$(counts "$tmp/ref.db")
set_ref=$(echo "$ref" | awk '{print $1}')
check "reference: one article per distinct text" \
    [ "$(echo "$ref" | awk '{print $1}')" = "$(echo "$ref" | awk '{print $5}')" ]
echo "reference load: $set_ref articles in ${ref_seconds}s"

# Kill it at random moments within the reference load's duration, small
# batches so that commits happen often.
i=0
while [ "$i" -lt "$KILLS" ]; do
    i=$((i + 1))
    delay=$(awk -v s="$i$$" -v k="$i" -v d="$ref_seconds" 'BEGIN { srand(s); x = rand() * d * 0.9 / k;
        if (x < 0.02) x = 0.02; printf "%.3f", x }')
    "$BIN" load --quiet --batch 17 --db "$tmp/kill.db" "$@" 2>>"$tmp/kill.err" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
    if [ -f "$tmp/kill.db" ]; then
        n=$("$PY" -c 'import sqlite3, sys
try:
    print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM articles").fetchone()[0])
except Exception:
    print(0)' "$tmp/kill.db")
    else
        n=0
    fi
    echo "kill $i after ${delay}s: $n articles committed"
    if [ -f "$tmp/kill.db" ]; then
        check "after kill $i the database is intact" [ "$(integrity "$tmp/kill.db" 2>&1)" = ok ]
    fi
done

# Finish the job.
"$BIN" load --quiet --db "$tmp/kill.db" "$@" 2>>"$tmp/kill.err"
st=$?
check "rerun exits 0 (got $st)" [ "$st" -eq 0 ]
got=$(counts "$tmp/kill.db")
check "same articles, mentions, quotes and people as the reference ($got vs $ref)" [ "$got" = "$ref" ]
hashes "$tmp/ref.db" >"$tmp/ref.hashes"
hashes "$tmp/kill.db" >"$tmp/kill.hashes"
check "the same texts, each once" cmp -s "$tmp/ref.hashes" "$tmp/kill.hashes"
check "integrity_check ok" [ "$(integrity "$tmp/kill.db")" = ok ]

# And once more: nothing to add.
"$BIN" load --db "$tmp/kill.db" "$@" >"$tmp/again.out" 2>/dev/null
check "a further run adds none" grep -Eq '^articles added +0$' "$tmp/again.out"

echo "kill_during_load: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

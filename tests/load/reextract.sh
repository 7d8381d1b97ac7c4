#!/bin/sh
# quotewire reextract:
#  1. on samples/, with a server running: `reextract --all` with the same
#     extractor changes nothing, neither in the database nor in any answer
#     of the API (so re-extracting stored text gives the offsets load gave);
#  2. on a database an older extractor filled (simulated consistently by
#     reextract_db.py older, at version 1): every article comes back
#     current, equal to a fresh load, with the summary's counts right;
#  3. kill -9 at random moments, several times: the database stays
#     consistent at every step, and a last run ends equal to an
#     uninterrupted one, ids included;
#  4. the same against a database a server is serving and writing to;
#  5. usage: --help, exit 2 on bad usage, 1 without a database, QUOTEWIRE_DB.
# Usage: tests/load/reextract.sh [path/to/quotewire]   (from the repository root)
# Articles: variants of samples/, plus the BBC corpus from ../shared/corpus
# when it is there (QUOTEWIRE_CORPUS overrides).
BIN=${1:-./quotewire}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
SAMPLES=$(pwd)/samples
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS=${QUOTEWIRE_CORPUS:-../shared/corpus/bbc}
VARIANTS=${REEXTRACT_TEST_VARIANTS:-100}
KILLS=${REEXTRACT_TEST_KILLS:-4}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TOOL="$PY $HERE/reextract_db.py"
passed=0 failed=0
tmp=$(mktemp -d)
pid= spid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() {
    d=$1; shift
    if "$@"; then ok; else bad "$d"; fi
}
sql() { # sql DB QUERY -> first column of the first row
    "$PY" -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print(r[0] if r else "")' "$1" "$2"
}
line() { # line FILE LABEL -> the summary line's text after the label
    sed -n "s/^$2  *//p" "$1" | head -n 1
}
free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
start_server() { # start_server DB -> sets spid, base
    port=$(free_port)
    "$BIN" serve --db "$1" --listen "127.0.0.1:$port" --allow-anonymous-writes >>"$tmp/serve.log" 2>&1 &
    spid=$!
    base=http://127.0.0.1:$port
    "$PY" - "$base" "$spid" <<'EOF'
import os, sys, time, urllib.request
deadline = time.time() + 10
while time.time() < deadline:
    try:
        os.kill(int(sys.argv[2]), 0)
        urllib.request.urlopen(sys.argv[1] + "/health", timeout=1).read()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}
stop_server() {
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
    spid=
}

# ---- 1. same extractor, samples, server running: nothing changes ----
"$BIN" load --quiet --db "$tmp/s.db" "$SAMPLES" 2>/dev/null
if start_server "$tmp/s.db"; then
    ok
    $TOOL api "$base" >"$tmp/api.before"
    db_before=$($TOOL dump "$tmp/s.db")
    "$BIN" reextract --all --db "$tmp/s.db" >"$tmp/s.out" 2>"$tmp/s.err"
    st=$?
    check "reextract --all exits 0 (got $st: $(tail -n 2 "$tmp/s.err"))" [ "$st" -eq 0 ]
    n=$(sql "$tmp/s.db" "SELECT count(*) FROM articles")
    check "every sample re-extracted ($(line "$tmp/s.out" articles))" \
        grep -Eq "^articles +$n re-extracted" "$tmp/s.out"
    for l in added removed "new speaker" "other change"; do
        check "same extractor: 0 quotes $l ($(line "$tmp/s.out" "  $l"))" \
            grep -Eq "^  $l +0( |\$)" "$tmp/s.out"
    done
    check "same extractor: people unchanged ($(line "$tmp/s.out" people))" \
        grep -Eq "^people +0 added, 0 no longer mentioned" "$tmp/s.out"
    $TOOL api "$base" >"$tmp/api.after"
    check "every API answer is the same after reextract --all" cmp -s "$tmp/api.before" "$tmp/api.after"
    check "every row is the same, ids included" [ "$($TOOL dump "$tmp/s.db")" = "$db_before" ]
    stop_server
else
    bad "server did not start: $(tail -n 3 "$tmp/serve.log")"
fi

# ---- the corpus: sample variants (+ BBC) ----
"$PY" - "$SAMPLES" "$tmp/articles" "$VARIANTS" <<'EOF' || { echo "reextract: $passed passed, $((failed + 1)) failed"; exit 1; }
import os, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
samples = sorted(f for f in os.listdir(src) if not f.startswith('.'))
os.makedirs(dst, exist_ok=True)
for i in range(n):
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
        with open(os.path.join(dst, "%04d-%s" % (i, name)), 'wb') as f:
            f.write(b'\n'.join(lines))
EOF
set -- "$tmp/articles"
[ -d "$CORPUS" ] && set -- "$@" "$CORPUS"
"$BIN" load --quiet --db "$tmp/ref.db" "$@" 2>/dev/null
check "reference load exits 0" [ "$?" -eq 0 ]
ref_by_name=$($TOOL dump "$tmp/ref.db" --by-name)
cp "$tmp/ref.db" "$tmp/old.db"
$TOOL older "$tmp/old.db"
check "the older database is consistent" [ "$($TOOL check "$tmp/old.db")" = ok ]
check "the older database differs from a fresh load" [ "$($TOOL dump "$tmp/old.db" --by-name)" != "$ref_by_name" ]
$TOOL expect "$tmp/old.db" "$tmp/ref.db" >"$tmp/expect"
narticles=$(sql "$tmp/old.db" "SELECT count(*) FROM articles")
echo "articles: $narticles; an older extractor would have stored:"
sed 's/^/  /' "$tmp/expect"

# ---- 2. version 1 -> current ----
cp "$tmp/old.db" "$tmp/clean.db"
start=$(date +%s.%N)
"$BIN" reextract --db "$tmp/clean.db" >"$tmp/clean.out" 2>"$tmp/clean.err"
st=$?
clean_seconds=$(echo "$start $(date +%s.%N)" | awk '{printf "%.2f", $2 - $1}')
echo "uninterrupted reextract: ${clean_seconds}s"
sed 's/^/  /' "$tmp/clean.out"
check "reextract exits 0 (got $st: $(tail -n 2 "$tmp/clean.err"))" [ "$st" -eq 0 ]
check "every article re-extracted" grep -Eq "^articles +$narticles re-extracted .*$narticles were older" "$tmp/clean.out"
check "no article left on an older version" \
    [ "$(sql "$tmp/clean.db" "SELECT count(*) FROM articles WHERE extract_version < 2")" = 0 ]
check "consistent after reextract: $($TOOL check "$tmp/clean.db")" [ "$($TOOL check "$tmp/clean.db")" = ok ]
check "equal to a fresh load" [ "$($TOOL dump "$tmp/clean.db" --by-name)" = "$ref_by_name" ]
for l in "quotes" "added" "removed" "new speaker" "other change" "mentions" "people"; do
    want=$(sed -n "s/^$l  *//p" "$tmp/expect")
    got=$(line "$tmp/clean.out" "\\(  \\)\\{0,1\\}$l" | sed 's/ (kind.*//')
    check "summary: $l '$got', want '$want'" [ "$got" = "$want" ]
done
"$BIN" reextract --db "$tmp/clean.db" >"$tmp/again.out" 2>&1
check "a further run has nothing to do" grep -Eq "^articles +0 re-extracted" "$tmp/again.out"

# ---- 3. kill -9 ----
cp "$tmp/old.db" "$tmp/kill.db"
i=0
while [ "$i" -lt "$KILLS" ]; do
    i=$((i + 1))
    delay=$(awk -v s="$i$$" -v k="$i" -v d="$clean_seconds" 'BEGIN { srand(s); x = rand() * d * 0.9 / k;
        if (x < 0.02) x = 0.02; printf "%.3f", x }')
    "$BIN" reextract --quiet --batch 17 --db "$tmp/kill.db" 2>>"$tmp/kill.err" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
    left=$(sql "$tmp/kill.db" "SELECT count(*) FROM articles WHERE extract_version < 2")
    echo "kill $i after ${delay}s: $left articles left on version 1"
    state=$($TOOL check "$tmp/kill.db")
    check "after kill $i the database is consistent: $state" [ "$state" = ok ]
done
"$BIN" reextract --db "$tmp/kill.db" >"$tmp/kill.out" 2>>"$tmp/kill.err"
st=$?
check "the run after the kills exits 0 (got $st)" [ "$st" -eq 0 ]
check "no article left on an older version" \
    [ "$(sql "$tmp/kill.db" "SELECT count(*) FROM articles WHERE extract_version < 2")" = 0 ]
check "killed and finished equals uninterrupted, ids included" \
    [ "$($TOOL dump "$tmp/kill.db")" = "$($TOOL dump "$tmp/clean.db")" ]
check "consistent: $($TOOL check "$tmp/kill.db")" [ "$($TOOL check "$tmp/kill.db")" = ok ]

# ---- 4. with a server serving (and writing to) the database ----
cp "$tmp/old.db" "$tmp/srv.db"
if start_server "$tmp/srv.db"; then
    ok
    h0=$("$PY" -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1] + "/health"))["articles_outdated"])' "$base")
    check "health counts the outdated articles ($h0)" [ "$h0" = "$narticles" ]
    $TOOL hammer "$base" 60 "$tmp/stop" >"$tmp/hammer.out" 2>"$tmp/hammer.err" &
    hpid=$!
    sleep 0.2
    "$BIN" reextract --batch 50 --db "$tmp/srv.db" >"$tmp/srv.out" 2>"$tmp/srv.err"
    st=$?
    touch "$tmp/stop"
    wait "$hpid"
    echo "beside the server: $(line "$tmp/srv.out" time); $(cat "$tmp/hammer.out")"
    check "reextract beside the server exits 0 (got $st: $(tail -n 2 "$tmp/srv.err"))" [ "$st" -eq 0 ]
    check "every request answered ($(cat "$tmp/hammer.out"); $(head -n 2 "$tmp/hammer.err"))" \
        grep -Eq "^requests [1-9][0-9]* errors 0$" "$tmp/hammer.out"
    hq=$("$PY" -c 'import json, sys, urllib.request
h = json.load(urllib.request.urlopen(sys.argv[1] + "/health"))
print(h["articles_outdated"], h["quotes"])' "$base")
    check "health after: 0 outdated, the database's quotes ($hq)" \
        [ "$hq" = "0 $(sql "$tmp/srv.db" "SELECT count(*) FROM quotes")" ]
    stop_server
    check "consistent: $($TOOL check "$tmp/srv.db")" [ "$($TOOL check "$tmp/srv.db")" = ok ]
    check "equal to a fresh load" [ "$($TOOL dump "$tmp/srv.db" --by-name)" = "$ref_by_name" ]
else
    bad "server did not start: $(tail -n 3 "$tmp/serve.log")"
fi

# ---- 5. usage ----
"$BIN" reextract --help >"$tmp/help" 2>&1
check "--help exits 0" [ "$?" -eq 0 ]
check "--help names --all" grep -q -- "--all" "$tmp/help"
"$BIN" reextract --db "$tmp/s.db" --bogus >/dev/null 2>&1
check "an unknown option exits 2" [ "$?" -eq 2 ]
"$BIN" reextract --db "$tmp/s.db" extra-arg >/dev/null 2>&1
check "an argument exits 2" [ "$?" -eq 2 ]
"$BIN" reextract --db "$tmp/s.db" --threads 0 >/dev/null 2>&1
check "--threads 0 exits 2" [ "$?" -eq 2 ]
"$BIN" reextract --db "$tmp/none.db" >/dev/null 2>&1
check "a missing database exits 1" [ "$?" -eq 1 ]
check "a missing database is not created" [ ! -e "$tmp/none.db" ]
"$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE articles SET extract_version = 1 WHERE id = 1"); c.commit()' "$tmp/s.db"
QUOTEWIRE_DB=$tmp/s.db "$BIN" reextract >"$tmp/env.out" 2>&1
check "QUOTEWIRE_DB names the database" grep -Eq "^articles +1 re-extracted" "$tmp/env.out"

echo "reextract: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

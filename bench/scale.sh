#!/bin/sh
# make bench-scale: a synthetic archive of BENCH_SCALE_ARTICLES articles
# (default 1,000,000) made from the corpus by bench/synth.py, loaded into one
# database in BENCH_SCALE_STEPS equal steps (default 10), each step timed
# (articles/s as the database grows), then every documented GET request kind
# timed on the result by bench/scale_requests.py against `serve
# --no-response-cache` (single client, sequential, BENCH_SCALE_RUNS runs per
# kind; p50/p95; flags p95 over BENCH_SCALE_P95_MS and any answer but 200).
#
# Scratch goes to a mktemp directory, or BENCH_SCALE_DIR; it is removed at
# exit unless BENCH_SCALE_KEEP=1.  A kept BENCH_SCALE_DIR whose database was
# fully loaded with the same N and seed is reused (and stays): only the
# requests run.
# Disk: about 3 KB of text and 3 KB of database per article (1M: ~6 GB).
# Without the corpus (QUOTEWIRE_CORPUS, default ../shared/corpus) it prints
# "skipped" and exits 0.  Exit status 1 when the benchmark itself fails
# (generation, a load, the server); slow or failed requests are reported in
# the output, not in the status.
set -u
BIN=./quotewire
PY=/usr/bin/python3
CORPUS=${QUOTEWIRE_CORPUS:-../shared/corpus}
N=${BENCH_SCALE_ARTICLES:-1000000}
STEPS=${BENCH_SCALE_STEPS:-10}
RUNS=${BENCH_SCALE_RUNS:-20}
SEED=${BENCH_SCALE_SEED:-1}
P95_MS=${BENCH_SCALE_P95_MS:-100}
KEEP=${BENCH_SCALE_KEEP:-0}

die() { echo "bench-scale: $*" >&2; exit 1; }
isnum() { case $1 in '' | *[!0-9]*) return 1 ;; *) [ "$1" -gt 0 ] ;; esac; }

isnum "$N" || die "BENCH_SCALE_ARTICLES must be a positive integer (got '$N')"
isnum "$STEPS" || die "BENCH_SCALE_STEPS must be a positive integer (got '$STEPS')"
isnum "$RUNS" || die "BENCH_SCALE_RUNS must be a positive integer (got '$RUNS')"
isnum "$P95_MS" || die "BENCH_SCALE_P95_MS must be a positive integer (got '$P95_MS')"
case $SEED in '' | *[!0-9]*) die "BENCH_SCALE_SEED must be an integer (got '$SEED')" ;; esac
[ "$STEPS" -le "$N" ] || die "BENCH_SCALE_STEPS ($STEPS) is more than BENCH_SCALE_ARTICLES ($N)"
[ -x "$BIN" ] || die "no $BIN (run make first)"

if [ ! -d "$CORPUS" ] || [ -z "$(find "$CORPUS" -name '*.txt' -print 2>/dev/null | head -1)" ]; then
    echo "bench-scale: skipped (no corpus at $CORPUS; set QUOTEWIRE_CORPUS)"
    exit 0
fi

if [ -n "${BENCH_SCALE_DIR:-}" ]; then
    dir=$BENCH_SCALE_DIR
    mkdir -p "$dir" || die "cannot create $dir"
    own=0
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/quotewire-scale.XXXXXX") || die "mktemp failed"
    own=1
fi
db=$dir/scale.db
gen=$dir/gen
mark=$dir/scale.loaded
spid=""
child=""
reused=0

# shellcheck disable=SC2317 # run by the trap
cleanup() {
    [ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
    if [ -n "$spid" ]; then
        kill "$spid" 2>/dev/null
        wait "$spid" 2>/dev/null
        spid=""
    fi
    rm -rf "$gen" "$dir"/step.*
    if [ "$KEEP" = 1 ] || [ "$reused" = 1 ]; then
        echo "bench-scale: kept $dir (database $db)"
    elif [ "$own" = 1 ]; then
        rm -rf "$dir"
    else
        # a directory the user named: remove only what this script made
        rm -f "$db" "$db-wal" "$db-shm" "$mark" "$dir/serve.log" "$dir/load.log"
        rmdir "$dir" 2>/dev/null
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# a long command in the background, waited for, so that a signal to this
# script ends it at once (the trap kills it) instead of after it
run() {
    "$@" &
    child=$!
    wait "$child"
    rc=$?
    child=""
    return "$rc"
}
mb() { # database file plus -wal, in MB (2^20 bytes)
    s=0
    for f in "$db" "$db-wal"; do
        [ -f "$f" ] && s=$((s + $(stat -c %s "$f")))
    done
    awk -v s="$s" 'BEGIN { printf "%.1f", s / 1048576 }'
}
now() { date +%s.%N; }
count_articles() {
    "$PY" -c 'import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(c.execute("SELECT count(*) FROM articles").fetchone()[0])' "$db"
}

echo "== bench-scale: $N articles from $CORPUS in $STEPS steps, $RUNS runs per request kind (seed $SEED)"
echo "scratch: $dir"

if [ -f "$mark" ] && [ -f "$db" ] && [ "$(cat "$mark")" = "$N $SEED" ]; then
    reused=1 # kept by an earlier run: it stays
    echo "== load: reusing $db ($N articles, seed $SEED, loaded by an earlier run)"
    echo "database: $(mb) MB (file plus -wal), $(count_articles) articles"
else
    rm -f "$db" "$db-wal" "$db-shm" "$mark"
    rm -rf "$gen" "$dir"/step.*
    need=$((N * 7 / 1024 + 64)) # MB: ~3 KB text + ~3 KB database per article, and slack
    avail=$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')
    [ "$avail" -ge "$need" ] ||
        die "$dir has $avail MB free, $N articles need about $need MB (set BENCH_SCALE_DIR or a smaller BENCH_SCALE_ARTICLES)"

    echo "== generate (not timed as load)"
    t0=$(now)
    run "$PY" bench/synth.py "$CORPUS" "$gen" "$N" --seed "$SEED" || die "bench/synth.py failed"
    t1=$(now)
    awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "generated %d articles in %.1f s\n", n, b - a }'

    echo "== load ($STEPS steps into one database)"
    total=0
    k=1
    while [ "$k" -le "$STEPS" ]; do
        a=$(((k - 1) * N / STEPS))
        b=$((k * N / STEPS))
        step=$dir/step.$k
        # this step's files (articles a .. b-1, named by synth.py
        # DDDD/NNNNNNN.txt) move out of the generated tree, keeping their
        # folder names so stored paths stay unique across steps
        "$PY" - "$gen" "$step" "$a" "$b" <<'PY' || die "moving step $k's files failed"
import os, sys
gen, dst, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
made = set()
for i in range(a, b):
    d = "%04d" % (i // 1000)
    if d not in made:
        os.makedirs(os.path.join(dst, d), exist_ok=True)
        made.add(d)
    name = "%07d.txt" % i
    os.rename(os.path.join(gen, d, name), os.path.join(dst, d, name))
PY
        t0=$(now)
        run "$BIN" load --quiet --db "$db" "$step" >"$dir/load.log" 2>&1
        rc=$?
        t1=$(now)
        case $rc in
        0) ;;
        1) echo "step $k: some files were skipped:" && head -5 "$dir/load.log" ;;
        *) cat "$dir/load.log" >&2; die "step $k: load failed (exit $rc)" ;;
        esac
        rm -rf "$step"
        total=$(awk -v t="$total" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", t + b - a }')
        awk -v k="$k" -v a="$a" -v b="$b" -v s="$t0" -v e="$t1" -v m="$(mb)" \
            'BEGIN { printf "step %d: articles %d..%d loaded in %.1f s: %.0f articles/s (db %s MB)\n", k, a + 1, b, e - s, (b - a) / (e - s), m }'
        k=$((k + 1))
    done
    stored=$(count_articles)
    awk -v n="$N" -v t="$total" -v st="$stored" \
        'BEGIN { printf "load: %d articles in %.1f s: %.0f articles/s on average; %d stored (%d duplicate texts)\n", n, t, n / t, st, n - st }'
    echo "database: $(mb) MB (file plus -wal)"
    echo "$N $SEED" >"$mark"
fi

echo "== requests (serve --no-response-cache, one client, sequential, $RUNS runs per kind)"
port=""
try=1
while [ "$try" -le 3 ] && [ -z "$port" ]; do
    p=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$BIN" serve --db "$db" --listen "127.0.0.1:$p" --log-level error --no-response-cache >"$dir/serve.log" 2>&1 &
    spid=$!
    if "$PY" - "$p" "$spid" <<'PY'; then
import http.client, os, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
for _ in range(600):  # 60 s: a first open of a large file can take a while
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)  # the server exited (port taken?)
    try:
        h = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        h.request("GET", "/health")
        if h.getresponse().status == 200:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
        port=$p
    else
        kill "$spid" 2>/dev/null
        wait "$spid" 2>/dev/null
        spid=""
    fi
    try=$((try + 1))
done
[ -n "$port" ] || { cat "$dir/serve.log" >&2; die "the server did not start"; }

run "$PY" bench/scale_requests.py "http://127.0.0.1:$port" "$db" \
    --runs "$RUNS" --seed "$SEED" --p95-ms "$P95_MS" || die "bench/scale_requests.py failed"
if ! kill -0 "$spid" 2>/dev/null; then
    cat "$dir/serve.log" >&2
    die "the server died during the requests"
fi
exit 0

#!/bin/sh
# make bench: extraction throughput (MB/s on one core), load throughput
# (articles/s), and HTTP throughput of quotewire next to nginx serving the
# same JSON bytes as a static file, measured in one run so the ratio means
# something on a shared, noisy machine.  Uses ../shared/corpus when present,
# else the bundled samples.
set -u
BUILD=${BUILD:-build}
BIN=./quotewire
CORPUS=${QUOTEWIRE_CORPUS:-../shared/corpus}
DUR=${BENCH_SECONDS:-5}
tmp=$(mktemp -d)
cleanup() {
    [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null
    [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

echo "== extraction"
if [ -d "$CORPUS/bbc" ]; then
    find "$CORPUS/bbc" -name '*.txt' | sort >"$tmp/bbc.list"
    # the whole extractor, then the rules alone (tagger and speaker model
    # off) as the reference measured in the same run, alternated twice
    for r in 1 2; do
        "$BUILD/bench/bench_extract" - <"$tmp/bbc.list" | sed 's/^/bbc /' | tee -a "$tmp/full"
        "$BUILD/bench/bench_extract" --rules - <"$tmp/bbc.list" | sed 's/^/bbc rules only /' | tee -a "$tmp/rules"
    done
    full=$(sed -E 's/.* ([0-9.]+) MB\/s.*/\1/' "$tmp/full" | sort -n | tail -1)
    rules=$(sed -E 's/.* ([0-9.]+) MB\/s.*/\1/' "$tmp/rules" | sort -n | tail -1)
    awk -v f="$full" -v r="$rules" 'BEGIN { printf "bbc: best %.1f MB/s, rules alone %.1f MB/s: the models cost %.0f%% (ratio %.2f)\n", f, r, 100 * (1 - f / r), f / r }'
    find "$CORPUS/reuters21578" -name '*.txt' | sort >"$tmp/reu.list"
    [ -s "$tmp/reu.list" ] && "$BUILD/bench/bench_extract" - <"$tmp/reu.list" | sed 's/^/reuters /'
else
    echo "(no $CORPUS: using samples/)"
    "$BUILD/bench/bench_extract" samples/*.txt
fi

echo "== extraction, hostile shapes (MB/s at 0.5 MB and 2 MB: equal rates mean linear time)"
/usr/bin/python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
shapes = {
    "one-line-quotes": lambda n: "Headline\n\n" + 'Mr Smith said "no" ' * n,
    "no-newline": lambda n: 'Headline Mr Smith said "no" ' * n,
    "only-marks": lambda n: '"' * (19 * n),
    "only-names": lambda n: "Headline\n\n" + "Anna Bell Carter " * n,
    "tiny-paragraphs": lambda n: "Headline\n\n" + 'He said "x".\n\n' * n,
    "full-stops": lambda n: "Headline\n\n" + ". " * (9 * n),
    "nested-quotes": lambda n: "Headline\n\nHe said " + "\u201cword \"word " * (n // 2) + "\" \u201d" * (n // 2),
}
for name, make in shapes.items():
    for size, n in (("small", 26000), ("large", 104000)):
        with open("%s/%s-%s.txt" % (d, name, size), "w") as f:
            f.write(make(n))
PY
worst=""
for shape in one-line-quotes no-newline only-marks only-names tiny-paragraphs full-stops nested-quotes; do
    s=$("$BUILD/bench/bench_extract" "$tmp/$shape-small.txt" | sed -E 's/.* ([0-9.]+) MB\/s.*/\1/')
    l=$("$BUILD/bench/bench_extract" "$tmp/$shape-large.txt" | sed -E 's/.* ([0-9.]+) MB\/s.*/\1/')
    echo "$shape: $s MB/s small, $l MB/s large"
    worst=$(printf '%s\n%s\n%s\n' "$worst" "$s" "$l" | grep . | sort -n | head -1)
done
[ -n "${full:-}" ] && awk -v w="$worst" -v f="$full" 'BEGIN { printf "worst hostile shape %.1f MB/s against the corpus %.1f MB/s: %.2f of it (the floor is 0.20)\n", w, f, w / f }'

echo "== POST of 1 MB: news against one endless line of quotes, alone and two at once"
rm -f "$tmp/post.db"*
pport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$BIN serve --db "$tmp/post.db" --create --allow-anonymous-writes --listen "127.0.0.1:$pport" --log-level error &
ppid_=$!
i=0; until curl -fs "http://127.0.0.1:$pport/health" >/dev/null; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.1; done
/usr/bin/python3 - "$CORPUS" "$tmp" <<'PY'
import glob, sys
corpus, d = sys.argv[1], sys.argv[2]
text = ""
for f in sorted(glob.glob(corpus + "/bbc/*/*.txt")) or sorted(glob.glob("samples/*.txt")):
    text += open(f, encoding="utf-8", errors="replace").read() + "\n\n"
    if len(text) > 1000000:
        break
while len(text) < 1000000:
    text += text
for k in range(3):
    open("%s/news-%d.txt" % (d, k), "w").write("News %d\n\n" % k + text[:1000000])
    open("%s/hostile-%d.txt" % (d, k), "w").write("Hostile %d\n\n" % k + 'Mr Smith said "no" ' * 52600)
PY
post() { curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: text/plain' --data-binary "@$1" "http://127.0.0.1:$pport/articles"; }
n0=$(post "$tmp/news-0.txt"); h0=$(post "$tmp/hostile-0.txt")
post "$tmp/news-1.txt" >"$tmp/pa" & cp=$!; post "$tmp/news-2.txt" >"$tmp/pb"; wait "$cp"
nc1=$(cat "$tmp/pa"); nc2=$(cat "$tmp/pb")
post "$tmp/hostile-1.txt" >"$tmp/pa" & cp=$!; post "$tmp/hostile-2.txt" >"$tmp/pb"; wait "$cp"
hc1=$(cat "$tmp/pa"); hc2=$(cat "$tmp/pb")
kill "$ppid_" 2>/dev/null
awk -v n0="$n0" -v h0="$h0" -v a="$nc1" -v b="$nc2" -v c="$hc1" -v d="$hc2" 'BEGIN {
    printf "alone: news %.2f s, hostile %.2f s (%.2fx)\n", n0, h0, h0 / n0
    nm = a > b ? a : b; hm = c > d ? c : d
    printf "two at once: news %.2f s and %.2f s, hostile %.2f s and %.2f s (slowest %.2fx)\n", a, b, c, d, hm / nm }'


echo "== load"
for set in bbc reuters21578; do
    [ -d "$CORPUS/$set" ] || { echo "$set: skipped (no $CORPUS/$set)"; continue; }
    rm -f "$tmp/load.db"*
    t0=$(date +%s.%N)
    $BIN load --quiet --db "$tmp/load.db" "$CORPUS/$set" >"$tmp/load.out" 2>&1
    t1=$(date +%s.%N)
    n=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from articles').fetchone()[0])" "$tmp/load.db")
    mb=$(du -sm "$CORPUS/$set" | cut -f1)
    awk -v n="$n" -v a="$t0" -v b="$t1" -v mb="$mb" -v set="$set" \
        'BEGIN { printf "%s: %d articles in %.2f s: %.0f articles/s (%s MB on disk)\n", set, n, b - a, n / (b - a), mb }'
done

echo "== aggregates (the largest database this run builds)"
# A synthetic archive of BENCH_ARTICLES articles (default 100000; e.g.
# BENCH_ARTICLES=1000000 make bench for the million-article figures) made
# from the corpus by bench/synth.py, loaded, then every aggregate timed.
NSYN=${BENCH_ARTICLES:-100000}
if [ -d "$CORPUS/bbc" ] && [ "$NSYN" -gt 0 ]; then
    /usr/bin/python3 bench/synth.py "$CORPUS" "$tmp/synth" "$NSYN" >/dev/null
    t0=$(date +%s.%N)
    $BIN load --quiet --db "$tmp/synth.db" "$tmp/synth" >/dev/null 2>&1
    t1=$(date +%s.%N)
    awk -v n="$NSYN" -v a="$t0" -v b="$t1" 'BEGIN { printf "synthetic: %d articles loaded in %.1f s: %.0f articles/s\n", n, b - a, n / (b - a) }'
    rm -rf "$tmp/synth"
    /usr/bin/python3 bench/aggregates.py "$BIN" "$tmp/synth.db"
    rm -f "$tmp/synth.db"*
else
    rm -f "$tmp/agg.db"*
    $BIN load --quiet --db "$tmp/agg.db" samples >/dev/null 2>&1
    echo "(no $CORPUS/bbc: on the samples)"
    /usr/bin/python3 bench/aggregates.py "$BIN" "$tmp/agg.db"
fi

echo "== http (wrk, 2 threads, 32 connections, ${DUR}s each)"
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
    echo "http: skipped (wrk or nginx missing)"
    exit 0
fi
rm -f "$tmp/http.db"*
if [ -d "$CORPUS/bbc" ]; then $BIN load --quiet --db "$tmp/http.db" "$CORPUS/bbc" >/dev/null 2>&1
else $BIN load --quiet --db "$tmp/http.db" samples >/dev/null 2>&1; fi
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$BIN serve --db "$tmp/http.db" --listen "127.0.0.1:$port" --log-level error &
qpid=$!
i=0; until curl -fs "http://127.0.0.1:$port/health" >/dev/null; do i=$((i+1)); [ $i -gt 100 ] && { echo "server did not start"; exit 1; }; sleep 0.1; done
mkdir -p "$tmp/www"
for path in "articles/1" "quotes?limit=20" "articles?limit=20"; do
    name=$(echo "$path" | tr '/?=&' '____')
    curl -fs "http://127.0.0.1:$port/$path" >"$tmp/www/$name.json"
done
cat >"$tmp/nginx.conf" <<NGX
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    client_body_temp_path $tmp; proxy_temp_path $tmp; fastcgi_temp_path $tmp; uwsgi_temp_path $tmp; scgi_temp_path $tmp;
    server { listen 127.0.0.1:$nport; root $tmp/www; }
}
NGX
nginx -c "$tmp/nginx.conf" -p "$tmp" || { echo "http: nginx failed to start"; exit 0; }
rps() { wrk -t2 -c32 -d"${DUR}s" "$1" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }
for path in "articles/1" "quotes?limit=20" "articles?limit=20"; do
    name=$(echo "$path" | tr '/?=&' '____')
    q=$(rps "http://127.0.0.1:$port/$path")
    n=$(rps "http://127.0.0.1:$nport/$name.json")
    size=$(wc -c <"$tmp/www/$name.json")
    echo "GET /$path ($size bytes): quotewire $q req/s, nginx static $n req/s, ratio $(awk -v q="$q" -v n="$n" 'BEGIN { if (n > 0) printf "%.2f", q / n; else print "?" }')"
done

# The server keeps rendered pages per thread (checked against the database
# version on every request), so the lines above mostly measure that cache.
# Random article ids and page sizes defeat it: this is the SQLite + JSON path.
n=$(curl -fs "http://127.0.0.1:$port/health" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])')
cat >"$tmp/random.lua" <<LUA
math.randomseed(42)
request = function()
    return wrk.format("GET", "/quotes?article=" .. math.random(1, $n) .. "&limit=" .. math.random(1, 50))
end
LUA
u=$(wrk -t2 -c32 -d"${DUR}s" -s "$tmp/random.lua" "http://127.0.0.1:$port" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
n2=$(rps "http://127.0.0.1:$nport/quotes_limit_20.json")
echo "GET /quotes?article=RANDOM&limit=RANDOM (uncached): quotewire $u req/s, nginx static $n2 req/s, ratio $(awk -v q="$u" -v n="$n2" 'BEGIN { if (n > 0) printf "%.2f", q / n; else print "?" }')"

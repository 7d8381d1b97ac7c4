#!/bin/sh
# make fuzz: builds each tests/fuzz/fuzz_*.c with clang's libFuzzer, ASan and
# UBSan, and runs it for FUZZ_SECONDS (default 60) with -timeout=2 (an input
# that takes longer is a finding: no input may cost seconds), from the kept
# seed corpus tests/fuzz/corpus/NAME/ plus samples/ and tests/data/.  New
# inputs go to build/fuzz/NAME.corpus; crashes and slow inputs are left in
# build/fuzz/ as NAME-crash-* / NAME-timeout-*.  Prints execs/s per target
# and exits non-zero if any target found something.
set -u
SECS=${FUZZ_SECONDS:-60}
OUT=build/fuzz
mkdir -p "$OUT"
PKG=$(pkg-config --cflags --libs libmicrohttpd jansson sqlite3 nettle zlib icu-uc)
tools/embed.sh openapi.yaml $(ls data/* 2>/dev/null | grep -v README) -- migrations/*.sql -- ui/* >"$OUT/embedded.c" || exit 1
BASE=$(ls server/*/*.c | grep -v -e '^server/http/' -e '^server/cli/')
HTTP=$(ls server/http/*.c)
status=0
summary=""
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    [ -n "${FUZZ_ONLY:-}" ] && [ "$name" != "$FUZZ_ONLY" ] && continue
    srcs=$BASE
    maxlen=65536
    # the whole-request target runs the real server in-process
    [ "$name" = fuzz_http ] && srcs="$BASE $HTTP" && maxlen=16384
    clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -D_GNU_SOURCE -pthread \
        -o "$OUT/$name" "$t" $srcs "$OUT/embedded.c" $PKG -lm || { status=1; continue; }
    mkdir -p "$OUT/$name.corpus"
    seeds=tests/fuzz/corpus/$name
    if [ "$name" != fuzz_http ]; then
        cp samples/* "$OUT/$name.corpus/" 2>/dev/null || true
        find tests/data -type f -exec cp {} "$OUT/$name.corpus/" \; 2>/dev/null || true
    fi
    echo "== $name ($SECS s)"
    "$OUT/$name" -max_total_time="$SECS" -timeout=2 -max_len="$maxlen" -print_final_stats=1 \
        -artifact_prefix="$OUT/$name-" "$OUT/$name.corpus" $( [ -d "$seeds" ] && echo "$seeds" ) \
        >"$OUT/$name.log" 2>&1
    rc=$?
    tail -n 4 "$OUT/$name.log" | grep -v '^stat::' || true
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$OUT/$name.log" | tail -1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$name.log" | tail -1)
    line="$name: ${eps:-?} execs/s (${runs:-?} inputs)"
    if [ "$rc" -ne 0 ]; then
        status=1
        line="$line: FOUND SOMETHING (see $OUT/$name.log and $OUT/$name-*)"
    fi
    summary="$summary$line
"
done
echo "== summary"
printf '%s' "$summary"
exit $status

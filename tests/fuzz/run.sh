#!/bin/sh
# make fuzz: builds each tests/fuzz/fuzz_*.c with clang's libFuzzer, ASan and
# UBSan, and runs it for FUZZ_SECONDS (default 60) from the seed corpus
# (samples/ and tests/data/).  Crashes are left in build/fuzz/.
set -eu
SECS=${FUZZ_SECONDS:-60}
OUT=build/fuzz
mkdir -p "$OUT"
PKG=$(pkg-config --cflags --libs libmicrohttpd jansson sqlite3 nettle zlib icu-uc)
tools/embed.sh openapi.yaml $(ls data/* 2>/dev/null | grep -v README) -- migrations/*.sql >"$OUT/embedded.c"
SRCS=$(ls server/*/*.c | grep -v -e '^server/http/' -e '^server/cli/')
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -D_GNU_SOURCE -pthread \
        -o "$OUT/$name" "$t" $SRCS "$OUT/embedded.c" $PKG -lm
    mkdir -p "$OUT/$name.corpus"
    cp samples/* "$OUT/$name.corpus/" 2>/dev/null || true
    find tests/data -type f -exec cp {} "$OUT/$name.corpus/" \; 2>/dev/null || true
    echo "== $name ($SECS s)"
    (cd "$OUT" && "./$name" -max_total_time="$SECS" -max_len=65536 -artifact_prefix="./$name-" \
        "$name.corpus" 2>&1 | tail -n 5)
done

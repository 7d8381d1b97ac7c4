#!/bin/sh
# Runs every test suite: the unit test binaries given as arguments, then the
# shell suites (tests/load, tests/http, tests/browser) and the raw-socket
# framing suite (tests/http/framing.py).  Each suite prints its own
# "N passed, N failed"; this script adds them up and closes with the total.
# Exits non-zero if any suite failed or if no test ran at all.
BIN=${QUOTEWIRE_BIN:-./quotewire}
[ -n "$BUILD" ] && [ "$BUILD" != build ] && BIN=$BUILD/quotewire
passed=0 failed=0 broken=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run_suite() {
    name=$1; shift
    echo "== $name"
    "$@" >"$log" 2>&1
    status=$?
    cat "$log"
    line=$(grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$name: no summary line (crashed?)"
        failed=$((failed + 1)); broken="$broken $name"
        return
    fi
    p=$(echo "$line" | sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$line" | sed -E 's/^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        broken="$broken $name"
    elif [ "$status" -ne 0 ]; then
        echo "$name: exited with status $status"
        failed=$((failed + 1)); broken="$broken $name"
    fi
}
for t in "$@"; do
    run_suite "$(basename "$t")" "$t"
done
for t in tests/load/*.sh tests/http/run.sh; do
    [ -f "$t" ] || continue
    run_suite "$t" sh "$t" "$BIN"
done
run_suite tests/http/framing.py python3 tests/http/framing.py --binary "$BIN"
[ -f tests/browser/run.sh ] && run_suite tests/browser/run.sh sh tests/browser/run.sh "$BIN"
[ -n "$broken" ] && echo "failing suites:$broken"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

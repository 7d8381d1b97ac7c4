#!/bin/sh
# Browser tests of the explorer: tests/browser/run.sh [BINARY]  (default ./quotewire)
# Loads samples/ into a fresh database, starts `quotewire serve` on a free
# port with an API key (the tests post their own articles with it), and
# runs test_ui.js: Debian's Chromium, headless, driven by playwright-core
# (tests/browser/node_modules, from `make test-deps`).  Screenshots go to
# $BUILD/screenshots (build/screenshots).  Prints "browser: N passed, N
# failed" last.
#
# Without Chromium, Node.js or playwright-core the suite cannot run: in CI
# (CI set) that is a failure; elsewhere it says why and skips.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-./quotewire}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
chromium=${CHROMIUM:-/usr/bin/chromium}
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
shots=$build/screenshots

cannot_run() {
    if [ -n "${CI:-}" ]; then
        echo "browser: cannot run: $1 (CI must install it: make test-deps)" >&2
        echo "browser: 0 passed, 1 failed"
        exit 1
    fi
    echo "browser: skipped: $1 (make test-deps installs it; as root it installs it itself)"
    echo "browser: 0 passed, 0 failed"
    exit 0
}

if [ ! -x "$bin" ]; then
    echo "browser: binary $bin not found (run make)" >&2
    echo "browser: 0 passed, 1 failed"
    exit 1
fi
[ -x "$chromium" ] || cannot_run "no Chromium at $chromium (Debian package chromium)"
command -v node >/dev/null 2>&1 || cannot_run "no node (Debian package nodejs)"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 20 ] 2>/dev/null || cannot_run "node $(node --version 2>/dev/null) is older than the 20 playwright-core needs"
[ -f "$here/node_modules/playwright-core/package.json" ] ||
    cannot_run "no playwright-core in tests/browser/node_modules (npm ci in tests/browser)"

py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/quotewire-browser.XXXXXX")
pid=""
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db="$tmp/ui.db"
if ! (cd "$root" && "$bin" load --db "$db" --quiet samples) >"$tmp/load.log" 2>&1; then
    echo "browser: '$bin load samples' failed:" >&2
    tail -n 5 "$tmp/load.log" >&2
    echo "browser: 0 passed, 1 failed"
    exit 1
fi
key=qw-browser-key-$$-$(date +%s)
printf '%s\n' "$key" >"$tmp/api.key"
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --api-key-file "$tmp/api.key" >"$tmp/serve.log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; then ready=1; break; fi
    sleep 0.05
done
if [ -z "$ready" ]; then
    echo "browser: server did not answer /health within 10 s; its log:" >&2
    tail -n 20 "$tmp/serve.log" >&2
    echo "browser: 0 passed, 1 failed"
    exit 1
fi

# The spec and the YAML cases as PyYAML reads them: the tests hold the
# explorer's own reader (ui/yaml.js) and its API reference against these.
for f in openapi.yaml tests/browser/yaml-cases.yaml; do
    "$py" -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1], encoding="utf-8")), sys.stdout)' \
        "$root/$f" >"$tmp/$(basename "$f" .yaml).json" || {
        echo "browser: PyYAML could not read $f" >&2
        echo "browser: 0 passed, 1 failed"
        exit 1
    }
done

mkdir -p "$shots" && rm -f "$shots"/FAIL-*.png
node "$here/test_ui.js" --base "http://127.0.0.1:$port" --key "$key" --chromium "$chromium" \
    --root "$root" --spec-json "$tmp/openapi.json" --cases-json "$tmp/yaml-cases.json" \
    --shots "$shots" --profile "$tmp/profile" ${BROWSER_TEST_ARGS:-}
rc=$?
if ! kill -0 "$pid" 2>/dev/null; then
    echo "browser: the server died during the tests; its log:" >&2
    tail -n 20 "$tmp/serve.log" >&2
    rc=1
fi
exit $rc

#!/bin/sh
# What the browser tests (tests/browser/) need: the Debian packages given as
# arguments (chromium, nodejs) through tools/deps.sh, then playwright-core
# from npm into tests/browser/node_modules, at the version its
# package-lock.json pins (npm ci; never a browser download: Chromium is
# Debian's).  In CI (CI set and not empty) anything missing is an error;
# elsewhere it is a warning, and tests/browser/run.sh skips with the reason.
dir=tests/browser
want=$(sed -n 's/.*"playwright-core": *"\([0-9][^"]*\)".*/\1/p' "$dir/package.json" | head -n 1)
fail() {
    if [ -n "${CI:-}" ]; then
        echo "browser-deps: $1" >&2
        exit 1
    fi
    echo "browser-deps: warning: $1; the browser tests will be skipped" >&2
    exit 0
}
tools/deps.sh "$@" || fail "missing Debian packages: $*"
command -v npm >/dev/null 2>&1 || tools/deps.sh npm || fail "npm not found"
have=$(node -p "require('./$dir/node_modules/playwright-core/package.json').version" 2>/dev/null)
[ -n "$want" ] && [ "$have" = "$want" ] && exit 0
echo "browser-deps: npm ci in $dir (playwright-core $want)" >&2
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
    fail "npm ci in $dir failed (is the npm registry reachable?)"

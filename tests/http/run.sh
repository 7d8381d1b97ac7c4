#!/bin/sh
# Black-box HTTP tests: tests/http/run.sh [BINARY]   (default ./quotewire)
# Loads samples/ into a fresh database, starts two servers (an open one and
# one with --api-key-file and a small --max-body), runs test_api.py against
# them, stops them, and exits with the tests' status.  Prints
# "http: N passed, N failed" last.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-./quotewire}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
py=/usr/bin/python3
[ -x "$py" ] || py=python3

if [ ! -x "$bin" ]; then
    echo "http: binary $bin not found (run make)" >&2
    echo "http: 0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/quotewire-http.XXXXXX")
pid_main=""
pid_auth=""
cleanup() {
    for p in $pid_main $pid_auth; do
        kill "$p" 2>/dev/null
    done
    for p in $pid_main $pid_auth; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready PORT PID LOG: polls /health for up to 10 s
wait_ready() {
    "$py" - "$1" "$2" <<'PY'
import http.client, os, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
deadline = time.time() + 10
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(2)
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", "/health")
        if c.getresponse().status == 200:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
PY
}

db="$tmp/main.db"
loaded=""
if [ -d "$root/samples" ] && [ -n "$(ls -A "$root/samples" 2>/dev/null)" ]; then
    if (cd "$root" && "$bin" load --db "$db" samples) >"$tmp/load.log" 2>&1; then
        loaded=--samples-loaded
    else
        echo "http: warning: '$bin load --db DB samples' failed; tests post their own articles:" >&2
        tail -n 5 "$tmp/load.log" >&2
    fi
fi

port=$(free_port)
"$bin" serve --db "$db" --create --listen "127.0.0.1:$port" --allow-anonymous-writes >"$tmp/serve.log" 2>&1 &
pid_main=$!

key=qw-test-key-$$-$(date +%s)
printf '%s\n' "$key" >"$tmp/api.key"
max_body=4096
aport=$(free_port)
"$bin" serve --db "$tmp/auth.db" --create --listen "127.0.0.1:$aport" --api-key-file "$tmp/api.key" \
    --max-body "$max_body" >"$tmp/serve-auth.log" 2>&1 &
pid_auth=$!

if ! wait_ready "$port" "$pid_main"; then
    echo "http: server did not answer /health within 10 s; its log:" >&2
    tail -n 20 "$tmp/serve.log" >&2
    echo "http: 0 passed, 1 failed"
    exit 1
fi
auth_args=""
if wait_ready "$aport" "$pid_auth"; then
    auth_args="--auth-base http://127.0.0.1:$aport --auth-key $key --auth-max-body $max_body"
else
    echo "http: warning: the --api-key-file instance did not come up; its log:" >&2
    tail -n 10 "$tmp/serve-auth.log" >&2
fi

# shellcheck disable=SC2086
(cd "$root" && "$py" "$here/test_api.py" --base "http://127.0.0.1:$port" $auth_args \
    --spec "$root/openapi.yaml" --binary "$bin" --db "$db" $loaded ${HTTP_TEST_ARGS:-})
rc=$?

for p in $pid_main $pid_auth; do
    if kill -0 "$p" 2>/dev/null; then
        kill -TERM "$p" 2>/dev/null
    else
        echo "http: warning: server $p died during the tests; log tail:" >&2
        tail -n 10 "$tmp/serve.log" "$tmp/serve-auth.log" >&2
    fi
done
exit $rc

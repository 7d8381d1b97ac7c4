#!/bin/sh
# The read tier, end to end on 127.0.0.1: a writer (quotewire serve with
# writes on), Litestream replicating its database to a file:// replica, and
# a reader (quotewire serve --read-only) on a copy restored from the replica
# into a directory the reader cannot write.  New versions are restored and
# renamed over the reader's file, as the README's recipe does; the reader
# must serve each without a restart.
# Usage: tests/replica/run.sh ./quotewire
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
samples=$(cd "$here/../.." && pwd)/samples
ls_bin="$here/node_modules/@flydotio/litestream-linux-x64/litestream"
if [ ! -x "$ls_bin" ]; then
    (cd "$here" && npm ci --no-audit --no-fund >/dev/null 2>&1)
fi
if [ ! -x "$ls_bin" ]; then
    echo "replica: litestream is missing: run 'npm ci' in tests/replica (npm registry)"
    echo "0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/quotewire-replica.XXXXXX")
chmod 755 "$tmp"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    chmod -R u+w "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# the reader runs as an unprivileged user when this runs as root, so that
# its directory is really read-only to it
as_reader=""
if [ "$(id -u)" = 0 ]; then
    as_reader="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi

port_of() { # log file -> port, once the server listens
    for _ in $(seq 100); do
        p=$(sed -n 's|.*listening on http://[^:]*:\([0-9]*\)/.*|\1|p' "$1")
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.05
    done
    return 1
}
articles() { # port -> articles total from /health
    curl -s "http://127.0.0.1:$1/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])' 2>/dev/null
}
wait_articles() { # port want -> 0 when /health says want 8 times in a row
    # within 10 s (each request a new connection, so every worker thread,
    # which checks the file on its own next request, is seen)
    run=0
    for _ in $(seq 200); do
        if [ "$(articles "$1")" = "$2" ]; then
            run=$((run + 1))
            [ "$run" -ge 8 ] && return 0
        else
            run=0
            sleep 0.05
        fi
    done
    return 1
}

mkdir "$tmp/w" "$tmp/rep" "$tmp/r"
"$bin" load --db "$tmp/w/w.db" "$samples" >/dev/null 2>&1 || { bad "load samples"; echo "$pass passed, $fail failed"; exit 1; }
"$bin" serve --db "$tmp/w/w.db" --listen 127.0.0.1:0 --allow-anonymous-writes --log-level warn \
    >"$tmp/writer.log" 2>&1 &
pids="$pids $!"
"$ls_bin" replicate "$tmp/w/w.db" "file://$tmp/rep" >"$tmp/litestream.log" 2>&1 &
pids="$pids $!"
wport=$(port_of "$tmp/writer.log") || { bad "writer starts"; cat "$tmp/writer.log"; echo "$pass passed, $fail failed"; exit 1; }
want=$(articles "$wport")

# one restore: wait until the replica holds want articles, then rename the
# copy over the reader's file
n_restore=0
refresh() {
    for _ in $(seq 100); do
        n_restore=$((n_restore + 1))
        next="$tmp/r/.next$n_restore.db"
        chmod u+w "$tmp/r"
        rm -f "$next"*
        if "$ls_bin" restore -o "$next" "file://$tmp/rep" >/dev/null 2>&1 &&
            [ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect("file:"+sys.argv[1]+"?mode=ro",uri=True).execute("select count(*) from articles").fetchone()[0])' "$next" 2>/dev/null)" = "$1" ]; then
            chmod 644 "$next"
            mv "$next" "$tmp/r/r.db"
            rm -f "$next"*
            chmod a-w "$tmp/r"
            return 0
        fi
        rm -f "$next"*
        chmod a-w "$tmp/r"
        sleep 0.2
    done
    return 1
}

refresh "$want" && ok "a restore from the replica holds the writer's $want articles" || bad "restore of $want articles"
$as_reader "$bin" serve --read-only --db "$tmp/r/r.db" --listen 127.0.0.1:0 --log-level info \
    >"$tmp/reader.log" 2>&1 &
pids="$pids $!"
rport=$(port_of "$tmp/reader.log") || { bad "reader starts"; cat "$tmp/reader.log"; echo "$pass passed, $fail failed"; exit 1; }
[ "$(articles "$rport")" = "$want" ] && ok "reader serves the replica ($want articles)" || bad "reader articles $(articles "$rport") != $want"
grep -q "opened immutable" "$tmp/reader.log" && ok "the reader opened its WAL file in a read-only directory (immutable)" ||
    bad "the reader did not take the read-only directory path: $(cat "$tmp/reader.log")"
[ "$(ls -A "$tmp/r")" = "r.db" ] && ok "reader created nothing beside its file" || bad "files beside the replica: $(ls -A "$tmp/r")"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"title":"x","body":"y"}' "http://127.0.0.1:$rport/articles")
[ "$code" = 403 ] && grep -q read-only "$tmp/body" && ok "reader refuses a write with 403" || bad "reader write answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$rport/articles/1")
[ "$code" = 403 ] && ok "reader refuses a DELETE with 403" || bad "reader DELETE answered $code"

# a new article at the writer reaches the reader without a restart
code=$(curl -s -o "$tmp/new.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"title":"Replica test","body":"\"The replica works,\" said Jane Ostrander, the head of operations."}' \
    "http://127.0.0.1:$wport/articles")
[ "$code" = 201 ] && ok "writer stores a new article" || bad "writer POST answered $code"
refresh $((want + 1)) && wait_articles "$rport" $((want + 1)) &&
    ok "reader serves the new article after a restore, without a restart" ||
    bad "reader articles $(articles "$rport") after the POST, want $((want + 1))"
curl -s "http://127.0.0.1:$rport/people?q=Ostrander" | grep -q "Jane Ostrander" &&
    ok "the new article's speaker is searchable on the reader" || bad "Jane Ostrander not on the reader"
curl -s "http://127.0.0.1:$rport/quotes?person=Jane%20Ostrander" | grep -q "The replica works" &&
    ok "and her quote" || bad "her quote is not on the reader"

# a delete at the writer too
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$wport/articles/1")
[ "$code" = 204 ] && refresh "$want" && wait_articles "$rport" "$want" &&
    ok "a delete at the writer reaches the reader" || bad "after the delete the reader has $(articles "$rport")"

# a file that is not a database of this schema is refused, and the reader
# keeps serving the version it has
chmod u+w "$tmp/r"
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.execute("pragma user_version=99"); c.commit()' "$tmp/r/.bad.db"
chmod 644 "$tmp/r/.bad.db"
mv "$tmp/r/.bad.db" "$tmp/r/r.db"
sleep 0.1 # past the reader's 50 ms check window
chmod a-w "$tmp/r"
a1=$(articles "$rport"); a2=$(articles "$rport")
[ "$a1" = "$want" ] && [ "$a2" = "$want" ] &&
    ok "a replacement of another schema is refused; the old version is still served" ||
    bad "after a bad replacement the reader has $a1, $a2"
grep -q "not served" "$tmp/reader.log" && ok "and the refusal is logged" || bad "no log line for the refused file"
refresh "$want" && wait_articles "$rport" "$want" &&
    curl -s "http://127.0.0.1:$rport/articles?limit=1" | grep -q '"id"' &&
    ok "the next good version is served again" || bad "the reader did not come back"
python3 -c 'import sqlite3,sys; a=sqlite3.connect(sys.argv[1]); c=sqlite3.connect(sys.argv[2]); a.backup(c); c.execute("pragma journal_mode=delete"); c.execute("pragma user_version=2"); c.commit()' "$tmp/w/w.db" "$tmp/old.db"
"$bin" serve --read-only --db "$tmp/old.db" --listen 127.0.0.1:0 >"$tmp/old.log" 2>&1 &
opid=$!
sleep 1
if kill -0 "$opid" 2>/dev/null; then
    kill "$opid"
    bad "serve --read-only started on a file of another schema"
else
    grep -q "schema version 2" "$tmp/old.log" && [ "$(ls -A "$tmp" | grep -c old.db)" = 1 ] &&
        ok "serve --read-only refuses a file of another schema at start and leaves it as it was" ||
        bad "start on an old schema: $(cat "$tmp/old.log")"
fi
kill -0 $(echo $pids | awk '{print $3}') 2>/dev/null && ok "the reader is still running" || bad "the reader died"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

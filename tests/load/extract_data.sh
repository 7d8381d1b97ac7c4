#!/bin/sh
# quotewire extract --data NAME=FILE: a data file given at run time replaces
# the built-in one (an empty speaker model leaves the rules' choices, an
# empty tagger model turns the tagger off); bad arguments exit 2, an
# unreadable file exits 1, and nothing is printed for either.
# Usage: tests/load/extract_data.sh [path/to/quotewire]   (run from the repository root)
BIN=${1:-./quotewire}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
ART=$(pwd)/samples/blinken-china.txt
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
status() { "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }

check "plain extract runs" [ "$(status "$BIN" extract "$ART")" = 0 ]
cp "$tmp/out" "$tmp/model.json"
: >"$tmp/empty"
check "an empty speaker model is accepted" [ "$(status "$BIN" extract --data "speaker.model=$tmp/empty" "$ART")" = 0 ]
cp "$tmp/out" "$tmp/rules.json"
# the same quotes either way; the model's confidences are probabilities
# from its calibration, the rules' are their fixed values
check "same quotes with and without the model" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
sys.exit(0 if [(q["start"], q["end"]) for q in a["quotes"]] == [(q["start"], q["end"]) for q in b["quotes"]] else 1)
' "$tmp/model.json" "$tmp/rules.json"
check "the model's confidences differ from the rules' fixed ones" "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
sys.exit(0 if [q["confidence"] for q in a["quotes"]] != [q["confidence"] for q in b["quotes"]] else 1)
' "$tmp/model.json" "$tmp/rules.json"
check "an empty tagger model is accepted" [ "$(status "$BIN" extract --data "tagger.model=$tmp/empty" "$ART")" = 0 ]
printf 'not a model\n' >"$tmp/junk"
check "a malformed speaker model is refused" [ "$(status "$BIN" extract --data "speaker.model=$tmp/junk" "$ART")" != 0 ]
printf 'calib 1 0 0\niso 1 0.5\niso 0 0.6\nbias\t1\n' >"$tmp/falling"
check "calibration points that fall are refused" [ "$(status "$BIN" extract --data "speaker.model=$tmp/falling" "$ART")" != 0 ]
printf 'calib 1 0 0\niso 0 0.4\niso 1 0.9\nbias\t1\n' >"$tmp/tiny"
check "a small hand-made model is used" [ "$(status "$BIN" extract --data "speaker.model=$tmp/tiny" "$ART")" = 0 ]
check "its confidences come from its calibration points" "$PY" -c '
import json, sys
qs = json.load(open(sys.argv[1]))["quotes"]
sys.exit(0 if qs and all(0.4 <= q["confidence"] <= 0.9 for q in qs) else 1)
' "$tmp/out"
check "an unknown data name exits 2" [ "$(status "$BIN" extract --data "nosuch.tsv=$tmp/empty" "$ART")" = 2 ]
check "--data without NAME=FILE exits 2" [ "$(status "$BIN" extract --data speaker.model "$ART")" = 2 ]
check "a name given twice is refused" [ "$(status "$BIN" extract --data "speaker.model=$tmp/empty" --data "speaker.model=$tmp/empty" "$ART")" != 0 ]
check "an unreadable file exits 1" [ "$(status "$BIN" extract --data "speaker.model=$tmp/missing" "$ART")" = 1 ]
check "nothing printed on error" [ ! -s "$tmp/out" ]
echo "extract_data: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

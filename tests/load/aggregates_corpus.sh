#!/bin/sh
# The aggregates on the BBC and Reuters corpora, against SQL on the same
# database (tests/load/aggregates_corpus.py); skips without ../shared/corpus.
# Usage: tests/load/aggregates_corpus.sh [path/to/quotewire]
BIN=${1:-./quotewire}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
exec "$PY" "$(dirname "$0")/aggregates_corpus.py" "$BIN" "${QUOTEWIRE_CORPUS:-../shared/corpus}"

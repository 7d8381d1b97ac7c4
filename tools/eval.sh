#!/bin/sh
# make eval: scores ./quotewire extract with ../shared/eval/score.py on every
# annotated set there, and prints one table.  Skips cleanly without it.
EVAL=${QUOTEWIRE_EVAL:-../shared/eval}
BIN=${1:-./quotewire}
if [ ! -f "$EVAL/score.py" ]; then
    echo "eval: skipped ($EVAL/score.py not found)"
    exit 0
fi
PY=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-20s %-8s %8s %8s %8s %9s %8s\n' set task P R F1 F1@0.9 speaker
for f in "$EVAL"/*.jsonl; do
    set=$(basename "$f" .jsonl)
    if grep -q '"quotes"' "$f"; then
        $PY "$EVAL/score.py" quotes "$f" --json -- "$BIN" extract >"$tmp/q.json" 2>"$tmp/err" || { echo "$set: score.py failed"; cat "$tmp/err"; continue; }
        $PY - "$tmp/q.json" "$set" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a, b = r["overlap50"], r["overlap90"]
print("%-20s %-8s %8.3f %8.3f %8.3f %9.3f %8.3f" % (sys.argv[2], "quotes", a["precision"], a["recall"], a["f1"], b["f1"], a["speaker_accuracy"]))
PY
    fi
    if grep -q '"persons"' "$f"; then
        $PY "$EVAL/score.py" people "$f" --json -- "$BIN" extract >"$tmp/p.json" 2>"$tmp/err" || { echo "$set: score.py failed"; cat "$tmp/err"; continue; }
        $PY - "$tmp/p.json" "$set" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
e, o = r["exact"], r["overlap50"]
print("%-20s %-8s %8.3f %8.3f %8.3f %9s %8s   (overlap F1 %.3f)" % (sys.argv[2], "people", e["precision"], e["recall"], e["f1"], "-", "-", o["f1"]))
PY
    fi
done
# Person names cross-validated on conll2003-train: the tagger and the
# harvested lexicon of each fold come from the other folds (tools/cv_names.py).
if [ -f "$EVAL/conll2003-train.jsonl" ]; then
    BUILD=${BUILD:-build} $PY tools/cv_names.py --quiet --eval "$EVAL" --bin "$BIN" || echo "conll2003-train: cross-validation failed"
fi
# surname back-references (GUM: every person mention in coreference clusters)
if [ -f "$EVAL/gum-dev.jsonl" ]; then
    printf '%-20s %-8s ' gum-dev coref
    $PY "$EVAL/score.py" coref "$EVAL/gum-dev.jsonl" -- "$BIN" extract | tail -n 1
fi
# the speaker chooser: 5-fold cross-validation on polnear-train (the model
# retrained on four folds, scored on the fifth; rules alone for reference)
DUMP=${BUILD:-build}/train/speaker_dump
if [ -f "$EVAL/polnear-train.jsonl" ] && [ -x "$DUMP" ] && command -v liblinear-train >/dev/null; then
    $PY tools/train/speaker.py --eval "$EVAL" --dump "$DUMP" --data speaker.model=/dev/null >"$tmp/spk" && head -n 1 "$tmp/spk"
fi
# calibration of confidence: observed speaker accuracy per confidence bin
if [ -f "$EVAL/polnear-dev.jsonl" ]; then
    echo "polnear-dev calibration (matched quotes with a scorable gold source):"
    $PY tools/train/calib_table.py "$EVAL" "$EVAL/polnear-dev.jsonl" -- "$BIN" extract | sed 's/^/    /'
fi

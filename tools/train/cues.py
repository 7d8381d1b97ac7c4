#!/usr/bin/env python3
"""Harvests reporting cue words from the cue annotations of polnear-train.

    cues.py EVAL_DIR OUT.tsv

A word is a cue word when it occurs in the `cue` span of attributions
(direct, mixed and indirect) of at least MIN_DOCS documents, and at least
MIN_RATIO of its occurrences in the training texts are inside a cue.  Each
line: word, times in a cue, times in the text (so the ratio is the word's
precision as a cue).  Deterministic: sorted by word.  speaker.py calls
harvest() on the training folds only when it cross-validates.
"""
import collections
import json
import os
import re
import sys

MIN_DOCS = 3
MIN_RATIO = 0.3
WORD = re.compile(r"[A-Za-z]+(?:['\u2019][a-z]+)?")


def harvest(docs):
    in_cue = collections.Counter()
    cue_docs = collections.defaultdict(set)
    total = collections.Counter()
    for i, d in enumerate(docs):
        for w in WORD.findall(d["text"]):
            total[w.lower()] += 1
        for a in d.get("attributions", []):
            for w in {x.lower() for x in WORD.findall(a.get("cue") or "")}:
                in_cue[w] += 1
                cue_docs[w].add(i)
    rows = []
    for w, n in in_cue.items():
        t = max(total[w], n)
        if len(cue_docs[w]) >= MIN_DOCS and n / t >= MIN_RATIO and "'" not in w and "\u2019" not in w:
            rows.append((w, n, t))
    return sorted(rows)


def write(rows, path, ndocs):
    with open(path, "w") as f:
        f.write("# Reporting cue words harvested from the cue annotations of polnear-train (%d documents)\n" % ndocs)
        f.write("# by tools/train/cues.py (make train): word, times inside a cue, times in the texts.\n")
        for w, n, t in rows:
            f.write("%s\t%d\t%d\n" % (w, n, t))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(os.path.join(sys.argv[1], "polnear-train.jsonl"), encoding="utf-8") as f:
        docs = [json.loads(l) for l in f if l.strip()]
    rows = harvest(docs)
    write(rows, sys.argv[2], len(docs))
    print("cues.py: %d cue words from %d documents -> %s" % (len(rows), len(docs), sys.argv[2]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Cross-validated person-name scores on conll2003-train (make eval).

Splits the documents of the training set into K folds of consecutive
documents (Reuters files follow the news day by day, so consecutive
documents share stories and names: interleaved folds would let a story's
names leak from training into test), and for each fold:

  1. harvests data/entity-words.tsv from the other folds (harvest_names),
  2. trains the tagger on the other folds with that list (train_tagger),
  3. runs the whole extractor, rules and tagger, on the held-out fold with
     both files given as --data overrides, and scores it with
     ../shared/eval/score.py people (exact spans).

Prints per-fold and mean +- sample standard deviation of exact F1, and a
last line for tools/eval.sh.  --rules-only skips training and scores the
extractor with an empty tagger model (the rules alone, with the fold's
harvested list); with --bare, any binary given with --bin, e.g. an older
build, without overrides.
Python 3 standard library only; exits 0 with a note when the data is
missing.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--eval", default=os.environ.get("QUOTEWIRE_EVAL", "../shared/eval"))
    ap.add_argument("--set", default="conll2003-train.jsonl")
    ap.add_argument("--bin", default="./quotewire")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--rules-only", action="store_true")
    ap.add_argument("--bare", action="store_true",
                    help="give the binary no --data (one built before these data files)")
    ap.add_argument("--train-arg", action="append", default=[],
                    help="extra argument for train_tagger (repeatable)")
    ap.add_argument("--data", action="append", default=[], metavar="NAME=FILE",
                    help="another data file for the trainer and the extractor (repeatable)")
    ap.add_argument("--quiet", action="store_true", help="only the summary line")
    a = ap.parse_args()

    gold = os.path.join(a.eval, a.set)
    score = os.path.join(a.eval, "score.py")
    if not (os.path.isfile(gold) and os.path.isfile(score)):
        print("cv: skipped (%s not found)" % gold)
        return 0
    harvest = os.path.join(a.build, "train", "harvest_names")
    train = os.path.join(a.build, "train", "train_tagger")
    for tool in (harvest, train, a.bin):
        if not os.access(tool, os.X_OK):
            sys.exit("cv: %s missing (make %s)" % (tool, "quotewire" if tool == a.bin else "eval"))

    with open(gold, encoding="utf-8") as f:
        docs = [l for l in f.read().splitlines() if l.strip()]
    n, k = len(docs), a.folds
    name = os.path.splitext(a.set)[0]
    scores = []
    with tempfile.TemporaryDirectory(prefix="cv-names-") as tmp:
        empty = os.path.join(tmp, "empty")
        open(empty, "w").close()
        for i in range(k):
            lo, hi = i * n // k, (i + 1) * n // k
            tr, te = os.path.join(tmp, "train.jsonl"), os.path.join(tmp, "test.jsonl")
            with open(tr, "w", encoding="utf-8") as f:
                f.write("\n".join(docs[:lo] + docs[hi:]) + "\n")
            with open(te, "w", encoding="utf-8") as f:
                f.write("\n".join(docs[lo:hi]) + "\n")
            ew = os.path.join(tmp, "entity-words.tsv")
            with open(ew, "wb") as f:
                run([harvest, tr], stdout=f)
            model = empty
            if not a.rules_only:
                model = os.path.join(tmp, "tagger.model")
                extra = [x for d in a.data for x in ("--data", d)]
                run([train, "--data", "entity-words.tsv=" + ew] + extra + a.train_arg + [tr, model],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            data = [] if a.bare else ["--data", "tagger.model=" + model,
                                      "--data", "entity-words.tsv=" + ew]
            data += [x for d in a.data for x in ("--data", d)]
            out = run([sys.executable, score, "people", te, "--json", "--", a.bin, "extract"] + data,
                      stdout=subprocess.PIPE).stdout
            r = json.loads(out)["exact"]
            scores.append(r["f1"])
            if not a.quiet:
                print("%s fold %d/%d (docs %d-%d): people exact P %.3f R %.3f F1 %.3f" % (
                    name, i + 1, k, lo, hi - 1, r["precision"], r["recall"], r["f1"]))
    mean = statistics.mean(scores)
    sd = statistics.stdev(scores) if len(scores) > 1 else 0.0
    what = "rules only" if a.rules_only else "rules + tagger"
    print("%s %d-fold CV people F1 mean %.3f +- %.3f (%s)" % (name, k, mean, sd, what))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Calibration of quote confidences on an annotated set.

    calib_table.py EVAL_DIR SET.jsonl -- CMD [ARG...]

Runs the extractor like score.py, matches its quotes to the gold quotes
(overlap >= 0.5, score.py's matching) and, for the matched quotes whose gold
source can be scored, prints per confidence bin: quotes, mean confidence,
observed speaker accuracy (score.py's rule), and the gap.  The last line
gives the largest gap over bins with at least 20 quotes.
"""
import os
import sys


def main():
    if "--" not in sys.argv or len(sys.argv) < 5:
        sys.exit(__doc__)
    sep = sys.argv.index("--")
    eval_dir, gold_path = sys.argv[1], sys.argv[2]
    cmd = sys.argv[sep + 1:]
    sys.path.insert(0, eval_dir)
    import score

    with open(gold_path, encoding="utf-8") as f:
        docs = [__import__("json").loads(l) for l in f if l.strip()]
    preds, raws = score.run_extractor(cmd, docs)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from speaker import matched_quotes  # score.py's matching, as training labels it

    rows = []
    for i, d in enumerate(docs):
        for _, names, q in matched_quotes(score, d, raws[i], preds.get(i, {}).get("quotes", []) or []):
            rows.append((float(q.get("confidence") or 0), 1 if score.speaker_ok(q.get("speaker"), names) else 0))
    edges = [0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0001]
    print("%-10s %7s %10s %9s %6s" % ("confidence", "quotes", "mean conf", "observed", "gap"))
    worst = 0.0
    for lo, hi in zip(edges, edges[1:]):
        sel = [r for r in rows if lo <= r[0] < hi]
        if not sel:
            continue
        mc = sum(c for c, _ in sel) / len(sel)
        ob = sum(y for _, y in sel) / len(sel)
        if len(sel) >= 20:
            worst = max(worst, abs(mc - ob))
        print("%.1f-%.1f    %7d %10.3f %9.3f %6.3f" % (lo, min(hi, 1.0), len(sel), mc, ob, ob - mc))
    acc = sum(y for _, y in rows) / len(rows) if rows else 0
    print("%d quotes, accuracy %.3f; largest gap in a bin of >= 20 quotes: %.3f" % (len(rows), acc, worst))
    # equal-count bins: each holds a fifth of the quotes, so that every
    # bin's observed accuracy has about the same sampling error
    k = 5
    srt = sorted(rows)
    print("equal-count bins (%d):" % k)
    worst = 0.0
    for b in range(k):
        sel = srt[b * len(srt) // k:(b + 1) * len(srt) // k]
        if not sel:
            continue
        mc = sum(c for c, _ in sel) / len(sel)
        ob = sum(y for _, y in sel) / len(sel)
        worst = max(worst, abs(mc - ob))
        print("%.3f-%.3f  %7d %10.3f %9.3f %6.3f" % (sel[0][0], sel[-1][0], len(sel), mc, ob, ob - mc))
    print("largest gap over equal-count bins: %.3f" % worst)


if __name__ == "__main__":
    main()

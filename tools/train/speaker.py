#!/usr/bin/env python3
"""Trains the speaker chooser (data/speaker.model) on polnear-train.

    speaker.py --eval DIR --dump BIN [--out FILE] [--cv K] [--C C]
               [--data NAME=FILE ...] [--test SET.jsonl] [--folds-out DIR]

1. Runs BIN (build/tools/speaker_dump) over the documents of
   DIR/polnear-train.jsonl: every candidate speaker of every quote, with
   its features.
2. Labels a candidate right when score.py (DIR/score.py) would accept its
   name for the gold source of the quote it matches.
3. Cross-validates by document (K folds, document i in fold i mod K):
   trains on K-1 folds with LIBLINEAR (liblinear-train -s 0: L2-regularised
   logistic regression, deterministic), chooses the best-scored candidate
   on the held-out fold, and reports speaker accuracy as score.py counts
   it (a quote with no right candidate, or none, is wrong).
4. Fits the confidence calibration on the cross-validated choices (Platt:
   a logistic regression of right/wrong on the chosen candidate's score
   and its margin over the runner-up, then an isotonic map from Platt's
   z to the observed rate), trains on all folds and writes the model file:
   "calib A B C", "iso Z P" and "feature<TAB>weight" lines.

Python 3 standard library only; liblinear-train from Debian's
liblinear-tools.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def dump(binary, docs, data):
    """Writes docs to files, runs the dumper, returns one record per doc."""
    tmp = tempfile.mkdtemp(prefix="spk-")
    paths = []
    for i, d in enumerate(docs):
        p = os.path.join(tmp, "%05d.txt" % i)
        with open(p, "wb") as f:
            f.write(d["text"].encode("utf-8"))
        paths.append(p)
    cmd = [binary]
    for nv in data:
        name, _, path = nv.partition("=")
        cmd += ["--data", name, path]
    res = subprocess.run(cmd, input="\n".join(paths).encode(), stdout=subprocess.PIPE, check=True)
    out = {}
    for line in res.stdout.decode("utf-8").splitlines():
        o = json.loads(line)
        out[int(os.path.basename(o["file"])[:5])] = o
    for p in paths:
        os.unlink(p)
    os.rmdir(tmp)
    return [out.get(i, {"quotes": []}) for i in range(len(docs))]


def matched_quotes(score, doc, raw, quotes):
    """The quotes (extractor output records) that score.py matches to a
    gold quote of doc whose source can be scored, as (gold quote, its
    names, the quote), by score.py's own matching."""
    cb = score.byte_offsets(doc["text"])
    gold = []
    for q in doc.get("quotes", []):
        for seg in q.get("quoted_segments", []):
            s, e = score.strip_marks(raw, cb[seg["start"]], cb[seg["end"]])
            if e > s:
                gold.append(((s, e), score.gold_names(q.get("speaker"), q.get("speaker_name_auto")), q))
    pred = []
    for q in quotes:
        s, e = score.strip_marks(raw, q["start"], q["end"])
        if e > s:
            pred.append(((s, e), q))
    for gi, pi in score.match([g[0] for g in gold], [p[0] for p in pred], 0.5):
        if gold[gi][1] is not None:
            yield gold[gi][2], gold[gi][1], pred[pi][1]


def label(score, docs, dumps):
    """Per matched, scorable quote: (doc, [(features, right)], the rules'
    choice right)."""
    groups = []
    for i, (d, o) in enumerate(zip(docs, dumps)):
        for _, names, q in matched_quotes(score, d, d["text"].encode("utf-8"), o["quotes"]):
            cands = [(c["f"], bool(score.speaker_ok(c["name"], names))) for c in q["cands"]]
            groups.append((i, cands, bool(score.speaker_ok(q["speaker"], names))))
    return groups


def train(groups, C, workdir, liblinear):
    """LIBLINEAR L2 logistic regression over the candidates of groups;
    returns {feature: weight}."""
    feats = sorted({f for _, cands, _ in groups for fs, _ in cands for f in fs})
    index = {f: k + 1 for k, f in enumerate(feats)}
    path = os.path.join(workdir, "train.svm")
    with open(path, "w") as out:
        for _, cands, _ in groups:
            for fs, right in cands:
                ids = sorted({index[f] for f in fs})
                out.write("%d %s\n" % (1 if right else 0, " ".join("%d:1" % k for k in ids)))
    model = os.path.join(workdir, "train.model")
    subprocess.run([liblinear, "-s", "0", "-c", repr(C), "-e", "0.001", "-B", "-1", "-q", path, model],
                   check=True)
    with open(model) as f:
        lines = f.read().split("\n")
    labels = None
    k = 0
    while lines[k] != "w":
        if lines[k].startswith("label "):
            labels = [int(v) for v in lines[k].split()[1:]]
        k += 1
    w = [float(v) for v in lines[k + 1:k + 1 + len(feats)]]
    sign = 1.0 if labels and labels[0] == 1 else -1.0
    return {f: sign * w[index[f] - 1] for f in feats if w[index[f] - 1] != 0.0}


def choose(weights, cands):
    """Index of the best candidate (ties: the first), its score, margin."""
    scores = [sum(weights.get(f, 0.0) for f in fs) for fs, _ in cands]
    if not scores:
        return None, 0.0, 0.0
    bi = max(range(len(scores)), key=lambda k: (scores[k], -k))
    rest = [s for k, s in enumerate(scores) if k != bi]
    margin = min(scores[bi] - max(rest), 10.0) if rest else 10.0
    return bi, scores[bi], margin


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def platt(rows, iters=100):
    """Logistic regression of y on (s, m) by Newton's method: a, b, c."""
    a = b = c = 0.0
    lam = 1e-3
    for _ in range(iters):
        g = [0.0, 0.0, 0.0]
        H = [[lam, 0.0, 0.0], [0.0, lam, 0.0], [0.0, 0.0, lam]]
        for s, m, y in rows:
            x = (s, m, 1.0)
            p = sigmoid(a * s + b * m + c)
            for r in range(3):
                g[r] += (p - y) * x[r]
                for t in range(3):
                    H[r][t] += p * (1 - p) * x[r] * x[t]
        g[0] += lam * a
        g[1] += lam * b
        g[2] += lam * c
        step = solve3(H, g)
        a, b, c = a - step[0], b - step[1], c - step[2]
        if max(abs(v) for v in step) < 1e-9:
            break
    return a, b, c


def solve3(A, y):
    M = [row[:] + [y[r]] for r, row in enumerate(A)]
    for col in range(3):
        piv = max(range(col, 3), key=lambda r: abs(M[r][col]))
        M[col], M[piv] = M[piv], M[col]
        for r in range(3):
            if r != col and M[col][col]:
                f = M[r][col] / M[col][col]
                M[r] = [M[r][t] - f * M[col][t] for t in range(4)]
    return [M[r][3] / M[r][r] if M[r][r] else 0.0 for r in range(3)]


def isotonic(rows, cal, per_bin=200):
    """Monotone map from Platt's z = a*s + b*m + c to the observed rate of
    right choices: z-sorted bins of per_bin quotes, pooled where the rate
    falls (pool adjacent violators), as (z at the bin's centre, rate)
    points.  Sigmoid alone was under-confident below 0.5."""
    a, b, c = cal
    pts = sorted((a * s + b * m + c, y) for s, m, y in rows)
    bins = []
    for i in range(0, len(pts), per_bin):
        chunk = pts[i:i + per_bin]
        bins.append([sum(z for z, _ in chunk), sum(y for _, y in chunk), len(chunk)])
    blocks = []
    for zsum, ysum, n in bins:
        blocks.append([zsum, ysum, n])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            z2, y2, n2 = blocks.pop()
            blocks[-1][0] += z2
            blocks[-1][1] += y2
            blocks[-1][2] += n2
    return [(zs / n, min(max(ys / n, 0.01), 0.995)) for zs, ys, n in blocks]


def conf_of(z, iso):
    """The calibrated confidence for z: linear between the isotonic points,
    flat beyond them (speaker.c does the same)."""
    if not iso:
        return sigmoid(z)
    if z <= iso[0][0]:
        return iso[0][1]
    for (z0, p0), (z1, p1) in zip(iso, iso[1:]):
        if z <= z1:
            return p0 + (p1 - p0) * (z - z0) / (z1 - z0) if z1 > z0 else p1
    return iso[-1][1]


def calibration_table(rows, cal, iso=None, edges=(0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)):
    a, b, c = cal
    conf = [(conf_of(a * s + b * m + c, iso), y) for s, m, y in rows]
    out = []
    for lo, hi in zip(edges, edges[1:]):
        sel = [(p, y) for p, y in conf if lo <= p < hi]
        if sel:
            out.append((lo, min(hi, 1.0), len(sel), sum(p for p, _ in sel) / len(sel), sum(y for _, y in sel) / len(sel)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--out")
    ap.add_argument("--cv", type=int, default=5)
    ap.add_argument("--C", type=float, default=0.5)
    ap.add_argument("--data", action="append", default=[])
    ap.add_argument("--liblinear", default="liblinear-train")
    ap.add_argument("--test", help="also report accuracy on this set with the final weights")
    args = ap.parse_args()
    sys.path.insert(0, args.eval)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import score  # the shared scorer: its matching and speaker rule label the data

    import cues  # tools/train/cues.py, beside this file

    docs = load_jsonl(os.path.join(args.eval, "polnear-train.jsonl"))
    work = tempfile.mkdtemp(prefix="spk-train-")
    accs, base_accs, rows = [], [], []
    oracles = []
    for k in range(args.cv):
        # the cue words too come from the training folds only
        cue_file = os.path.join(work, "cue-words.tsv")
        train_docs = [d for i, d in enumerate(docs) if i % args.cv != k]
        cues.write(cues.harvest(train_docs), cue_file, len(train_docs))
        fold_groups = label(score, docs, dump(args.dump, docs, [d for d in args.data if not d.startswith("cue-words.tsv=")] + ["cue-words.tsv=" + cue_file]))
        tr = [g for g in fold_groups if g[0] % args.cv != k]
        te = [g for g in fold_groups if g[0] % args.cv == k]
        oracles.append(sum(any(r for _, r in cands) for _, cands, _ in te) / len(te))
        w = train(tr, args.C, work, args.liblinear)
        right = 0
        for _, cands, _ in te:
            bi, s, m = choose(w, cands)
            y = 1 if bi is not None and cands[bi][1] else 0
            right += y
            if bi is not None:
                rows.append((s, m, y))
        accs.append(right / len(te))
        base_accs.append(sum(g[2] for g in te) / len(te))
    oracle = sum(oracles) / len(oracles)
    groups = label(score, docs, dump(args.dump, docs, args.data))
    mean = sum(accs) / len(accs)
    sd = math.sqrt(sum((a - mean) ** 2 for a in accs) / (len(accs) - 1)) if len(accs) > 1 else 0.0
    bmean = sum(base_accs) / len(base_accs)
    print("speaker %d-fold CV on polnear-train: %.4f +- %.4f (folds %s); rules alone %.4f; "
          "a right candidate exists for %.4f (CV) of %d quotes" % (
              args.cv, mean, sd, " ".join("%.3f" % a for a in accs), bmean, oracle, len(groups)))
    cal = platt(rows)
    iso = isotonic(rows, cal)
    print("calibration (cross-validated): z = %.4f*score + %.4f*margin + %.4f, then %d isotonic points" % (
        cal + (len(iso),)))
    for lo, hi, n, pm, obs in calibration_table(rows, cal, iso):
        print("  conf %.1f-%.1f  quotes %5d  mean conf %.3f  observed %.3f" % (lo, hi, n, pm, obs))
    w = train(groups, args.C, work, args.liblinear)
    if args.test:
        tdocs = load_jsonl(args.test)
        tg = label(score, tdocs, dump(args.dump, tdocs, args.data))
        right = sum(1 for _, cands, _ in tg if (lambda bi: bi is not None and cands[bi][1])(choose(w, cands)[0]))
        print("%s: %.4f of %d (rules alone %.4f)" % (os.path.basename(args.test), right / len(tg), len(tg),
                                                    sum(g[2] for g in tg) / len(tg)))
    if args.out:
        with open(args.out, "w") as f:
            f.write("# quotewire speaker model: L2 logistic regression (liblinear-train -s 0 -c %g)\n" % args.C)
            f.write("# over the candidates of %d quotes of polnear-train; made by make train\n" % len(groups))
            f.write("# (tools/train/speaker.py). Lines: calib A B C; iso Z P (the calibration's\n")
            f.write("# points, rising in Z); then feature<TAB>weight.\n")
            f.write("calib %.6f %.6f %.6f\n" % cal)
            for z, p in iso:
                f.write("iso %.6f %.6f\n" % (z, p))
            for feat in sorted(w):
                if abs(w[feat]) >= 1e-6:
                    f.write("%s\t%.6g\n" % (feat, w[feat]))
    for name in os.listdir(work):
        os.unlink(os.path.join(work, name))
    os.rmdir(work)


if __name__ == "__main__":
    main()

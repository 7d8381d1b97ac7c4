#!/usr/bin/env python3
"""Builds a synthetic news archive of N articles from a corpus of text files,
for load and query benchmarks at sizes no real corpus here has.

    synth.py CORPUS_DIR OUT_DIR N [--seed S] [--names data/given-names.tsv]

Each article is a real one of CORPUS_DIR (e.g. ../shared/corpus: BBC and
Reuters-21578) with a headline variant, its body paragraphs after the
first shuffled, the
people's names swapped for others seen in the corpus (consistently within
the article, so quotes keep their speakers), and front matter giving a
date from 2000 to 2025, one of 20 outlets and the topic folder as section.
The texts are written under OUT_DIR in folders of 1,000; OUT_DIR is
scratch (never commit it: the corpus is not ours to copy).  Deterministic
for a given seed.  Python 3 standard library only.
"""
import argparse
import os
import random
import re

OUTLETS = ["Daily Courier", "Morning Ledger", "Evening Post", "Harbour Gazette", "The Sentinel",
           "City Herald", "National Observer", "Valley Times", "Coast Chronicle", "The Dispatch",
           "Northern Star", "Capital Review", "Metro Wire", "The Examiner", "River Tribune",
           "Weekly Standard-Bearer", "Plains Journal", "The Beacon", "Island Record", "Summit News"]
VARIANTS = ["{h}", "UPDATE 1-{h}", "{h} (corrected)", "ANALYSIS-{h}", "{h}: what we know",
            "{h} - sources", "Live: {h}", "{h}, officials say"]
NAME = re.compile(r"\b([A-Z][a-z]+) ([A-Z][a-z]{2,})\b")


def given_names(path):
    names = set()
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3 and int(parts[1]) + int(parts[2]) >= 20000:
                    names.add(parts[0])
    except OSError:
        pass
    return names


def articles(corpus):
    for root, _, files in sorted(os.walk(corpus)):
        for fn in sorted(files):
            if fn.endswith(".txt") and fn.upper() != "README.TXT":
                yield os.path.join(root, fn), os.path.basename(root)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--names", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                                                     "given-names.tsv"))
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    given = given_names(a.names)
    base = []
    pool = set()
    for path, folder in articles(a.corpus):
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        if len(paras) < 2:
            continue
        section = folder if folder not in ("", os.path.basename(a.corpus.rstrip("/"))) else "news"
        if re.match(r"^\d", folder) or folder.startswith("reuters"):
            section = "wire"
        base.append((paras, section))
        for m in NAME.finditer(text):
            if m.group(1).lower() in given:
                pool.add(m.group(0))
    pool = sorted(pool)
    if not base:
        raise SystemExit("synth.py: no articles under %s" % a.corpus)
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.n):
        paras, section = base[rnd.randrange(len(base))]
        head, body = paras[0], paras[1:]
        # the lede (and dateline) stays first, a one-word sign-off
        # ("REUTER") last; the paragraphs between are shuffled
        tail = [body[-1]] if len(body) > 1 and len(body[-1].split()) == 1 else []
        mid = body[1:len(body) - len(tail)]
        rnd.shuffle(mid)
        body = body[:1] + mid + tail
        text = "\n\n".join(body)
        swap = {}
        if pool:
            for m in NAME.finditer(text):
                full = m.group(0)
                if m.group(1).lower() in given and full not in swap:
                    swap[full] = pool[rnd.randrange(len(pool))]
            for old, new in swap.items():
                text = text.replace(old, new)
                # the surname alone follows the full name
                text = re.sub(r"\b%s\b" % re.escape(old.split()[1]), new.split()[1], text)
        y = rnd.randrange(2000, 2026)
        date = "%04d-%02d-%02d" % (y, rnd.randrange(1, 13), rnd.randrange(1, 29))
        title = VARIANTS[rnd.randrange(len(VARIANTS))].format(h=head.replace("\n", " "))
        doc = ("---\ntitle: %s\ndate: %s\nsource: %s\nsection: %s\n---\n%s\n\n%s\n" % (
            title, date, OUTLETS[rnd.randrange(len(OUTLETS))], section, title, text))
        d = os.path.join(a.out, "%04d" % (i // 1000))
        if i % 1000 == 0:
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "%07d.txt" % i), "w", encoding="utf-8") as f:
            f.write(doc)


if __name__ == "__main__":
    main()

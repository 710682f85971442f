"""Inputs for OrtCheck.java and the comparison of its outputs (used to check quantize_int8.py bundles).

  logits_diff.py ids TOKENIZER_JSON OUT_IDS [--n 100] [--data ../shared/datasets]
      token ids of N random CoNLL eng.testa sentences + N random AG News dev texts (seed 0), one line each
  logits_diff.py diff REF_OUT OTHER_OUT...
      max / p99 / mean abs difference of token_logits (word positions: [CLS]/[SEP] left out; per
      position the largest difference over the labels) and sequence_logits, and argmax agreement
"""
import argparse
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def write_ids(a):
    from data import read_agnews, read_conll
    from wordpiece import WordPieceTokenizer

    tok = WordPieceTokenizer(a.tokenizer)
    sents = read_conll(os.path.join(a.data, "conll2003", "eng.testa"))
    texts, _ = read_agnews(os.path.join(a.data, "ag_news", "dev.csv"))
    rng = random.Random(0)
    pick = [" ".join(t) for t, _ in rng.sample(sents, a.n)] + rng.sample(texts, a.n)
    with open(a.out, "w") as f:
        for s in pick:
            ids, _ = tok.encode(s, 256)
            f.write(" ".join(map(str, ids)) + "\n")


def load(path):
    out = []
    with open(path) as f:
        for line in f:
            k, *v = line.split()
            out.append((k, np.array(v, dtype=np.float32)))
    return out


def diff(a):
    ref = load(a.ref)
    for p in a.other:
        o = load(p)
        tok, seq, tok_agree, seq_agree = [], [], [], []
        for (k, x), (k2, y) in zip(ref, o):
            if k != k2 or x.shape != y.shape:
                raise SystemExit("%s and %s do not line up" % (a.ref, p))
            if k == "token_logits":
                x, y = x.reshape(-1, 9)[1:-1], y.reshape(-1, 9)[1:-1]
                tok.append(np.abs(x - y).max(axis=1))
                tok_agree.append(x.argmax(1) == y.argmax(1))
            else:
                seq.append(np.abs(x - y).max())
                seq_agree.append(x.argmax() == y.argmax())
        t, s = np.concatenate(tok), np.array(seq)
        print("%s: token_logits max %.3f p99 %.3f mean %.4f, argmax agrees %.2f%% of %d word positions | "
              "sequence_logits max %.3f p99 %.3f mean %.4f, argmax agrees %.1f%% of %d"
              % (p, t.max(), np.quantile(t, .99), t.mean(), 100 * np.concatenate(tok_agree).mean(), len(t),
                 s.max(), np.quantile(s, .99), s.mean(), 100 * np.mean(seq_agree), len(s)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("ids")
    i.add_argument("tokenizer")
    i.add_argument("out")
    i.add_argument("--n", type=int, default=100)
    i.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "datasets"))
    d = sub.add_parser("diff")
    d.add_argument("ref")
    d.add_argument("other", nargs="+")
    a = p.parse_args()
    write_ids(a) if a.cmd == "ids" else diff(a)


if __name__ == "__main__":
    main()

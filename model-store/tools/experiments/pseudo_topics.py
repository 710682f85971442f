"""Experiment: topic soft labels for unlabelled news text, from an ensemble of topic models.

AG News gives only 7,975 labelled rows. CoNLL-2003's training text is Reuters news too, with no
topic labels; an ensemble of topic-only models (train.py --tasks topic, any encoder) labels it
with averaged probabilities, and train.py --topic-soft learns from those as extra topic batches
(distillation). Consecutive sentences of a CoNLL document are packed into chunks about as long as
an AG News row, so the student sees the same kind of input.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # model-store/tools
import cli_args  # noqa: E402
from data import pad  # noqa: E402
from minilm import from_checkpoint  # noqa: E402
from wordpiece import WordPieceTokenizer  # noqa: E402

def conll_documents(path):
    """Sentences (tokens joined by spaces, as AG News rows are written) grouped by -DOCSTART-."""
    docs, sent = [[]], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == "-DOCSTART-":
                docs.append([])
            elif parts:
                sent.append(parts[0])
            elif sent:
                docs[-1].append(" ".join(sent))
                sent = []
    if sent:
        docs[-1].append(" ".join(sent))
    return [d for d in docs if d]


def chunks(docs, tok, target):
    """Consecutive sentences of one document until a chunk reaches `target` sub-tokens."""
    out = []
    for doc in docs:
        cur, n = [], 0
        for s in doc:
            cur.append(s)
            n += len(tok.encode(s, 512)[0]) - 2
            if n >= target:
                out.append(" ".join(cur))
                cur, n = [], 0
        if cur and n >= target // 4:  # a short tail (a dateline, a score line) alone says little
            out.append(" ".join(cur))
    return out


@torch.no_grad()
def probabilities(model, ids, batch_size=64):
    model.eval()
    out = np.zeros((len(ids), 4), dtype=np.float64)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for s in range(0, len(order), batch_size):
        b = order[s: s + batch_size]
        t = torch.tensor(pad([ids[i] for i in b], 0))
        _, sl = model(t, (t != 0).long(), torch.zeros_like(t))
        out[b] = sl.softmax(-1).double().numpy()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoints", nargs="+", help="topic models (train.py checkpoints); probabilities are averaged")
    p.add_argument("--conll", default=os.path.join(cli_args.ROOT, "..", "shared", "datasets", "conll2003", "eng.train"))
    cli_args.add_tokenizer(p)
    p.add_argument("--chunk-tokens", type=int, default=40, help="AG News dev rows average 47 tokens with [CLS]/[SEP]")
    p.add_argument("--max-len", type=int, default=128)
    p.add_argument("--out", required=True, help="jsonl: one {text, probs} per chunk")
    cli_args.add_threads(p)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    tok = WordPieceTokenizer(a.tokenizer)
    texts = chunks(conll_documents(a.conll), tok, a.chunk_tokens)
    ids = [tok.encode(t, a.max_len)[0] for t in texts]
    probs = sum(probabilities(from_checkpoint(c), ids) for c in a.checkpoints) / len(a.checkpoints)
    with open(a.out, "w", encoding="utf-8") as f:
        for t, pr in zip(texts, probs):
            f.write(json.dumps({"text": t, "probs": [round(float(x), 5) for x in pr]}) + "\n")
    top = np.bincount(probs.argmax(1), minlength=4)
    print(f"{len(texts)} chunks -> {a.out}; argmax counts World/Sports/Business/Sci-Tech {top.tolist()}; "
          f"mean max prob {probs.max(1).mean():.3f}")


if __name__ == "__main__":
    main()

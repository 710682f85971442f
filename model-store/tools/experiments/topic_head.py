"""Refits only the topic head of a trained checkpoint on frozen encoder features (NER untouched, bit for bit).

Document-context NER training moves the shared encoder; this puts the linear topic head back in step with it: the
masked-mean-pooled last hidden states of the AG News rows are computed once (eval mode), then the 4 x 384 head is fit
by softmax regression (label smoothing, L2 towards the old head), choosing the L2 strength on dev. Seeded; a minute.

  /usr/bin/python3 model-store/tools/experiments/topic_head.py model-store/work/docctx/epoch3.pt \
      --tokenizer model-store/work/docctx/bundle/tokenizer.json --out-checkpoint model-store/work/docctx/epoch3-head.pt
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # model-store/tools
import cli_args  # noqa: E402
from data import pad, read_agnews  # noqa: E402
from minilm import from_checkpoint  # noqa: E402
from wordpiece import WordPieceTokenizer  # noqa: E402

@torch.no_grad()
def pooled(model, ids_list, batch=64):
    model.eval()
    out = []
    order = sorted(range(len(ids_list)), key=lambda i: len(ids_list[i]))
    feats = [None] * len(ids_list)
    for s in range(0, len(order), batch):
        b = order[s: s + batch]
        ids = torch.tensor(pad([ids_list[i] for i in b], 0))
        mask = (ids != 0).long()
        x, bias = model.shared(ids, mask, torch.zeros_like(ids))
        for layer in model.layers[model.split_at():]:
            x = layer(x, bias)
        m = mask.unsqueeze(-1).float()
        p = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        for k, i in enumerate(b):
            feats[i] = p[k]
    return torch.stack(feats)


def fit(x, y, w0, b0, l2, smoothing, steps=300):
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([w, b], lr=0.5, max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(x @ w.T + b, y, label_smoothing=smoothing) + l2 * ((w - w0) ** 2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    return w.detach(), b.detach()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    cli_args.add_tokenizer(p, required=True)
    cli_args.add_data(p)
    p.add_argument("--out-checkpoint", required=True)
    p.add_argument("--topic-max-len", type=int, default=128)
    p.add_argument("--smoothing", type=float, default=0.1)
    cli_args.add_seed(p)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(2)
    tok = WordPieceTokenizer(a.tokenizer)
    model = from_checkpoint(a.checkpoint)
    tr_x, tr_y = read_agnews(os.path.join(a.data, "ag_news", "train.csv"))
    dv_x, dv_y = read_agnews(os.path.join(a.data, "ag_news", "dev.csv"))
    ftr = pooled(model, [tok.encode(t, a.topic_max_len)[0] for t in tr_x])
    fdv = pooled(model, [tok.encode(t, a.topic_max_len)[0] for t in dv_x])
    ytr, ydv = torch.tensor(tr_y), torch.tensor(dv_y)
    w0, b0 = model.topic_head.weight.detach().clone(), model.topic_head.bias.detach().clone()
    acc = lambda w, b: 100.0 * float(((fdv @ w.T + b).argmax(-1) == ydv).float().mean())
    print(f"current head: dev accuracy {acc(w0, b0):.2f}")
    best = (acc(w0, b0), None, w0, b0)
    for l2 in (1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 0.0):
        w, b = fit(ftr, ytr, w0, b0, l2, a.smoothing)
        tr_acc = 100.0 * float(((ftr @ w.T + b).argmax(-1) == ytr).float().mean())
        print(f"l2 {l2:g}: train {tr_acc:.2f} dev {acc(w, b):.2f}")
        if acc(w, b) > best[0]:
            best = (acc(w, b), l2, w, b)
    print(f"kept: l2 {best[1]} dev accuracy {best[0]:.2f} (fp32 features)")
    with torch.no_grad():
        model.topic_head.weight.copy_(best[2])
        model.topic_head.bias.copy_(best[3])
    torch.save(model.state_dict(), a.out_checkpoint)


if __name__ == "__main__":
    main()

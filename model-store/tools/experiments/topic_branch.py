"""Stage 2: give the topic head its own top encoder layers and fine-tune them on AG News alone.

The jointly trained model (train.py) shares all six layers between NER and topics; the two tasks
pull the top layers in different directions and topics lost (AG dev ~91 % against ~92 % for a
topic-only fine-tune). Here the top `--branch-layers` layers are copied into a topic branch that
starts at the same weights; everything the NER head depends on is frozen, so NER scores are
unchanged by construction. The frozen shared layers' outputs are computed once, which makes an
epoch of the branch a fraction of a joint epoch. The result is still one graph, one forward pass.
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # model-store/tools
import cli_args  # noqa: E402
from data import bucket_batches, encode_ner, read_agnews, read_conll  # noqa: E402
from evaluate import eval_ner, eval_topic  # noqa: E402
from export import fake_quantize, write_bundle  # noqa: E402
from minilm import MiniLMMultiTask, load_encoder_from_onnx  # noqa: E402
from wordpiece import WordPieceTokenizer  # noqa: E402

def parse():
    p = argparse.ArgumentParser()
    p.add_argument("init", help="joint checkpoint from train.py (no branch)")
    cli_args.add_data(p)
    cli_args.add_tokenizer(p)
    cli_args.add_work(p)
    p.add_argument("--out", default="", help="export the bundle here when done")
    p.add_argument("--branch-layers", type=int, default=2)
    p.add_argument("--branch-init", choices=("joint", "pretrained"), default="joint",
                   help="start the branch from the joint model's top layers or from the pretrained encoder's")
    p.add_argument("--base", default=os.path.join(cli_args.BASE, "all-minilm-l6-v2.onnx"))
    cli_args.add_optimizer(p, epochs=4, lr=5e-5, head_lr=2e-4)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    cli_args.add_lengths(p)
    cli_args.add_seed(p)
    cli_args.add_threads(p)
    p.add_argument("--tag", default="branch", help="name of the checkpoint/metrics files in --work")
    return p.parse_args()


@torch.no_grad()
def shared_features(model, seqs, batch_size=64):
    """Per sequence: the shared layers' output [len, hidden] (eval mode, computed once)."""
    model.eval()
    out = [None] * len(seqs)
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    for s in range(0, len(order), batch_size):
        b = order[s: s + batch_size]
        n = max(len(seqs[i]) for i in b)
        ids = torch.tensor([seqs[i] + [0] * (n - len(seqs[i])) for i in b])
        mask = (ids != 0).long()
        x, _ = model.shared(ids, mask, torch.zeros_like(ids))
        for k, i in enumerate(b):
            out[i] = x[k, : len(seqs[i])].clone()
    return out


def batch_of(feats, idx):
    n = max(feats[i].shape[0] for i in idx)
    x = torch.zeros(len(idx), n, feats[idx[0]].shape[1])
    mask = torch.zeros(len(idx), n, dtype=torch.long)
    for k, i in enumerate(idx):
        x[k, : feats[i].shape[0]] = feats[i]
        mask[k, : feats[i].shape[0]] = 1
    bias = (1.0 - mask[:, None, None, :].float()) * -10000.0
    return x, bias, mask


@torch.no_grad()
def accuracy(model, feats, labels):
    model.eval()
    correct = 0
    for s in range(0, len(feats), 64):
        idx = list(range(s, min(s + 64, len(feats))))
        x, bias, mask = batch_of(feats, idx)
        pred = model.topic_from_shared(x, bias, mask).argmax(-1)
        correct += sum(int(p) == labels[i] for p, i in zip(pred, idx))
    return 100.0 * correct / len(feats)


def main():
    a = parse()
    cli_args.apply_seed_and_threads(a)
    tok = WordPieceTokenizer(a.tokenizer)

    model = MiniLMMultiTask(dropout=a.dropout, topic_layers=a.branch_layers)
    missing, unexpected = model.load_state_dict(torch.load(a.init), strict=False)
    assert not unexpected and all(k.startswith("topic_branch.") for k in missing), (missing, unexpected)
    split = model.split_at()
    source = model.layers
    if a.branch_init == "pretrained":  # the sentence encoder's own top layers, before any fine-tuning
        pre = MiniLMMultiTask()
        load_encoder_from_onnx(pre, a.base)
        source = pre.layers
    for i, layer in enumerate(model.topic_branch):
        layer.load_state_dict(source[split + i].state_dict())
    for n, p in model.named_parameters():
        p.requires_grad = n.startswith(("topic_branch.", "topic_head."))

    t0 = time.time()
    tr_x, tr_y = read_agnews(os.path.join(a.data, "ag_news", "train.csv"))
    dev_x, dev_y = read_agnews(os.path.join(a.data, "ag_news", "dev.csv"))
    tr = [tok.encode(x, a.topic_max_len)[0] for x in tr_x]
    dev = [tok.encode(x, a.topic_max_len)[0] for x in dev_x]
    tr_f, dev_f = shared_features(model, tr), shared_features(model, dev)
    print(f"{len(tr)} train / {len(dev)} dev; shared features (layers 0..{split - 1}) in {time.time() - t0:.0f}s; "
          f"start dev acc {accuracy(model, dev_f, dev_y):.1f}", flush=True)

    branch = [p for n, p in model.named_parameters() if n.startswith("topic_branch.")]
    no_decay = lambda n: n.endswith("bias") or "ln" in n
    opt = torch.optim.AdamW([
        {"params": [p for n, p in model.named_parameters() if n.startswith("topic_branch.") and not no_decay(n)],
         "lr": a.lr, "weight_decay": a.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.startswith("topic_branch.") and no_decay(n)],
         "lr": a.lr, "weight_decay": 0.0},
        {"params": list(model.topic_head.parameters()), "lr": a.head_lr, "weight_decay": 0.0},
    ])
    assert sum(len(g["params"]) for g in opt.param_groups[:2]) == len(branch)
    rng = random.Random(a.seed)
    per_epoch = (len(tr) + a.batch_size - 1) // a.batch_size
    total = a.epochs * per_epoch
    warm = max(1, int(a.warmup * total))
    peak = [g["lr"] for g in opt.param_groups]
    history, step, t_train = [], 0, time.time()
    for ep in range(1, a.epochs + 1):
        model.train()
        losses = []
        for b in bucket_batches([len(s) for s in tr], a.batch_size, rng):
            f = step / warm if step < warm else max(0.0, 1 - (step - warm) / max(1, total - warm))
            for g, lr0 in zip(opt.param_groups, peak):
                g["lr"] = lr0 * f
            x, bias, mask = batch_of(tr_f, b)
            logits = model.topic_from_shared(x, bias, mask)
            loss = F.cross_entropy(logits, torch.tensor([tr_y[i] for i in b]), label_smoothing=a.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(branch + list(model.topic_head.parameters()), 1.0)
            opt.step()
            step += 1
            losses.append(loss.item())
        acc = accuracy(model, dev_f, dev_y)
        history.append({"epoch": ep, "loss": round(float(np.mean(losses)), 4), "dev_acc_fp32": acc,
                        "minutes": round((time.time() - t_train) / 60, 2)})
        print(f"epoch {ep}: loss {np.mean(losses):.4f} dev acc (fp32 shared features) {acc:.1f} "
              f"[{(time.time() - t_train) / 60:.1f} min]", flush=True)

    ckpt = os.path.join(a.work, f"{a.tag}.pt")
    torch.save(model.state_dict(), ckpt)
    # The shipped bundle is int8: score the whole fake-quantized graph end to end on both dev sets.
    conll_dev = read_conll(os.path.join(a.data, "conll2003", "eng.testa"))
    ner_dev = [encode_ner(tok, t, g, a.max_len) for t, g in conll_dev]
    q = fake_quantize(model)
    final = {"ner": eval_ner(q, ner_dev, [g for _, g in conll_dev]), "topic": eval_topic(q, dev, dev_y)}
    print(f"int8 whole graph: NER F1 {final['ner']['overall']['f1']:.2f} AG acc {final['topic']['accuracy']:.2f}",
          flush=True)
    with open(os.path.join(a.work, f"{a.tag}_metrics.json"), "w") as f:
        json.dump({"args": vars(a), "history": history, "int8": final}, f, indent=2)
    if a.out:
        write_bundle(model, a.out, a.tokenizer, a.work, a.max_len)
        print(f"bundle exported to {a.out}", flush=True)


if __name__ == "__main__":
    main()

"""Joint fine-tuning of all-MiniLM-L6-v2 for CoNLL-2003 NER + AG News topics (CPU).

Batches of the two tasks are shuffled together (each step is one single-task batch) so the
shared encoder sees both throughout; after every epoch the dev sets are scored, a checkpoint is
saved and the bundle is re-exported, so a usable bundle exists even if the run is cut short.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_args  # noqa: E402
from data import (IGNORE, bucket_batches, doc_eval_windows, doc_windows, encode_ner, pad, read_agnews,  # noqa: E402
                  read_conll, read_conll_docs)
from evaluate import eval_ner, eval_ner_docs, eval_topic  # noqa: E402
from export import fake_quantize, write_bundle  # noqa: E402
from minilm import MiniLMMultiTask, encoder_layers, load_encoder_from_onnx, load_from_bundle_onnx  # noqa: E402
from wordpiece import WordPieceTokenizer  # noqa: E402

def parse():
    p = argparse.ArgumentParser()
    cli_args.add_data(p)
    p.add_argument("--base", default=cli_args.BASE, help="folder holding <encoder>.onnx and <encoder>-tokenizer.json")
    p.add_argument("--encoder", default="all-minilm-l6-v2",
                   help="file stem of the pretrained BERT-shaped encoder in --base (experiments: bge-small-en-v1.5)")
    cli_args.add_work(p)
    p.add_argument("--out", default=cli_args.BUNDLE)
    cli_args.add_optimizer(p, epochs=3, lr=1e-4, head_lr=5e-4, lr_help="encoder learning rate",
                           head_lr_help="learning rate of the two fresh heads")
    p.add_argument("--ner-label-smoothing", type=float, default=0.0)
    p.add_argument("--topic-label-smoothing", type=float, default=0.1)
    cli_args.add_lengths(p)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--topic-repeat", type=int, default=1, help="passes over AG News per epoch (oversampling)")
    p.add_argument("--tasks", default="ner,topic", help="tasks to train (ner, topic or both); experiments on one task")
    p.add_argument("--topic-soft", default="",
                   help="jsonl of {text, probs} (experiments/pseudo_topics.py): extra topic batches learnt from soft labels")
    p.add_argument("--layer-decay", type=float, default=1.0,
                   help="encoder layer i (0 = embeddings) gets lr * decay^(layers - i); 1.0 = one encoder lr")
    cli_args.add_seed(p)
    cli_args.add_threads(p)
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (timing runs only)")
    p.add_argument("--no-export", action="store_true")
    p.add_argument("--init-checkpoint", default="", help="start from these weights (resuming a cut run)")
    p.add_argument("--init-bundle", default="",
                   help="start from the weights of a bundle folder (its model.onnx, int8 dequantized) and use its "
                        "tokenizer.json; no --base needed")
    p.add_argument("--doc-windows", type=float, default=0.0,
                   help="passes per epoch over CoNLL documents packed into windows of consecutive sentences "
                        "(document context, FLERT-style); 0 = single sentences only")
    p.add_argument("--doc-batch-size", type=int, default=16, help="batch size of the document windows")
    p.add_argument("--doc-min-fill", type=float, default=0.5,
                   help="each window's size limit is drawn in [this * max-len, max-len]")
    p.add_argument("--sentences", type=float, default=1.0,
                   help="share of the single-sentence NER batches kept each epoch (with --doc-windows)")
    p.add_argument("--start-epoch", type=int, default=0, help="epochs already done by --init-checkpoint")
    p.add_argument("--time-budget-min", type=float, default=0.0,
                   help="if > 0, the LR decay is stretched so it reaches 0 after this many training minutes "
                        "(progress = max(step fraction, time fraction)) and training stops there")
    return p.parse_args()


def param_groups(model, a):
    """AdamW groups: fresh heads at head_lr; encoder at lr, scaled down towards the embeddings when
    --layer-decay < 1; LayerNorm weights and biases without weight decay."""
    depth = len(model.layers)

    def level(n):  # 0 = embeddings, i + 1 = encoder layer i, depth + 1 = heads / topic branch
        if n.startswith(("word", "pos", "tok_type", "emb_ln")):
            return 0
        if n.startswith("layers."):
            return int(n.split(".")[1]) + 1
        return depth + 1
    groups = {}
    for n, p in model.named_parameters():
        head = n.startswith(("ner_head", "topic_head"))
        lr = a.head_lr if head else a.lr * a.layer_decay ** max(0, depth - level(n))
        wd = 0.0 if head or n.endswith("bias") or "ln" in n else a.weight_decay
        groups.setdefault((lr, wd), []).append(p)
    return [{"params": ps, "lr": lr, "weight_decay": wd} for (lr, wd), ps in groups.items()]


def score(model, tasks, ner_dev, gold, ag_dev, ag_dev_y, dev_wins=None, dev_doc_gold=None):
    out = {}
    if "ner" in tasks:
        out["ner"] = eval_ner(model, ner_dev, gold)
    if "ner" in tasks and dev_wins:
        out["ner_doc"] = eval_ner_docs(model, dev_wins, dev_doc_gold)
    if "topic" in tasks:
        out["topic"] = eval_topic(model, ag_dev, ag_dev_y)
    return out


def brief(r):
    return " ".join(([f"NER F1 {r['ner']['overall']['f1']:.2f}"] if "ner" in r else [])
                    + ([f"doc NER F1 {r['ner_doc']['overall']['f1']:.2f}"] if "ner_doc" in r else [])
                    + ([f"AG acc {r['topic']['accuracy']:.2f}"] if "topic" in r else []))


def main():
    a = parse()
    cli_args.apply_seed_and_threads(a)
    os.makedirs(a.work, exist_ok=True)
    tok_path = (os.path.join(a.init_bundle, "tokenizer.json") if a.init_bundle
                else os.path.join(a.base, a.encoder + "-tokenizer.json"))
    tok = WordPieceTokenizer(tok_path)

    t0 = time.time()
    conll_tr = read_conll(os.path.join(a.data, "conll2003", "eng.train"))
    conll_dev = read_conll(os.path.join(a.data, "conll2003", "eng.testa"))
    ner_tr = [encode_ner(tok, t, g, a.max_len) for t, g in conll_tr]
    ner_dev = [encode_ner(tok, t, g, a.max_len) for t, g in conll_dev]
    docs_tr = read_conll_docs(os.path.join(a.data, "conll2003", "eng.train")) if a.doc_windows else []
    dev_wins, dev_doc_gold = doc_eval_windows(tok, read_conll_docs(os.path.join(a.data, "conll2003", "eng.testa")),
                                              a.max_len)
    ag_tr_x, ag_tr_y = read_agnews(os.path.join(a.data, "ag_news", "train.csv"))
    ag_dev_x, ag_dev_y = read_agnews(os.path.join(a.data, "ag_news", "dev.csv"))
    ag_tr = [tok.encode(x, a.topic_max_len)[0] for x in ag_tr_x]
    ag_dev = [tok.encode(x, a.topic_max_len)[0] for x in ag_dev_x]
    soft_x, soft_p = [], []
    if a.topic_soft and "topic" in a.tasks.split(","):  # soft labels are topic batches
        with open(a.topic_soft, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        soft_x = [tok.encode(r["text"], a.topic_max_len)[0] for r in rows]
        soft_p = [r["probs"] for r in rows]
    print(f"data: {len(ner_tr)} NER train, {len(ner_dev)} dev; {len(ag_tr)} AG train, {len(ag_dev)} dev, {len(soft_x)} soft; "
          f"encoded in {time.time() - t0:.0f}s", flush=True)

    if a.init_bundle:
        model = MiniLMMultiTask(dropout=a.dropout)
        load_from_bundle_onnx(model, os.path.join(a.init_bundle, "model.onnx"))
    else:
        enc_path = os.path.join(a.base, a.encoder + ".onnx")
        model = MiniLMMultiTask(dropout=a.dropout, layers=encoder_layers(enc_path))
        load_encoder_from_onnx(model, enc_path)
    if a.init_checkpoint:
        model.load_state_dict(torch.load(a.init_checkpoint))

    tasks = set(a.tasks.split(","))
    assert tasks and tasks <= {"ner", "topic"}, f"--tasks: ner, topic or both, not {a.tasks}"
    opt = torch.optim.AdamW(param_groups(model, a))
    rng = random.Random(a.seed + a.start_epoch)  # a resumed run must not replay epoch 1's order
    n_ner = (len(ner_tr) + a.batch_size - 1) // a.batch_size if "ner" in tasks else 0
    n_ag = 0 if "topic" not in tasks else a.topic_repeat * ((len(ag_tr) + a.batch_size - 1) // a.batch_size)
    n_soft = (len(soft_x) + a.batch_size - 1) // a.batch_size
    if a.doc_windows and "ner" in tasks:
        n_ner = int(round(a.sentences * n_ner))
        probe = doc_windows(tok, docs_tr, a.max_len, random.Random(a.seed), a.doc_min_fill)
        n_doc = int(round(a.doc_windows * ((len(probe) + a.doc_batch_size - 1) // a.doc_batch_size)))
    else:
        n_doc = 0
    total = a.epochs * (n_ner + n_ag + n_soft + n_doc)
    warm = max(1, int(a.warmup * total))
    peak = [g["lr"] for g in opt.param_groups]
    for g in opt.param_groups:
        g["lr"] = 0.0
    budget_s = a.time_budget_min * 60

    def lr_factor(s, elapsed):
        if s < warm:
            return s / warm
        prog = (s - warm) / max(1, total - warm)
        if budget_s > 0:  # shared CPU: guarantee a fully decayed model by the deadline
            prog = max(prog, elapsed / budget_s)
        return max(0.0, 1.0 - prog)
    print(f"steps/epoch {n_ner + n_ag + n_soft + n_doc} (NER {n_ner}, docs {n_doc}, AG {n_ag}, soft {n_soft}); "
          f"total {total}; warmup {warm}", flush=True)

    history, step, t_train, stop = [], 0, time.time(), False
    for ep in range(a.start_epoch + 1, a.start_epoch + a.epochs + 1):
        model.train()
        batches = [("ner", b) for b in bucket_batches([len(e[0]) for e in ner_tr], a.batch_size, rng)]
        batches = batches if "ner" in tasks else []
        if n_doc:
            rng.shuffle(batches)
            batches = batches[:n_ner]
            wins = []
            while len(wins) < n_doc * a.doc_batch_size:
                wins += doc_windows(tok, docs_tr, a.max_len, rng, a.doc_min_fill)
            wins = wins[: n_doc * a.doc_batch_size]
            batches += [("doc", b) for b in bucket_batches([len(w[0]) for w in wins], a.doc_batch_size, rng)]
        for _ in range(a.topic_repeat if "topic" in tasks else 0):
            batches += [("topic", b) for b in bucket_batches([len(x) for x in ag_tr], a.batch_size, rng)]
        if soft_x:
            batches += [("soft", b) for b in bucket_batches([len(x) for x in soft_x], a.batch_size, rng)]
        rng.shuffle(batches)
        t_ep, run = time.time(), {"ner": [], "doc": [], "topic": [], "soft": []}
        for i, (task, b) in enumerate(batches, 1):
            if task == "ner":
                ids = torch.tensor(pad([ner_tr[j][0] for j in b], 0))
                labels = torch.tensor(pad([ner_tr[j][1] for j in b], IGNORE))
            elif task == "doc":
                ids = torch.tensor(pad([wins[j][0] for j in b], 0))
                labels = torch.tensor(pad([wins[j][1] for j in b], IGNORE))
            elif task == "topic":
                ids = torch.tensor(pad([ag_tr[j] for j in b], 0))
                labels = torch.tensor([ag_tr_y[j] for j in b])
            else:
                ids = torch.tensor(pad([soft_x[j] for j in b], 0))
                labels = torch.tensor([soft_p[j] for j in b])
            mask = (ids != 0).long()
            tl, sl = model(ids, mask, torch.zeros_like(ids))
            if task in ("ner", "doc"):
                loss = F.cross_entropy(tl.reshape(-1, tl.shape[-1]), labels.reshape(-1),
                                       ignore_index=IGNORE, label_smoothing=a.ner_label_smoothing)
            elif task == "topic":
                loss = F.cross_entropy(sl, labels, label_smoothing=a.topic_label_smoothing)
            else:  # cross-entropy against the teacher's probabilities
                loss = -(labels * F.log_softmax(sl, -1)).sum(-1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            step += 1
            f = lr_factor(step, time.time() - t_train)
            for g, lr0 in zip(opt.param_groups, peak):
                g["lr"] = lr0 * f
            run[task].append(loss.item())
            if i % 25 == 0 or i == len(batches):
                el = time.time() - t_ep
                losses = " ".join(f"{t}_loss {np.mean(run[t][-50:]):.4f}" for t in ("ner", "doc", "topic", "soft") if run[t])
                print(f"ep {ep} step {i}/{len(batches)} {losses} lr {a.lr * f:.2e} "
                      f"{el / i:.2f}s/step epoch_eta {el / i * (len(batches) - i) / 60:.1f}min", flush=True)
            if a.max_steps and step >= a.max_steps:
                print(f"stopping after {step} steps ({(time.time() - t_train) / step:.2f}s/step)")
                return
            if step > warm and f <= 0.0:
                print(f"time budget reached after {step} steps ({i}/{len(batches)} of epoch {ep})", flush=True)
                stop = True
                break
        train_min = (time.time() - t_train) / 60
        rec = {"epoch": ep if not stop else round(ep - 1 + i / len(batches), 2), "steps": step,
               "train_minutes_cumulative": round(train_min, 1)}
        torch.save(model.state_dict(), os.path.join(a.work, f"epoch{ep}.pt"))
        gold = [g for _, g in conll_dev]
        # Export and int8 scores first: on a contended CPU the bundle matters more than fp32 numbers.
        if not a.no_export:
            try:  # an export bug must not kill the run: the checkpoint above can be re-exported
                write_bundle(model, a.out, tok_path, a.work, a.max_len)
                print(f"epoch {ep}: bundle exported to {a.out}", flush=True)
            except Exception as e:  # noqa: BLE001
                print(f"epoch {ep}: EXPORT FAILED: {e!r}", flush=True)
            q = fake_quantize(model)
            rec["int8"] = score(q, tasks, ner_dev, gold, ag_dev, ag_dev_y, dev_wins, dev_doc_gold)
            print(f"epoch {ep} int8: {brief(rec['int8'])}", flush=True)
        t_eval = time.time()
        rec["fp32"] = score(model, tasks, ner_dev, gold, ag_dev, ag_dev_y, dev_wins, dev_doc_gold)
        print(f"epoch {ep} fp32: {brief(rec['fp32'])} (eval {time.time() - t_eval:.0f}s)", flush=True)
        history.append(rec)
        with open(os.path.join(a.work, "metrics.json"), "w") as f:
            json.dump({"args": vars(a), "history": history}, f, indent=2)
        if stop:
            break
    print(f"done: training wall time {(time.time() - t_train) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()

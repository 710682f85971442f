"""Python training-side evaluation: conlleval-style entity F1 on CoNLL tokens, AG News accuracy."""
import torch

from data import pad
from minilm import NER_LABELS, TOPIC_LABELS


def spans(tags):
    """conlleval chunking: an I-X after O or another type opens a new entity."""
    out, start, typ = set(), None, None
    for i, t in enumerate(list(tags) + ["O"]):
        p, ty = (t[0], t[2:]) if t != "O" else ("O", None)
        if typ is not None and (p in ("O", "B") or ty != typ):
            out.add((start, i, typ))
            typ = None
        if p in ("B", "I") and typ is None:
            start, typ = i, ty
    return out


def prf(tp, np_, ng):
    p = tp / np_ if np_ else 0.0
    r = tp / ng if ng else 0.0
    return 100 * p, 100 * r, (200 * p * r / (p + r) if p + r else 0.0)


def entity_scores(gold_seqs, pred_seqs):
    types = ["PER", "LOC", "ORG", "MISC"]
    c = {t: [0, 0, 0] for t in types + ["overall"]}
    for g, p in zip(gold_seqs, pred_seqs):
        gs, ps = spans(g), spans(p)
        for s in ps:
            c[s[2]][1] += 1
            c["overall"][1] += 1
        for s in gs:
            c[s[2]][2] += 1
            c["overall"][2] += 1
        for s in gs & ps:
            c[s[2]][0] += 1
            c["overall"][0] += 1
    return {t: dict(zip(("precision", "recall", "f1"), prf(*v)), support=v[2]) for t, v in c.items()}


@torch.no_grad()
def predict(model, id_seqs, batch_size=64):
    """Runs both heads over length-sorted batches; returns per-sequence (token argmax, topic argmax)."""
    model.eval()
    order = sorted(range(len(id_seqs)), key=lambda i: len(id_seqs[i]))
    tok_pred, seq_pred = [None] * len(id_seqs), [None] * len(id_seqs)
    for s in range(0, len(order), batch_size):
        b = order[s: s + batch_size]
        ids = torch.tensor(pad([id_seqs[i] for i in b], 0))
        mask = (ids != 0).long()
        tl, sl = model(ids, mask, torch.zeros_like(ids))
        ta, sa = tl.argmax(-1), sl.argmax(-1)
        for k, i in enumerate(b):
            tok_pred[i] = ta[k, : len(id_seqs[i])].tolist()
            seq_pred[i] = int(sa[k])
    return tok_pred, seq_pred


def eval_ner(model, enc_dev, gold_tags):
    tok_pred, _ = predict(model, [e[0] for e in enc_dev])
    preds = [[NER_LABELS[tp[f]] if f >= 0 else "O" for f in e[2]] for e, tp in zip(enc_dev, tok_pred)]
    return entity_scores(gold_tags, preds)


def eval_topic(model, ids_dev, labels):
    _, pred = predict(model, ids_dev)
    acc = 100.0 * sum(int(p == l) for p, l in zip(pred, labels)) / len(labels)
    per = {}
    for k, name in enumerate(TOPIC_LABELS):
        tp = sum(1 for p, l in zip(pred, labels) if p == k and l == k)
        per[name] = dict(zip(("precision", "recall", "f1"),
                             prf(tp, sum(p == k for p in pred), sum(l == k for l in labels))),
                         support=sum(l == k for l in labels))
    return {"accuracy": acc, "per_class": per}


def main():
    """Scores a checkpoint (fp32 and int8 fake-quantized) on the two dev sets."""
    import argparse
    import json
    import os

    import cli_args
    from data import encode_ner, read_agnews, read_conll
    from export import fake_quantize
    from minilm import from_checkpoint
    from wordpiece import WordPieceTokenizer

    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    cli_args.add_data(p)
    cli_args.add_tokenizer(p)
    cli_args.add_lengths(p)
    a = p.parse_args()
    torch.set_num_threads(2)
    tok = WordPieceTokenizer(a.tokenizer)
    dev = read_conll(os.path.join(a.data, "conll2003", "eng.testa"))
    enc = [encode_ner(tok, t, g, a.max_len) for t, g in dev]
    ag_x, ag_y = read_agnews(os.path.join(a.data, "ag_news", "dev.csv"))
    ag = [tok.encode(x, a.topic_max_len)[0] for x in ag_x]
    model = from_checkpoint(a.checkpoint)
    res = {}
    for name, m in (("fp32", model), ("int8", fake_quantize(model))):
        res[name] = {"ner": eval_ner(m, enc, [g for _, g in dev]), "topic": eval_topic(m, ag, ag_y)}
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()


def eval_ner_docs(model, wins, gold_tags):
    """Entity scores with whole documents as context (data.doc_eval_windows)."""
    tok_pred, _ = predict(model, [w[0] for w in wins], batch_size=16)
    preds = [None] * len(gold_tags)
    for (ids, members), tp in zip(wins, tok_pred):
        for s, firsts in members:
            preds[s] = [NER_LABELS[tp[f]] if f >= 0 else "O" for f in firsts]
    return entity_scores(gold_tags, preds)

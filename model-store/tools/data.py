"""CoNLL-2003 / AG News readers and encoders following the Java inference convention:
a label sits on the first sub-token of every pre-tokenized word, other sub-tokens get -100."""
import csv
import random

from minilm import NER_LABELS

NER_ID = {l: i for i, l in enumerate(NER_LABELS)}
IGNORE = -100


def read_conll(path):
    sents, toks, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if toks:
                    sents.append((toks, iob1_to_iob2(tags)))
                    toks, tags = [], []
                continue
            parts = line.split()
            toks.append(parts[0])
            tags.append(parts[-1])
    if toks:
        sents.append((toks, iob1_to_iob2(tags)))
    return sents


def iob1_to_iob2(tags):
    out, prev = [], "O"
    for t in tags:
        if t.startswith("I-") and (prev == "O" or prev[2:] != t[2:]):
            t = "B-" + t[2:]
        out.append(t)
        prev = t
    return out


def encode_ner(tok, tokens, tags, max_len):
    """Returns ids, per-sub-token labels, and for each CoNLL token the sub-token index whose
    prediction stands for it (first sub-token of its first word; -1 if none/truncated)."""
    ids, labels, first = [tok.cls_id], [IGNORE], []
    for t, tag in zip(tokens, tags):
        words = tok.words(t)
        first.append(len(ids) if words else -1)
        for wi, w in enumerate(words):
            if tag == "O":
                lab = "O"
            elif wi == 0:
                lab = tag
            else:
                lab = "I-" + tag[2:]
            for pi, p in enumerate(tok.wordpiece(w)):
                ids.append(p)
                labels.append(NER_ID[lab] if pi == 0 else IGNORE)
    if len(ids) > max_len - 1:
        ids, labels = ids[: max_len - 1], labels[: max_len - 1]
        first = [i if i < max_len - 1 else -1 for i in first]
    return ids + [tok.sep_id], labels + [IGNORE], first


def read_agnews(path):
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            labels.append(int(row[0]) - 1)
            texts.append(row[1])
    return texts, labels


def bucket_batches(lengths, batch_size, rng, pool=50):
    """Shuffled batches of similar length: far less padding on CPU than random batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    batches = []
    for s in range(0, len(idx), batch_size * pool):
        chunk = sorted(idx[s: s + batch_size * pool], key=lambda i: lengths[i])
        batches += [chunk[j: j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def pad(seqs, value):
    n = max(len(s) for s in seqs)
    return [s + [value] * (n - len(s)) for s in seqs]


def read_conll_docs(path):
    """Documents of a CoNLL file: lists of (tokens, IOB2 tags) sentences between -DOCSTART- lines."""
    docs, sents, toks, tags = [], [], [], []
    with open(path, encoding="utf-8") as f:
        for line in list(f) + ["-DOCSTART- -X- -X- O\n"]:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if toks:
                    sents.append((toks, iob1_to_iob2(tags)))
                    toks, tags = [], []
                if line.startswith("-DOCSTART-") and sents:
                    docs.append(sents)
                    sents = []
                continue
            parts = line.split()
            toks.append(parts[0])
            tags.append(parts[-1])
    return docs


def encode_sentence_body(tok, tokens, tags):
    """Content ids and labels of one sentence (no special tokens), every real word labelled on its first
    sub-token, and for each CoNLL token the index of that sub-token within the body (-1 if none)."""
    ids, labels, first = [], [], []
    for t, tag in zip(tokens, tags):
        words = tok.words(t)
        first.append(len(ids) if words else -1)
        for wi, w in enumerate(words):
            lab = "O" if tag == "O" else (tag if wi == 0 else "I-" + tag[2:])
            for pi, p in enumerate(tok.wordpiece(w)):
                ids.append(p)
                labels.append(NER_ID[lab] if pi == 0 else IGNORE)
    return ids, labels, first


def doc_windows(tok, docs, max_len, rng, min_fill=0.5):
    """Document-context training windows: consecutive sentences of one document packed into one sequence of
    at most max_len tokens (special tokens included), every word labelled. The first window of a document
    starts at a random sentence (so windows also start mid-document), each window's size limit is drawn in
    [min_fill * max_len, max_len] so short and long contexts both occur. A sentence longer than a window is
    cut (as encode_ner does). Returns [(ids, labels)]."""
    budget = max_len - 2
    out = []
    for doc in docs:
        bodies = [encode_sentence_body(tok, t, g)[:2] for t, g in doc]
        i = rng.randrange(len(bodies)) if len(bodies) > 1 and rng.random() < 0.5 else 0
        while i < len(bodies):
            limit = rng.randint(int(min_fill * budget), budget)
            ids, labels = [], []
            while i < len(bodies) and (not ids or len(ids) + len(bodies[i][0]) <= limit):
                ids += bodies[i][0]
                labels += bodies[i][1]
                i += 1
            ids, labels = ids[:budget], labels[:budget]
            out.append(([tok.cls_id] + ids + [tok.sep_id], [IGNORE] + labels + [IGNORE]))
    return out


def doc_eval_windows(tok, docs, max_len):
    """Deterministic document windows for scoring: whole sentences packed greedily (each sentence in exactly
    one window). Returns [(ids, [(sentence index, first-sub-token positions in ids)])] and the flat gold tags
    per sentence in document order."""
    budget = max_len - 2
    wins, gold, s_idx = [], [], 0
    for doc in docs:
        ids, members = [], []
        for t, g in doc:
            body, _, first = encode_sentence_body(tok, t, g)
            body = body[:budget]
            if ids and len(ids) + len(body) > budget:
                wins.append(([tok.cls_id] + ids + [tok.sep_id], members))
                ids, members = [], []
            off = 1 + len(ids)
            members.append((s_idx, [off + f if 0 <= f < len(body) else -1 for f in first]))
            ids += body
            gold.append(g)
            s_idx += 1
        if ids:
            wins.append(([tok.cls_id] + ids + [tok.sep_id], members))
    return wins, gold

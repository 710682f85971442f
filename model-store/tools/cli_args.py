"""Command-line flags shared by train.py, evaluate.py, export.py and the experiments (experiments/), defined once.

Each add_* function adds one group of flags to an argparse parser; a script passes the defaults that differ (its
learning rates, its epochs) and keeps its own flags. Paths default to the repository layout (ROOT: the repository
root; datasets in ../shared/datasets next to it; scratch files in model-store/work/).
"""
import os

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(TOOLS))  # repository root
MODEL_STORE = os.path.join(ROOT, "model-store")
WORK = os.path.join(MODEL_STORE, "work")
BASE = os.path.join(WORK, "base")
BUNDLE = os.path.join(MODEL_STORE, "minilm-l6-conll03-agnews")
BASE_TOKENIZER = os.path.join(BASE, "all-minilm-l6-v2-tokenizer.json")


def add_data(p):
    """--data: the folder holding conll2003/ and ag_news/."""
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "datasets"))


def add_work(p):
    """--work: scratch folder for checkpoints, fp32 ONNX and metrics."""
    p.add_argument("--work", default=WORK)


def add_tokenizer(p, required=False):
    """--tokenizer: a tokenizer.json (default: the pretrained encoder's, fetched by fetch_base.sh)."""
    if required:
        p.add_argument("--tokenizer", required=True)
    else:
        p.add_argument("--tokenizer", default=BASE_TOKENIZER)


def add_lengths(p, max_len=256, topic_max_len=128):
    """--max-len (NER sequences) and --topic-max-len (AG News rows), in tokens with [CLS]/[SEP]."""
    p.add_argument("--max-len", type=int, default=max_len)
    p.add_argument("--topic-max-len", type=int, default=topic_max_len)


def add_optimizer(p, epochs, lr, head_lr, lr_help=None, head_lr_help=None):
    """Epochs, batch size and the AdamW schedule: encoder and head learning rates, warmup, weight decay, dropout."""
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=lr, help=lr_help)
    p.add_argument("--head-lr", type=float, default=head_lr, help=head_lr_help)
    p.add_argument("--warmup", type=float, default=0.06, help="fraction of steps with linear warmup")
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--dropout", type=float, default=0.1)


def add_seed(p):
    p.add_argument("--seed", type=int, default=13)


def add_threads(p):
    """--threads: torch intra-op threads (2: the shared CPU this was trained on)."""
    p.add_argument("--threads", type=int, default=2)


def apply_seed_and_threads(a):
    """Applies --seed (torch, random, numpy) and --threads to this process; torch is imported only here."""
    import random

    import numpy as np
    import torch

    torch.manual_seed(a.seed)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)

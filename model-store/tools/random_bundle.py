"""A bundle of a given BERT shape with random weights, for capacity checks (never shipped): e.g. the shape of the
BERT-large CoNLL seed (24 layers, hidden 1024, 16 heads, FFN 4096, 512 positions) to see what the processor does with
a model that size on this machine. Writes the same files as export.write_bundle, into a scratch folder.

  /usr/bin/python3 model-store/tools/random_bundle.py --out /tmp/bert-large-random \
      --layers 24 --hidden 1024 --heads 16 --intermediate 4096 --max-len 512
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import write_bundle  # noqa: E402
from minilm import Config, MiniLMMultiTask  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--layers", type=int, default=24)
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--heads", type=int, default=16)
    p.add_argument("--intermediate", type=int, default=4096)
    p.add_argument("--max-len", type=int, default=512)
    p.add_argument("--tokenizer", default=os.path.join(ROOT, "model-store", "minilm-l6-conll03-agnews", "tokenizer.json"))
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.manual_seed(a.seed)

    class Shape(Config):
        hidden = a.hidden
        layers = a.layers
        heads = a.heads
        intermediate = a.intermediate
        max_pos = max(512, a.max_len)

    model = MiniLMMultiTask(c=Shape, layers=a.layers)
    for prm in model.parameters():  # BERT's init scale; the values do not matter, the shape and the cost do
        if prm.dim() > 1:
            torch.nn.init.normal_(prm, std=0.02)
    os.makedirs(a.out, exist_ok=True)
    write_bundle(model, a.out, a.tokenizer, a.out, a.max_len)
    cfg_path = os.path.join(a.out, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    cfg.update({"hidden_size": a.hidden, "num_hidden_layers": a.layers, "num_attention_heads": a.heads,
                "intermediate_size": a.intermediate, "max_position_embeddings": Shape.max_pos})
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2)
    bpath = os.path.join(a.out, "bundle.json")
    with open(bpath) as f:
        b = json.load(f)
    b.update({"name": "random-%dx%d" % (a.layers, a.hidden), "description": "random weights, capacity checks only"})
    with open(bpath, "w") as f:
        json.dump(b, f, indent=2)
    os.remove(os.path.join(a.out, "model.fp32.onnx"))
    print("wrote", a.out, sum(prm.numel() for prm in model.parameters()) / 1e6, "M parameters")


if __name__ == "__main__":
    main()

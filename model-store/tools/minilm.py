"""BERT encoder (all-MiniLM-L6-v2 shape) with a token head and a pooled sequence head.

Weights are loaded from the ONNX export shipped in the langchain4j Maven jar because no
HF hub / safetensors copy is reachable from this machine.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
TOPIC_LABELS = ["World", "Sports", "Business", "Sci/Tech"]


class Config:
    vocab_size = 30522
    hidden = 384
    layers = 6
    heads = 12
    intermediate = 1536
    max_pos = 512
    type_vocab = 2
    eps = 1e-12  # matches the Constant in the reference ONNX LayerNorms


class Layer(nn.Module):
    def __init__(self, c, dropout):
        super().__init__()
        self.heads, self.dh = c.heads, c.hidden // c.heads
        self.query = nn.Linear(c.hidden, c.hidden)
        self.key = nn.Linear(c.hidden, c.hidden)
        self.value = nn.Linear(c.hidden, c.hidden)
        self.attn_out = nn.Linear(c.hidden, c.hidden)
        self.attn_ln = nn.LayerNorm(c.hidden, eps=c.eps)
        self.inter = nn.Linear(c.hidden, c.intermediate)
        self.out = nn.Linear(c.intermediate, c.hidden)
        self.out_ln = nn.LayerNorm(c.hidden, eps=c.eps)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        b, s, h = x.shape
        split = lambda t: t.view(b, s, self.heads, self.dh).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dh) + bias
        att = self.drop(att.softmax(-1))
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(b, s, h)
        x = self.attn_ln(x + self.drop(self.attn_out(ctx)))  # post-LN, as in BERT
        y = self.out(F.gelu(self.inter(x)))  # erf GELU: the reference graph uses Erf
        return self.out_ln(x + self.drop(y))


class MiniLMMultiTask(nn.Module):
    """`topic_layers` > 0 gives the topic head its own copy of the top encoder layers (a branch):
    the lower layers are shared, the NER path is unchanged, one forward pass still serves both."""

    def __init__(self, c=Config, dropout=0.1, n_ner=len(NER_LABELS), n_topic=len(TOPIC_LABELS), topic_layers=0,
                 layers=None):
        super().__init__()
        self.topic_layers = topic_layers
        self.word = nn.Embedding(c.vocab_size, c.hidden)
        self.pos = nn.Embedding(c.max_pos, c.hidden)
        self.tok_type = nn.Embedding(c.type_vocab, c.hidden)
        self.emb_ln = nn.LayerNorm(c.hidden, eps=c.eps)
        self.layers = nn.ModuleList(Layer(c, dropout) for _ in range(layers or c.layers))
        self.topic_branch = nn.ModuleList(Layer(c, dropout) for _ in range(topic_layers))
        self.drop = nn.Dropout(dropout)
        self.ner_head = nn.Linear(c.hidden, n_ner)
        self.topic_head = nn.Linear(c.hidden, n_topic)

    def embed(self, input_ids, attention_mask, token_type_ids):
        """Embeddings + the attention bias every layer adds."""
        s = input_ids.shape[1]
        pos = torch.arange(s, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.pos(pos) + self.tok_type(token_type_ids)
        x = self.drop(self.emb_ln(x))
        # Large negative (not -inf) keeps fully padded rows finite.
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        return x, bias

    def split_at(self):
        return len(self.layers) - self.topic_layers

    def shared(self, input_ids, attention_mask, token_type_ids):
        """Output of the layers both heads share, and the attention bias."""
        x, bias = self.embed(input_ids, attention_mask, token_type_ids)
        for layer in self.layers[: self.split_at()]:
            x = layer(x, bias)
        return x, bias

    def topic_from_shared(self, x, bias, attention_mask):
        for layer in self.topic_branch:
            x = layer(x, bias)
        m = attention_mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.topic_head(self.drop(pooled))

    def forward(self, input_ids, attention_mask, token_type_ids):
        x, bias = self.shared(input_ids, attention_mask, token_type_ids)
        h = x
        for layer in self.layers[self.split_at():]:
            h = layer(h, bias)
        token_logits = self.ner_head(self.drop(h))
        sequence_logits = self.topic_from_shared(x if self.topic_layers else h, bias, attention_mask)
        return token_logits, sequence_logits


def from_checkpoint(path):
    """A model shaped like the checkpoint (encoder depth, topic branch) with its weights loaded."""
    sd = torch.load(path)
    count = lambda prefix: len({k.split(".")[1] for k in sd if k.startswith(prefix)})
    model = MiniLMMultiTask(layers=count("layers."), topic_layers=count("topic_branch."))
    model.load_state_dict(sd)
    return model


def encoder_layers(onnx_path):
    """Number of encoder layers of a reference BERT ONNX export (6 for MiniLM-L6, 12 for bge-small)."""
    import onnx

    names = [t.name for t in onnx.load(onnx_path).graph.initializer if t.name.startswith("encoder.layer.")]
    return 1 + max(int(n.split(".")[2]) for n in names)


def load_encoder_from_onnx(model, onnx_path):
    """Copy every initializer of the reference encoder ONNX into `model` (each used once).

    The exporter stored Linear weights as anonymous `onnx::MatMul_*` tensors laid out [in, out];
    they are identified through the bias Add that consumes the MatMul output.
    """
    import onnx
    from onnx import numpy_helper

    g = onnx.load(onnx_path).graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    matmul_for_bias = {}
    for n in g.node:
        if n.op_type == "MatMul" and n.input[1] in init:
            add = consumers[n.output[0]][0]
            (bias,) = [i for i in add.input if i in init]
            matmul_for_bias[bias] = n.input[1]

    used = set()

    def take(name):
        assert name not in used, name
        used.add(name)
        return torch.from_numpy(np.array(init[name], dtype=np.float32))

    def linear(lin, prefix):
        lin.bias.data.copy_(take(prefix + ".bias"))
        lin.weight.data.copy_(take(matmul_for_bias[prefix + ".bias"]).t())

    def ln(mod, prefix):
        mod.weight.data.copy_(take(prefix + ".weight"))
        mod.bias.data.copy_(take(prefix + ".bias"))

    used.add("embeddings.position_ids")  # just arange(512); recomputed in forward
    model.word.weight.data.copy_(take("embeddings.word_embeddings.weight"))
    model.pos.weight.data.copy_(take("embeddings.position_embeddings.weight"))
    model.tok_type.weight.data.copy_(take("embeddings.token_type_embeddings.weight"))
    ln(model.emb_ln, "embeddings.LayerNorm")
    for i, L in enumerate(model.layers):
        p = f"encoder.layer.{i}."
        linear(L.query, p + "attention.self.query")
        linear(L.key, p + "attention.self.key")
        linear(L.value, p + "attention.self.value")
        linear(L.attn_out, p + "attention.output.dense")
        ln(L.attn_ln, p + "attention.output.LayerNorm")
        linear(L.inter, p + "intermediate.dense")
        linear(L.out, p + "output.dense")
        ln(L.out_ln, p + "output.LayerNorm")
    unused = set(init) - used
    assert not unused, f"unused initializers: {sorted(unused)}"
    return model


def load_from_bundle_onnx(model, onnx_path):
    """Loads every weight of a bundle written by export.write_bundle (int8 weights dequantized: the exact
    values the bundle computes with), so a new training stage can start from a shipped bundle when the
    checkpoint that made it is gone. MatMul weights are anonymous in the export; each is found through the
    bias Add that consumes its MatMul, as in load_encoder_from_onnx."""
    import onnx
    from onnx import numpy_helper

    g = onnx.load(onnx_path).graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    produced = {}  # dequantized tensor name -> (int8 initializer, scale initializer)
    for n in g.node:
        if n.op_type == "Mul" and n.input[0].endswith("_f") and n.input[1].endswith("_scale"):
            base = n.output[0]
            produced[base] = (init[base + "_q"], init[base + "_scale"])

    def weight(name):  # [in, out] as the MatMul consumes it
        if name in init:
            return np.array(init[name], dtype=np.float32)
        q, s = produced[name]
        return q.astype(np.float32) * s[None, :]

    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    matmul_for_bias = {}
    for n in g.node:
        if n.op_type == "MatMul" and (n.input[1] in init or n.input[1] in produced):
            add = consumers[n.output[0]][0]
            (bias,) = [i for i in add.input if i in init]
            matmul_for_bias[bias] = n.input[1]
    sd = model.state_dict()
    out = {}
    for k in sd:
        name = "m." + k
        if k == "word.weight":
            q, s = init[name + "_q"], init[name + "_scale"]
            out[k] = torch.from_numpy(q.astype(np.float32) * s[:, None])
        elif name in init:
            out[k] = torch.from_numpy(np.array(init[name], dtype=np.float32))
        elif k.endswith(".weight") and (name[:-7] + ".bias") in matmul_for_bias:
            out[k] = torch.from_numpy(weight(matmul_for_bias[name[:-7] + ".bias"]).T.copy())
        else:
            raise KeyError(f"{onnx_path}: no tensor for {k}")
    model.load_state_dict(out)
    return model

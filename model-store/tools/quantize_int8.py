"""Int8-compute bundle from a weight-only int8 bundle written by export.py.

export.py stores every encoder Linear weight as an int8 initializer `<w>_q` [in, out] with a
per-output-channel scale `<w>_scale` [out], dequantized by Cast -> Mul in front of the MatMul; ONNX
Runtime constant-folds that at load, so the shipped bundle computes in fp32. This tool rewrites each
such weight MatMul so that it computes in int8 on the stored weights (no re-rounding: the int8
values and scales are used as they are):

  --mode dynamic
      A -> DynamicQuantizeLinear -> (A_u8, a_scale, a_zp)        uint8, per tensor, per call
      MatMulInteger(A_u8, W_q, a_zp, 0)                          int32 [.., out]
      Cast(float) -> Mul(., Mul(a_scale, W_scale))               -> the original MatMul output,
      then the existing bias Add.
      This is the pattern ORT fuses into DynamicQuantizeMatMul (MLAS u8s8 GEMM).
  --mode rowwise
      each token vector (row) of A quantized on its own: symmetric, scale max|x|/127, uint8 with zero point
      128 -> MatMulInteger -> Cast -> Mul(W_scale) -> Mul(row scale). A text's result does not depend on the
      other rows of its batch; ONNX Runtime does not fuse any of it (kept as the reference form).
  --mode rowwise-fused (default; with --skip-ln, also the default, the shipped int8 bundle)
      the same arithmetic, written so that ONNX Runtime runs it in few passes: one QuantizeLinear per input
      tensor (per axis 0 of a [rows, dim] view; Q/K/V share it), scale from ReduceMax/ReduceMin (no |x| tensor),
      com.microsoft.MatMulIntegerToFloat (int8 GEMM, Cast and weight scale in one kernel) -> Mul(row scale).
  --mode dq
      W_q -> DequantizeLinear(W_scale, zero point 0, axis=1) -> MatMul: weight-only QDQ, left for
      ONNX Runtime to fuse (or constant-fold) as it sees fit; measured as a variant.

Embeddings (the int8 word-embedding Gather stays as it is), LayerNorm, Softmax, the attention
MatMuls (activation x activation) and the two heads stay fp32. `--fp32 REGEX` (repeatable) keeps
the weight MatMuls whose output name matches in fp32 (Cast+Mul as before), e.g. `--fp32 '/out/'`
for the FFN output projections or `--fp32 'layers\\.0/'` for the first layer.

`--skip-ln` (default; `--no-skip-ln` to leave them) writes each bias + residual Add + LayerNorm as
com.microsoft.SkipLayerNormalization, which ONNX Runtime does not fuse on its own when the sequence length is dynamic.

Usage: quantize_int8.py SRC_BUNDLE [OUT_BUNDLE] [--mode dynamic|rowwise|rowwise-fused|dq] [--fp32 REGEX ...]
                        [--[no-]skip-ln] [--name NAME]
OUT_BUNDLE defaults to SRC_BUNDLE + "-int8"; the bundle name defaults to the source name + "-int8".
"""
import argparse
import json
import os
import re
import shutil

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def _producers(graph):
    return {o: n for n in graph.node for o in n.output}


def _consumers(graph):
    c = {}
    for n in graph.node:
        for i in n.input:
            c.setdefault(i, []).append(n)
    return c


def find_weight_matmuls(graph):
    """(matmul, cast, mul, q_name, scale_name) for every MatMul whose weight is Cast(int8 init) * scale."""
    init = {t.name: t for t in graph.initializer}
    prod, cons = _producers(graph), _consumers(graph)
    found = []
    for n in graph.node:
        if n.op_type != "MatMul":
            continue
        mul = prod.get(n.input[1])
        if mul is None or mul.op_type != "Mul" or len(cons.get(n.input[1], [])) != 1:
            continue
        cast = prod.get(mul.input[0])
        scale = mul.input[1]
        if cast is None or cast.op_type != "Cast" or scale not in init:
            continue
        q = cast.input[0]
        if q not in init or init[q].data_type != TensorProto.INT8 or len(init[q].dims) != 2:
            continue
        s = numpy_helper.to_array(init[scale])
        if s.ndim != 1 or s.shape[0] != init[q].dims[1]:
            continue  # not per output channel over the columns of a [in, out] weight
        if len(cons.get(cast.output[0], [])) != 1:
            continue
        found.append((n, cast, mul, q, scale))
    return found


def _const_value(node, init):
    if node is None:
        return None
    if node.op_type == "Constant":
        return numpy_helper.to_array(node.attribute[0].t)
    return None


def _drop_dead(g):
    """Removes the nodes and initializers nothing reads any more (ORT would warn about each unused initializer)."""
    outs = {o.name for o in g.output}
    while True:
        used = {i for n in g.node for i in n.input} | outs
        dead = [n for n in g.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for n in dead:
            g.node.remove(n)
    unused = [t for t in g.initializer if t.name not in used]
    for t in unused:
        g.initializer.remove(t)


def skip_layer_norms(model):
    """Write com.microsoft.SkipLayerNormalization for each `y + bias` -> `+ residual` -> LayerNorm of the encoder.

    ONNX Runtime's own SkipLayerNormFusion only fuses when the Add inputs have fixed sizes in every dimension but
    the batch (onnxruntime/core/optimizer/skip_layer_norm_fusion.cc, CheckFirstAdd), which a graph with a dynamic
    sequence length never has; so the fused node is written into the graph here. LayerNorm is matched in its
    opset-14 export form: ReduceMean, Sub, Pow, ReduceMean, Add(eps), Sqrt, Div, Mul(gamma), Add(beta).
    Returns the number of LayerNorms replaced."""
    g = model.graph
    prod, cons = _producers(g), _consumers(g)
    init = {t.name: t for t in g.initializer}

    def only(name, op):
        c = cons.get(name, [])
        return c[0] if len(c) == 1 and c[0].op_type == op else None

    def const(name):
        if name in init:
            return numpy_helper.to_array(init[name])
        return _const_value(prod.get(name), init)

    drop, add_before = set(), {}
    for rm in g.node:
        if rm.op_type != "ReduceMean":
            continue
        x = rm.input[0]
        res = prod.get(x)
        uses = cons.get(x, [])
        sub = next((n for n in uses if n.op_type == "Sub"), None)
        if res is None or res.op_type != "Add" or len(uses) != 2 or sub is None or sub.input[1] != rm.output[0]:
            continue
        pw = next((n for n in cons.get(sub.output[0], []) if n.op_type == "Pow"), None)
        div = next((n for n in cons.get(sub.output[0], []) if n.op_type == "Div"), None)
        rm2 = only(pw.output[0], "ReduceMean") if pw else None
        eps_add = only(rm2.output[0], "Add") if rm2 else None
        sq = only(eps_add.output[0], "Sqrt") if eps_add else None
        if div is None or sq is None or div.input[1] != sq.output[0]:
            continue
        mul = only(div.output[0], "Mul")
        beta_add = only(mul.output[0], "Add") if mul else None
        if beta_add is None:
            continue
        gamma = [i for i in mul.input if i != div.output[0]][0]
        beta = [i for i in beta_add.input if i != mul.output[0]][0]
        eps = [i for i in eps_add.input if i != rm2.output[0]][0]
        if gamma not in init or beta not in init or const(eps) is None:
            continue
        # the residual Add: one input is `y + bias` (bias a 1-D initializer, the Add read only here)
        inp, skip, bias = res.input[0], res.input[1], ""
        for k in (0, 1):
            ba = prod.get(res.input[k])
            if ba is not None and ba.op_type == "Add" and len(cons.get(ba.output[0], [])) == 1:
                b = [i for i in ba.input if i in init and len(init[i].dims) == 1]
                if b:
                    inp, skip, bias = res.input[1 - k], [i for i in ba.input if i != b[0]][0], b[0]
                    drop.add(id(ba))
                    break
        node = helper.make_node("SkipLayerNormalization", [inp, skip, gamma, beta] + ([bias] if bias else []),
                                [beta_add.output[0]], domain="com.microsoft",
                                epsilon=float(const(eps).reshape(-1)[0]), name=rm.name.rsplit("/", 1)[0] + "/SkipLayerNorm")
        drop.update(id(n) for n in (res, rm, sub, pw, rm2, eps_add, sq, div, mul))
        add_before[id(beta_add)] = node
    nodes = []
    for n in g.node:
        if id(n) in drop:
            continue
        nodes.append(add_before.get(id(n), n))
    del g.node[:]
    g.node.extend(nodes)
    _drop_dead(g)
    if add_before and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(add_before)


def _rowwise_quant(a, dim, shared):
    """uint8 (zero point 128) per-row symmetric quantization of `a` [.., dim], made once per input tensor:
    (quantized name, row scale name [.., 1]); the nodes go in front of the first MatMul that reads `a`."""
    if ("q", a) in shared:
        return shared[("q", a)]
    b = a.rstrip("/") + "/rowq"
    shared[("dim", a)] = dim
    nodes = [
        # max|x| per row without an |x| tensor: max(max x, -min x)
        helper.make_node("ReduceMax", [a], [b + "/max"], axes=[-1], keepdims=1, name=b + "/ReduceMax"),
        helper.make_node("ReduceMin", [a], [b + "/min"], axes=[-1], keepdims=1, name=b + "/ReduceMin"),
        helper.make_node("Neg", [b + "/min"], [b + "/neg_min"], name=b + "/Neg"),
        helper.make_node("Max", [b + "/max", b + "/neg_min", "rowwise_eps"], [b + "/amax"], name=b + "/Max"),
        helper.make_node("Mul", [b + "/amax", "rowwise_inv127"], [b + "/scale"], name=b + "/RowScale"),  # [.., 1]
        # QuantizeLinear per axis 0 of the [rows, dim] view: one scale (and zero point 128) per row
        helper.make_node("Reshape", [b + "/scale", "rowwise_flat"], [b + "/scale_1d"], name=b + "/ScaleFlat"),
        helper.make_node("Shape", [b + "/scale_1d"], [b + "/rows"], name=b + "/Rows"),
        helper.make_node("Expand", ["rowwise_zp_1", b + "/rows"], [b + "/zp_1d"], name=b + "/ZeroPoints"),
        helper.make_node("Reshape", [a, "rowwise_rows_%d" % dim], [b + "/a2"], name=b + "/Rows2d"),
        helper.make_node("QuantizeLinear", [b + "/a2", b + "/scale_1d", b + "/zp_1d"], [b + "/q2"], axis=0,
                         name=b + "/QuantizeLinear"),
        helper.make_node("Shape", [a], [b + "/shape"], name=b + "/Shape"),
        helper.make_node("Reshape", [b + "/q2", b + "/shape"], [b + "/q"], name=b + "/Unflatten"),
    ]
    shared[("new", a)] = nodes
    shared[("q", a)] = (b + "/q", b + "/scale")
    return shared[("q", a)]


def rewrite(model, mode="dynamic", fp32_patterns=()):
    g = model.graph
    pats = [re.compile(p) for p in fp32_patterns]
    targets = find_weight_matmuls(g)
    if not targets:
        raise SystemExit("no Cast(int8)*scale -> MatMul weights found: not an export.py weight-only int8 graph?")
    replace, drop_nodes, kept_fp32 = {}, set(), []
    new_inits = []
    zp_w = "int8_weight_zero_point"
    init_dims = {t.name: list(t.dims) for t in g.initializer}
    shared_q = {}
    for mm, cast, mul, q, scale in targets:
        out = mm.output[0]
        if any(p.search(out) for p in pats):
            kept_fp32.append(out)
            continue
        base = out[:-len("_output_0")] if out.endswith("_output_0") else out
        a = mm.input[0]
        if mode == "dynamic":
            nodes = [
                helper.make_node("DynamicQuantizeLinear", [a], [base + "/a_q", base + "/a_scale", base + "/a_zp"],
                                 name=base + "/DynamicQuantizeLinear"),
                helper.make_node("MatMulInteger", [base + "/a_q", q, base + "/a_zp", zp_w], [base + "/acc"],
                                 name=base + "/MatMulInteger"),
                helper.make_node("Cast", [base + "/acc"], [base + "/acc_f"], to=TensorProto.FLOAT,
                                 name=base + "/CastAcc"),
                helper.make_node("Mul", [base + "/a_scale", scale], [base + "/scale"], name=base + "/MulScales"),
                helper.make_node("Mul", [base + "/acc_f", base + "/scale"], [out], name=base + "/Rescale"),
            ]
        elif mode == "rowwise":
            # symmetric int8 per row (per token vector): independent of the other rows of the batch
            nodes = [
                helper.make_node("Abs", [a], [base + "/a_abs"], name=base + "/Abs"),
                helper.make_node("ReduceMax", [base + "/a_abs"], [base + "/a_max"], axes=[-1], keepdims=1,
                                 name=base + "/ReduceMax"),
                helper.make_node("Max", [base + "/a_max", "rowwise_eps"], [base + "/a_max_eps"], name=base + "/Eps"),
                helper.make_node("Mul", [base + "/a_max_eps", "rowwise_inv127"], [base + "/a_scale"],
                                 name=base + "/RowScale"),
                helper.make_node("Div", [a, base + "/a_scale"], [base + "/a_div"], name=base + "/DivScale"),
                helper.make_node("Round", [base + "/a_div"], [base + "/a_round"], name=base + "/Round"),
                # +128 and zero point 128: uint8 activations, which is what MLAS' fast u8s8 GEMM takes
                helper.make_node("Add", [base + "/a_round", "rowwise_128"], [base + "/a_shift"], name=base + "/Shift"),
                helper.make_node("Cast", [base + "/a_shift"], [base + "/a_q"], to=TensorProto.UINT8, name=base + "/CastQ"),
                helper.make_node("MatMulInteger", [base + "/a_q", q, "rowwise_zp", zp_w], [base + "/acc"],
                                 name=base + "/MatMulInteger"),
                helper.make_node("Cast", [base + "/acc"], [base + "/acc_f"], to=TensorProto.FLOAT,
                                 name=base + "/CastAcc"),
                helper.make_node("Mul", [base + "/acc_f", scale], [base + "/acc_w"], name=base + "/MulWeightScale"),
                helper.make_node("Mul", [base + "/acc_w", base + "/a_scale"], [out], name=base + "/MulRowScale"),
            ]
        elif mode == "rowwise-fused":
            # one quantization per distinct input (Q/K/V share theirs), made once in _rowwise_quant
            aq, a_scale = _rowwise_quant(a, init_dims[q][0], shared_q)
            nodes = list(shared_q.pop(("new", a), []))
            nodes += [
                helper.make_node("MatMulIntegerToFloat", [aq, q, "rowwise_one", scale, "rowwise_zp", zp_w],
                                 [base + "/acc_w"], domain="com.microsoft", name=base + "/MatMulIntegerToFloat"),
                helper.make_node("Mul", [base + "/acc_w", a_scale], [out], name=base + "/MulRowScale"),
            ]
        elif mode == "dq":
            zp = q + "_zero_point"
            out_ch = numpy_helper.to_array(next(t for t in g.initializer if t.name == scale)).shape[0]
            new_inits.append(numpy_helper.from_array(np.zeros(out_ch, dtype=np.int8), zp))
            nodes = [
                helper.make_node("DequantizeLinear", [q, scale, zp], [base + "/w"], axis=1,
                                 name=base + "/DequantizeWeight"),
                helper.make_node("MatMul", [a, base + "/w"], [out], name=mm.name or base + "/MatMul"),
            ]
        else:
            raise SystemExit("unknown mode " + mode)
        replace[id(mm)] = nodes
        drop_nodes.update((id(cast), id(mul)))
    if mode in ("dynamic", "rowwise", "rowwise-fused"):
        new_inits.append(numpy_helper.from_array(np.array(0, dtype=np.int8), zp_w))
    if mode == "rowwise-fused":
        new_inits += [numpy_helper.from_array(np.array(128, dtype=np.uint8), "rowwise_zp"),
                      numpy_helper.from_array(np.array([128], dtype=np.uint8), "rowwise_zp_1"),
                      numpy_helper.from_array(np.array(1.0, dtype=np.float32), "rowwise_one"),
                      numpy_helper.from_array(np.array([-1], dtype=np.int64), "rowwise_flat")]
        new_inits += [numpy_helper.from_array(np.array([-1, d], dtype=np.int64), "rowwise_rows_%d" % d)
                      for d in sorted({v for k, v in shared_q.items() if k[0] == "dim"})]
        new_inits += [numpy_helper.from_array(np.array(1e-8, dtype=np.float32), "rowwise_eps"),
                      numpy_helper.from_array(np.array(1 / 127.0, dtype=np.float32), "rowwise_inv127")]
        if not any(o.domain == "com.microsoft" for o in model.opset_import):
            model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    if mode == "rowwise":
        new_inits += [numpy_helper.from_array(np.array(128, dtype=np.float32), "rowwise_128"),
                      numpy_helper.from_array(np.array(128, dtype=np.uint8), "rowwise_zp")]
        new_inits += [numpy_helper.from_array(np.array(1e-8, dtype=np.float32), "rowwise_eps"),
                      numpy_helper.from_array(np.array(1 / 127.0, dtype=np.float32), "rowwise_inv127")]
    nodes = []
    for n in g.node:
        if id(n) in drop_nodes:
            continue
        nodes.extend(replace.get(id(n), [n]))
    del g.node[:]
    g.node.extend(nodes)
    g.initializer.extend(new_inits)
    # DequantizeLinear with axis needs opset >= 13; everything else here exists from opset 10/11.
    for op in model.opset_import:
        if op.domain in ("", "ai.onnx") and op.version < 13:
            op.version = 13
    return len(replace), kept_fp32


def write_card(out, src, a, n, kept, n_sln):
    """MODEL_CARD.md: what this folder is and how it was made (scores: model-store/tools/README.md)."""
    cmd = "/usr/bin/python3 model-store/tools/quantize_int8.py " + " ".join(
        [src, out, "--mode", a.mode] + sum((["--fp32", "'%s'" % r] for r in a.fp32), [])
        + (["--skip-ln"] if a.skip_ln else ["--no-skip-ln"]))
    lines = [
        "# %s" % os.path.basename(out), "",
        "The model of [`%s`](../%s/MODEL_CARD.md) (same weights, tokenizer, labels and windowing), rewritten by"
        % (os.path.basename(src), os.path.basename(src)),
        "`model-store/tools/quantize_int8.py` so that its encoder weight MatMuls compute in int8:", "",
        "```sh", cmd, "```", "",
    ]
    if a.mode == "dynamic":
        lines += [
            "Each of the %d encoder weight MatMuls is `DynamicQuantizeLinear` (activations to uint8, one scale and" % n,
            "zero point per tensor, computed per call) -> `MatMulInteger` with the stored int8 weights (zero point 0)",
            "-> `Cast` to float -> `Mul` by activation scale x per-output-channel weight scale -> the bias `Add`.",
            "ONNX Runtime 1.28 (CPU) fuses these into `DynamicQuantizeMatMul` / `MatMulIntegerToFloat` (MLAS u8s8 GEMM).",
        ]
    elif a.mode == "rowwise":
        lines += [
            "Each of the %d encoder weight MatMuls quantizes its input per token vector (symmetric int8, scale" % n,
            "max|x|/127 per row, so a text's result does not depend on the other texts of its batch) -> `MatMulInteger`",
            "with the stored int8 weights -> `Cast` to float -> `Mul` by the weight scale and the row scale -> the bias `Add`.",
        ]
    elif a.mode == "rowwise-fused":
        lines += [
            "Each of the %d encoder weight MatMuls reads its input quantized per token vector (symmetric int8, scale" % n,
            "max|x|/127 per row, so a text's result does not depend on the other texts of its batch; one `QuantizeLinear`",
            "per input tensor, shared by Q/K/V) -> `com.microsoft.MatMulIntegerToFloat` with the stored int8 weights and",
            "per-output-channel scales -> `Mul` by the row scale -> the bias `Add`.",
        ]
    else:
        lines += [
            "Each of the %d encoder weight MatMuls reads its weight through `DequantizeLinear` (int8, per output" % n,
            "channel, zero point 0); ONNX Runtime 1.28 (CPU) turns that into `MatMulNBits` (8 bits, block 32,",
            "accuracy level 4: int8 compute with blockwise-quantized activations).",
        ]
    lines += [
        "Embeddings (int8 storage, fp32 compute as in the source), LayerNorms, Softmax, the attention",
        "MatMuls (activation x activation) and the two heads stay fp32.",
    ]
    if n_sln:
        lines += ["", "The %d bias + residual `Add` + LayerNorm groups are written as `com.microsoft.SkipLayerNormalization`" % n_sln,
                  "(`--skip-ln`; ONNX Runtime does not fuse them itself when the sequence length is dynamic)."]
    if kept:
        lines += ["", "Kept fp32 (`--fp32`): " + ", ".join("`%s`" % k for k in kept) + "."]
    lines += ["", "Accuracy and speed against the source bundle: `model-store/tools/README.md` (\"int8 compute\").", ""]
    with open(os.path.join(out, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("src", help="source bundle folder (model.onnx as written by export.py)")
    p.add_argument("out", nargs="?", help="output bundle folder (default: SRC-int8)")
    p.add_argument("--mode", choices=["dynamic", "rowwise", "rowwise-fused", "dq"], default="rowwise-fused")
    p.add_argument("--fp32", action="append", default=[], metavar="REGEX",
                   help="keep weight MatMuls whose output name matches in fp32 (repeatable)")
    p.add_argument("--skip-ln", action=argparse.BooleanOptionalAction, default=True,
                   help="write com.microsoft.SkipLayerNormalization for bias + residual Add + LayerNorm (ORT does not "
                        "fuse it itself with a dynamic sequence length)")
    p.add_argument("--name", help="bundle.json name (default: source name + '-int8')")
    p.add_argument("--force", action="store_true", help="overwrite an existing output folder")
    a = p.parse_args()
    src = a.src.rstrip("/")
    out = (a.out or src + "-int8").rstrip("/")
    if os.path.abspath(out) == os.path.abspath(src):
        raise SystemExit("output folder must differ from the source bundle")
    if os.path.exists(out) and not a.force:
        raise SystemExit(out + " exists (use --force to overwrite)")
    os.makedirs(out, exist_ok=True)

    model = onnx.load(os.path.join(src, "model.onnx"))
    n, kept = rewrite(model, a.mode, a.fp32)
    n_sln = skip_layer_norms(model) if a.skip_ln else 0
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "model.onnx"))

    for f in ("tokenizer.json", "config.json"):
        shutil.copyfile(os.path.join(src, f), os.path.join(out, f))
    with open(os.path.join(src, "bundle.json")) as f:
        bundle = json.load(f)
    bundle["name"] = a.name or bundle.get("name", os.path.basename(src)) + "-int8"
    what = {"dynamic": "int8 compute: every encoder weight MatMul runs as DynamicQuantizeLinear (uint8 activations, "
                       "per tensor) -> MatMulInteger on the int8 weights -> rescale",
            "rowwise": "int8 compute: every encoder weight MatMul quantizes its activations to int8 per token "
                       "vector (symmetric, batch-independent) -> MatMulInteger on the int8 weights -> rescale",
            "rowwise-fused": "int8 compute: every encoder weight MatMul quantizes its activations to int8 per token "
                             "vector (symmetric, batch-independent; QuantizeLinear per row, one quantization per "
                             "input) -> MatMulIntegerToFloat on the int8 weights -> row scale",
            "dq": "int8 weights dequantized by DequantizeLinear in front of each encoder weight MatMul"}[a.mode]
    if kept:
        what += "; %d weight MatMuls kept fp32 (%s)" % (len(kept), ", ".join(a.fp32))
    if n_sln:
        what += "; residual Add + LayerNorm as SkipLayerNormalization"
    desc = bundle.get("description", "")
    desc = re.sub(r";?\s*weight-only int8\.?$", "", desc)
    bundle["description"] = (desc + "; " if desc else "") + what + " (made by model-store/tools/quantize_int8.py)."
    with open(os.path.join(out, "bundle.json"), "w") as f:
        json.dump(bundle, f, indent=2)
        f.write("\n")
    write_card(out, src, a, n, kept, n_sln)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print("%s: %d weight MatMuls -> %s, %d kept fp32; bundle %.1f MB" % (out, n, a.mode, len(kept), size / 1e6))


if __name__ == "__main__":
    main()

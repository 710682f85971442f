"""Int8-compute bundle from a weight-only int8 bundle written by export.py.

export.py stores every encoder Linear weight as an int8 initializer `<w>_q` [in, out] with a
per-output-channel scale `<w>_scale` [out], dequantized by Cast -> Mul in front of the MatMul; ONNX
Runtime constant-folds that at load, so the shipped bundle computes in fp32. This tool rewrites each
such weight MatMul so that it computes in int8 on the stored weights (no re-rounding: the int8
values and scales are used as they are):

  --mode dynamic (default)
      A -> DynamicQuantizeLinear -> (A_u8, a_scale, a_zp)        uint8, per tensor, per call
      MatMulInteger(A_u8, W_q, a_zp, 0)                          int32 [.., out]
      Cast(float) -> Mul(., Mul(a_scale, W_scale))               -> the original MatMul output,
      then the existing bias Add.
      This is the pattern ORT fuses into DynamicQuantizeMatMul (MLAS u8s8 GEMM).
  --mode dq
      W_q -> DequantizeLinear(W_scale, zero point 0, axis=1) -> MatMul: weight-only QDQ, left for
      ONNX Runtime to fuse (or constant-fold) as it sees fit; measured as a variant.

Embeddings (the int8 word-embedding Gather stays as it is), LayerNorm, Softmax, the attention
MatMuls (activation x activation) and the two heads stay fp32. `--fp32 REGEX` (repeatable) keeps
the weight MatMuls whose output name matches in fp32 (Cast+Mul as before), e.g. `--fp32 '/out/'`
for the FFN output projections or `--fp32 'layers\\.0/'` for the first layer.

Usage: quantize_int8.py SRC_BUNDLE [OUT_BUNDLE] [--mode dynamic|dq] [--fp32 REGEX ...] [--name NAME]
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


def rewrite(model, mode="dynamic", fp32_patterns=()):
    g = model.graph
    pats = [re.compile(p) for p in fp32_patterns]
    targets = find_weight_matmuls(g)
    if not targets:
        raise SystemExit("no Cast(int8)*scale -> MatMul weights found: not an export.py weight-only int8 graph?")
    replace, drop_nodes, kept_fp32 = {}, set(), []
    new_inits = []
    zp_w = "int8_weight_zero_point"
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
    if mode in ("dynamic", "rowwise"):
        new_inits.append(numpy_helper.from_array(np.array(0, dtype=np.int8), zp_w))
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


def write_card(out, src, a, n, kept):
    """MODEL_CARD.md: what this folder is and how it was made (scores: model-store/tools/README.md)."""
    cmd = "/usr/bin/python3 model-store/tools/quantize_int8.py " + " ".join(
        [src, out] + (["--mode", a.mode] if a.mode != "dynamic" else []) + sum((["--fp32", "'%s'" % r] for r in a.fp32), []))
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
    if kept:
        lines += ["", "Kept fp32 (`--fp32`): " + ", ".join("`%s`" % k for k in kept) + "."]
    lines += ["", "Accuracy and speed against the source bundle: `model-store/tools/README.md` (\"int8 compute\").", ""]
    with open(os.path.join(out, "MODEL_CARD.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("src", help="source bundle folder (model.onnx as written by export.py)")
    p.add_argument("out", nargs="?", help="output bundle folder (default: SRC-int8)")
    p.add_argument("--mode", choices=["dynamic", "rowwise", "dq"], default="dynamic")
    p.add_argument("--fp32", action="append", default=[], metavar="REGEX",
                   help="keep weight MatMuls whose output name matches in fp32 (repeatable)")
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
            "dq": "int8 weights dequantized by DequantizeLinear in front of each encoder weight MatMul"}[a.mode]
    if kept:
        what += "; %d weight MatMuls kept fp32 (%s)" % (len(kept), ", ".join(a.fp32))
    desc = bundle.get("description", "")
    desc = re.sub(r";?\s*weight-only int8\.?$", "", desc)
    bundle["description"] = (desc + "; " if desc else "") + what + " (made by model-store/tools/quantize_int8.py)."
    with open(os.path.join(out, "bundle.json"), "w") as f:
        json.dump(bundle, f, indent=2)
        f.write("\n")
    write_card(out, src, a, n, kept)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print("%s: %d weight MatMuls -> %s, %d kept fp32; bundle %.1f MB" % (out, n, a.mode, len(kept), size / 1e6))


if __name__ == "__main__":
    main()

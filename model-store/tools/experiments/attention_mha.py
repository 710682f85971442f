"""Experiment (not used for the shipped bundle): write com.microsoft.MultiHeadAttention for each self-attention
block of a bundle (Q/K/V projections in, the bias Adds, head Reshape/Transposes, scaled QK^T, additive mask and
Softmax, the context MatMul and its Transpose/Reshape folded in; the attention mask as key_padding_mask).
ONNX Runtime's own Attention fusion never fires on our graphs (model-store/tools/README.md).

  /usr/bin/python3 model-store/tools/experiments/attention_mha.py SRC_BUNDLE OUT_BUNDLE
"""
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import quantize_int8 as q
from onnx import helper, numpy_helper, TensorProto


def mha(model):
    g = model.graph
    prod, cons = q._producers(g), q._consumers(g)
    init = {t.name: t for t in g.initializer}
    def up(name, op):
        n = prod.get(name)
        return n if n is not None and n.op_type == op else None
    def proj(t):  # Transpose <- Reshape <- Add(bias, x)  => (x, bias, heads, dh)
        tr = up(t, "Transpose"); rs = up(tr.input[0], "Reshape") if tr else None
        ad = up(rs.input[0], "Add") if rs else None
        if ad is None: return None
        b = [i for i in ad.input if i in init]; x = [i for i in ad.input if i not in init]
        cc = up(rs.input[1], "Concat")
        if cc is None or len(cc.input) != 4:
            return None
        consts = [q._const_value(prod.get(i), init) for i in cc.input[2:]]
        return x[0], b[0], int(consts[0].reshape(-1)[0]), int(consts[1].reshape(-1)[0])
    new_nodes = {}; n = 0
    g.node.insert(0, helper.make_node("Cast", ["attention_mask"], ["mha/mask_i32"], to=TensorProto.INT32, name="mha/CastMask"))
    for sm in list(g.node):
        if sm.op_type != "Softmax": continue
        add = up(sm.input[0], "Add"); div = up(add.input[0], "Div") if add else None
        qk = up(div.input[0], "MatMul") if div else None
        sv = cons[sm.output[0]][0]
        tr = cons[sv.output[0]][0]; rs = cons[tr.output[0]][0]
        if qk is None or sv.op_type != "MatMul" or tr.op_type != "Transpose" or rs.op_type != "Reshape": continue
        Q, K, V = proj(qk.input[0]), proj(qk.input[1]), proj(sv.input[1])
        if None in (Q, K, V):
            continue
        bias = "mha/bias_%d" % n
        g.initializer.append(numpy_helper.from_array(np.concatenate([numpy_helper.to_array(init[x[1]]) for x in (Q, K, V)]), bias))
        node = helper.make_node("MultiHeadAttention", [Q[0], K[0], V[0], bias, "mha/mask_i32"], [rs.output[0]],
                                domain="com.microsoft", num_heads=Q[2], name="mha/%d" % n)
        new_nodes[id(rs)] = node; n += 1
    nodes = [new_nodes.get(id(x), x) for x in g.node]
    del g.node[:]; g.node.extend(nodes); q._drop_dead(g)
    return n


src, out = sys.argv[1], sys.argv[2]
m = onnx.load(src + "/model.onnx"); print(mha(m)); onnx.checker.check_model(m)
import shutil, os; os.makedirs(out, exist_ok=True)
for f in ("tokenizer.json", "config.json", "bundle.json"): shutil.copy(src + "/" + f, out)
onnx.save(m, out + "/model.onnx")

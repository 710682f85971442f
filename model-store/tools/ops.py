"""Operator counts of ONNX graphs, e.g. the optimized graphs saved by java/SaveOptimized.java.

  ops.py GRAPH.onnx...      one line per graph: op_type (domain if not ONNX) x count, most frequent first
"""
import sys
from collections import Counter

import onnx


def main():
    for path in sys.argv[1:]:
        m = onnx.load(path, load_external_data=False)
        c = Counter((n.domain + "." if n.domain not in ("", "ai.onnx") else "") + n.op_type for n in m.graph.node)
        print("%s: %d nodes: %s" % (path, sum(c.values()), ", ".join("%s x%d" % kv for kv in c.most_common())))


if __name__ == "__main__":
    main()

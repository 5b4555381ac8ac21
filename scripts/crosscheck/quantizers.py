"""The quantizer half of `npm run crosscheck`: onnxruntime's own quantizers on our fp32 model against our files, and
Python onnxruntime running every dtype file on the crosscheck pairs.

Not part of npm test; run by scripts/crosscheck/crosscheck.ts (through python-onnx.ts), which reads OUT_JSON:

    .venv/bin/python scripts/crosscheck/quantizers.py --model DIR --pairs PAIRS_JSON --out OUT_JSON [--threads N]
        [--compact DIR2]

1. Quantizers, as transformers.js' scripts/quantize.py calls them, applied to DIR/onnx/model.onnx:
   - q4: MatMul4BitsQuantizer (MatMulNBitsQuantizer in onnxruntime >= 1.20, the same class renamed) with
     block_size 32, is_symmetric True, accuracy_level None;
   - int8 / uint8: ONNXQuantizer, IntegerOps, dynamic, weight type QInt8 / QUInt8, activations QUInt8,
     op_types_to_quantize = IntegerOpsRegistry, MatMulConstBOnly.
   Each result is compared with our file of that dtype: initializers by name (bytes, type and dims), nodes by name
   (op, domain, inputs, outputs, attributes), node order, opset imports, graph outputs. q4f16 is compared on what the
   4-bit pass decides: its packed weights must equal Python's q4 ones and its scales must be Python's q4 scales in
   float16 (transformers.js then runs its own float16 converter, which is not reproduced here).
1b. With --compact DIR2 (a folder of compact files, `make-model --embeddings q4`, from the same weights): the 4-bit
   Gather quantizer on DIR/onnx/model.onnx against DIR2's q4 and q4f16 (compact_embeddings.py).
2. Logits: onnxruntime's CPU execution provider runs every dtype file in DIR/onnx (and DIR2/onnx) and Python's own
   quantized models on the pairs' ids, and their token types where the graph has that input (batches sorted by length, right-padded
   with config.json's pad_token_id); a two-label model gives label 1 − label 0, as the core scores it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

from compact_embeddings import compare_compact, float_table_gathers, quantize_q4_with_gather
from padded_batches import padded_batches

FILES = {
    "fp32": "onnx/model.onnx",
    "fp16": "onnx/model_fp16.onnx",
    "q8": "onnx/model_quantized.onnx",
    "int8": "onnx/model_int8.onnx",
    "uint8": "onnx/model_uint8.onnx",
    "q4": "onnx/model_q4.onnx",
    "q4f16": "onnx/model_q4f16.onnx",
}


def quantize_q4(model: onnx.ModelProto) -> tuple[onnx.ModelProto, str]:
    try:  # the name transformers.js imports; onnxruntime 1.20 renamed the module and the class
        from onnxruntime.quantization.matmul_4bits_quantizer import MatMul4BitsQuantizer as Quantizer
    except ImportError:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer as Quantizer
    quantizer = Quantizer(model=model, block_size=32, is_symmetric=True, accuracy_level=None)
    quantizer.process()
    return quantizer.model.model, Quantizer.__name__


def quantize_dynamic(model: onnx.ModelProto, weight_type: str) -> onnx.ModelProto:
    from onnxruntime.quantization import QuantizationMode, QuantType
    from onnxruntime.quantization.onnx_quantizer import ONNXQuantizer
    from onnxruntime.quantization.registry import IntegerOpsRegistry

    quantizer = ONNXQuantizer(
        model,
        None,  # per_channel: transformers.js' default
        None,  # reduce_range
        mode=QuantizationMode.IntegerOps,
        static=False,
        weight_qType=QuantType.QInt8 if weight_type == "int8" else QuantType.QUInt8,
        activation_qType=QuantType.QUInt8,
        tensors_range=None,
        nodes_to_quantize=[],
        nodes_to_exclude=[],
        op_types_to_quantize=set(IntegerOpsRegistry.keys()),
        extra_options=dict(EnableSubgraph=True, MatMulConstBOnly=True),
    )
    quantizer.quantize_model()
    return quantizer.model.model


def tensor_bytes(t: onnx.TensorProto) -> bytes:
    return numpy_helper.to_array(t).tobytes()


def node_signature(n: onnx.NodeProto) -> tuple:
    attrs = tuple(sorted((a.name, repr(helper.get_attribute_value(a))) for a in n.attribute))
    return (n.op_type, n.domain, tuple(n.input), tuple(n.output), attrs)


def compare(theirs: onnx.ModelProto, ours: onnx.ModelProto) -> dict:
    ti = {t.name: t for t in theirs.graph.initializer}
    oi = {t.name: t for t in ours.graph.initializer}
    common = sorted(set(ti) & set(oi))
    differ = [
        name
        for name in common
        if ti[name].data_type != oi[name].data_type
        or list(ti[name].dims) != list(oi[name].dims)
        or tensor_bytes(ti[name]) != tensor_bytes(oi[name])
    ]
    tn = {n.name: node_signature(n) for n in theirs.graph.node}
    on = {n.name: node_signature(n) for n in ours.graph.node}
    nodes_common = sorted(set(tn) & set(on))
    return {
        "initializers": {
            "theirs": len(ti),
            "ours": len(oi),
            "byteEqual": len(common) - len(differ),
            "differ": differ[:20],
            "onlyTheirs": sorted(set(ti) - set(oi))[:20],
            "onlyOurs": sorted(set(oi) - set(ti))[:20],
        },
        "nodes": {
            "theirs": len(tn),
            "ours": len(on),
            "equal": sum(1 for name in nodes_common if tn[name] == on[name]),
            "differ": [name for name in nodes_common if tn[name] != on[name]][:20],
            "onlyTheirs": sorted(set(tn) - set(on))[:20],
            "onlyOurs": sorted(set(on) - set(tn))[:20],
            "sameOrder": [n.name for n in theirs.graph.node] == [n.name for n in ours.graph.node],
        },
        "opsets": {
            "theirs": [[o.domain, o.version] for o in theirs.opset_import],
            "ours": [[o.domain, o.version] for o in ours.opset_import],
        },
        "sameOutputs": [(o.name, o.type.tensor_type.elem_type) for o in theirs.graph.output]
        == [(o.name, o.type.tensor_type.elem_type) for o in ours.graph.output],
    }


def compare_q4f16(python_q4: onnx.ModelProto, ours: onnx.ModelProto) -> dict:
    """Our q4f16's 4-bit weights against Python's q4, its scales against Python's q4 scales cast to float16."""
    theirs = {t.name: t for t in python_q4.graph.initializer}
    packed_equal, scales_equal, compared, differ = 0, 0, 0, []
    for t in ours.graph.initializer:
        if t.name.endswith("_Q4") and t.name in theirs:
            compared += 1
            same = tensor_bytes(t) == tensor_bytes(theirs[t.name])
            packed_equal += same
            if not same:
                differ.append(t.name)
        elif t.name.endswith("_scales") and t.name in theirs:
            expected = numpy_helper.to_array(theirs[t.name]).astype(np.float16)
            same = t.data_type == onnx.TensorProto.FLOAT16 and numpy_helper.to_array(t).tobytes() == expected.tobytes()
            scales_equal += same
            if not same:
                differ.append(t.name)
    nbits = sum(1 for n in python_q4.graph.node if n.op_type == "MatMulNBits")
    return {"matMulNBits": nbits, "packedEqual": packed_equal, "scalesEqual": scales_equal, "compared": compared,
            "differ": differ[:20]}


def run_logits(model: str | bytes, pairs: list[dict], pad: int, threads: int, batch_size: int) -> tuple[list[float], float]:
    """Relevance logits in input order: the logit, or label 1 − label 0 for a two-label model (as the core scores)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    typed = "token_type_ids" in [i.name for i in session.get_inputs()]
    rows = [p["ids"] for p in pairs]
    types = [p.get("typeIds") or [] for p in pairs] if typed else None
    logits = [0.0] * len(rows)
    start = time.perf_counter()
    for batch, feeds in padded_batches(rows, types, pad, batch_size):
        out = session.run(["logits"], feeds)[0]
        if out.dtype != np.float32:
            raise TypeError(f"logits are {out.dtype}, expected float32")
        if out.shape[1] not in (1, 2):
            raise ValueError(f"{out.shape[1]} labels: a reranker has one or two")
        for r, i in enumerate(batch):
            logits[i] = float(out[r, 0]) if out.shape[1] == 1 else float(out[r, 1]) - float(out[r, 0])
    return logits, time.perf_counter() - start


def compact_comparison(fp32_file: str, compact_dir: str, pairs: list[dict], pad: int, threads: int,
                       batch_size: int) -> dict:
    """onnxruntime's 4-bit Gather quantizer on our fp32 file against the compact q4 / q4f16 files, and logits: the
    quantizer as called (every table 4-bit) and with the tables ours keeps float excluded (like for like)."""
    files = {d: os.path.join(compact_dir, FILES[d]) for d in ("q4", "q4f16") if os.path.exists(os.path.join(compact_dir, FILES[d]))}
    if not files:
        return {"dir": compact_dir, "files": {}, "ort": {}}
    start = time.perf_counter()
    theirs, quantizer_class = quantize_q4_with_gather(onnx.load(fp32_file))
    seconds = time.perf_counter() - start
    ours = {d: onnx.load(f) for d, f in files.items()}
    kept_float = float_table_gathers(onnx.load(fp32_file), next(iter(ours.values())))
    matched, _ = quantize_q4_with_gather(onnx.load(fp32_file), exclude=kept_float)
    entry: dict = {"dir": compact_dir, "quantizer": quantizer_class, "seconds": seconds, "keptFloat": kept_float,
                   "files": {d: compare_compact(theirs, m, float16=d == "q4f16") for d, m in ours.items()}, "ort": {}}
    for dtype, file in files.items():
        logits, run_seconds = run_logits(file, pairs, pad, threads, batch_size)
        entry["ort"][dtype] = {"logits": logits, "runSeconds": run_seconds}
    for name, model in (("python-q4", matched), ("python-q4-every-table", theirs)):
        logits, run_seconds = run_logits(model.SerializeToString(), pairs, pad, threads, batch_size)
        entry["ort"][name] = {"logits": logits, "runSeconds": run_seconds}
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--compact", help="a folder with compact-embedding q4 / q4f16 files from the same weights")
    args = parser.parse_args()
    with open(args.pairs, encoding="utf-8") as f:
        pairs = json.load(f)["pairs"]
    with open(os.path.join(args.model, "config.json"), encoding="utf-8") as f:
        pad = int(json.load(f).get("pad_token_id", 0))  # XLM-R 1, BERT 0

    result: dict = {"versions": {"onnx": onnx.__version__, "onnxruntime": ort.__version__}, "quantizers": {}, "ort": {}}
    present = {dtype: os.path.join(args.model, rel) for dtype, rel in FILES.items()
               if os.path.exists(os.path.join(args.model, rel))}
    python_models: dict[str, bytes] = {}
    if "fp32" in present:
        for dtype in ("q4", "int8", "uint8"):
            start = time.perf_counter()
            fp32 = onnx.load(present["fp32"])  # the quantizers modify their input
            if dtype == "q4":
                theirs, quantizer_class = quantize_q4(fp32)
            else:
                theirs, quantizer_class = quantize_dynamic(fp32, dtype), "ONNXQuantizer"
            entry: dict = {"quantizer": quantizer_class, "seconds": time.perf_counter() - start}
            if dtype in present:
                entry.update(compare(theirs, onnx.load(present[dtype])))
            result["quantizers"][dtype] = entry
            if dtype == "q4" and "q4f16" in present:
                result["quantizers"]["q4f16"] = {"quantizer": f"{quantizer_class} + float16 scales",
                                                 **compare_q4f16(theirs, onnx.load(present["q4f16"]))}
            python_models[dtype] = theirs.SerializeToString()
            del theirs, fp32

    for dtype, file in present.items():
        logits, seconds = run_logits(file, pairs, pad, args.threads, args.batch_size)
        result["ort"][dtype] = {"logits": logits, "runSeconds": seconds}
    for dtype, model in python_models.items():
        logits, seconds = run_logits(model, pairs, pad, args.threads, args.batch_size)
        result["ort"][f"python-{dtype}"] = {"logits": logits, "runSeconds": seconds}

    if args.compact and "fp32" in present:
        result["compact"] = compact_comparison(present["fp32"], args.compact, pairs, pad, args.threads, args.batch_size)

    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    summary = ", ".join(
        f"{d} {q['initializers']['byteEqual']}/{q['initializers']['theirs']} initializers byte-equal"
        for d, q in result["quantizers"].items() if "initializers" in q
    )
    print(f"[python] onnxruntime {ort.__version__}: ran {', '.join(result['ort'])}; {summary}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Compact embeddings (`make-model --embeddings q4`) against onnxruntime's own 4-bit Gather quantizer.

Used by quantizers.py (step 2b of `npm run crosscheck`). onnxruntime's MatMulNBitsQuantizer with
op_types_to_quantize=("MatMul", "Gather"), quant_axes=(("MatMul", 0), ("Gather", 1)), block 32, symmetric, turns every
Gather of a constant table into com.microsoft::GatherBlockQuantized (data TensorProto.INT4 [rows, cols], scales
float32 [rows, cols / 32], no zero points) and raises the default opset to 21. Our compact files keep the lookup in
standard ops over the same initializer names: `<table>_Q4` uint8 [rows, cols / 2] holding q + 8 per nibble, and
`<table>_scales`. Both put the even column in the low nibble, so for signed 4-bit q the two bytes differ only in each
nibble's top bit: ours = theirs XOR 0x88. q4f16 stores the same scales in float16.
"""

from __future__ import annotations

import logging

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

GATHER_QUANT_AXES = (("MatMul", 0), ("Gather", 1))


def quantize_q4_with_gather(model: onnx.ModelProto, exclude: list[str] | None = None) -> tuple[onnx.ModelProto, str]:
    """onnxruntime's 4-bit quantizer with Gather on; `exclude` names Gather nodes to leave float."""
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    # It logs a line per node at INFO; its opset-21 warning still shows.
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    quantizer = MatMulNBitsQuantizer(model=model, block_size=32, is_symmetric=True, accuracy_level=None,
                                     op_types_to_quantize=("MatMul", "Gather"), quant_axes=GATHER_QUANT_AXES,
                                     nodes_to_exclude=exclude or [])
    quantizer.process()
    return quantizer.model.model, "MatMulNBitsQuantizer (MatMul + Gather)"


def float_table_gathers(fp32: onnx.ModelProto, ours: onnx.ModelProto) -> list[str]:
    """Gather nodes of constant tables that our compact file keeps float (the token-type table): what the quantizer
    must skip for a like-for-like run."""
    constants = {t.name for t in fp32.graph.initializer}
    compact = {t.name.removesuffix("_Q4") for t in ours.graph.initializer if t.name.endswith("_Q4")}
    return [n.name for n in fp32.graph.node
            if n.op_type == "Gather" and n.input[0] in constants and n.input[0] not in compact]


def raw_bytes(t: onnx.TensorProto) -> bytes:
    # INT4 has no plain numpy dtype: its raw_data is the packed form, which is what is compared.
    return t.raw_data if t.HasField("raw_data") else numpy_helper.to_array(t).tobytes()


def theirs_in_our_layout(t: onnx.TensorProto) -> bytes | None:
    """Their packed INT4 bytes as our uint8 q + 8 bytes; None for another type (UINT4 would mean asymmetric)."""
    if t.data_type != TensorProto.INT4:
        return None
    return (np.frombuffer(raw_bytes(t), dtype=np.uint8) ^ 0x88).tobytes()


def compare_table(theirs: dict, ours: dict, node: onnx.NodeProto, float16: bool) -> dict:
    data, scales = node.input[0], node.input[2]
    t = theirs[data]
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    entry: dict = {
        "table": data.removesuffix("_Q4"),
        "dims": list(t.dims),
        "theirType": TensorProto.DataType.Name(t.data_type),
        "blockSize": attrs.get("block_size"),
        "quantizeAxis": attrs.get("quantize_axis"),
        "zeroPoints": len(node.input) > 3 and bool(node.input[3]),
        "ours": data in ours and scales in ours,
    }
    if not entry["ours"]:
        return entry
    o = ours[data]
    expected = theirs_in_our_layout(t)
    ours_packed = raw_bytes(o)
    entry["ourType"] = TensorProto.DataType.Name(o.data_type)
    entry["ourDims"] = list(o.dims)
    same_shape = o.data_type == TensorProto.UINT8 and list(o.dims) == [t.dims[0], t.dims[1] // 2]
    entry["packedEqual"] = same_shape and expected == ours_packed
    entry["bytesDiffer"] = (int(np.count_nonzero(np.frombuffer(expected, np.uint8) != np.frombuffer(ours_packed, np.uint8)))
                            if same_shape and expected is not None else None)
    want = numpy_helper.to_array(theirs[scales])
    want = want.astype(np.float16) if float16 else want
    got = numpy_helper.to_array(ours[scales])
    entry["scalesEqual"] = got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes()
    return entry


def compare_compact(theirs_model: onnx.ModelProto, ours_model: onnx.ModelProto, float16: bool) -> dict:
    """Their GatherBlockQuantized tables against our compact tables; every other common weight byte for byte (q4), or
    the MatMulNBits weights and their scales in float16 (q4f16, whose other floats are float16)."""
    theirs = {t.name: t for t in theirs_model.graph.initializer}
    ours = {t.name: t for t in ours_model.graph.initializer}
    gathers = [n for n in theirs_model.graph.node if n.op_type == "GatherBlockQuantized"]
    tables = [compare_table(theirs, ours, n, float16) for n in gathers]
    table_names = {n.input[0] for n in gathers} | {n.input[2] for n in gathers}
    others = sorted(name for name in set(theirs) & set(ours) - table_names
                    if not float16 or name.endswith(("_Q4", "_scales")))

    def same(name: str) -> bool:
        want = numpy_helper.to_array(theirs[name]) if theirs[name].data_type != TensorProto.INT4 else None
        if float16 and name.endswith("_scales") and want is not None:
            want = want.astype(np.float16)
            return ours[name].data_type == TensorProto.FLOAT16 and numpy_helper.to_array(ours[name]).tobytes() == want.tobytes()
        return (theirs[name].data_type == ours[name].data_type and list(theirs[name].dims) == list(ours[name].dims)
                and raw_bytes(theirs[name]) == raw_bytes(ours[name]))

    differ = [name for name in others if not same(name)]
    return {
        "tables": tables,
        "others": {"compared": len(others), "equal": len(others) - len(differ), "differ": differ[:20]},
        "opsets": {
            "theirs": [[o.domain, o.version] for o in theirs_model.opset_import],
            "ours": [[o.domain, o.version] for o in ours_model.opset_import],
        },
        "lookups": {
            "theirs": sorted({n.op_type for n in gathers}),
            "ours": sorted({n.op_type for n in ours_model.graph.node if n.input and n.input[0] in table_names}),
        },
    }

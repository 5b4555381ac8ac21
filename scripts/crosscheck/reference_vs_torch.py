"""Offline validation of the TypeScript oracle (test/reference/xlmr.ts) against PyTorch float64.

Not part of npm test. Needs the venv (.venv: torch CPU, transformers, safetensors, numpy) and node_modules (tsx).
For each configuration: build a random XLMRobertaForSequenceClassification (num_labels=1) with weights far from the
default init (so logits differ across inputs and bugs show), save_pretrained it (safetensors) in the given dtype,
compute logits in torch float64 from exactly the saved values, run the TS reference on the same directory and batch,
and report the max abs difference.

    .venv/bin/python scripts/crosscheck/reference_vs_torch.py [--tolerance 1e-9]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DRIVER = os.path.join(ROOT, "scripts", "crosscheck", "reference-logits.ts")
TSX = os.path.join(ROOT, "node_modules", ".bin", "tsx")

PAD, BOS, EOS = 1, 0, 2


def make_model(seed: int, layers: int, hidden: int, heads: int, intermediate: int, vocab: int, attn: str):
    torch.manual_seed(seed)
    config = XLMRobertaConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=514,
        type_vocab_size=1,
        pad_token_id=PAD,
        bos_token_id=BOS,
        eos_token_id=EOS,
        layer_norm_eps=1e-5,
        hidden_act="gelu",
        num_labels=1,
    )
    config._attn_implementation = attn
    model = XLMRobertaForSequenceClassification(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1 + 0.3 * torch.randn_like(p))
            elif "LayerNorm.bias" in name:
                p.copy_(0.3 * torch.randn_like(p))
            elif "embeddings" in name:
                p.normal_(0, 1.0)
            elif name.endswith(".weight"):
                p.normal_(0, 0.2)
            else:
                p.normal_(0, 0.2)
    return model


def make_batch(rng: np.random.Generator, rows: int, max_len: int, vocab: int):
    """Right-padded `<s> q </s></s> d </s>` rows of different true lengths; the first row has the full length."""
    lengths = [max_len] + [int(rng.integers(6, max_len + 1)) for _ in range(rows - 1)]
    ids, mask = [], []
    for n in lengths:
        body = n - 4  # <s>, </s></s>, </s>
        q = int(rng.integers(1, body))
        row = [BOS] + rng.integers(4, vocab, q).tolist() + [EOS, EOS] + rng.integers(4, vocab, body - q).tolist() + [EOS]
        assert len(row) == n
        ids.append(row + [PAD] * (max_len - n))
        mask.append([1] * n + [0] * (max_len - n))
    return ids, mask


def run_reference(model_dir: str, ids, mask, repeats: int = 1):
    batch_path = os.path.join(model_dir, "batch.json")
    with open(batch_path, "w") as f:
        json.dump({"input_ids": ids, "attention_mask": mask}, f)
    out = subprocess.run([TSX, DRIVER, model_dir, batch_path, str(repeats)], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


def check(label: str, *, save_dtype: torch.dtype, attn: str = "eager", rows: int = 20, max_len: int = 128, seed: int = 0, **dims):
    model = make_model(seed, attn=attn, **dims)
    rng = np.random.default_rng(seed + 1)
    ids, mask = make_batch(rng, rows, max_len, dims["vocab"])
    with tempfile.TemporaryDirectory() as tmp:
        # Round-trip through the saved dtype so torch float64 sees exactly the values the reference reads.
        model = model.to(save_dtype)
        model.save_pretrained(tmp, safe_serialization=True)
        model = model.double()
        with torch.no_grad():
            expected = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask)).logits[:, 0].numpy()
        result = run_reference(tmp, ids, mask, repeats=3)
    got = np.array(result["logits"])
    diff = float(np.max(np.abs(got - expected)))
    print(
        f"{label:<44} max|ref-torch| = {diff:.3e}   logits range [{expected.min():+.3f}, {expected.max():+.3f}] "
        f"std {expected.std():.3f}   TS run ms {result['runMs']}"
    )
    return diff


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tolerance", type=float, default=1e-9)
    args = parser.parse_args()
    small = dict(layers=2, hidden=64, heads=4, intermediate=256, vocab=1000)
    wide = dict(layers=2, hidden=96, heads=6, intermediate=384, vocab=1000)
    diffs = [
        check("L2 H64 h4 I256, F32, eager", save_dtype=torch.float32, **small),
        check("L2 H64 h4 I256, F32, sdpa", save_dtype=torch.float32, attn="sdpa", **small),
        check("L2 H64 h4 I256, F64", save_dtype=torch.float64, seed=2, **small),
        check("L2 H64 h4 I256, F16", save_dtype=torch.float16, seed=3, **small),
        check("L2 H64 h4 I256, BF16", save_dtype=torch.bfloat16, seed=4, **small),
        check("L2 H96 h6 I384, F32, eager", save_dtype=torch.float32, seed=5, **wide),
        check("L3 H96 h6 I384, F32, 4 rows x 500 tokens", save_dtype=torch.float32, seed=6, rows=4, max_len=500,
              **{**wide, "layers": 3}),
        check("L1 H8 h2 I16, F32, 1 row x 6 tokens", save_dtype=torch.float32, seed=7, rows=1, max_len=6,
              layers=1, hidden=8, heads=2, intermediate=16, vocab=50),
    ]
    worst = max(diffs)
    print(f"worst {worst:.3e} (tolerance {args.tolerance:.0e})")
    sys.exit(0 if worst < args.tolerance else 1)


if __name__ == "__main__":
    main()

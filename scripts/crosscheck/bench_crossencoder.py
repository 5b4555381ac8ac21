"""PyTorch peer for the benchmark: sentence-transformers `CrossEncoder.predict` on the same pairs and batch sizes.

What the seed article ran (CrossEncoder, max_length=512, batch sizes 1…32): on CPU fp32 by default, so the browser numbers
have a same-machine PyTorch baseline. Not part of npm test; needs the venv (scripts/crosscheck/venv.ts).

    .venv/bin/python scripts/crosscheck/bench_crossencoder.py --model DIR --pairs PAIRS.json \\
        --batch-sizes 1,2,4,8,16,32 --threads N --repeats R --warmup W --max-length 512 --out OUT.json

PAIRS.json: a list of [query, document] pairs, or of {"query", "document"} objects, or {"pairs": either}.
Each run scores the whole list with `predict(pairs, batch_size=b)` (its default sigmoid activation, as the seed);
W untimed runs first, then R timed ones. OUT.json:

    {"peer": "pytorch-crossencoder", "torch": "2.13.0+cpu", "threads": 2,
     "rows": [{"batchSize": 1, "runs": 5, "medianMs": 812.4, "minMs": 801.0, "maxMs": 830.2, "pairsPerSecond": 12.3}, …],
     …context: "sentenceTransformers", "transformers", "model", "pairs", "maxLength", "device", "dtype", "date", "runMs"}
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402


def read_pairs(path: str) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, dict):
        data = data["pairs"]
    pairs = []
    for item in data:
        if isinstance(item, dict):
            pairs.append((str(item["query"]), str(item["document"])))
        else:
            query, document = item
            pairs.append((str(query), str(document)))
    if not pairs:
        raise SystemExit(f"{path}: no pairs")
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="a model folder (config.json, tokenizer files, model.safetensors)")
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--batch-sizes", default="1,2,4,8,16,32")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--out", required=True)
    parser.add_argument("--device", default="cpu", help="cpu, cuda, or auto (cuda when there is one)")
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "fp16"], help="fp16 as the seed ran it (GPU only)")
    args = parser.parse_args()
    batch_sizes = [int(b) for b in args.batch_sizes.split(",") if b.strip()]
    if args.repeats < 1 or any(b < 1 for b in batch_sizes):
        raise SystemExit("--repeats and every batch size must be at least 1")

    torch.set_num_threads(args.threads)
    import sentence_transformers
    import transformers
    from sentence_transformers import CrossEncoder

    pairs = read_pairs(args.pairs)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    if device == "cpu" and args.dtype == "fp16":
        raise SystemExit("fp16 needs a GPU here (PyTorch's CPU fp16 matmuls are not what the seed measured)")
    dtype = torch.float16 if args.dtype == "fp16" else torch.float32
    start = time.perf_counter()
    model = CrossEncoder(args.model, max_length=args.max_length, device=device, model_kwargs={"dtype": dtype})
    load_ms = (time.perf_counter() - start) * 1000

    def synchronize() -> None:
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    rows = []
    for batch_size in batch_sizes:
        with torch.inference_mode():
            for _ in range(args.warmup):
                model.predict(pairs, batch_size=batch_size, show_progress_bar=False)
            times = []
            for _ in range(args.repeats):
                synchronize()
                start = time.perf_counter()
                model.predict(pairs, batch_size=batch_size, show_progress_bar=False)
                synchronize()
                times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        row = {
            "batchSize": batch_size,
            "runs": len(times),
            "medianMs": round(median, 3),
            "minMs": round(min(times), 3),
            "maxMs": round(max(times), 3),
            "pairsPerSecond": round(len(pairs) / (median / 1000), 3),
        }
        rows.append({**row, "runMs": [round(t, 3) for t in times]})
        print(f"[bench_crossencoder] batch {batch_size:>3}: median {median:9.1f} ms, {row['pairsPerSecond']:8.2f} pairs/s "
              f"({len(pairs)} pairs, {len(times)} runs)", file=sys.stderr)

    result = {
        "peer": "pytorch-crossencoder",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "rows": [{k: r[k] for k in ("batchSize", "runs", "medianMs", "minMs", "maxMs", "pairsPerSecond")} for r in rows],
        "runMs": {str(r["batchSize"]): r["runMs"] for r in rows},
        "sentenceTransformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "model": os.path.abspath(args.model),
        "pairs": len(pairs),
        "maxLength": args.max_length,
        "warmup": args.warmup,
        "device": device,
        "gpu": torch.cuda.get_device_name(0) if device.startswith("cuda") else None,
        "dtype": args.dtype,
        "loadMs": round(load_ms, 1),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()

"""The Python half of `npm run crosscheck`: Hugging Face's own stack on the pairs our core tokenized.

Not part of npm test; run by scripts/crosscheck/crosscheck.ts, which writes PAIRS_JSON and reads OUT_JSON:

    .venv/bin/python scripts/crosscheck/crosscheck.py --model DIR --pairs PAIRS_JSON --out OUT_JSON [--threads N]

PAIRS_JSON: {"maxLength": 512, "pairs": [{"query", "document", "ids"}]} where `ids` is what our core
(transformers.js + src/lib/pairs.ts) feeds the model for that pair.

1. Token ids: Rust `tokenizers` (Tokenizer.from_file on the model's tokenizer.json) encodes the query and the
   document without special tokens, and the pair is assembled here by the reference rule (FlagReranker): query cut
   to ¾ of maxLength, only the document truncated, `<s> q </s></s> d </s>`. Where the query fits under its cap, Rust's
   own pair template with `only_second` truncation must give the same ids too.
2. Logits: `AutoModelForSequenceClassification.from_pretrained(DIR)` in float32 on exactly our ids (so the comparison
   measures the model, not the tokenizer), batches of equal-ish length, right-padded with <pad>.
3. `CrossEncoder(DIR, max_length=maxLength)`: loads the same folder and predicts raw logits from the texts with its
   own tokenizer (transformers' XLMRobertaTokenizer and `longest_first` truncation); reported against our ids and
   the torch logits, to show the generated folder is a drop-in sentence-transformers model.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

BOS, PAD, EOS = 0, 1, 2


def reference_pair(query: list[int], document: list[int], max_length: int) -> list[int]:
    """FlagReranker's rule, written independently of src/lib/pairs.ts."""
    query = query[: (max_length * 3) // 4]
    room = max(0, max_length - len(query) - 4)
    return [BOS, *query, EOS, EOS, *document[:room], EOS]


def check_tokens(model_dir: str, pairs: list[dict], max_length: int) -> dict:
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    queries = tokenizer.encode_batch([p["query"] for p in pairs], add_special_tokens=False)
    documents = tokenizer.encode_batch([p["document"] for p in pairs], add_special_tokens=False)
    template = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    template.enable_truncation(max_length, strategy="only_second")

    equal, template_checked, template_equal, document_truncated, mismatches, capped = 0, 0, 0, 0, [], []
    for i, (pair, q, d) in enumerate(zip(pairs, queries, documents)):
        rust = reference_pair(q.ids, d.ids, max_length)
        cap = (max_length * 3) // 4
        if len(q.ids) > cap:
            capped.append(i)
        document_truncated += len(d.ids) > max_length - min(len(q.ids), cap) - 4
        if rust == pair["ids"]:
            equal += 1
        elif len(mismatches) < 10:
            mismatches.append({"index": i, "rust": rust, "ours": pair["ids"]})
        if len(q.ids) <= cap:
            # Rust's own post-processor and truncation; only defined while the query leaves room for the document.
            template_checked += 1
            if template.encode(pair["query"], pair["document"]).ids == rust:
                template_equal += 1
    return {
        "pairs": len(pairs),
        "equal": equal,
        "templateChecked": template_checked,
        "templateEqual": template_equal,
        "queryCapped": len(capped),
        "cappedIndices": capped,
        "documentTruncated": document_truncated,
        "tokens": int(sum(len(p["ids"]) for p in pairs)),
        "maxPairTokens": int(max(len(p["ids"]) for p in pairs)),
        "mismatches": mismatches,
    }


def torch_logits(model, rows: list[list[int]], batch_size: int) -> list[float]:
    """Logits in input order; rows sorted by length into batches so padding stays small."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    logits = [0.0] * len(rows)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            width = max(len(rows[i]) for i in batch)
            ids = torch.full((len(batch), width), PAD, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for r, i in enumerate(batch):
                ids[r, : len(rows[i])] = torch.tensor(rows[i])
                mask[r, : len(rows[i])] = 1
            out = model(input_ids=ids, attention_mask=mask).logits[:, 0].tolist()
            for r, i in enumerate(batch):
                logits[i] = out[r]
    return logits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--pairs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--no-cross-encoder", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    with open(args.pairs, encoding="utf-8") as f:
        data = json.load(f)
    pairs, max_length = data["pairs"], data["maxLength"]

    result: dict = {"versions": {"torch": torch.__version__, "transformers": transformers.__version__}}
    import tokenizers

    result["versions"]["tokenizers"] = tokenizers.__version__
    result["tokens"] = check_tokens(args.model, pairs, max_length)

    from transformers import AutoModelForSequenceClassification

    start = time.perf_counter()
    model = AutoModelForSequenceClassification.from_pretrained(args.model, dtype=torch.float32).eval()
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    logits = torch_logits(model, [p["ids"] for p in pairs], args.batch_size)
    result["torch"] = {
        "class": type(model).__name__,
        "attention": model.config._attn_implementation,
        "loadSeconds": load_s,
        "runSeconds": time.perf_counter() - start,
        "threads": torch.get_num_threads(),
        "logits": logits,
    }
    del model

    if not args.no_cross_encoder:
        import sentence_transformers
        from sentence_transformers import CrossEncoder

        result["versions"]["sentence_transformers"] = sentence_transformers.__version__
        start = time.perf_counter()
        ce = CrossEncoder(args.model, max_length=max_length, device="cpu")
        load_s = time.perf_counter() - start
        texts = [(p["query"], p["document"]) for p in pairs]
        ce_ids = [ce.tokenizer(q, d, truncation=True, max_length=max_length)["input_ids"] for q, d in texts]
        start = time.perf_counter()
        ce_logits = ce.predict(texts, batch_size=args.batch_size, activation_fn=torch.nn.Identity(),
                               show_progress_bar=False)
        run_s = time.perf_counter() - start
        same = [i for i, p in enumerate(pairs) if ce_ids[i] == p["ids"]]
        # CrossEncoder truncates `longest_first` and never caps the query at ¾ of max_length: pairs whose query is
        # capped differ by design. Any other difference is its tokenizer's (transformers' XLMRobertaTokenizer).
        capped = set(result["tokens"]["cappedIndices"])
        other = [i for i, p in enumerate(pairs) if ce_ids[i] != p["ids"] and i not in capped]
        diffs = np.abs(np.asarray(ce_logits, dtype=np.float64) - np.asarray(logits, dtype=np.float64))
        result["crossEncoder"] = {
            "class": type(ce.model).__name__,
            "tokenizer": type(ce.tokenizer).__name__,
            "loadSeconds": load_s,
            "runSeconds": run_s,
            "sameIds": len(same),
            "differCappedQuery": sum(1 for i in capped if ce_ids[i] != pairs[i]["ids"]),
            "differOther": [{"index": i, "ours": pairs[i]["ids"], "theirs": ce_ids[i]} for i in other],
            "maxDiffSameIds": float(diffs[same].max()) if same else None,
            "logits": [float(x) for x in ce_logits],
        }

    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    t = result["tokens"]
    print(f"[python] ids: {t['equal']}/{t['pairs']} equal (Rust tokenizers vs ours); Rust pair template "
          f"{t['templateEqual']}/{t['templateChecked']}; torch {result['torch']['runSeconds']:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()

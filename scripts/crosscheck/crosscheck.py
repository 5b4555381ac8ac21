"""The Python half of `npm run crosscheck`: Hugging Face's own stack on the pairs our core tokenized.

Not part of npm test; run by scripts/crosscheck/crosscheck.ts, which writes PAIRS_JSON and reads OUT_JSON:

    .venv/bin/python scripts/crosscheck/crosscheck.py --model DIR --pairs PAIRS_JSON --out OUT_JSON [--threads N]

PAIRS_JSON: {"maxLength": 512, "pairs": [{"query", "document", "ids", "typeIds", "truncated"}]} where `ids` (and
`typeIds`, null when every type is 0) is what our core (transformers.js + src/lib/pairs.ts) feeds the model for that
pair, and `truncated` whether our rule cut it.

Architecture-agnostic: what the model is comes from DIR/config.json (`model_type`: xlm-roberta, bert, ...), and how a
pair is joined from the tokenizer's own post-processor, applied by Rust `tokenizers`.

1. Token ids and token types: Rust `tokenizers` (Tokenizer.from_file on the model's tokenizer.json) encodes the query
   and the document without special tokens; the reference rule (FlagReranker's) cuts the query to ¾ of maxLength and
   the document to what is left, and Rust's own post-processor (`Tokenizer.post_process`) adds the special tokens and
   types: XLM-R `<s> q </s></s> d </s>`, BERT `[CLS] q [SEP] d [SEP]` with types 0 then 1 (the layout is checked
   against the one config.json's model_type expects). Our ids and types must equal it on every pair; on pairs that
   fit untruncated, Rust's plain pair encoding must equal ours; where the query fits under its cap, Rust's pair
   template with `only_second` truncation too.
2. Logits: `AutoModelForSequenceClassification.from_pretrained(DIR)` in float32 on exactly our ids and token types (so
   the comparison measures the model, not the tokenizer), batches sorted by length, right-padded with the pad id. A
   two-label model's relevance logit is label 1 − label 0 (its sigmoid is the softmax's relevant probability), as the
   core scores it. For a model with token types, the same ids without them are run too, to show they matter.
3. `CrossEncoder(DIR, max_length=maxLength)`: loads the same folder and predicts raw logits from the texts with its
   own tokenizer and its own pair truncation (`longest_first`); compared with the torch logits where its ids and types
   equal ours, and with ours everywhere (informational: it cuts pairs differently).
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
from tokenizers import Encoding, Tokenizer  # noqa: E402

from padded_batches import padded_batches  # noqa: E402

# The pair layout each architecture's cross-encoders use: A and B stand for the two texts' tokens, one type per item.
EXPECTED_LAYOUT = {
    "xlm-roberta": ("<s> A </s> </s> B </s>", "0 0 0 0 0 0"),
    "bert": ("[CLS] A [SEP] B [SEP]", "0 0 0 1 1"),
}


def read_config(model_dir: str) -> dict:
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        return json.load(f)


def label_count(config: dict) -> int:
    return len(config["id2label"]) if config.get("id2label") else int(config.get("num_labels", 1))


def relevance(logits: torch.Tensor) -> list[float]:
    """One logit per row as the core scores it: the logit, or label 1 − label 0 for a two-label model."""
    if logits.shape[-1] == 1:
        return logits[:, 0].tolist()
    if logits.shape[-1] == 2:
        return (logits[:, 1] - logits[:, 0]).tolist()
    raise ValueError(f"{logits.shape[-1]} labels: a reranker has one or two")


def cut(tokenizer: Tokenizer, text: str, limit: int) -> Encoding:
    encoding = tokenizer.encode(text, add_special_tokens=False)
    if len(encoding.ids) > limit:
        encoding.truncate(limit)
    return encoding


def reference_pair(tokenizer: Tokenizer, query: str, document: str, max_length: int) -> tuple[list[int], list[int]]:
    """FlagReranker's rule, written independently of src/lib/pairs.ts, with the special tokens of Rust's post-processor."""
    cap = (max_length * 3) // 4
    q = cut(tokenizer, query, cap)
    room = max(0, max_length - len(q.ids) - tokenizer.num_special_tokens_to_add(True))
    d = cut(tokenizer, document, room)
    pair = tokenizer.post_process(q, d, add_special_tokens=True)
    return pair.ids, pair.type_ids


def layout(tokenizer: Tokenizer) -> tuple[str, str]:
    """The pair template Rust applies, as text: special tokens by name, each text as one A or B."""
    a = tokenizer.encode("a", add_special_tokens=False)
    b = tokenizer.encode("b", add_special_tokens=False)
    a.truncate(1)
    b.truncate(1)
    pair = tokenizer.post_process(a, b, add_special_tokens=True)
    texts = iter("AB")  # each text is one token here
    tokens = [token if special else next(texts) for token, special in zip(pair.tokens, pair.special_tokens_mask)]
    return " ".join(tokens), " ".join(str(t) for t in pair.type_ids)


def ours_types(pair: dict) -> list[int]:
    return pair.get("typeIds") or [0] * len(pair["ids"])


def check_tokens(model_dir: str, model_type: str, pairs: list[dict], max_length: int) -> dict:
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    template = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    template.enable_truncation(max_length, strategy="only_second")
    cap = (max_length * 3) // 4
    specials = tokenizer.num_special_tokens_to_add(True)
    rust_layout = layout(tokenizer)

    equal = types_equal = plain_checked = plain_equal = template_checked = template_equal = documents_cut = 0
    mismatches: list[dict] = []
    capped: list[int] = []
    for i, pair in enumerate(pairs):
        q_len = len(tokenizer.encode(pair["query"], add_special_tokens=False).ids)
        d_len = len(tokenizer.encode(pair["document"], add_special_tokens=False).ids)
        if q_len > cap:
            capped.append(i)
        cut_document = d_len > max_length - min(q_len, cap) - specials
        ids, types = reference_pair(tokenizer, pair["query"], pair["document"], max_length)
        mine = ours_types(pair)
        equal += ids == pair["ids"]
        types_equal += types == mine
        if (ids != pair["ids"] or types != mine) and len(mismatches) < 10:
            mismatches.append({"index": i, "rust": ids, "ours": pair["ids"], "rustTypes": types, "ourTypes": mine})
        documents_cut += cut_document
        if q_len <= cap and not cut_document:
            # The pair fits: Rust's own pair encoding, no truncation anywhere, must be ours as it is.
            plain_checked += 1
            whole = tokenizer.encode(pair["query"], pair["document"])
            plain_equal += whole.ids == pair["ids"] and whole.type_ids == mine
        if q_len <= cap:
            # Rust's own post-processor and truncation; only defined while the query leaves room for the document.
            template_checked += 1
            encoded = template.encode(pair["query"], pair["document"])
            template_equal += encoded.ids == pair["ids"] and encoded.type_ids == mine
    expected = EXPECTED_LAYOUT.get(model_type)
    return {
        "pairs": len(pairs),
        "equal": equal,
        "typesEqual": types_equal,
        "typed": any(p.get("typeIds") for p in pairs),
        "layout": {"rust": rust_layout, "expected": expected, "ok": expected is None or tuple(expected) == rust_layout},
        "plainChecked": plain_checked,
        "plainEqual": plain_equal,
        "templateChecked": template_checked,
        "templateEqual": template_equal,
        "queryCapped": len(capped),
        "cappedIndices": capped,
        "documentTruncated": documents_cut,
        "tokens": int(sum(len(p["ids"]) for p in pairs)),
        "maxPairTokens": int(max(len(p["ids"]) for p in pairs)),
        "mismatches": mismatches,
    }


def torch_logits(model, rows: list[list[int]], types: list[list[int]] | None, pad: int, batch_size: int) -> list[float]:
    """Relevance logits in input order; rows sorted by length into batches so padding stays small."""
    logits = [0.0] * len(rows)
    with torch.inference_mode():
        for batch, arrays in padded_batches(rows, types, pad, batch_size):
            feeds = {name: torch.from_numpy(array) for name, array in arrays.items()}
            out = relevance(model(**feeds).logits)
            for r, i in enumerate(batch):
                logits[i] = out[r]
    return logits


def max_diff(a, b, indices=None) -> float | None:
    d = np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
    if indices is not None:
        d = d[list(indices)]
    return float(d.max()) if d.size else None


def sigmoid(x) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(x, dtype=np.float64)))


def cross_encoder(args, pairs: list[dict], max_length: int, tokens: dict, reference: list[float], labels: int) -> dict:
    import sentence_transformers
    from sentence_transformers import CrossEncoder

    start = time.perf_counter()
    ce = CrossEncoder(args.model, max_length=max_length, device="cpu")
    load_s = time.perf_counter() - start
    texts = [(p["query"], p["document"]) for p in pairs]
    encoded = [ce.tokenizer(q, d, truncation=True, max_length=max_length) for q, d in texts]
    start = time.perf_counter()
    raw = ce.predict(texts, batch_size=args.batch_size, activation_fn=torch.nn.Identity(), show_progress_bar=False)
    run_s = time.perf_counter() - start
    ce_logits = relevance(torch.as_tensor(np.asarray(raw, dtype=np.float64).reshape(len(pairs), -1)))

    def same(i: int) -> bool:
        e = encoded[i]
        return e["input_ids"] == pairs[i]["ids"] and (e.get("token_type_ids") or [0] * len(e["input_ids"])) == ours_types(pairs[i])

    equal = [i for i in range(len(pairs)) if same(i)]
    # CrossEncoder truncates `longest_first` and never caps the query at ¾ of max_length: pairs our rule cut may be
    # cut otherwise by design. A difference on a pair neither cut is its tokenizer's.
    capped = set(tokens["cappedIndices"])
    ours_cut = {i for i, p in enumerate(pairs) if p["truncated"]}
    differ = [i for i in range(len(pairs)) if i not in equal]
    other = [i for i in differ if i not in ours_cut]
    return {
        "version": sentence_transformers.__version__,
        "class": type(ce.model).__name__,
        "tokenizer": type(ce.tokenizer).__name__,
        "loadSeconds": load_s,
        "runSeconds": run_s,
        "sameIds": len(equal),
        "differCappedQuery": sum(1 for i in differ if i in capped),
        "differTruncated": sum(1 for i in differ if i in ours_cut and i not in capped),
        "differOther": [{"index": i, "ours": pairs[i]["ids"], "theirs": encoded[i]["input_ids"]} for i in other],
        "maxDiffSameIds": max_diff(ce_logits, reference, equal) if equal else None,
        "maxDiffAll": max_diff(ce_logits, reference),
        "maxProbDiffSameIds": (float(np.abs(sigmoid(ce_logits) - sigmoid(reference))[equal].max())
                               if equal and labels == 2 else None),
        "logits": [float(x) for x in ce_logits],
    }


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
    config = read_config(args.model)
    model_type = config.get("model_type", "?")
    labels = label_count(config)
    pad = int(config.get("pad_token_id", 0))

    import tokenizers

    result: dict = {
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "tokenizers": tokenizers.__version__},
        "model": {"type": model_type, "labels": labels, "pad": pad},
    }
    result["tokens"] = check_tokens(args.model, model_type, pairs, max_length)

    from transformers import AutoModelForSequenceClassification

    start = time.perf_counter()
    model = AutoModelForSequenceClassification.from_pretrained(args.model, dtype=torch.float32).eval()
    load_s = time.perf_counter() - start
    rows = [p["ids"] for p in pairs]
    typed = result["tokens"]["typed"]
    start = time.perf_counter()
    logits = torch_logits(model, rows, [ours_types(p) for p in pairs] if typed else None, pad, args.batch_size)
    run_s = time.perf_counter() - start
    result["torch"] = {
        "class": type(model).__name__,
        "attention": model.config._attn_implementation,
        "loadSeconds": load_s,
        "runSeconds": run_s,
        "threads": torch.get_num_threads(),
        "logits": logits,
        # Without the token types the model sees every token as type 0: how far that moves the logits shows that the
        # types are exercised (random token-type embeddings differ, so a dropped input would fail the 1e-4 gate).
        "withoutTypesMaxDiff": max_diff(torch_logits(model, rows, None, pad, args.batch_size), logits) if typed else None,
    }
    del model

    if not args.no_cross_encoder:
        result["crossEncoder"] = cross_encoder(args, pairs, max_length, result["tokens"], logits, labels)
        result["versions"]["sentence_transformers"] = result["crossEncoder"].pop("version")

    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    t = result["tokens"]
    print(f"[python] {model_type}, {labels} label(s): ids {t['equal']}/{t['pairs']} and types {t['typesEqual']}/{t['pairs']} "
          f"equal (Rust tokenizers vs ours); Rust pair untruncated {t['plainEqual']}/{t['plainChecked']}, template "
          f"{t['templateEqual']}/{t['templateChecked']}; layout {t['layout']['rust'][0]!r}; torch {run_s:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()

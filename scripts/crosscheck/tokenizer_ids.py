"""Offline check: the generated tokenizer gives the same ids in Hugging Face's Rust `tokenizers` and transformers.js.

Not part of npm test. Needs the venv (.venv: tokenizers) and node_modules (tsx). Runs
scripts/crosscheck/tokenizer-ids.ts, which writes the tokenizer twice (learned size, and padded to 250,002 pieces) and
the transformers.js ids of every corpus line, every seed sentence and seed pair, hand-written edge cases and generated
mixed strings (whitespace, full-width forms, emoji, controls, special-token look-alikes); then loads each tokenizer.json
with `tokenizers.Tokenizer.from_file` (not `transformers.XLMRobertaTokenizer`, which rebuilds its own pipeline and drops
NFKC), encodes the same texts and pairs, and requires identical ids. Exit status 1 on any difference.

    .venv/bin/python scripts/crosscheck/tokenizer_ids.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from tokenizers import Tokenizer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DRIVER = os.path.join(ROOT, "scripts", "crosscheck", "tokenizer-ids.ts")
TSX = os.path.join(ROOT, "node_modules", ".bin", "tsx")


def check(out_dir: str) -> int:
    subprocess.run([TSX, DRIVER, out_dir], cwd=ROOT, check=True)
    with open(os.path.join(out_dir, "cases.json"), encoding="utf-8") as f:
        variants = json.load(f)["variants"]

    failures = 0
    for variant in variants:
        tokenizer = Tokenizer.from_file(os.path.join(out_dir, variant["name"], "tokenizer.json"))
        assert tokenizer.get_vocab_size() == variant["vocabSize"], (tokenizer.get_vocab_size(), variant["vocabSize"])
        cases = variant["cases"]
        mismatched = 0
        empty_pairs = 0
        for case in cases:
            if case["pair"] is None:
                encoding = tokenizer.encode(case["text"])
            elif case["pair"] == "":
                # Known transformers.js behaviour, not a tokenizer difference: `encode(text, {text_pair: ''})` tests
                # `text_pair || null`, so an empty second text is dropped and the result is the single encoding
                # (Rust gives `<s> A </s></s></s>`). Callers must build pairs themselves; here we pin the behaviour.
                encoding = tokenizer.encode(case["text"])
                empty_pairs += 1
            else:
                encoding = tokenizer.encode(case["text"], case["pair"])
            if encoding.ids != case["ids"]:
                mismatched += 1
                if mismatched <= 10:
                    print(f"MISMATCH [{variant['name']}] text={case['text']!r} pair={case['pair']!r}")
                    print(f"  rust:  {encoding.ids} {encoding.tokens}")
                    print(f"  js:    {case['ids']}")
        pairs = sum(1 for case in cases if case["pair"] is not None)
        tokens = sum(len(case["ids"]) for case in cases)
        print(
            f"{variant['name']} (vocab {variant['vocabSize']}): {len(cases) - mismatched}/{len(cases)} cases identical "
            f"({len(cases) - pairs} single texts, {pairs} pairs, {tokens} tokens; {empty_pairs} pairs with an empty "
            f"second text compared with the single encoding, as transformers.js drops an empty text_pair)"
        )
        failures += mismatched
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", help="write the tokenizers and cases here instead of a temporary directory")
    args = parser.parse_args()
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        failures = check(args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="tokenizer-ids-") as out_dir:
            failures = check(out_dir)
    print("OK: Rust tokenizers and transformers.js agree" if failures == 0 else f"FAILED: {failures} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

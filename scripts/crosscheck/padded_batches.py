"""Rows of token ids in batches, shortest first, right-padded as the core pads them: the feeds that the cross-check's
PyTorch side (crosscheck.py) and its onnxruntime side (quantizers.py) both run."""

from __future__ import annotations

from typing import Iterator

import numpy as np


def padded_batches(
    rows: list[list[int]], types: list[list[int]] | None, pad: int, batch_size: int
) -> Iterator[tuple[list[int], dict[str, np.ndarray]]]:
    """Yields (row indices, int64 feeds) per batch. `token_type_ids` is fed only when `types` is given; a row whose
    types are empty gets 0s, as padding does."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    for first in range(0, len(order), batch_size):
        batch = order[first : first + batch_size]
        width = max(len(rows[i]) for i in batch)
        ids = np.full((len(batch), width), pad, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        type_ids = np.zeros((len(batch), width), dtype=np.int64)
        for r, i in enumerate(batch):
            ids[r, : len(rows[i])] = rows[i]
            mask[r, : len(rows[i])] = 1
            if types is not None and types[i]:
                type_ids[r, : len(rows[i])] = types[i]
        feeds = {"input_ids": ids, "attention_mask": mask}
        if types is not None:
            feeds["token_type_ids"] = type_ids
        yield batch, feeds

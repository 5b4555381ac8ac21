"""One markdown table from the GPU run's JSON: ours on WebGPU (per dtype) beside PyTorch's CrossEncoder, same pairs.

    python3 table.py NODE_BENCH.json [--compact LOOKUP COMPACT_BENCH.json ...] [PEER_128.json PEER_512.json PEER_RAG.json]
"""
import json
import sys


def best(rows):
    ok = [r for r in rows if r.get("pairsPerSecond")]
    return max(ok, key=lambda r: r["pairsPerSecond"]) if ok else None


def main() -> None:
    args = sys.argv[1:]
    node = json.load(open(args.pop(0), encoding="utf-8"))
    while args[:1] == ["--compact"]:
        lookup, compact = args[1], json.load(open(args[2], encoding="utf-8"))
        del args[:3]
        for res in compact.get("results", []) + compact.get("failed", []):
            res["dtype"] = f"{res['dtype']}, 4-bit embeddings ({lookup})"
        node.setdefault("results", []).extend(compact.get("results", []))
        node.setdefault("failed", []).extend(compact.get("failed", []))
    peers = {}
    for path in args:
        try:
            peer = json.load(open(path, encoding="utf-8"))
            peers[path] = peer
        except (OSError, ValueError) as error:
            print(f"- peer file {path} unreadable: {error}")
    adapter = node.get("adapter")
    if adapter:
        print(f"Adapter: {adapter['vendor']} / {adapter['architecture']} / {adapter['description']}, "
              f"shader-f16 {'yes' if adapter['shaderF16'] else 'no'}\n")
    print("| runtime | dtype | 128 tokens: best pairs/s (batch) | 512 tokens: best pairs/s (batch) | RAG 50 docs, ms |")
    print("|---|---|---|---|---|")
    for res in node.get("results", []):
        cells = []
        for tokens in (128, 512):
            sweep = next((s for s in res["sweeps"] if s["tokens"] == tokens), None)
            b = sweep and best(sweep["rows"])
            cells.append(f"{b['pairsPerSecond']:.1f} ({b['batchSize']})" if b else "—")
        rag = res.get("rag")
        rag_cell = f"loop {rag['loopMs']['median']:.0f}, batched {rag['tokensMs']['median']:.0f}" if rag else "—"
        print(f"| onnxruntime-web WebGPU (Node, Dawn) | {res['dtype']} | {cells[0]} | {cells[1]} | {rag_cell} |")
    labelled = {}
    for path, peer in peers.items():
        key = "rag" if "rag" in path else ("512" if "512" in path else "128")
        labelled[key] = peer
    if labelled:
        any_peer = next(iter(labelled.values()))
        cells = []
        for key in ("128", "512"):
            b = labelled.get(key) and best(labelled[key]["rows"])
            cells.append(f"{b['pairsPerSecond']:.1f} ({b['batchSize']})" if b else "—")
        rag = labelled.get("rag")
        rag_cell = "—"
        if rag:
            rows = {r["batchSize"]: r for r in rag["rows"]}
            first, last = min(rows), max(rows)
            rag_cell = f"batch {first}: {rows[first]['medianMs']:.0f}, batch {last}: {rows[last]['medianMs']:.0f}"
        where = any_peer.get("gpu") or any_peer.get("device")
        print(f"| PyTorch CrossEncoder ({where}, torch {any_peer.get('torch')}) | {any_peer.get('dtype')} | "
              f"{cells[0]} | {cells[1]} | {rag_cell} |")
    for f in node.get("failed", []):
        print(f"\n- {f['dtype']} could not run: {f['reason']}")
    if node.get("unavailable"):
        print(f"\n- WebGPU could not run: {node['unavailable']}")


if __name__ == "__main__":
    main()

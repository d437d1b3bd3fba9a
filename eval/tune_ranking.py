#!/usr/bin/env python3
"""Grid over the ranking numbers of /ask (the sentence encoder's weight and
reach, the static whole-sentence weight; BM25, neighbour and intent numbers
can be added to GRID), scored by mean reciprocal rank on the blind
tuning halves of three documents with refusal off; 5-fold cross-validated
so the figure printed is for questions the choice did not see.

    python3 eval/tune_ranking.py [BINARY]
"""
import itertools
import json
import random
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/lectern"
SETS = [
    ("eval/blind/ussr-tune.jsonl", None),
    ("eval/blind/wedgwood-tune.jsonl", "eval/packs/wedgwood"),
    ("eval/blind/volcanoes-tune.jsonl", "eval/packs/volcanoes"),
]
GRID = {
    "encoder_weight": [0.0, 0.2, 0.3, 0.5, 1.0],
    "rerank_depth": [10, 20],
    "dense_weight": [0.15, 0.3],
}


def norm(text):
    return " ".join(text.split()).lower()


def reciprocal_ranks(params):
    params = dict(params, refusal_bias=100.0)
    result = []
    for path, pack in SETS:
        rows = [json.loads(l) for l in open(path) if l.strip()]
        rows = [r for r in rows if r["answerable"]]
        cmd = [BIN, "ask", "--json", "--stdin", "--top", "3", "--params", json.dumps(params)]
        if pack:
            cmd += ["--pack", pack]
        stdin = "".join(json.dumps({"question": r["question"]}) + "\n" for r in rows)
        out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True).stdout
        for row, line in zip(rows, out.splitlines()):
            passages = json.loads(line).get("passages") or []
            rank = next((i + 1 for i, p in enumerate(passages[:3])
                         if len(norm(p["text"])) <= 300
                         and any(norm(g) in norm(p["text"]) for g in row["gold"])), 0)
            result.append(1 / rank if rank else 0.0)
    return result


def main():
    keys = list(GRID)
    combos = [dict(zip(keys, values)) for values in itertools.product(*GRID.values())]
    table = [(c, reciprocal_ranks(c)) for c in combos]
    n = len(table[0][1])
    order = list(range(n))
    random.Random(7).shuffle(order)
    folds = [order[i::5] for i in range(5)]
    held_scores = []
    for fold in folds:
        train = [i for i in order if i not in fold]
        best = max(table, key=lambda t: sum(t[1][i] for i in train))
        held_scores.append(sum(best[1][i] for i in fold) / len(fold))
    best = max(table, key=lambda t: sum(t[1]))
    print(f"n={n}: cross-validated MRR {sum(held_scores) / len(held_scores):.3f}")
    for combo, rr in sorted(table, key=lambda t: -sum(t[1]))[:5]:
        print(f"  MRR {sum(rr) / n:.3f} r@1 {sum(1 for r in rr if r == 1) / n:.3f}  {json.dumps(combo)}")
    print("chosen:", json.dumps(best[0]))
    default = reciprocal_ranks({})
    print(f"the built-in defaults: MRR {sum(default) / n:.3f} r@1 {sum(1 for r in default if r == 1) / n:.3f}")


if __name__ == "__main__":
    main()

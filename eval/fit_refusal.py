#!/usr/bin/env python3
"""Fits the refusal model of /ask by cross-validation on the blind tuning sets.

Runs `lectern ask --json --stdin` over the tuning halves of both documents,
reads each answer's signals (coverage, dense, missing, reach) and fits a
logistic regression "does the document answer this?" (label: the set's
`answerable`). The L2 strength and the decision threshold are chosen by
5-fold cross-validation (folds stratified, fixed seed), scored by balanced
accuracy, so no threshold is picked by eye. Prints the weights to paste
into REFUSAL_WEIGHTS in src/study/answer.rs (bias, coverage, dense,
missing name, missing word, reach, names, weakest), folded so that the threshold is 0.5.

    python3 eval/fit_refusal.py [BINARY]

Standard library only. The test halves are never read here.
"""
import json
import math
import random
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/lectern"
PARAMS = sys.argv[2] if len(sys.argv) > 2 else None
SETS = [
    ("eval/blind/ussr-tune.jsonl", None),
    ("eval/blind/wedgwood-tune.jsonl", "eval/packs/wedgwood"),
]
FEATURES = ["coverage", "dense", "missing", "missing_word", "reach", "names", "weakest"]


def signals(path, pack):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    cmd = [BIN, "ask", "--json", "--stdin", "--top", "3"] + (["--pack", pack] if pack else [])
    if PARAMS:
        cmd += ["--params", PARAMS]
    stdin = "".join(json.dumps({"question": r["question"]}) + "\n" for r in rows)
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True).stdout
    data = []
    for row, line in zip(rows, out.splitlines()):
        answer = json.loads(line)
        s = answer.get("signals")
        if not s or (answer.get("refusal") or "").startswith("SmallTalk"):
            continue
        data.append(([s[f] for f in FEATURES], 1 if row["answerable"] else 0))
    return data


def fit(data, l2, steps=3000, rate=0.5):
    w = [0.0] * (len(FEATURES) + 1)
    n = len(data)
    pos = sum(y for _, y in data) or 1
    neg = (n - pos) or 1
    for _ in range(steps):
        grad = [0.0] * len(w)
        for x, y in data:
            z = w[0] + sum(wi * xi for wi, xi in zip(w[1:], x))
            p = 1 / (1 + math.exp(-max(-30, min(30, z))))
            # Classes weighted equally: as many unanswerable as answerable.
            weight = 0.5 * n / (pos if y else neg)
            err = (p - y) * weight
            grad[0] += err
            for i, xi in enumerate(x):
                grad[i + 1] += err * xi
        for i in range(len(w)):
            reg = l2 * w[i] if i else 0.0
            w[i] -= rate * (grad[i] / n + reg)
    return w


def prob(w, x):
    z = w[0] + sum(wi * xi for wi, xi in zip(w[1:], x))
    return 1 / (1 + math.exp(-max(-30, min(30, z))))


def balanced(w, data, threshold):
    tp = sum(1 for x, y in data if y and prob(w, x) >= threshold)
    tn = sum(1 for x, y in data if not y and prob(w, x) < threshold)
    pos = sum(1 for _, y in data if y) or 1
    neg = sum(1 for _, y in data if not y) or 1
    return 0.5 * (tp / pos + tn / neg), tp / pos, tn / neg


def folds(data, k=5, seed=7):
    pos = [d for d in data if d[1]]
    neg = [d for d in data if not d[1]]
    rng = random.Random(seed)
    rng.shuffle(pos)
    rng.shuffle(neg)
    return [pos[i::k] + neg[i::k] for i in range(k)]


def main():
    data = []
    for path, pack in SETS:
        data += signals(path, pack)
    parts = folds(data)
    best = None
    for l2 in (0.0, 0.001, 0.01, 0.05):
        for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
            scores = []
            for i, held in enumerate(parts):
                train = [d for j, p in enumerate(parts) if j != i for d in p]
                w = fit(train, l2, steps=800)
                scores.append(balanced(w, held, threshold)[0])
            mean = sum(scores) / len(scores)
            if best is None or mean > best[0] + 1e-9:
                best = (mean, l2, threshold)
    mean, l2, threshold = best
    w = fit(data, l2)
    # Fold the threshold into the bias so the code decides at 0.5.
    w[0] -= math.log(threshold / (1 - threshold))
    acc, tpr, tnr = balanced(w, data, 0.5)
    print(f"n={len(data)} cv balanced accuracy={mean:.3f} (l2={l2}, threshold={threshold})")
    print(f"on all tuning data: balanced={acc:.3f} answer-rate(answerable)={tpr:.3f} refuse-rate(unanswerable)={tnr:.3f}")
    print("const REFUSAL_WEIGHTS: [f64; 8] = [" + ", ".join(f"{v:.3f}" for v in w) + "];")
    print("params json: {\"refusal\": [" + ", ".join(f"{v:.3f}" for v in w) + "]}")


if __name__ == "__main__":
    main()

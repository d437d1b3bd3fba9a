#!/usr/bin/env python3
"""Fits the refusal model of /ask on the blind tuning sets of four documents.

/ask answers when its best sentence looks like an answer and refuses
otherwise ("the document does not cover that"). The decision is a logistic
model over the signals `lectern ask --json` reports for each question
(`signals`: coverage, dense, names, weakest, reach, missing, missing_word,
and the sentence encoder's cosine and best_cosine):

    answer when  bias + sum(weight_i * signal_i) >= 0

This script runs `lectern ask --json --stdin` over the tuning halves with the
model switched off (`--params '{"refusal_bias": 100}'`), so every question
that the date and "how many" rules let through is answered, reads the
signals, and fits the weights by L2-regularised logistic regression with
balanced class weights (answerable and unanswerable questions count
equally). It reports:

- leave-one-document-out: fit on two documents, score the third; the figure
  that says how the model does on a document it never saw;
- 5-fold cross-validation, stratified, fixed seed, over all three;
- the model fitted on all tuning data, as the `REFUSAL_*` constants of
  crates/study/src/study/answer.rs.

Which signals the model reads (every subset of up to three) and the
regularisation strength are chosen by the leave-one-document-out score; the
bias is then set on the training data to balance the two kinds of mistake. Standard library only; the test halves are
never read here.

    python3 eval/fit_refusal.py [BINARY]
"""
import itertools
import json
import math
import random
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/lectern"
# The tuning pool: every set scored for an earlier round's report (round 1's
# halves, round 2's and round 3's test sets), grouped by document. Round 4's
# test sets (`*-test4.jsonl`) are never read here.
SETS = [
    ("ussr", "eval/blind/ussr-tune.jsonl", None),
    ("ussr", "eval/blind/ussr-test.jsonl", None),
    ("ussr", "eval/blind/ussr-test2.jsonl", None),
    ("ussr", "eval/blind/ussr-test3.jsonl", None),
    ("wedgwood", "eval/blind/wedgwood-tune.jsonl", "eval/packs/wedgwood"),
    ("wedgwood", "eval/blind/wedgwood-test.jsonl", "eval/packs/wedgwood"),
    ("wedgwood", "eval/blind/wedgwood-test3.jsonl", "eval/packs/wedgwood"),
    ("volcanoes", "eval/blind/volcanoes-tune.jsonl", "eval/packs/volcanoes"),
    ("volcanoes", "eval/blind/volcanoes-test.jsonl", "eval/packs/volcanoes"),
    ("volcanoes", "eval/blind/volcanoes-test3.jsonl", "eval/packs/volcanoes"),
    ("blackdeath", "eval/blind/blackdeath-test3.jsonl", "eval/packs/blackdeath"),
]
FEATURES = ["coverage", "dense", "names", "weakest", "reach", "missing", "missing_word",
            "cosine", "best_cosine", "second_cosine", "mean_cosine", "soft_weakest", "soft_mean",
            "type_missing"]
LAMBDAS = [0.001, 0.003, 0.01, 0.03, 0.1]


def answers(path, pack):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    params = json.dumps({"refusal_bias": 100.0})
    cmd = [BIN, "ask", "--json", "--stdin", "--top", "3", "--params", params]
    if pack:
        cmd += ["--pack", pack]
    stdin = "".join(json.dumps({"question": r["question"]}) + "\n" for r in rows)
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True).stdout
    data = []
    for row, line in zip(rows, out.splitlines()):
        answer = json.loads(line)
        # Refused with the model off: by a rule the model does not move.
        x = [answer["signals"][f] for f in FEATURES] if answer["answered"] else None
        passages = answer.get("passages") or []
        first = bool(passages) and correct(passages[0]["text"], row["gold"])
        # 0: unanswerable; 1: answerable, not answered first; 2: answered first.
        data.append((x, (2 if first else 1) if row["answerable"] else 0))
    return data


def norm(text):
    return " ".join(text.split()).lower()


def correct(text, gold):
    """The contract's rule (../shared/eval/README.md): the passage holds a
    gold snippet and is at most 300 characters long."""
    return len(norm(text)) <= 300 and any(norm(g) in norm(text) for g in gold)


def accuracy(model, data):
    """The share of questions handled right: an answerable one answered
    with the answer first, an unanswerable one refused."""
    right = sum(1 for x, y in data if (y == 2 and answered(model, x)) or (y == 0 and not answered(model, x)))
    return right / max(1, len(data))


def bias_for_accuracy(weights, data):
    """The bias (cut) that handles the most questions right on `data`."""
    margins = sorted({sum(w * xi for w, xi in zip(weights, x)) for x, _ in data if x is not None})
    cuts = [(a + b) / 2 for a, b in zip(margins, margins[1:])] or [0.0]
    return max((-c for c in cuts), key=lambda b: (round(accuracy((weights, b), data), 9), b))


def solve(a, b):
    """Solves a x = b by Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[col][col] != 0.0:
                f = m[r][col] / m[col][col]
                m[r] = [vr - f * vc for vr, vc in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(data, lam, steps=50):
    """Balanced, L2-regularised logistic regression by Newton's method.

    Returns (weights, bias); the bias is not regularised."""
    data = [([1.0] + x, y) for x, y in data if x is not None]
    n_pos = sum(1 for _, y in data if y) or 1
    n_neg = sum(1 for _, y in data if not y) or 1
    k = len(FEATURES) + 1
    beta = [0.0] * k
    for _ in range(steps):
        grad = [0.0 if i == 0 else lam * beta[i] for i in range(k)]
        hess = [[(lam if i == j and i > 0 else 0.0) for j in range(k)] for i in range(k)]
        for x, y in data:
            z = sum(bi * xi for bi, xi in zip(beta, x))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            weight = 0.5 / (n_pos if y else n_neg)
            err = weight * (p - (1.0 if y else 0.0))
            curve = weight * p * (1.0 - p)
            for i in range(k):
                grad[i] += err * x[i]
                for j in range(k):
                    hess[i][j] += curve * x[i] * x[j]
        step = solve(hess, grad)
        beta = [bi - si for bi, si in zip(beta, step)]
        if max(abs(si) for si in step) < 1e-9:
            break
    weights = beta[1:]
    # The cut that the regression's probabilities suggest is not the one
    # that best balances the two mistakes: choose the bias on the training
    # data by balanced accuracy itself.
    margins = sorted({sum(w * xi for w, xi in zip(weights, x[1:])) for x, _ in data})
    cuts = [(a + b) / 2 for a, b in zip(margins, margins[1:])] or [0.0]
    train = [(x[1:], y) for x, y in data]
    bias = max((-c for c in cuts), key=lambda b: (round(score((weights, b), train)[0], 9), -abs(b)))
    return weights, bias


def answered(model, x):
    if x is None:
        return False
    w, b = model
    return b + sum(wi * xi for wi, xi in zip(w, x)) >= 0.0


def score(model, data):
    pos = [x for x, y in data if y]
    neg = [x for x, y in data if not y]
    kept = sum(answered(model, x) for x in pos) / max(1, len(pos))
    refused = sum(not answered(model, x) for x in neg) / max(1, len(neg))
    return 0.5 * (kept + refused), kept, refused


def leave_one_out(by_doc, lam):
    results = {}
    for name, held in by_doc.items():
        train = [d for other, rows in by_doc.items() if other != name for d in rows]
        results[name] = score(fit(train, lam), held)
    return results


def restricted(by_doc, keep):
    """The data with only the features in `keep` (the others set to 0)."""
    return {
        name: [(None if x is None else [v if i in keep else 0.0 for i, v in enumerate(x)], y)
               for x, y in rows]
        for name, rows in by_doc.items()
    }


def main():
    by_doc = {}
    for name, path, pack in SETS:
        by_doc.setdefault(name, []).extend(answers(path, pack))
    # Which signals to use, by leave-one-document-out score at a middling
    # regularisation: every subset of up to three signals.
    subsets = [s for r in (1, 2, 3) for s in itertools.combinations(range(len(FEATURES)), r)]
    ranked = []
    for keep in subsets:
        results = leave_one_out(restricted(by_doc, set(keep)), 0.01)
        ranked.append((sum(r[0] for r in results.values()) / len(results), keep))
    ranked.sort(reverse=True)
    for mean, keep in ranked[:5]:
        print(f"signals {', '.join(FEATURES[i] for i in keep)}: leave-one-document-out {mean:.3f}")
    by_doc = restricted(by_doc, set(ranked[0][1]))
    every = [d for rows in by_doc.values() for d in rows]
    print(f"n={len(every)} questions over {len(by_doc)} documents")
    best = None
    for lam in LAMBDAS:
        results = leave_one_out(by_doc, lam)
        mean = sum(r[0] for r in results.values()) / len(results)
        line = "  ".join(f"{k} {v[0]:.3f} (answers {v[1]:.2f}, refuses {v[2]:.2f})"
                         for k, v in results.items())
        print(f"lambda={lam}: leave-one-document-out balanced accuracy {mean:.3f}: {line}")
        if best is None or mean > best[0]:
            best = (mean, lam)
    lam = best[1]
    rng = random.Random(7)
    pos = [d for d in every if d[1]]
    neg = [d for d in every if not d[1]]
    rng.shuffle(pos)
    rng.shuffle(neg)
    folds = [pos[i::5] + neg[i::5] for i in range(5)]
    cv = []
    for i, held in enumerate(folds):
        train = [d for j, f in enumerate(folds) if j != i for d in f]
        cv.append(score(fit(train, lam), held)[0])
    print(f"lambda={lam}: 5-fold cross-validated balanced accuracy {sum(cv) / len(cv):.3f}")
    # The weights rank questions by how answerable they look; where to cut
    # is a separate choice. Balanced accuracy weighs a false refusal like a
    # wrong answer to an unanswerable question, but students mostly ask what
    # the document answers, and a refused answerable question loses its
    # answer: the cut is the one that handles the most questions right,
    # chosen (and checked) the same leave-one-document-out way.
    print("cut for the most questions handled right, leave-one-document-out:")
    for name, held in by_doc.items():
        train = [d for other, rows in by_doc.items() if other != name for d in rows]
        w, _ = fit(train, lam)
        model = (w, bias_for_accuracy(w, train))
        pos = [d for d in held if d[1]]
        neg = [d for d in held if not d[1]]
        first = sum(1 for x, y in pos if y == 2 and answered(model, x)) / max(1, len(pos))
        false_refusals = sum(1 for x, _ in pos if not answered(model, x)) / max(1, len(pos))
        refused = sum(1 for x, _ in neg if not answered(model, x)) / max(1, len(neg))
        print(f"  {name}: handled right {accuracy(model, held):.3f}; r@1 {first:.3f}, "
              f"refuses {refused:.3f}, false refusals {false_refusals:.3f}")
    w, balanced_bias = fit(every, lam)
    total, kept, refused = score((w, balanced_bias), every)
    print(f"balanced cut on all tuning data: answers {kept:.3f} of answerable, refuses {refused:.3f} "
          f"of unanswerable (balanced {total:.3f})")
    b = bias_for_accuracy(w, every)
    total, kept, refused = score((w, b), every)
    print(f"chosen cut on all tuning data: handled right {accuracy((w, b), every):.3f}; answers "
          f"{kept:.3f} of answerable, refuses {refused:.3f} of unanswerable")
    print(f"const REFUSAL_BIAS: f64 = {b:.3f};")
    print("const REFUSAL_WEIGHTS: [f64; FEATURES] = [" + ", ".join(f"{x:.3f}" for x in w) + "];")
    print("// " + ", ".join(FEATURES))


if __name__ == "__main__":
    main()

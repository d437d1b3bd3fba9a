#!/usr/bin/env python3
"""Chooses the refusal thresholds of /ask by cross-validation on the blind
tuning sets.

Runs `lectern ask --json --stdin` over the tuning halves of both documents
with refusal switched off (thresholds 0), reads each answer's signals and
picks the two thresholds of the refusal rule

    answer when  coverage >= min_coverage  and  names >= min_names

(coverage: share of the question's informative weight the best sentence
covers; names: share of the names asked about that it holds) by 5-fold
cross-validation, stratified, fixed seed: in each fold the pair that scores
best on the other four folds is scored on the held-out one. The objective is
balanced accuracy (answerable questions answered, unanswerable ones
refused, weighted equally). The date and "how many" rules are applied as
in the program. Prints the cross-validated score and the pair chosen on all
tuning data, for MIN_COVERAGE and MIN_NAMES in src/study/answer.rs.

    python3 eval/fit_refusal.py [BINARY]

Standard library only. The test halves are never read here.
"""
import json
import random
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/lectern"
SETS = [
    ("eval/blind/ussr-tune.jsonl", None),
    ("eval/blind/wedgwood-tune.jsonl", "eval/packs/wedgwood"),
]
COVERAGE = [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6]
NAMES = [0.0, 0.25, 0.5, 0.75, 0.99]


def answers(path, pack):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    params = json.dumps({"min_coverage": 0.0, "min_names": 0.0})
    cmd = [BIN, "ask", "--json", "--stdin", "--top", "3", "--params", params]
    if pack:
        cmd += ["--pack", pack]
    stdin = "".join(json.dumps({"question": r["question"]}) + "\n" for r in rows)
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True).stdout
    data = []
    for row, line in zip(rows, out.splitlines()):
        answer = json.loads(line)
        # Refused with thresholds at 0: by a rule the thresholds do not move.
        signals = answer.get("signals") if answer["answered"] else None
        data.append((signals, row["answerable"]))
    return data


def answered(signals, coverage, names):
    return signals is not None and signals["coverage"] >= coverage and signals["names"] >= names


def balanced(data, coverage, names):
    pos = [s for s, y in data if y]
    neg = [s for s, y in data if not y]
    kept = sum(answered(s, coverage, names) for s in pos) / max(1, len(pos))
    refused = sum(not answered(s, coverage, names) for s in neg) / max(1, len(neg))
    return 0.5 * (kept + refused), kept, refused


def choose(data):
    return max(
        ((c, n) for c in COVERAGE for n in NAMES),
        key=lambda p: (round(balanced(data, *p)[0], 6), -abs(p[0] - 0.3)),
    )


def main():
    data = [d for path, pack in SETS for d in answers(path, pack)]
    rng = random.Random(7)
    pos = [d for d in data if d[1]]
    neg = [d for d in data if not d[1]]
    rng.shuffle(pos)
    rng.shuffle(neg)
    folds = [pos[i::5] + neg[i::5] for i in range(5)]
    scores = []
    for i, held in enumerate(folds):
        train = [d for j, f in enumerate(folds) if j != i for d in f]
        scores.append(balanced(held, *choose(train))[0])
    coverage, names = choose(data)
    score, kept, refused = balanced(data, coverage, names)
    print(f"n={len(data)}: 5-fold cross-validated balanced accuracy {sum(scores) / len(scores):.3f}")
    print(f"chosen on all tuning data: min_coverage={coverage} min_names={names}: "
          f"answers {kept:.3f} of answerable, refuses {refused:.3f} of unanswerable")


if __name__ == "__main__":
    main()

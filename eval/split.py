#!/usr/bin/env python3
"""Splits a blind question set into a tuning half and a test half.

Stratified by answerable, shuffled with a fixed seed, so the split is
reproducible and made before anyone looks at the questions:

    python3 eval/split.py SET.jsonl OUT-PREFIX
"""
import json
import random
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
rng = random.Random(20261130)
tune, test = [], []
for answerable in (True, False):
    group = [r for r in rows if r["answerable"] == answerable]
    rng.shuffle(group)
    half = len(group) // 2
    tune += group[:half]
    test += group[half:]
for name, part in (("tune", tune), ("test", test)):
    part.sort(key=lambda r: r["id"])
    with open(f"{sys.argv[2]}-{name}.jsonl", "w") as f:
        for r in part:
            f.write(json.dumps(r) + "\n")
    print(f"{sys.argv[2]}-{name}.jsonl: {len(part)}")

"""Scores a round-5 audit: python3 score.py DIR. Reads DIR/key.jsonl and
DIR/verdict-DOC.md (rows `| id | 1 | 2 | 3 | 4 | 5 | reasons |`). Ids are
read per document (two documents may share an initial)."""
import collections
import glob
import json
import re
import sys

d = sys.argv[1]
key = {(k["doc"], k["qid"]): k for k in map(json.loads, open(f"{d}/key.jsonl"))}
res = {}
for path in glob.glob(f"{d}/verdict-*.md"):
    doc = re.fullmatch(r"verdict-(.+)\.md", path.split("/")[-1]).group(1)
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and re.fullmatch(r"[A-Z]+\d+", cells[0]):
            res[(doc, cells[0])] = [c.upper().startswith("P") for c in cells[1:6]]
print(len(res), "judged of", len(key))
arms = sorted({a for k in key.values() for a in k["arms"]})
totals = collections.defaultdict(lambda: [0, 0])
print("| document | arm | questions | all five | correct / unambiguous / wrong choices / natural / worth |")
print("|---|---|---|---|---|")
for doc in sorted({k["doc"] for k in key.values()}):
    for arm in arms:
        qs = [q for q, k in key.items() if k["doc"] == doc and arm in k["arms"] and q in res]
        if not qs:
            continue
        allp = sum(all(res[q]) for q in qs)
        totals[arm][0] += allp
        totals[arm][1] += len(qs)
        per = [sum(res[q][i] for q in qs) for i in range(5)]
        print(f"| {doc} | {arm} | {len(qs)} | {allp} ({allp / len(qs):.0%}) | {' / '.join(map(str, per))} |")
for arm, (p, n) in totals.items():
    print(f"| all | {arm} | {n} | {p} ({p / n:.0%}) | |")

"""Builds a blind A/B quiz audit: ten-question quizzes from two builds of
Lectern (arms), on several packs and seeds; identical questions merged, the
rest shuffled together, so a judge cannot tell the arms apart.

    python3 make.py OUT_DIR ARM=BINARY ARM=BINARY -- DOC=PACK_DIR... --seeds 51,52,53,54

Writes OUT_DIR/questions-DOC.md (what the judge sees) and OUT_DIR/key.jsonl
(which arm made each question; never shown to the judge).
"""

import json
import random
import subprocess
import sys


def main():
    args = sys.argv[1:]
    out = args.pop(0)
    split = args.index("--")
    arms = dict(a.split("=", 1) for a in args[:split])
    rest = args[split + 1 :]
    seeds = [int(s) for s in rest[rest.index("--seeds") + 1].split(",")]
    docs = dict(a.split("=", 1) for a in rest[: rest.index("--seeds")])
    keys = []
    for doc, pack in docs.items():
        merged = {}
        for arm, binary in arms.items():
            for seed in seeds:
                raw = subprocess.run(
                    [binary, "quiz", "generate", "--pack", pack, "--count", "10",
                     "--seed", str(seed), "--json"],
                    check=True, capture_output=True, text=True).stdout
                for q in json.loads(raw):
                    text = q["question"] + "\n" + "\n".join(q["choices"])
                    slot = merged.setdefault(text, {"q": q, "arms": set()})
                    slot["arms"].add(arm)
        items = list(merged.values())
        random.Random(doc).shuffle(items)
        prefix = doc[0].upper()
        lines = [f"## Document {doc} ({len(items)} questions)", ""]
        for n, item in enumerate(items, 1):
            q = item["q"]
            qid = f"{prefix}{n}"
            lines += [f"### {qid}", q["question"], ""]
            for i, choice in enumerate(q["choices"]):
                mark = " (marked answer)" if i == q["answer_index"] else ""
                lines.append(f"- {chr(65 + i)}) {choice}{mark}")
            if not q["choices"]:
                lines.append(f"- typed answer: {q['answers'][0]} (marked answer)")
            lines.append("")
            keys.append({"qid": qid, "doc": doc, "arms": sorted(item["arms"]), "kind": q["kind"]})
        with open(f"{out}/questions-{doc}.md", "w") as f:
            f.write("\n".join(lines))
    with open(f"{out}/key.jsonl", "w") as f:
        for k in keys:
            f.write(json.dumps(k) + "\n")


if __name__ == "__main__":
    main()

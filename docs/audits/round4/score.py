import json,re,collections,sys
name=sys.argv[1]
key={}
for l in open(f"{name}/key.jsonl"):
    k=json.loads(l); key[k["qid"]]=k
res={}
for d in ["essay","wedgwood","volcanoes"]:
    for line in open(f"{name}/verdict-{d}.md"):
        cells=[c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells)>=6 and re.fullmatch(r"[EWV]\d+",cells[0]):
            res[cells[0]]=[c.upper().startswith("P") for c in cells[1:6]]
print(len(res),"judged of",len(key))
for d in ["essay","wedgwood","volcanoes"]:
    for arm in ["main","quiz3"]:
        qs=[q for q,k in key.items() if k["doc"]==d and arm in k["arms"] and q in res]
        allp=sum(all(res[q]) for q in qs)
        per=[sum(res[q][i] for q in qs) for i in range(5)]
        print(f"| {d} | {arm} | {len(qs)} | {allp} ({allp/len(qs):.0%}) | {' / '.join(str(p) for p in per)} |")
    bykind=collections.defaultdict(lambda:[0,0])
    for q,k in key.items():
        if k["doc"]==d and "quiz3" in k["arms"] and q in res:
            bykind[k["kind"]][0]+=all(res[q]); bykind[k["kind"]][1]+=1
    print("   quiz3 by kind:",dict(bykind))

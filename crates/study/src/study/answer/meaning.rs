//! Whole-sentence meaning from a sentence encoder (all-MiniLM-L6-v2, in the
//! `lectern-encoder` crate): the question and the best few candidate
//! passages are encoded, and their cosine reranks the candidates and tells
//! the refusal model how well the best one answers in meaning, not only in
//! words ("keen on a canal" / "a leading supporter of the canal").
//!
//! Passage vectors are computed ahead of questions, not on their path: the
//! index loads them from a file in the cache folder keyed by a hash of the
//! passages and the encoder ([`PassageCache`]), or, the first time a
//! document is seen, encodes every passage in batches and writes that file
//! — while the index is built for a short document, on a background thread
//! for a long one. A question that arrives before that thread has reached
//! its candidates encodes them itself, as every question did before. A
//! passage's vector is the same whichever path computed it, up to float
//! rounding in the last bits (the batch it shares decides how many rows
//! the GEMM sees), as it already was when passages were encoded lazily in
//! batches of candidates.
//!
//! This module owns the vectors and their file; it must not decide
//! rankings (that is `answer.rs`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};

use lectern_encoder::Encoder;

/// Passages encoded together by the background thread: enough to share
/// the matrix products, few enough that a question's own encodes of
/// passages not reached yet rarely wait long behind a batch.
const BACKGROUND_BATCH: usize = 32;
/// Documents of at most this many passages (a handout, the bundled essay)
/// are encoded while the index is built, in well under a second, so that
/// even a one-shot `lectern ask` writes the cache file before it exits;
/// longer ones in the background.
const ENCODE_INLINE: usize = 400;
/// The cache file's first bytes and layout version.
const MAGIC: &[u8; 8] = b"LECTPVEC";
const FORMAT: u32 = 1;
/// Magic, format, dims, count, content key, payload hash.
const HEADER_LEN: usize = 8 + 4 + 4 + 4 + 32 + 32;

/// Where passage vectors are kept between runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassageCache {
    /// In this folder (created when first written).
    At(PathBuf),
    /// Not on disk: every run encodes its passages again (in the
    /// background).
    Off,
}

impl PassageCache {
    /// `passage-vectors` in the user's cache folder (`$XDG_CACHE_HOME/lectern`,
    /// else `~/.cache/lectern` on Linux; set `XDG_CACHE_HOME` to move it).
    /// Not a `LECTERN_*` variable: those are the configuration's, which
    /// rejects unknown keys.
    pub fn from_environment() -> Self {
        directories::ProjectDirs::from("", "", "lectern").map_or(PassageCache::Off, |dirs| {
            PassageCache::At(dirs.cache_dir().join("passage-vectors"))
        })
    }

    fn file_for(&self, key: &[u8; 32]) -> Option<PathBuf> {
        match self {
            PassageCache::At(dir) => Some(dir.join(format!("{}.vec", hex(key)))),
            PassageCache::Off => None,
        }
    }
}

/// How the passage vectors of an index came to be, for benches and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorSource {
    /// Read from the cache file.
    Cache,
    /// Being (or been) encoded by the background thread.
    Encoded,
}

/// One vector per passage, each set once by whichever path computes it
/// first.
struct Table {
    vectors: Vec<OnceLock<Box<[f32]>>>,
    /// Set when the background thread has finished (or stopped).
    done: Mutex<bool>,
    finished: Condvar,
    /// Asks the background thread to stop (the index was dropped).
    stop: AtomicBool,
}

impl Table {
    fn new(len: usize) -> Self {
        Table {
            vectors: (0..len).map(|_| OnceLock::new()).collect(),
            done: Mutex::new(false),
            finished: Condvar::new(),
            stop: AtomicBool::new(false),
        }
    }

    fn finish(&self) {
        *self.done.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.finished.notify_all();
    }
}

/// The passages' encoder vectors.
pub(super) struct Meanings {
    table: Arc<Table>,
    source: VectorSource,
}

impl std::fmt::Debug for Meanings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = self.table.vectors.iter().filter(|v| v.get().is_some());
        f.debug_struct("Meanings")
            .field("passages", &self.table.vectors.len())
            .field("encoded", &known.count())
            .field("source", &self.source)
            .finish()
    }
}

impl Drop for Meanings {
    fn drop(&mut self) {
        self.table.stop.store(true, Ordering::Relaxed);
    }
}

impl Meanings {
    /// The vectors of `passages`: from the cache file when it holds them,
    /// else encoded by a background thread that then writes the file.
    /// With `encode` false (reranking turned off) nothing is computed.
    pub(super) fn start(passages: Arc<[String]>, cache: &PassageCache, encode: bool) -> Self {
        let table = Arc::new(Table::new(passages.len()));
        if !encode || passages.is_empty() {
            table.finish();
            return Meanings {
                table,
                source: VectorSource::Encoded,
            };
        }
        let key = content_key(&passages);
        let file = cache.file_for(&key);
        if let Some(file) = &file {
            match read_cache(file, &key, passages.len(), Encoder::global().dims()) {
                Ok(Some(vectors)) => {
                    for (slot, vector) in table.vectors.iter().zip(vectors) {
                        // The table is new: every slot is empty.
                        let _ = slot.set(vector);
                    }
                    table.finish();
                    return Meanings {
                        table,
                        source: VectorSource::Cache,
                    };
                }
                Ok(None) => {}
                Err(reason) => {
                    tracing::warn!(file = %file.display(), %reason, "passage vector cache unusable; rebuilding it");
                }
            }
        }
        if passages.len() <= ENCODE_INLINE {
            encode_all(&table, &passages, file.as_deref(), &key);
            return Meanings {
                table,
                source: VectorSource::Encoded,
            };
        }
        let background = Arc::clone(&table);
        let spawned = std::thread::Builder::new()
            .name("passage-vectors".into())
            .spawn(move || encode_all(&background, &passages, file.as_deref(), &key));
        if let Err(error) = spawned {
            // Questions still get their candidates encoded on demand.
            tracing::warn!(%error, "could not start the passage encoder thread");
            table.finish();
        }
        Meanings {
            table,
            source: VectorSource::Encoded,
        }
    }

    /// Where the vectors came from.
    pub(super) fn source(&self) -> VectorSource {
        self.source
    }

    /// Blocks until every passage has its vector (or the background thread
    /// has stopped).
    pub(super) fn wait(&self) {
        let mut done = self
            .table
            .done
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while !*done {
            done = self
                .table
                .finished
                .wait(done)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Whether every passage has its vector.
    pub(super) fn ready(&self) -> bool {
        self.table.vectors.iter().all(|v| v.get().is_some())
    }

    /// The encoder's vector for a question.
    pub(super) fn of_question(question: &str) -> Vec<f32> {
        Encoder::global().encode(question)
    }

    /// Cosines of `question` with the passages `indices` (sentence indices
    /// whose quoted text is `quote(index)`), in order. Passages the
    /// background thread has not reached yet are encoded here.
    pub(super) fn cosines(
        &self,
        question: &[f32],
        indices: &[usize],
        quote: impl Fn(usize) -> String,
    ) -> Vec<f64> {
        let slot = |i: usize| self.table.vectors.get(i);
        let mut missing: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|&i| slot(i).is_some_and(|s| s.get().is_none()))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            let texts: Vec<String> = missing.iter().map(|&i| quote(i)).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let vectors = Encoder::global().encode_batch(&refs);
            for (i, vector) in missing.into_iter().zip(vectors) {
                if let Some(slot) = slot(i) {
                    // Set by the background thread meanwhile: keep that one.
                    let _ = slot.set(vector.into_boxed_slice());
                }
            }
        }
        indices
            .iter()
            .map(|&i| {
                slot(i).and_then(OnceLock::get).map_or(0.0, |v| {
                    f64::from(v.iter().zip(question).map(|(a, b)| a * b).sum::<f32>())
                })
            })
            .collect()
    }
}

/// The background thread (or the index build, for a short document):
/// encodes every passage not yet encoded, in
/// order and in batches, then writes the cache file.
fn encode_all(table: &Table, passages: &[String], file: Option<&Path>, key: &[u8; 32]) {
    let encoder = Encoder::global();
    let mut start = 0;
    while start < passages.len() {
        if table.stop.load(Ordering::Relaxed) {
            table.finish();
            return;
        }
        let end = (start + BACKGROUND_BATCH).min(passages.len());
        let todo: Vec<usize> = (start..end)
            .filter(|&i| table.vectors[i].get().is_none())
            .collect();
        if !todo.is_empty() {
            let texts: Vec<&str> = todo.iter().map(|&i| passages[i].as_str()).collect();
            for (i, vector) in todo.into_iter().zip(encoder.encode_batch(&texts)) {
                let _ = table.vectors[i].set(vector.into_boxed_slice());
            }
        }
        start = end;
    }
    if let Some(file) = file {
        let vectors: Vec<&[f32]> = table
            .vectors
            .iter()
            .filter_map(|v| v.get().map(|v| &v[..]))
            .collect();
        if vectors.len() == passages.len()
            && let Err(error) = write_cache(file, key, encoder.dims(), &vectors)
        {
            tracing::warn!(file = %file.display(), %error, "could not write the passage vector cache");
        }
    }
    table.finish();
}

/// The cache key: the encoder (its weights and arithmetic) and every
/// passage's text, in order.
fn content_key(passages: &[String]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"lectern passage vectors\0");
    hasher.update(Encoder::fingerprint());
    hasher.update(&(passages.len() as u64).to_le_bytes());
    for passage in passages {
        hasher.update(&(passage.len() as u64).to_le_bytes());
        hasher.update(passage.as_bytes());
    }
    *hasher.finalize().as_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the cache file: `Ok(None)` when there is none, `Err` (the
/// reason) when it is there but unusable — truncated, from another
/// format, encoder or document, or its payload does not match its hash.
fn read_cache(
    file: &Path,
    key: &[u8; 32],
    count: usize,
    dims: usize,
) -> Result<Option<Vec<Box<[f32]>>>, String> {
    let bytes = match fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.to_string()),
    };
    let expected = count
        .checked_mul(dims)
        .and_then(|n| n.checked_mul(4))
        .and_then(|n| n.checked_add(HEADER_LEN))
        .ok_or("too many passages")?;
    if bytes.len() != expected {
        return Err(format!("{} bytes, expected {expected}", bytes.len()));
    }
    let (header, payload) = bytes.split_at(HEADER_LEN);
    let u32_at = |at: usize| {
        header
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes) as usize
    };
    if &header[..8] != MAGIC || u32_at(8) != FORMAT as usize {
        return Err("not a passage vector file of this format".into());
    }
    if u32_at(12) != dims || u32_at(16) != count || &header[20..52] != key {
        return Err("written for another document or encoder".into());
    }
    if &header[52..84] != blake3::hash(payload).as_bytes() {
        return Err("payload does not match its hash".into());
    }
    let vectors = payload
        .chunks_exact(dims * 4)
        .map(|row| {
            row.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect::<Box<[f32]>>()
        })
        .collect();
    Ok(Some(vectors))
}

/// Writes the cache file whole under a temporary name, then renames it
/// into place, so a reader never sees half a file (and a crash leaves
/// only a stray temporary).
fn write_cache(
    file: &Path,
    key: &[u8; 32],
    dims: usize,
    vectors: &[&[f32]],
) -> std::io::Result<()> {
    let to_u32 = |n: usize| {
        u32::try_from(n).map_err(|_| std::io::Error::other("too many passages for the cache"))
    };
    let mut payload = Vec::with_capacity(vectors.len() * dims * 4);
    for vector in vectors {
        for v in *vector {
            payload.extend_from_slice(&v.to_le_bytes());
        }
    }
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&to_u32(dims)?.to_le_bytes());
    out.extend_from_slice(&to_u32(vectors.len())?.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(blake3::hash(&payload).as_bytes());
    out.extend_from_slice(&payload);
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    let temporary = file.with_extension(format!("tmp{}", std::process::id()));
    let written = fs::File::create(&temporary).and_then(|mut f| {
        f.write_all(&out)?;
        f.sync_all()
    });
    match written.and_then(|()| fs::rename(&temporary, file)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = fs::remove_file(&temporary);
            Err(error)
        }
    }
}

//! The BERT uncased tokenizer: the basic tokenizer (clean, CJK split,
//! accent strip, lowercase, whitespace and punctuation split) then greedy
//! longest-match WordPiece, as the `tokenizers` library's `BertNormalizer`,
//! `BertPreTokenizer` and `WordPiece` model do it.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::tables::{NONSPACING_MARK, OTHER, PUNCTUATION};

/// Words longer than this (in chars) become `[UNK]`.
const MAX_WORD_CHARS: usize = 100;

pub(crate) struct WordPiece {
    vocab: HashMap<String, u32>,
    pub(crate) unk: u32,
    pub(crate) cls: u32,
    pub(crate) sep: u32,
}

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

fn is_whitespace(c: char) -> bool {
    c.is_whitespace()
}

fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && in_table(OTHER, c)
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || in_table(PUNCTUATION, c)
}

fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F
        | 0x2B920..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

/// The normalised text: control characters dropped, whitespace made a space,
/// CJK characters padded with spaces, NFD with non-spacing marks dropped,
/// then lowercased.
pub(crate) fn normalize(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_chinese(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    let mut out = String::with_capacity(cleaned.len());
    if cleaned.is_ascii() {
        out.extend(cleaned.chars().map(|c| c.to_ascii_lowercase()));
        return out;
    }
    for c in cleaned.nfd() {
        if in_table(NONSPACING_MARK, c) {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Splits normalised text into words: on whitespace, and every punctuation
/// character is a word of its own.
fn pre_tokenize(text: &str, mut word: impl FnMut(&str)) {
    for chunk in text.split(is_whitespace) {
        let mut start = 0;
        for (i, c) in chunk.char_indices() {
            if is_punctuation(c) {
                if start < i {
                    word(&chunk[start..i]);
                }
                word(&chunk[i..i + c.len_utf8()]);
                start = i + c.len_utf8();
            }
        }
        if start < chunk.len() {
            word(&chunk[start..]);
        }
    }
}

impl WordPiece {
    pub(crate) fn new(tokens: &str) -> WordPiece {
        let vocab: HashMap<String, u32> = tokens
            .split('\n')
            .enumerate()
            .map(|(i, t)| (t.to_owned(), i as u32))
            .collect();
        let id = |t: &str| {
            *vocab
                .get(t)
                .unwrap_or_else(|| panic!("encoder asset: vocab has no {t}"))
        };
        let (unk, cls, sep) = (id("[UNK]"), id("[CLS]"), id("[SEP]"));
        WordPiece {
            vocab,
            unk,
            cls,
            sep,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.vocab.len()
    }

    /// Appends the WordPiece ids of one word.
    fn word(&self, word: &str, out: &mut Vec<u32>, piece: &mut String) {
        if word.chars().count() > MAX_WORD_CHARS {
            out.push(self.unk);
            return;
        }
        let mark = out.len();
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while start < end {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[start..end]);
                if let Some(&id) = self.vocab.get(piece.as_str()) {
                    found = Some(id);
                    break;
                }
                end -= 1;
                while !word.is_char_boundary(end) {
                    end -= 1;
                }
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out.truncate(mark);
                    out.push(self.unk);
                    return;
                }
            }
        }
    }

    /// `[CLS]`, the word pieces, `[SEP]`; at most `max_len` ids in all.
    pub(crate) fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let normalized = normalize(text);
        let mut ids = vec![self.cls];
        let mut piece = String::new();
        pre_tokenize(&normalized, |w| {
            if ids.len() < max_len {
                self.word(w, &mut ids, &mut piece);
            }
        });
        ids.truncate(max_len - 1);
        ids.push(self.sep);
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_bert() {
        assert_eq!(normalize("Café Naïve"), "cafe naive");
        assert_eq!(normalize("a\tb\u{0007}c"), "a bc");
        assert_eq!(normalize("東京"), " 東  京 ");
    }

    #[test]
    fn splits_punctuation() {
        let mut words = Vec::new();
        pre_tokenize("it's £500,000!", |w| words.push(w.to_owned()));
        assert_eq!(words, ["it", "'", "s", "£500", ",", "000", "!"]);
    }

    #[test]
    fn tables_are_sorted() {
        for table in [PUNCTUATION, OTHER, NONSPACING_MARK] {
            assert!(table.windows(2).all(|w| w[0].1 < w[1].0));
        }
    }
}

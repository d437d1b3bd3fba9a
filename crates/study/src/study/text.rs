//! Text normalisation shared by indexing and querying, so that a student's
//! "Collectivisaton", "collectivization" and the document's
//! "collectivisation" meet on the same term.
//!
//! The pipeline: Unicode compatibility decomposition, accents dropped, case
//! folded; split into words (digits with thousands separators kept whole);
//! number words read as numbers ("one hundred thousand" and "100k" become
//! `100000`); British spellings mapped to American (-isation, -our, -tre);
//! then the Snowball English stemmer. Pure functions, no I/O.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// A word of text after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised, stemmed term used for matching.
    pub term: String,
    /// The folded surface word(s) it came from (for highlighting and typos).
    pub surface: String,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    /// Whether the word is a number (digits or number words).
    pub is_number: bool,
    pub is_stopword: bool,
}

/// Lowercases and strips accents ("Zinóviev" -> "zinoviev").
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Raw words of `text` with byte offsets. A word is a run of letters and
/// digits; an apostrophe inside a word is dropped ("stalin's" -> "stalins"),
/// and commas or dots between digits are kept ("10,000", "2.5").
fn words(text: &str) -> Vec<(usize, usize, String)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut result = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        let mut word = String::new();
        while i < chars.len() {
            let c = chars[i].1;
            let next_alnum = chars.get(i + 1).is_some_and(|&(_, n)| n.is_alphanumeric());
            let next_digit = chars.get(i + 1).is_some_and(|&(_, n)| n.is_ascii_digit());
            let prev_digit = i > 0 && chars[i - 1].1.is_ascii_digit();
            if c.is_alphanumeric() {
                word.push(c);
            } else if matches!(c, '\'' | '’') && next_alnum && !word.is_empty() {
                // stalin's -> stalins: drop the apostrophe, keep the word whole.
            } else if matches!(c, ',' | '.') && prev_digit && next_digit {
                if c == '.' {
                    word.push('.');
                }
            } else {
                break;
            }
            i += 1;
        }
        let end = chars.get(i).map_or(text.len(), |&(p, _)| p);
        result.push((start, end, fold(&word)));
    }
    result
}

/// Tokenises and normalises `text`. Stopwords are kept but flagged, so
/// callers can decide (phrases and question intent need them).
pub fn tokenize(text: &str) -> Vec<Token> {
    let raw = words(text);
    let mut tokens = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if let Some((value, used)) = read_number(&raw[i..]) {
            let surface = raw[i..i + used]
                .iter()
                .map(|(_, _, w)| w.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            tokens.push(Token {
                term: value,
                surface,
                start: raw[i].0,
                end: raw[i + used - 1].1,
                is_number: true,
                is_stopword: false,
            });
            i += used;
            continue;
        }
        let (start, end, word) = &raw[i];
        tokens.push(Token {
            term: normalize_word(word),
            surface: word.clone(),
            start: *start,
            end: *end,
            is_number: false,
            is_stopword: is_stopword(word),
        });
        i += 1;
    }
    tokens
}

/// The content terms of `text`: normalised, stopwords removed.
pub fn content_terms(text: &str) -> Vec<String> {
    tokenize(text)
        .into_iter()
        .filter(|t| !t.is_stopword)
        .map(|t| t.term)
        .collect()
}

/// Bytes of words and terms the per-thread cache in [`normalize_word`] may
/// hold before it starts again (a few MB per thread, whatever the input).
const WORD_CACHE_BYTES: usize = 4 << 20;

/// Words longer than this are not cached: no real word is, and a hostile
/// "word" must not fill the cache.
const CACHED_WORD_MAX: usize = 64;

thread_local! {
    /// `normalize_word`'s memo and the bytes it holds.
    static WORD_CACHE: std::cell::RefCell<(std::collections::HashMap<String, String>, usize)> =
        std::cell::RefCell::new((std::collections::HashMap::new(), 0));
}

/// Normalises one folded word: spelling variants, then stemming.
///
/// Memoised per thread: a book repeats its vocabulary, and stemming is the
/// costliest step of indexing. The memo is bounded by bytes
/// ([`WORD_CACHE_BYTES`]), not by count.
pub fn normalize_word(word: &str) -> String {
    if word.len() > CACHED_WORD_MAX {
        return STEMMER.stem(&americanize(word)).into_owned();
    }
    WORD_CACHE.with(|cache| {
        if let Some(term) = cache.borrow().0.get(word) {
            return term.clone();
        }
        let term = STEMMER.stem(&americanize(word)).into_owned();
        let mut cache = cache.borrow_mut();
        // Each entry: both strings plus the map's own per-entry cost.
        let cost = word.len() + term.len() + 64;
        if cache.1 + cost > WORD_CACHE_BYTES {
            cache.0.clear();
            cache.1 = 0;
        }
        cache.0.insert(word.to_string(), term.clone());
        cache.1 += cost;
        term
    })
}

/// Bytes the calling thread's word cache holds now.
#[cfg(test)]
fn word_cache_bytes() -> usize {
    WORD_CACHE.with(|cache| cache.borrow().1)
}

/// Maps common British spellings to American ones so both meet.
pub fn americanize(word: &str) -> String {
    const ISE_EXCEPTIONS: &[&str] = &[
        "advise",
        "apprise",
        "chastise",
        "comprise",
        "compromise",
        "concise",
        "demise",
        "despise",
        "devise",
        "disguise",
        "enterprise",
        "exercise",
        "expertise",
        "franchise",
        "improvise",
        "merchandise",
        "otherwise",
        "likewise",
        "paradise",
        "precise",
        "premise",
        "promise",
        "revise",
        "supervise",
        "surmise",
        "surprise",
        "televise",
        "treatise",
        "clockwise",
        "incise",
        "excise",
        "noise",
        "praise",
        "raise",
        "cruise",
        "bruise",
        "poise",
        "arise",
        "rise",
        "wise",
        "guise",
        "reprise",
    ];
    const OUR_EXCEPTIONS: &[&str] = &["devour", "contour", "amour", "tambour", "troubadour"];
    let endings = [
        ("isations", "izations"),
        ("isation", "ization"),
        ("ising", "izing"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("iser", "izer"),
        ("ise", "ize"),
    ];
    for (british, american) in endings {
        if let Some(stem) = word.strip_suffix(british) {
            let base = format!("{stem}ise");
            let base_e = format!("{stem}is");
            let excepted = ISE_EXCEPTIONS
                .iter()
                .any(|e| base.ends_with(e) || base_e == *e);
            if stem.chars().count() >= 3 && !excepted {
                return format!("{stem}{american}");
            }
            break;
        }
    }
    for (british, american) in [
        ("ours", "ors"),
        ("oured", "ored"),
        ("ouring", "oring"),
        ("ourite", "orite"),
        ("our", "or"),
    ] {
        if let Some(stem) = word.strip_suffix(british) {
            let base = format!("{stem}our");
            if stem.chars().count() >= 3 && !OUR_EXCEPTIONS.iter().any(|e| base.ends_with(e)) {
                return format!("{stem}{american}");
            }
            break;
        }
    }
    for (british, american) in [
        ("tres", "ters"),
        ("tre", "ter"),
        ("bres", "bers"),
        ("bre", "ber"),
    ] {
        if let Some(stem) = word.strip_suffix(british)
            && stem.chars().count() >= 2
        {
            return format!("{stem}{american}");
        }
    }
    word.to_string()
}

const UNITS: &[(&str, u64)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

const SCALES: &[(&str, u64)] = &[
    ("hundred", 100),
    ("thousand", 1_000),
    ("million", 1_000_000),
    ("billion", 1_000_000_000),
];

/// Whether a folded word is a number word ("seven", "forty", "hundreds").
pub fn is_number_word(word: &str) -> bool {
    unit_value(word).is_some() || scale_value(word).is_some()
}

fn unit_value(word: &str) -> Option<u64> {
    UNITS.iter().find(|(w, _)| *w == word).map(|&(_, v)| v)
}

fn scale_value(word: &str) -> Option<u64> {
    let singular = word.strip_suffix('s').unwrap_or(word);
    SCALES.iter().find(|(w, _)| *w == singular).map(|&(_, v)| v)
}

/// Parses digits, "100k"/"2m" shorthands and decimal numbers.
fn numeral_value(word: &str) -> Option<String> {
    let (digits, multiplier) = match word.char_indices().last() {
        Some((at, 'k')) => (&word[..at], 1_000.0),
        Some((at, 'm')) if at > 0 => (&word[..at], 1_000_000.0),
        _ => (word, 1.0),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if multiplier == 1.0 {
        let trimmed = digits.trim_start_matches('0');
        return Some(if trimmed.is_empty() || trimmed.starts_with('.') {
            format!("0{trimmed}")
        } else {
            trimmed.to_string()
        });
    }
    let value: f64 = digits.parse().ok()?;
    Some(format!("{}", (value * multiplier).round() as u64))
}

/// Reads a number at the start of `words` and returns it as digits with how
/// many words it used: "ten thousand" -> ("10000", 2), "10,000" -> ("10000", 1),
/// "one hundred and fifty" -> ("150", 4), "2 million" -> ("2000000", 2).
pub(crate) fn read_number(words: &[(usize, usize, String)]) -> Option<(String, usize)> {
    let first = &words.first()?.2;
    if let Some(value) = numeral_value(first) {
        // "2 million", "10 thousand"
        if let Some(scale) = words.get(1).and_then(|w| scale_value(&w.2))
            && let Some(scaled) = value.parse::<u64>().ok().and_then(|n| n.checked_mul(scale))
        {
            return Some((scaled.to_string(), 2));
        }
        return Some((value, 1));
    }
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    let mut used = 0;
    let mut any = false;
    let mut last_used = 0;
    while let Some((_, _, word)) = words.get(used) {
        // A number too large for u64 ends where it would overflow; the
        // words after it are read as words.
        if let Some(v) = unit_value(word) {
            let Some(sum) = current.checked_add(v) else {
                break;
            };
            current = sum;
            any = true;
        } else if let Some(scale) = scale_value(word) {
            if !(any || word == "hundred" || word == "thousand") {
                break;
            }
            let base = if current == 0 { 1 } else { current };
            let Some(scaled) = base.checked_mul(scale) else {
                break;
            };
            if scale == 100 {
                current = scaled;
            } else {
                let Some(sum) = total.checked_add(scaled) else {
                    break;
                };
                total = sum;
                current = 0;
            }
            any = true;
        } else if word == "and"
            && any
            && words
                .get(used + 1)
                .is_some_and(|w| unit_value(&w.2).is_some())
        {
            // "one hundred and fifty"
        } else if word == "a"
            && !any
            && words
                .get(used + 1)
                .is_some_and(|w| scale_value(&w.2).is_some())
        {
            // "a hundred", "a thousand"
        } else {
            break;
        }
        used += 1;
        if any {
            last_used = used;
        }
    }
    if !any {
        return None;
    }
    // A lone "one" is usually a pronoun ("the one who..."), not a number.
    if last_used == 1 && words[0].2 == "one" {
        return None;
    }
    Some((total.saturating_add(current).to_string(), last_used))
}

/// Common English words (the ISO stopword list, ~1,300 words such as "see",
/// "take", "usually", "purpose"): they may be in a question without being
/// its topic, so they weigh little when matching and when judging coverage.
/// Inflected forms count too ("existed" like "exist").
pub fn is_generic(word: &str) -> bool {
    static GENERIC: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
        stop_words::get(stop_words::LANGUAGE::English)
            .into_iter()
            .collect()
    });
    GENERIC.contains(word)
        || QUESTION_FRAME.contains(&word)
        || ["ed", "d", "ing", "es", "s"].iter().any(|suffix| {
            word.strip_suffix(suffix)
                .is_some_and(|base| base.len() >= 3 && GENERIC.contains(base))
        })
}

/// Nouns that name the kind of answer wanted rather than its topic
/// ("what was the purpose of...", "what were the effects of...").
const QUESTION_FRAME: &[&str] = &[
    "purpose",
    "purposes",
    "reason",
    "reasons",
    "cause",
    "causes",
    "effect",
    "effects",
    "result",
    "results",
    "impact",
    "impacts",
    "role",
    "aim",
    "aims",
    "goal",
    "goals",
    "consequence",
    "consequences",
    "significance",
    "importance",
    "example",
    "examples",
    "kind",
    "type",
    "way",
    "ways",
    "happen",
    "happened",
    "happens",
    "explain",
    "describe",
    "mean",
    "means",
    "meaning",
];

/// The months, in order, lowercase.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether a folded word is a month's name.
pub fn is_month(word: &str) -> bool {
    MONTHS.contains(&word)
}

/// English stopwords: function words that carry no topic.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

// Sorted for binary search (checked by a test).
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "aren",
    "arent",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cant",
    "could",
    "couldnt",
    "d",
    "did",
    "didnt",
    "do",
    "does",
    "doesnt",
    "doing",
    "dont",
    "down",
    "during",
    "each",
    "even",
    "ever",
    "few",
    "for",
    "from",
    "further",
    "get",
    "got",
    "had",
    "hadnt",
    "has",
    "hasnt",
    "have",
    "havent",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "isnt",
    "it",
    "its",
    "itself",
    "just",
    "ll",
    "m",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "re",
    "really",
    "s",
    "same",
    "shall",
    "she",
    "should",
    "shouldnt",
    "so",
    "some",
    "such",
    "t",
    "tell",
    "than",
    "that",
    "thats",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "ve",
    "very",
    "was",
    "wasnt",
    "we",
    "were",
    "werent",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whos",
    "why",
    "will",
    "with",
    "won",
    "would",
    "wouldnt",
    "you",
    "your",
    "yours",
    "yourself",
];

/// Damerau-Levenshtein (optimal string alignment) distance, bounded: returns
/// `None` as soon as the distance must exceed `max`.
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut previous2 = vec![0usize; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0usize; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(previous2[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut previous2, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= max).then_some(distance)
}

/// How many typos a word of this length may carry and still match.
pub fn allowed_typos(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_16_the_word_cache_is_bounded_by_bytes() {
        // About 190 bytes an entry: the cap is crossed after some 22,000.
        for i in 0..30_000 {
            let word = format!("{}{i}", "x".repeat(58));
            normalize_word(&word);
            assert!(word_cache_bytes() <= WORD_CACHE_BYTES);
        }
        let huge = "y".repeat(100_000);
        assert_eq!(normalize_word(&huge).len(), huge.len());
        assert!(word_cache_bytes() <= WORD_CACHE_BYTES);
        assert_eq!(normalize_word("running"), "run");
    }

    fn terms(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn stopword_list_is_sorted() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Zinóviev ÉCOLE"), "zinoviev ecole");
        assert_eq!(terms("KOLKHOZ"), terms("kolkhoz"));
    }

    #[test]
    fn british_and_american_spellings_meet() {
        assert_eq!(terms("collectivisation"), terms("collectivization"));
        assert_eq!(terms("industrialised"), terms("industrialized"));
        assert_eq!(terms("labour"), terms("labor"));
        assert_eq!(terms("centre"), terms("center"));
        assert_eq!(americanize("surprise"), "surprise");
        assert_eq!(americanize("four"), "four");
        assert_eq!(americanize("rise"), "rise");
    }

    #[test]
    fn stems_inflections_together() {
        assert_eq!(terms("executing"), terms("executed"));
        assert_eq!(terms("farms"), terms("farm"));
        assert_eq!(terms("lenin's"), terms("lenins"));
    }

    #[test]
    fn number_words_and_digits_meet() {
        assert_eq!(terms("one hundred thousand"), ["100000"]);
        assert_eq!(terms("100,000"), ["100000"]);
        assert_eq!(terms("100k"), ["100000"]);
        assert_eq!(terms("ten thousand died"), terms("10000 died"));
        assert_eq!(terms("one hundred and fifty"), ["150"]);
        assert_eq!(terms("about 20 miles"), terms("about twenty miles"));
        assert_eq!(terms("2 million"), ["2000000"]);
        assert_eq!(terms("a thousand"), ["1000"]);
        assert_eq!(terms("2.5"), ["2.5"]);
        // A lone "one" is a pronoun, not a number.
        assert_eq!(terms("the one who")[1], "one");
    }

    #[test]
    fn finding_6_number_words_too_large_for_u64_do_not_overflow() {
        let huge = tokenize("did 99999999999 billion people die");
        assert!(huge.iter().any(|t| t.term == "99999999999"), "{huge:?}");
        let text = format!("one hundred{}", " hundred".repeat(9));
        let tokens = tokenize(&text);
        assert!(tokens.iter().any(|t| t.is_number), "{tokens:?}");
        let text = format!("{} billion", " one hundred hundred hundred".repeat(6));
        let _ = tokenize(&text);
    }

    #[test]
    fn number_tokens_keep_their_span() {
        let text = "about one hundred thousand died";
        let tokens = tokenize(text);
        let number = tokens.iter().find(|t| t.is_number).unwrap();
        assert_eq!(&text[number.start..number.end], "one hundred thousand");
    }

    #[test]
    fn bounded_edit_distance_counts_transpositions_as_one() {
        assert_eq!(edit_distance_within("trotksy", "trotsky", 2), Some(1));
        assert_eq!(
            edit_distance_within("collectivisaton", "collectivisation", 2),
            Some(1)
        );
        assert_eq!(edit_distance_within("famin", "famine", 1), Some(1));
        assert_eq!(edit_distance_within("stalin", "lenin", 2), None);
        assert_eq!(edit_distance_within("", "abc", 3), Some(3));
    }

    #[test]
    fn short_words_get_no_typo_allowance() {
        assert_eq!(allowed_typos(4), 0);
        assert_eq!(allowed_typos(6), 1);
        assert_eq!(allowed_typos(10), 2);
    }
}

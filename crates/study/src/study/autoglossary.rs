//! A glossary made automatically from a document, for packs that have none:
//! the people, places, groups and key terms, found from capitalisation,
//! frequency, the words around each mention and general-English frequency
//! (see [`super::english`]). `lectern content glossary` prints it in the
//! `glossary.toml` format so a teacher can correct it and save it.
//!
//! The rules are general, never about a particular document:
//! - a name is a run of capitalised words ("Thomas Bentley", "Duke of
//!   Portland"); a capitalised word at a sentence start counts only when it
//!   is also capitalised inside a sentence, or is not common English;
//! - its kind comes from its last word ("... Canal" is a place, "... Society"
//!   a group, "... Plan" a term), a title ("Queen Charlotte" is a person), the
//!   words around its mentions ("born in X", "X was born", "X ... he") and
//!   the kind of the names listed with it ("Devon, Dorset and Cornwall");
//! - groups are plural nouns for people ("peasants", "rightists") that the
//!   document uses more than once; terms are words the document defines
//!   ("creamware, a cream-coloured earthenware") or repeats although they
//!   are rare in general English;
//! - a short name that is part of only one longer name ("Bentley", "Thomas
//!   Bentley") names the same thing, and so does an acronym with its
//!   spelled-out form.
//!
//! Reads only the document; linear in its length.

use std::collections::{HashMap, HashSet};

use crate::content::Document;
use crate::content::glossary::{EntryKind, Glossary};

use super::{english, text};

/// One word of a sentence: byte range and text.
#[derive(Debug, Clone)]
struct Word<'a> {
    text: &'a str,
    start: usize,
    /// Whether a double quote opened before it and has not closed.
    quoted: bool,
}

/// Words of a sentence: letters and digits, with inner hyphens and
/// apostrophes kept ("cream-coloured", "Queen's").
fn words(sentence: &str) -> Vec<Word<'_>> {
    let mut result = Vec::new();
    let mut quoted = false;
    let chars: Vec<(usize, char)> = sentence.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if matches!(c, '"' | '“' | '”') {
            quoted = match c {
                '“' => true,
                '”' => false,
                _ => !quoted,
            };
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = at;
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            let inner = matches!(c, '-' | '\'' | '’')
                && j > i
                && chars.get(j + 1).is_some_and(|&(_, n)| n.is_alphanumeric());
            if c.is_alphanumeric() || inner {
                j += 1;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(sentence.len(), |&(p, _)| p);
        result.push(Word {
            text: &sentence[start..end],
            start,
            quoted,
        });
        i = j;
    }
    result
}

/// Two or three plain capitalised words ("Gene Kranz", "Mary Ann Evans"):
/// the shape of a person's name, with no joiner, title or initial.
fn plain_name(parts: &[&str]) -> bool {
    // A particle inside ("Ferdinand de Lesseps") is part of a plain name.
    let inner =
        |i: usize, p: &&str| i > 0 && i + 1 < parts.len() && PARTICLES.contains(p) && *p != "the";
    let words = parts
        .iter()
        .enumerate()
        .filter(|(i, p)| !inner(*i, p))
        .count();
    (2..=3).contains(&words)
        && parts.iter().enumerate().all(|(i, p)| {
            inner(i, p)
                || p.chars().next().is_some_and(char::is_uppercase)
                    && p.chars().skip(1).all(|c| c.is_lowercase() || c == '-')
        })
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// "Wedgwood's" -> ("Wedgwood", true).
fn strip_possessive(word: &str) -> (&str, bool) {
    for suffix in ["'s", "’s"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            return (stem, true);
        }
    }
    (word, false)
}

/// Small words that may join the parts of one name ("Duke of Portland",
/// "Catherine the Great").
const NAME_JOINERS: &[&str] = &[
    "of", "the", "for", "de", "von", "van", "da", "du", "le", "la",
];

/// Joiners that are part of a person's name too ("Ferdinand de Lesseps",
/// "Wernher von Braun", "Catherine the Great"): they do not make a name a
/// thing's.
const PARTICLES: &[&str] = &["the", "de", "von", "van", "da", "du", "le", "la"];

/// Titles before a person's name.
pub(crate) const TITLES: &[&str] = &[
    "king",
    "queen",
    "prince",
    "princess",
    "duke",
    "duchess",
    "lord",
    "lady",
    "sir",
    "dame",
    "emperor",
    "empress",
    "tsar",
    "czar",
    "tsarina",
    "president",
    "general",
    "pope",
    "saint",
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "captain",
    "colonel",
    "bishop",
    "chancellor",
    "marshal",
    "professor",
    "admiral",
    "earl",
    "count",
    "countess",
    "baron",
    "father",
    "mother",
    "brother",
    "sister",
    "uncle",
    "aunt",
    "reverend",
    "senator",
    "governor",
    "mayor",
    "pharaoh",
];

/// Last words that make a name a place.
const PLACE_HEADS: &[&str] = &[
    "canal",
    "river",
    "street",
    "road",
    "square",
    "hall",
    "house",
    "works",
    "station",
    "bridge",
    "castle",
    "palace",
    "island",
    "islands",
    "mountains",
    "mountain",
    "sea",
    "ocean",
    "lake",
    "valley",
    "park",
    "city",
    "county",
    "bay",
    "port",
    "cathedral",
    "abbey",
    "union",
    "republic",
    "kingdom",
    "empire",
    "state",
    "states",
    "province",
    "region",
    "district",
    "coast",
    "forest",
    "desert",
    "metro",
    "railway",
    "potteries",
];

/// Last words that make a name a group.
const GROUP_HEADS: &[&str] = &[
    "society",
    "party",
    "company",
    "army",
    "navy",
    "parliament",
    "council",
    "committee",
    "association",
    "academy",
    "club",
    "government",
    "guild",
    "opposition",
    "league",
    "church",
    "firm",
    "family",
    "movement",
    "congress",
    "assembly",
    "court",
    "police",
    "bank",
    "school",
    "university",
    "college",
];

/// Last words that make a name a key term (an event, a law, a thing).
const TERM_HEADS: &[&str] = &[
    "plan",
    "policy",
    "act",
    "treaty",
    "pact",
    "revolution",
    "war",
    "service",
    "vase",
    "ware",
    "trade",
    "agreement",
    "law",
    "reform",
    "reforms",
    "era",
    "age",
    "period",
    "prize",
    "award",
    "tax",
    "battle",
    "crisis",
    "famine",
    "purge",
    "campaign",
    "programme",
    "program",
    "doctrine",
    "theory",
    "plot",
    "affair",
    "declaration",
    "constitution",
    "charter",
    "code",
];

/// Prepositions before a place ("born in X", "moved to X").
const PLACE_PREPOSITIONS: &[&str] = &[
    "in",
    "at",
    "near",
    "from",
    "to",
    "into",
    "across",
    "around",
    "throughout",
    "towards",
    "invade",
    "invaded",
    "visited",
    "reached",
];

/// Verbs after a person ("X was born", "X married").
const PERSON_VERBS: &[&str] = &[
    "born",
    "died",
    "married",
    "wrote",
    "said",
    "thought",
    "believed",
    "wanted",
    "decided",
    "ruled",
    "invented",
    "designed",
    "met",
    "joined",
    "announced",
    "introduced",
    "gathered",
    "started",
    "managed",
    "felt",
    "hoped",
    "feared",
    "argued",
    "claimed",
    "persuaded",
    "took",
    "became",
    "made",
    "changed",
    "founded",
    "himself",
    "herself",
];

/// Endings of plural nouns for people ("rightists", "peasants", "workers").
const PEOPLE_SUFFIXES: &[&str] = &[
    "ists", "ants", "ians", "ers", "ors", "ents", "ees", "ites", "ics", "ards",
];

/// Plural words with those endings that are not people.
const NOT_PEOPLE: &[&str] = &[
    "others",
    "letters",
    "numbers",
    "matters",
    "papers",
    "orders",
    "centers",
    "centres",
    "quarters",
    "borders",
    "waters",
    "powers",
    "towers",
    "layers",
    "corners",
    "weathers",
    "events",
    "moments",
    "elements",
    "comments",
    "documents",
    "governments",
    "payments",
    "movements",
    "instruments",
    "experiments",
    "improvements",
    "arrangements",
    "statements",
    "parents",
    "plants",
    "wants",
    "grants",
    "contents",
    "ornaments",
    "settlements",
    "ingredients",
    "figures",
    "answers",
    "chapters",
    "members",
    "layers",
    "offers",
    "computers",
    "markets",
    "factors",
    "colors",
    "colours",
    "doors",
    "floors",
    "errors",
    "mirrors",
    "tractors",
    "sectors",
    "ancestors",
    "ideas",
    "topics",
    "physics",
    "politics",
    "economics",
    "basics",
    "lyrics",
    "prayers",
    "sisters",
    "brothers",
    "fathers",
    "mothers",
    "daughters",
    "wares",
    "wonders",
    "disasters",
    "thousands",
    "hundreds",
    "millions",
    "towers",
    "shivers",
    "rivers",
    "banners",
];

/// Kind evidence for one name, summed over its mentions.
#[derive(Debug, Default, Clone)]
struct Evidence {
    person: f32,
    place: f32,
    mentions: usize,
    /// Mentions used as a modifier ("Latin words", "British houses").
    modifier: usize,
}

/// Capitalised words that are not names of anything in the text.
/// (Month names are also not names: see [`not_a_name`].)
const NOT_NAMES: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "i",
    "mr",
    "mrs",
    "dr",
    "st",
];

fn not_a_name(lower: &str) -> bool {
    text::is_month(lower) || NOT_NAMES.contains(&lower)
}

/// Words that open sentences without being names ("Today Wedgwood is ...").
const SENTENCE_ADVERBS: &[&str] = &[
    "today",
    "yesterday",
    "tomorrow",
    "nowadays",
    "afterwards",
    "recently",
    "sometimes",
    "often",
    "later",
    "finally",
    "eventually",
    "meanwhile",
    "however",
    "therefore",
    "moreover",
    "also",
    "still",
    "now",
    "then",
    "once",
    "soon",
    "instead",
    "indeed",
    "thus",
    "hence",
    "next",
    "first",
    "second",
    "third",
    "last",
    "another",
    "other",
    "many",
    "most",
    "some",
    "every",
    "each",
    "both",
    "all",
    "several",
    "such",
];

/// First words that make a name a place ("River Trent", "Mount Etna").
const PLACE_PREFIXES: &[&str] = &[
    "river", "lake", "mount", "port", "fort", "cape", "isle", "gulf", "loch", "north", "south",
    "east", "west", "new", "upper", "lower", "central",
];

/// Prepositions that open a sentence with a scene-setting phrase ("In
/// Britain, ...", "At Messina, ...").
const OPENING_PREPOSITIONS: &[&str] = &[
    "in",
    "at",
    "on",
    "from",
    "across",
    "throughout",
    "after",
    "before",
    "during",
    "by",
];

/// Least nearness in meaning of a name's last word to the sort nouns of
/// quiz generation (town, bridge, mill, ...) for it to name a sort of thing
/// rather than a family. Measured on the round-8 blind documents: heads of
/// things 0.24-0.34 ("works" 0.24, "tunnel" 0.31, "embankment" 0.33),
/// family names mostly 0.13-0.23 ("Farr" 0.13, "Koch" 0.22, "White"
/// 0.23); a family name that is also a word ("Young" 0.34, "Hunt" 0.28)
/// is missed and the name stays a term.
const SORT_NEARNESS: f32 = 0.24;

/// Builds a glossary from a document alone.
/// Key nouns are rarer than this in general English (Zipf: "magma" 3.0,
/// "famine" 3.7, "water" 5.5).
const KEY_NOUN_ZIPF: f32 = 4.0;

pub fn build(document: &Document) -> Glossary {
    let sentences = document.sentences();
    // How each lowercase word is written inside sentences.
    let mut lowercase_uses: HashMap<String, usize> = HashMap::new();
    let mut capital_uses: HashMap<String, usize> = HashMap::new();
    // Headings and the title are written in title case: their capitals
    // are not names ("A River Full of Sewage", "The Stone Today"). A name
    // in one is a name only where the body writes it.
    let headings = document.heading_passages();
    let split: Vec<Vec<Word<'_>>> = sentences
        .iter()
        .map(|s| {
            if headings.contains(&s.passage) {
                Vec::new()
            } else {
                words(&s.text)
            }
        })
        .collect();
    for sentence_words in &split {
        for word in sentence_words.iter().skip(1) {
            let (stem, _) = strip_possessive(word.text);
            if is_capitalised(stem) {
                *capital_uses.entry(stem.to_lowercase()).or_default() += 1;
            } else {
                *lowercase_uses.entry(stem.to_lowercase()).or_default() += 1;
            }
        }
    }
    // A word the document capitalises inside sentences more often than not
    // is a name there, however common it is in general English ("Thomas",
    // "Liverpool", "Hull"): the document's own capitals are the evidence.
    let capitalised_inside = |lower: &str| {
        let capital = capital_uses.get(lower).copied().unwrap_or(0);
        capital >= 1 && capital > lowercase_uses.get(lower).copied().unwrap_or(0)
    };
    // Common in general English and not capitalised as a name here.
    let common_word = |lower: &str| english::is_common(lower) && !capitalised_inside(lower);
    let is_name_word = |word: &str, first: bool| {
        let lower = word.to_lowercase();
        if !is_capitalised(word) || word.len() < 2 && word != "I" {
            return false;
        }
        if not_a_name(&lower) {
            return false;
        }
        if !first {
            // Capitalised inside a sentence: a name word unless it is a
            // function word ("If", "The" after a lost full stop).
            return !text::is_stopword(&lower) || word.chars().all(|c| c.is_uppercase());
        }
        // A sentence's first word is capitalised anyway: a name only when
        // the document also capitalises it inside sentences and never
        // writes it in lowercase.
        capital_uses.get(&lower).copied().unwrap_or(0) > 0
            && lowercase_uses.get(&lower).copied().unwrap_or(0) == 0
    };
    // A sentence's first word that opens a longer name ("Thomas Bentley
    // was ...", "Queen Charlotte ...") is part of it, however common a word
    // it is, unless the document writes it in lowercase or it is a function
    // word or sentence adverb.
    let opens_name = |first: &str, second: Option<&str>| {
        let lower = first.to_lowercase();
        is_capitalised(first)
            && !SENTENCE_ADVERBS.contains(&lower.as_str())
            && !text::is_stopword(&lower)
            && !not_a_name(&lower)
            && !lowercase_uses.contains_key(&lower)
            && second.is_some_and(|w| is_name_word(strip_possessive(w).0, false))
    };

    // 1. Names: runs of capitalised words, with their evidence.
    let mut names: Vec<String> = Vec::new();
    let mut evidence: HashMap<String, Evidence> = HashMap::new();
    // Names listed together ("A, B and C"), to share a kind.
    let mut listed_with: Vec<(String, String)> = Vec::new();
    for (index, sentence_words) in split.iter().enumerate() {
        let next_first = split
            .get(index + 1)
            .and_then(|w| w.first())
            .map(|w| w.text.to_lowercase());
        let mut runs: Vec<(usize, usize, String)> = Vec::new();
        let mut i = 0;
        while i < sentence_words.len() {
            let word = &sentence_words[i];
            let (stem, _) = strip_possessive(word.text);
            // "Sadly, Emmeline ...": a comma ends the opener; only a word
            // right before the next name word opens a longer name.
            let second = sentence_words.get(1).filter(|next| {
                let first = &sentence_words[0];
                sentences[index].text[first.start + first.text.len()..next.start]
                    .trim()
                    .is_empty()
            });
            let starts_name = i == 0 && opens_name(stem, second.map(|w| w.text)) && !word.quoted;
            if word.quoted || !(is_name_word(stem, i == 0) || starts_name) {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            let mut last_possessive = strip_possessive(word.text).1;
            while end < sentence_words.len() && !last_possessive {
                let next = &sentence_words[end];
                if next.quoted {
                    break;
                }
                let gap = &sentences[index].text[sentence_words[end - 1].start
                    + sentence_words[end - 1].text.len()
                    ..next.start];
                if !gap.trim().is_empty() {
                    break;
                }
                let (stem, possessive) = strip_possessive(next.text);
                // Capitalised right after a name word, a common word is part
                // of the name ("Bridgewater Canal", "Moscow Metro").
                // So does a roman numeral ("Saturn V", "Henry VIII").
                let numeral = stem.len() <= 4
                    && stem.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
                    && stem != "I";
                let continues_name = is_capitalised(stem)
                    && (stem.len() >= 2 || numeral)
                    && !not_a_name(&stem.to_lowercase())
                    && !text::is_stopword(&stem.to_lowercase());
                // A middle initial ("John F. Kennedy", "Franklin D.
                // Roosevelt") continues the name when a name word follows.
                let initial = stem.len() == 1 && stem.chars().all(|c| c.is_ascii_uppercase());
                if initial
                    && let Some(after) = sentence_words.get(end + 1)
                    && sentences[index].text.get(next.start + 1..after.start) == Some(". ")
                    && !after.quoted
                    && is_name_word(strip_possessive(after.text).0, false)
                {
                    end += 2;
                    last_possessive = strip_possessive(after.text).1;
                    continue;
                }
                if is_name_word(stem, false) || continues_name {
                    end += 1;
                    last_possessive = possessive;
                    continue;
                }
                // One or two joiners count only when a capitalised word
                // follows them ("Abolition of the Slave Trade").
                let joined = |from: usize, to: usize| {
                    sentences[index].text[sentence_words[from].start
                        + sentence_words[from].text.len()
                        ..sentence_words[to].start]
                        .trim()
                        .is_empty()
                };
                let joiners = (0..2)
                    .take_while(|k| {
                        sentence_words
                            .get(end + k)
                            .is_some_and(|w| NAME_JOINERS.contains(&w.text) && !w.quoted)
                    })
                    .count();
                let current_head = strip_possessive(sentence_words[end - 1].text)
                    .0
                    .to_lowercase();
                let head_done = [PLACE_HEADS, TERM_HEADS]
                    .iter()
                    .any(|heads| heads.contains(&current_head.as_str()));
                let first_joiner = sentence_words.get(end).map_or("", |w| w.text);
                if joiners > 0
                    && !(head_done && first_joiner != "of")
                    && sentence_words.get(end + joiners).is_some_and(|after| {
                        !after.quoted && is_name_word(strip_possessive(after.text).0, false)
                    })
                    && (end..end + joiners).all(|k| joined(k, k + 1))
                {
                    end += joiners + 1;
                    last_possessive = strip_possessive(sentence_words[end - 1].text).1;
                    continue;
                }
                break;
            }
            // "the Frenchman Ferdinand de Lesseps": a capitalised word for
            // a nationality says who the person is; it is not their name.
            // Only after an article, and never a given name ("Norman
            // Foster", "Herman Melville" keep their first names).
            let demonym = end - i >= 2
                && i > 0
                && matches!(
                    sentence_words[i - 1].text.to_lowercase().as_str(),
                    "the" | "a" | "an"
                )
                && {
                    let lower = stem.to_lowercase();
                    (lower.ends_with("man") || lower.ends_with("woman"))
                        && stem.chars().skip(1).all(char::is_lowercase)
                        && lower.len() > 5
                        && !english::is_given_name(&lower)
                };
            let from = if demonym { i + 1 } else { i };
            let first_start = sentence_words[from].start;
            let last = &sentence_words[end - 1];
            let (last_stem, _) = strip_possessive(last.text);
            let mut name =
                sentences[index].text[first_start..last.start + last_stem.len()].to_string();
            // A leading "The" belongs to the sentence, not the name.
            if let Some(rest) = name.strip_prefix("The ") {
                name = rest.to_string();
            }
            if name.len() >= 2
                && !(name.len() <= 3
                    && name.chars().all(char::is_alphabetic)
                    && common_word(&name.to_lowercase()))
            {
                runs.push((from, end, name));
            }
            i = end;
        }
        for (k, (start, end, name)) in runs.iter().enumerate() {
            if !names.contains(name) {
                names.push(name.clone());
            }
            let entry = evidence.entry(name.clone()).or_default();
            entry.mentions += 1;
            let before = start
                .checked_sub(1)
                .map(|b| sentence_words[b].text.to_lowercase());
            let after: Vec<String> = sentence_words[*end..]
                .iter()
                .take(3)
                .map(|w| w.text.to_lowercase())
                .collect();
            // "in X", "in the X"; "to"/"from"/"of" weigh less (people are
            // written to and sons of).
            let before_the = start
                .checked_sub(2)
                .filter(|_| before.as_deref() == Some("the"))
                .map(|b| sentence_words[b].text.to_lowercase());
            for preposition in [before.as_deref(), before_the.as_deref()]
                .into_iter()
                .flatten()
            {
                if preposition == "of" {
                    // "son of X" and "region of X" alike: no evidence.
                } else if matches!(preposition, "to" | "from") {
                    entry.place += 0.5;
                } else if PLACE_PREPOSITIONS.contains(&preposition) {
                    entry.place += 1.0;
                }
            }
            if *start == 0 {
                entry.person += 0.5;
            }
            // "X was a merchant", "X, a potter": a role noun (a person's
            // suffix, and nearer "person" than "place" in general English).
            let role_at = match after.as_slice() {
                [is, article, ..]
                    if matches!(is.as_str(), "was" | "is")
                        && matches!(article.as_str(), "a" | "an") =>
                {
                    Some(2)
                }
                [article, ..]
                    if matches!(article.as_str(), "a" | "an")
                        && sentences[index].text[..]
                            .get(last_end(sentence_words, *end)..)
                            .is_some_and(|r| r.starts_with(',')) =>
                {
                    Some(1)
                }
                _ => None,
            };
            if let Some(at) = role_at
                && let Some(noun) = sentence_words.get(end + at)
                && is_role_noun(&noun.text.to_lowercase())
            {
                entry.person += 1.0;
            }
            // "the engineer James Brindley", "a contractor named Lloyd
            // Haigh": a role noun right before the name, or before "named"
            // or "called" right before it.
            let role_before = match before.as_deref() {
                Some("named" | "called") => start
                    .checked_sub(2)
                    .map(|b| sentence_words[b].text.to_lowercase()),
                other => other.map(str::to_string),
            };
            if role_before.as_deref().is_some_and(is_role_noun) {
                entry.person += 1.5;
            }
            // The agent of a passive ("devised by X", "painted by X").
            if before.as_deref() == Some("by")
                && sentence_words[start.saturating_sub(4)..start.saturating_sub(1)]
                    .iter()
                    .any(|w| w.text.len() > 4 && w.text.ends_with("ed"))
            {
                entry.person += 1.0;
            }
            if before.as_deref().is_some_and(|b| TITLES.contains(&b)) {
                entry.person += 2.0;
            }
            if after
                .iter()
                .take(2)
                .any(|a| PERSON_VERBS.contains(&a.as_str()))
            {
                entry.person += 1.0;
            }
            // A person pronoun soon after, in this sentence or opening the next.
            // Only for a name near the start (a subject): a pronoun after
            // an object usually means the subject.
            let pronoun_after = *start < 3
                && (sentence_words[*end..]
                    .iter()
                    .take(8)
                    .any(|w| matches!(w.text, "he" | "she" | "his" | "her" | "him"))
                    || (k == 0
                        && next_first
                            .as_deref()
                            .is_some_and(|w| matches!(w, "he" | "she" | "his" | "her"))));
            if pronoun_after {
                entry.person += 1.0;
            }
            // "X, who ...": a person, unless X follows a preposition
            // ("a merchant in Liverpool who ...").
            let after_preposition = before
                .as_deref()
                .is_some_and(|b| PLACE_PREPOSITIONS.contains(&b));
            if after.first().is_some_and(|a| a == "who") && !after_preposition {
                entry.person += 1.5;
            }
            if after.first().is_some_and(|a| a == "where") {
                entry.place += 1.5;
            }
            // Right before a lowercase word that is not a verb-like ending:
            // used as a modifier ("Latin words", "Liverpool merchant").
            if let Some(next) = sentence_words.get(*end)
                && sentences[index].text[sentence_words[*end - 1].start
                    + sentence_words[*end - 1].text.len()
                    ..next.start]
                    .trim()
                    .is_empty()
                && next.text.chars().next().is_some_and(char::is_lowercase)
                && !text::is_stopword(&next.text.to_lowercase())
                && !next.text.ends_with("ed")
            {
                entry.modifier += 1;
            }
        }
        // Names joined by "and" or commas, with nothing else between.
        for pair in runs.windows(2) {
            let (_, end_a, a) = &pair[0];
            let (start_b, _, b) = &pair[1];
            let last_a = &sentence_words[end_a - 1];
            let gap = &sentences[index].text
                [last_a.start + last_a.text.len()..sentence_words[*start_b].start];
            // "A, B and C", but not "..., and B" (a new clause).
            let and =
                start_b - end_a == 1 && sentence_words[*end_a].text == "and" && !gap.contains(',');
            // "In Britain, A and B ...": a name in an opening phrase
            // ("in", "at", "from" ... then the comma) sets the scene; it is
            // not the first of a list with the names after it.
            let (start_a, _, _) = &pair[0];
            let opening = *start_a == 1
                && OPENING_PREPOSITIONS.contains(&sentence_words[0].text.to_lowercase().as_str());
            if and || (*start_b == *end_a && !opening) {
                listed_with.push((a.clone(), b.clone()));
            }
        }
    }

    // 2. Kinds from the words of the name itself.
    let mut kinds: HashMap<String, EntryKind> = HashMap::new();
    let mut not_names: HashSet<String> = HashSet::new();
    for name in &names {
        let parts: Vec<String> = name.split_whitespace().map(|p| p.to_lowercase()).collect();
        // The head is the last word, or the word before "of"/"for" ("Society
        // for ...", "Act of Parliament").
        let head = parts
            .iter()
            .position(|p| p == "of" || p == "for")
            .and_then(|i| i.checked_sub(1))
            .map_or_else(
                || parts.last().cloned().unwrap_or_default(),
                |i| parts[i].clone(),
            );
        let first = parts.first().cloned().unwrap_or_default();
        let evidence = evidence.get(name).cloned().unwrap_or_default();
        // Only ever a modifier and shaped like an adjective of nationality
        // or language ("British", "Etruscan", "Latin"): not a name.
        let adjective = ["ish", "ese", "ian", "an", "ic"]
            .iter()
            .any(|e| head.ends_with(e));
        // Or used only ever as a modifier ("Latin words").
        let only_modifier = evidence.modifier == evidence.mentions;
        // Adjective-shaped and only ever a modifier ("two American
        // astronauts", "an American flag"): not a name, whatever cue the
        // noun after it gave.
        if parts.len() == 1
            && evidence.modifier >= 1
            && ((adjective || only_modifier) && evidence.person < 1.0 && evidence.place < 1.0
                || adjective && only_modifier)
        {
            not_names.insert(name.clone());
            continue;
        }
        let kind = if TITLES.contains(&first.as_str()) && parts.len() > 1 {
            EntryKind::Person
        } else if PLACE_PREFIXES.contains(&first.as_str()) && parts.len() > 1 {
            EntryKind::Place
        } else if parts.len() == 1
            && name.ends_with('s')
            && ["ans", "ists", "ites", "ers", "ics"]
                .iter()
                .any(|e| head.ends_with(e))
        {
            // "Russians", "Bolsheviks"-like plurals of people.
            EntryKind::Group
        } else if parts.len() == 1
            && name.len() >= 3
            && name
                .strip_suffix('s')
                .is_some_and(|stem| stem.chars().all(|c| c.is_ascii_uppercase()) && stem.len() >= 2)
        {
            // The plural of an acronym ("MPs", "GPs"): people, never one.
            EntryKind::Group
        } else if parts.len() > 1 && TERM_HEADS.contains(&head.as_str()) {
            EntryKind::Term
        } else if GROUP_HEADS.contains(&head.as_str()) {
            EntryKind::Group
        } else if PLACE_HEADS.contains(&head.as_str()) {
            EntryKind::Place
        } else if head.ends_with('s')
            && !head.ends_with("ss")
            && parts.len() == 1
            && name.chars().skip(1).any(char::is_lowercase)
            && capital_uses.contains_key(head.trim_end_matches('s'))
        {
            EntryKind::Group
        } else if name
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
        {
            // An acronym: a place when used like one ("in the USSR").
            if evidence.place > evidence.person && evidence.place >= 1.0 {
                EntryKind::Place
            } else {
                EntryKind::Term
            }
        } else if parts.len() == 1
            && [
                "ia", "land", "any", "stan", "ance", "ain", "ope", "aly", "ica", "ina", "ey",
                "ico", "ece",
            ]
            .iter()
            .any(|e| head.ends_with(e))
            && evidence.person < 2.0
        {
            // Country-shaped ("Russia", "Germany", "Britain").
            EntryKind::Place
        } else if evidence.person >= 1.0 && evidence.person > evidence.place {
            // A real cue (a title, a person's verb, a he/she, "who"), not
            // only a sentence's first word: volcanoes and planets open
            // sentences too.
            EntryKind::Person
        } else if evidence.place > 0.0 && evidence.place >= evidence.person {
            EntryKind::Place
        } else if parts
            .iter()
            .any(|p| NAME_JOINERS.contains(&p.as_str()) && !PARTICLES.contains(&p.as_str()))
        {
            EntryKind::Term
        } else if parts.len() > 1 && parts.iter().any(|p| p == "the") {
            // "Catherine the Great".
            EntryKind::Person
        } else {
            // No evidence either way: unresolved for now.
            continue;
        };
        kinds.insert(name.clone(), kind);
    }
    // A single word of longer names of one kind takes that kind ("Josiah"
    // of "Josiah Wedgwood", "Staffordshire" of "North Staffordshire"),
    // unless its own mentions clearly say otherwise.
    for name in names.iter().filter(|n| n.split_whitespace().count() == 1) {
        let longer: HashSet<EntryKind> = names
            .iter()
            .filter(|other| *other != name && contains_words(other, name))
            .filter_map(|other| kinds.get(other).copied())
            .collect();
        if let (1, Some(kind)) = (longer.len(), longer.iter().next())
            && evidence.get(name).is_none_or(|e| match kind {
                EntryKind::Person => e.place < 1.5,
                EntryKind::Place => e.person < 1.5,
                _ => e.place < 1.5 && e.person < 1.5,
            })
            && !not_names.contains(name)
        {
            kinds.insert(name.clone(), *kind);
        }
    }
    // 3. Names listed together share a kind, a short name takes the kind
    // of the longer one it is part of, and a full name shares a person's
    // given or family name: twice, since each can settle the others
    // ("Erasmus Darwin" a person from "Charles Darwin", then "Matthew
    // Boulton" from being listed beside him).
    for _ in 0..2 {
        // 3. Names listed together share a kind (a few passes settle chains).
        for _ in 0..3 {
            for (a, b) in &listed_with {
                if not_names.contains(a) || not_names.contains(b) {
                    continue;
                }
                let strength =
                    |n: &String| evidence.get(n).map_or(0.0, |e| (e.person - e.place).abs());
                match (kinds.get(a).copied(), kinds.get(b).copied()) {
                    (Some(kind), None) => {
                        kinds.insert(b.clone(), kind);
                    }
                    (None, Some(kind)) => {
                        kinds.insert(a.clone(), kind);
                    }
                    // Listed together but typed apart: the better-attested wins.
                    (Some(x), Some(y)) if x != y => {
                        if strength(a) > strength(b) + 0.5 {
                            kinds.insert(b.clone(), x);
                        } else if strength(b) > strength(a) + 0.5 {
                            kinds.insert(a.clone(), y);
                        }
                    }
                    _ => {}
                }
            }
        }
        // A short name inside a longer one takes its kind ("Bentley").
        for name in &names {
            if kinds.contains_key(name) || not_names.contains(name) {
                continue;
            }
            if let Some(kind) = names
                .iter()
                .filter(|other| *other != name && contains_words(other, name))
                .find_map(|other| kinds.get(other).copied())
            {
                kinds.insert(name.clone(), kind);
            }
        }
        // Still unknown, a name of two or three plain words that shares its
        // first word (a given name: "Thomas" of "Thomas Wedgwood") or its last
        // (a family name) with a person of two words or more is a person too.
        for _ in 0..2 {
            let people: Vec<Vec<String>> = kinds
                .iter()
                .filter(|(_, k)| **k == EntryKind::Person)
                .map(|(n, _)| n.split_whitespace().map(str::to_string).collect())
                .collect();
            for name in names.iter().filter(|n| !not_names.contains(*n)) {
                // A name typed a thing by its shape ("Ferdinand de Lesseps"
                // by its joiner) is a person too when its last word is a
                // person's ("Lesseps"): the family name says who it is.
                let typed_thing = kinds.get(name) == Some(&EntryKind::Term);
                if kinds.contains_key(name) && !typed_thing {
                    continue;
                }
                let parts: Vec<&str> = name.split_whitespace().collect();
                let plain = plain_name(&parts);
                let family = |person: &Vec<String>| {
                    person
                        .last()
                        .is_some_and(|l| Some(&l.as_str()) == parts.last())
                };
                // A given name only from a full name; a family name from any
                // person ("Bentley wrote ..." makes "Thomas Bentley" one).
                let shares = |person: &Vec<String>| {
                    !typed_thing && person.len() >= 2 && person[0] == parts[0] || family(person)
                };
                if plain && people.iter().any(shares) {
                    kinds.insert(name.clone(), EntryKind::Person);
                }
            }
        }
    }
    let sort_nouns: Vec<&str> = crate::study::quizgen::sorts::FAMILIES
        .iter()
        .flat_map(|family| family.iter().copied())
        .collect();
    // Still unknown, a plain name of two or three words that opens with a
    // given name ("Gene Kranz", "Margaret Hamilton", "Robert Koch") is a
    // person, unless its last word is a sort of thing ("Victoria
    // Embankment", "Abbey Mills") or a word the document also writes in
    // lowercase. Before round 8 such names, said once with no pronoun,
    // became terms: real people were missing from the people, and the
    // wrong choices for a person were places and words.
    for name in names.iter().filter(|n| !not_names.contains(*n)) {
        if kinds.contains_key(name) {
            continue;
        }
        let parts: Vec<&str> = name.split_whitespace().collect();
        let plain = plain_name(&parts);
        let Some(last) = parts.last().map(|l| l.to_lowercase()) else {
            continue;
        };
        let head_noun = crate::study::quizgen::sorts::family_of(&last).is_some()
            || english::nearness(&last, &sort_nouns).is_some_and(|n| n >= SORT_NEARNESS)
            || PLACE_HEADS.contains(&last.as_str())
            || GROUP_HEADS.contains(&last.as_str())
            || TERM_HEADS.contains(&last.as_str())
            || lowercase_uses.contains_key(&last);
        if plain && !head_noun && english::is_given_name(&parts[0].to_lowercase()) {
            kinds.insert(name.clone(), EntryKind::Person);
        }
    }
    // Still unknown: a name with no sign of a person or a place is the
    // name of a thing (a volcano, a planet, a unit, a ship). Calling it a
    // person would ask "who" of it and offer it among people.
    for name in names.iter().filter(|n| !not_names.contains(*n)) {
        if !kinds.contains_key(name) {
            kinds.insert(name.clone(), EntryKind::Term);
        }
    }

    // 4. Groups and terms written in lowercase.
    let mut lower_entries: Vec<(EntryKind, String)> = Vec::new();
    let mut seen_lower: HashSet<String> = HashSet::new();
    for (word, count) in sorted_counts(&lowercase_uses) {
        if count < 2 || word.len() < 5 || word.contains('\'') || word.contains('’') {
            continue;
        }
        if word.ends_with('s')
            && PEOPLE_SUFFIXES.iter().any(|s| word.ends_with(s))
            && !NOT_PEOPLE.contains(&word.as_str())
            && english::zipf(&word).is_none_or(|z| z < 4.5)
        {
            seen_lower.insert(word.clone());
            lower_entries.push((EntryKind::Group, word));
        }
    }
    for (index, sentence_words) in split.iter().enumerate() {
        for term in defined_terms(&sentences[index].text, sentence_words) {
            let lower = term.to_lowercase();
            if seen_lower.insert(lower.clone()) && !names.iter().any(|n| n.to_lowercase() == lower)
            {
                lower_entries.push((EntryKind::Term, term));
            }
        }
    }
    for (word, count) in sorted_counts(&lowercase_uses) {
        // Repeated, long and not common English: a key term of the text.
        let rare = english::zipf(&word).is_none_or(|z| z < 3.0);
        let abstract_noun = ["isation", "ization", "ism", "ware"]
            .iter()
            .any(|s| word.ends_with(s));
        if count >= 2 && word.len() >= 7 && rare && abstract_noun && seen_lower.insert(word.clone())
        {
            lower_entries.push((EntryKind::Term, word));
        }
    }

    // Key nouns: words the document writes as nouns (after "the", "a" or
    // "an"), used twice or more, and uncommon in
    // general English ("magma", "mantle", "viscosity"): what a science
    // handout teaches is in such words, not in names. Not the document's
    // subject word, which is in too many of its sentences to be asked.
    let mut as_noun: HashMap<String, usize> = HashMap::new();
    // An adjective among coordinated modifiers ("the thicker,
    // better-insulated cable": a comma, then another modifier) and never
    // seen heading its phrase ("the crust is", "the magma.") is no noun.
    // A noun used only as a modifier or before its verb ("a magma
    // chamber", "the magma forces") stays one.
    let mut headed: HashSet<String> = HashSet::new();
    let mut coordinated: HashSet<String> = HashSet::new();
    for (sentence, sentence_words) in sentences.iter().zip(&split) {
        for pair in sentence_words.windows(2) {
            let determiner = pair[0].text.to_lowercase();
            let word = pair[1].text;
            // Not a gerund or a participle, nor shaped like an adjective ("a volcanic
            // island": the article is the island's).
            let adjective = [
                "ing", "ed", "ic", "al", "ous", "ive", "ful", "less", "able", "ible",
            ]
            .iter()
            .any(|suffix| word.ends_with(suffix));
            if matches!(determiner.as_str(), "the" | "a" | "an")
                && word.chars().all(|c| c.is_lowercase())
                && !adjective
            {
                *as_noun.entry(word.to_string()).or_default() += 1;
                let end = pair[1].start + word.len();
                if crate::study::quizgen::prepare::heads_phrase(&sentence.text, end) {
                    headed.insert(word.to_string());
                } else if sentence.text[end..].starts_with(", ") {
                    coordinated.insert(word.to_string());
                }
            }
        }
    }
    let subject_uses = sentences.len().div_ceil(7).max(4);
    for (word, count) in sorted_counts(&lowercase_uses) {
        let nouned = as_noun.get(&word).copied().unwrap_or(0);
        if nouned >= 1
            && (headed.contains(&word) || !coordinated.contains(&word))
            && count >= 2
            && count <= subject_uses
            && word.chars().count() >= 4
            && !text::is_stopword(&word)
            && english::zipf(&word).is_none_or(|z| z < KEY_NOUN_ZIPF)
            && seen_lower.insert(word.clone())
        {
            lower_entries.push((EntryKind::Term, word));
        }
    }

    // 4b. What general English knows of a name overrides weak evidence:
    // a name the sentence encoder clearly places as a country, a town or
    // a disease is not a person because it shares a word with one
    // ("France" of "King Philip VI of France"), and a place is not a group
    // or a term. A person with a real cue of their own (a title, a he/she)
    // stays one.
    let typed: Vec<&String> = names.iter().filter(|n| kinds.contains_key(*n)).collect();
    let known = crate::study::quizgen::sorts::world_kinds(&typed);
    for (name, world) in typed.into_iter().zip(known) {
        let Some(world) = world else { continue };
        let cued_person = evidence.get(name).is_some_and(|e| e.person >= 1.0);
        let overrides = match kinds.get(name) {
            Some(EntryKind::Person) => !cued_person,
            // A group or a term becomes a place; a place or a group is not
            // made a term on the encoder's word alone.
            _ => world == EntryKind::Place,
        };
        if overrides {
            kinds.insert(name.clone(), world);
        }
    }

    // 5. The glossary, names first in document order.
    let mut glossary = Glossary::default();
    let mut listed: HashSet<String> = HashSet::new();
    for name in &names {
        if let Some(kind) = kinds.get(name)
            && listed.insert(name.to_lowercase())
        {
            glossary.entries.push((*kind, name.clone()));
        }
    }
    for (kind, entry) in lower_entries {
        if listed.insert(entry.to_lowercase()) {
            glossary.entries.push((kind, entry));
        }
    }
    // Short names that belong to exactly one longer name of the same kind.
    for name in &names {
        if name.split_whitespace().count() != 1 || kinds.get(name) != Some(&EntryKind::Person) {
            continue;
        }
        let longer: Vec<&String> = names
            .iter()
            .filter(|other| {
                *other != name
                    && contains_words(other, name)
                    && kinds.get(*other) == kinds.get(name)
            })
            .collect();
        if let [only] = longer.as_slice() {
            glossary
                .same
                .push(vec![only.to_lowercase(), name.to_lowercase()]);
        }
    }
    // Acronyms with their spelled-out name ("New Economic Policy" / "NEP").
    for short in names
        .iter()
        .filter(|n| n.len() >= 2 && n.chars().all(char::is_uppercase))
    {
        if let Some(long) = names.iter().find(|long| {
            let initials: String = long
                .split_whitespace()
                .filter(|w| !NAME_JOINERS.contains(w))
                .filter_map(|w| w.chars().next())
                .collect();
            long.split_whitespace().count() > 1 && initials == *short
        }) {
            glossary
                .same
                .push(vec![long.to_lowercase(), short.to_lowercase()]);
        }
    }
    glossary
}

/// Where the word before `end` ends in its sentence.
fn last_end(words: &[Word<'_>], end: usize) -> usize {
    words
        .get(end.wrapping_sub(1))
        .map_or(0, |w| w.start + w.text.len())
}

/// A noun for a person's role: "merchant", "potter", "engineer", "chemist",
/// "historian": a person's suffix, and nearer "person" than "place" in
/// general English (so not "river" or "computer").
fn is_role_noun(word: &str) -> bool {
    ["er", "or", "ist", "ian", "ant", "ent", "ess", "man"]
        .iter()
        .any(|s| word.ends_with(s))
        && match (
            english::similarity(word, "person"),
            english::similarity(word, "place"),
        ) {
            (Some(person), Some(place)) => person > place,
            _ => false,
        }
}

/// Whether every word of `short` is a word of `long`.
fn contains_words(long: &str, short: &str) -> bool {
    let long: Vec<&str> = long.split_whitespace().collect();
    short.split_whitespace().all(|w| long.contains(&w))
}

fn sorted_counts(counts: &HashMap<String, usize>) -> Vec<(String, usize)> {
    let mut sorted: Vec<(String, usize)> = counts.iter().map(|(w, c)| (w.clone(), *c)).collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sorted
}

/// Single lowercase words the sentence defines: "creamware, a cream-coloured
/// earthenware", "jasperware is an unglazed stoneware", "basalt, which was a
/// hard ... stoneware", "invented a pyrometer, which measured".
fn defined_terms(sentence: &str, words: &[Word<'_>]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if is_capitalised(word.text) && i > 0
            || word.text.len() < 5
            || english::is_common(&word.text.to_lowercase())
        {
            continue;
        }
        let end = word.start + word.text.len();
        let rest = sentence[end..].trim_start();
        let next: Vec<&str> = words[i + 1..].iter().take(2).map(|w| w.text).collect();
        let appositive = rest.starts_with(", a ")
            || rest.starts_with(", an ")
            || rest.starts_with(", which was a")
            || rest.starts_with(", which is a")
            || rest.starts_with(", which measured");
        // "X is a/an ...": a definition; "X was a serious problem" at the
        // start of a sentence is not.
        let copula = matches!(next.as_slice(), ["is", "a" | "an"])
            || i > 0 && matches!(next.as_slice(), ["was", "a" | "an"]);
        if appositive && !is_capitalised(word.text)
            || copula && (i == 0 || !is_capitalised(word.text))
        {
            found.push(word.text.to_lowercase());
        }
    }
    found.extend(named_terms(words));
    found
}

/// Lowercase terms the sentence introduces by name: "a process called
/// subduction", "pieces called tectonic plates, which", "it is called
/// lava", "also known as the greenhouse effect". One or two words after
/// "called" or "known as", up to punctuation or a word that starts a new
/// phrase; a capitalised name there ("called Vulcano") is a name, found as
/// names are.
fn named_terms(words: &[Word<'_>]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let lead = match word.text {
            "called" | "termed" | "named" => i + 1,
            "known" if words.get(i + 1).is_some_and(|w| w.text == "as") => i + 2,
            _ => continue,
        };
        let mut at = lead;
        if words
            .get(at)
            .is_some_and(|w| matches!(w.text, "a" | "an" | "the"))
        {
            at += 1;
        }
        let mut phrase: Vec<&str> = Vec::new();
        for w in words.iter().skip(at).take(2) {
            let bare = w.text.trim_end_matches(|c: char| !c.is_alphanumeric());
            if bare.is_empty()
                || is_capitalised(bare)
                || text::is_stopword(bare)
                || !bare.chars().all(|c| c.is_alphabetic() || c == '-')
            {
                break;
            }
            phrase.push(bare);
            // Punctuation right after the word ends the phrase.
            if bare.len() != w.text.len() {
                break;
            }
        }
        let term = phrase.join(" ");
        if term.len() >= 3 {
            found.push(term.to_lowercase());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(glossary: &Glossary, kind: EntryKind) -> Vec<&str> {
        glossary.of_kind(kind).collect()
    }

    #[test]
    fn a_place_in_an_opening_phrase_is_not_listed_with_the_people_after_it() {
        let document = Document::parse(
            "In Valmark, Oswin Hale and Dora Finch built the first loom. \
             Oswin Hale said that he had seen one in a dream. \
             Dora Finch sold her first cloth in Valmark, where she lived.",
        );
        let glossary = build(&document);
        assert_ne!(
            glossary.kind_of("Oswin Hale"),
            Some(EntryKind::Place),
            "{glossary:?}"
        );
        assert_ne!(
            glossary.kind_of("Dora Finch"),
            Some(EntryKind::Place),
            "{glossary:?}"
        );
    }

    #[test]
    fn names_take_their_kind_from_titles_heads_and_context() {
        let doc = Document::parse(
            "Thomas Bentley was a merchant in Liverpool who loved art. \
             Queen Charlotte was pleased with the tea set. \
             The Trent and Mersey Canal was approved by Parliament. \
             The Lunar Society met in Birmingham, and Bentley wrote to him. \
             Clay came from Devon, Dorset and Cornwall by sea.",
        );
        let glossary = build(&doc);
        let people = kinds(&glossary, EntryKind::Person);
        assert!(people.contains(&"Thomas Bentley"), "{glossary:?}");
        assert!(people.contains(&"Queen Charlotte"), "{glossary:?}");
        let places = kinds(&glossary, EntryKind::Place);
        for place in [
            "Liverpool",
            "Mersey Canal",
            "Birmingham",
            "Devon",
            "Dorset",
            "Cornwall",
        ] {
            assert!(places.contains(&place), "{place}: {glossary:?}");
        }
        assert!(kinds(&glossary, EntryKind::Group).contains(&"Lunar Society"));
        // A short name inside exactly one longer name is the same person.
        assert!(glossary.same_thing("Bentley", "Thomas Bentley"));
    }

    #[test]
    fn a_name_said_once_that_opens_with_a_given_name_is_a_person() {
        // No title, no pronoun, no verb of a person: only the shape of the
        // name and the general-English vectors say who is a person.
        let doc = Document::parse(
            "The engineers built the new tunnel under the river. \
             Margaret Ostrander checked the figures for the pumps. \
             Later the Harlow Embankment was opened to traffic. \
             The Great Depression slowed the work for years.",
        );
        let glossary = build(&doc);
        let people = kinds(&glossary, EntryKind::Person);
        assert!(people.contains(&"Margaret Ostrander"), "{glossary:?}");
        for thing in ["Harlow Embankment", "Great Depression"] {
            assert!(!people.contains(&thing), "{thing}: {glossary:?}");
        }
    }

    #[test]
    fn a_sentence_opener_before_a_comma_is_no_name() {
        let doc = Document::parse(
            "Sadly, Emmeline Harwood had died a few weeks before the vote was won. \
             Emmeline Harwood had led the union for twenty years. \
             Luckily, the new law was passed in 1928.",
        );
        let glossary = build(&doc);
        let names: Vec<&str> = glossary.entries.iter().map(|(_, n)| n.as_str()).collect();
        assert!(names.contains(&"Emmeline Harwood"), "{glossary:?}");
        for opener in ["Sadly", "Luckily"] {
            assert!(!names.iter().any(|n| n.starts_with(opener)), "{glossary:?}");
        }
    }

    #[test]
    fn a_role_noun_a_particle_or_a_family_name_makes_a_person() {
        let doc = Document::parse(
            "The canal was first begun by the Frenchman Ferdinand de Lasalle in 1881. \
             Lasalle had built a canal in the desert before, and Lasalle was sure of success. \
             In 1878 it was found that a dishonest contractor named Lloyd Brannigan had sold bad wire. \
             The money was raised with help from the banker Oswin Tarrant. \
             The plans were checked by Herman Kessler, who had built bridges in Ohio.",
        );
        let glossary = build(&doc);
        let people = kinds(&glossary, EntryKind::Person);
        for person in [
            "Ferdinand de Lasalle",
            "Lloyd Brannigan",
            "Oswin Tarrant",
            "Herman Kessler",
        ] {
            assert!(
                people.iter().any(|p| p.ends_with(person)),
                "{person}: {glossary:?}"
            );
        }
        assert!(
            !people.iter().any(|p| p.contains("Frenchman")),
            "{glossary:?}"
        );
    }

    #[test]
    fn a_middle_initial_continues_a_name() {
        let doc = Document::parse(
            "In 1961 President Harold T. Brackwell told the assembly that the canal would be finished. \
             Brackwell knew that the work would be hard. \
             Brackwell was voted out of office in 1964 and never saw the canal open. \
             The engineer Rosa M. Quell designed the locks, and she lived to see them filled.",
        );
        let glossary = build(&doc);
        let people = kinds(&glossary, EntryKind::Person);
        assert!(
            people.iter().any(|p| p.ends_with("Harold T. Brackwell")),
            "{glossary:?}"
        );
        assert!(
            people.iter().any(|p| p.ends_with("Rosa M. Quell")),
            "{glossary:?}"
        );
        // The cut-off "President Harold" is no entry, and the surname is the
        // same person.
        assert!(
            !people.iter().any(|p| p.ends_with("Harold")),
            "{glossary:?}"
        );
        assert!(
            glossary
                .entries
                .iter()
                .any(|(_, name)| name.ends_with("Harold T. Brackwell")
                    && glossary.same_thing("Brackwell", name)),
            "{glossary:?}"
        );
    }

    #[test]
    fn names_that_are_common_english_words_are_found_by_the_documents_capitals() {
        // "Thomas", "Liverpool", "Hull" and "Tom" are frequent English words
        // (the lexicon's Zipf frequencies rate them common); the document
        // capitalises them inside sentences, so they are names here.
        let doc = Document::parse(
            "His father, Thomas Wedgwood, was a potter in Liverpool. \
             Goods went to ports such as Liverpool and Hull by canal. \
             Another son, Tom Wedgwood, was a pioneer of photography. \
             Stalin ruled Russia from until If you wanted to join you asked.",
        );
        let glossary = build(&doc);
        let all: Vec<&str> = glossary.entries.iter().map(|(_, e)| e.as_str()).collect();
        for name in ["Thomas Wedgwood", "Liverpool", "Hull", "Tom Wedgwood"] {
            assert!(all.contains(&name), "{name}: {all:?}");
        }
        assert!(english::zipf("thomas").is_some_and(|z| z >= 3.5));
        assert!(!all.contains(&"If"), "{all:?}");
    }

    #[test]
    fn headings_in_title_case_give_no_names() {
        let doc = Document::parse(
            "The Great Flood of Varnholm and Its Lessons\n\n\
             The river rose in the spring, and Mayor Edda Quist ordered the gates shut.\n\n\
             A Town Under Water\n\n\
             Quist later wrote that the town had been warned.",
        );
        let glossary = build(&doc);
        let all: Vec<&str> = glossary.entries.iter().map(|(_, e)| e.as_str()).collect();
        for heading_only in ["Great Flood", "Lessons", "Town Under Water", "Varnholm"] {
            assert!(!all.contains(&heading_only), "{heading_only}: {glossary:?}");
        }
        assert!(
            all.iter().any(|e| e.ends_with("Edda Quist")),
            "{glossary:?}"
        );
    }

    #[test]
    fn sentence_openers_and_common_words_are_not_names() {
        let doc = Document::parse(
            "Transport was a serious problem. Potters had worked there. \
             Other potters also made pots. However, the roads were poor.",
        );
        let glossary = build(&doc);
        let all: Vec<&str> = glossary.entries.iter().map(|(_, e)| e.as_str()).collect();
        for word in ["Transport", "Potters", "Other", "However"] {
            assert!(!all.contains(&word), "{word} in {all:?}");
        }
    }

    #[test]
    fn groups_terms_and_acronyms_are_found() {
        let doc = Document::parse(
            "The peasants hated the plan. The rightists and the peasants argued. \
             The rightists lost. His first success was creamware, a cream-coloured earthenware. \
             The New Economic Policy (NEP) helped. The NEP ended.",
        );
        let glossary = build(&doc);
        let groups = kinds(&glossary, EntryKind::Group);
        assert!(
            groups.contains(&"peasants") && groups.contains(&"rightists"),
            "{glossary:?}"
        );
        assert!(
            kinds(&glossary, EntryKind::Term).contains(&"creamware"),
            "{glossary:?}"
        );
        assert!(
            glossary.same_thing("NEP", "New Economic Policy"),
            "{glossary:?}"
        );
        // The plural of an acronym is people, never one person.
        let doc = Document::parse(
            "In the summer the MPs could not bear the smell of the river. \
             In June the MPs voted for a new plan, and the MPs were right.",
        );
        let glossary = build(&doc);
        assert!(
            kinds(&glossary, EntryKind::Group).contains(&"MPs"),
            "{glossary:?}"
        );
    }

    #[test]
    fn every_entry_occurs_in_the_document_so_the_toml_loads_back() {
        let pack = crate::content::Pack::bundled().unwrap();
        let glossary = build(&pack.document);
        assert!(glossary.entries.len() >= 10, "{glossary:?}");
        let text = glossary.to_toml("auto");
        let (again, errors) =
            crate::content::glossary::parse_glossary("auto.toml", &text, &pack.document);
        assert!(errors.is_empty(), "{errors:?}\n{text}");
        let mut read: Vec<_> = again.entries.clone();
        let mut made: Vec<_> = glossary.entries.clone();
        read.sort_by(|a, b| a.1.cmp(&b.1));
        made.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(read, made);
    }
}

//! Making a document sentence stand alone as a quiz question, or rejecting
//! it: discourse openers that point at the sentence before ("So", "For
//! example", "By now", "Therefore", ...) are stripped; a sentence whose
//! pronoun or "this/it" needs an earlier sentence is skipped unless the
//! pronoun is a he/she whose person the passage has made clear (the subject
//! of a recent sentence, whose pronoun gender the document shows), in which
//! case the name is written in; fragments (cut lists, stripped-year remnants
//! such as "from until" or "in Stalin announced") are skipped.

use std::collections::HashMap;

use crate::content::Document;

use super::matcher::Matcher;
use crate::content::glossary::EntryKind;
use crate::study::english;

/// A sentence ready to become questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// Index of the document sentence.
    pub index: usize,
    /// The standalone text: openers stripped, a pronoun perhaps resolved.
    pub text: String,
    /// Where a name was written in for a pronoun: never an answer, since
    /// the document does not say it there.
    pub written_in: Option<std::ops::Range<usize>>,
}

/// Openers that tie a sentence to the one before; stripped (with a comma
/// after them). Longest first, so "as a result of this" wins over "as".
const OPENERS: &[&str] = &[
    "as a result of this",
    "to make matters worse",
    "on the other hand",
    "as well as this",
    "at the same time",
    "in the same way",
    "because of this",
    "in other words",
    "for this reason",
    "as a result",
    "in addition",
    "for example",
    "for instance",
    "after this",
    "after that",
    "in the end",
    "above all",
    "after all",
    "of course",
    "even so",
    "in fact",
    "in short",
    "by now",
    "by then",
    "at first",
    "consequently",
    "nevertheless",
    "nonetheless",
    "furthermore",
    "meanwhile",
    "therefore",
    "moreover",
    "similarly",
    "likewise",
    "however",
    "besides",
    "instead",
    "overall",
    "finally",
    "eventually",
    "indeed",
    "later",
    "hence",
    "thus",
    "also",
    "then",
    "still",
    "now",
    "yet",
    "but",
    "and",
    "so",
];

/// Words after which a one-word opener ("So", "Still", "Now") is an opener,
/// not part of the clause ("So many...", "Still water...").
const CLAUSE_STARTS: &[&str] = &[
    "the", "a", "an", "he", "she", "it", "they", "we", "his", "her", "their", "its", "there",
    "this", "that", "these", "those", "in", "at", "on", "by", "for", "from", "after", "before",
    "when", "although", "though", "because", "if", "as", "once", "with", "without", "despite",
    "during", "until", "while", "instead",
];

/// Noun phrases that only make sense after an earlier sentence.
const ANAPHORIC_PHRASES: &[&str] = &[
    "the two men",
    "the two women",
    "the couple",
    "the boy",
    "the girl",
    "the pair",
    "the latter",
    "the former",
    "the above",
    "the same year",
    "the following year",
    "the next year",
    "that year",
    "that time",
    "after that",
    "before that",
    "by that",
];

const PREPOSITIONS: &[&str] = &[
    "in", "from", "until", "since", "by", "during", "between", "after", "before", "of", "to",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    Male,
    Female,
}

pub(crate) fn gender_of_pronoun(word: &str) -> Option<Gender> {
    match word {
        "he" | "him" | "his" | "himself" => Some(Gender::Male),
        "she" | "her" | "hers" | "herself" => Some(Gender::Female),
        _ => None,
    }
}

/// Whether the word ending at byte `end` of `sentence` heads its phrase:
/// nothing, a stop, or a function word follows ("the magma.", "the crust
/// is"), not a content word it may modify ("a tiny current", "the
/// thicker, better-insulated cable"). An adjective written after an
/// article always has its noun after it; a noun shows itself as a head.
pub(crate) fn heads_phrase(sentence: &str, end: usize) -> bool {
    let rest = sentence.get(end..).unwrap_or("");
    let Some(gap) = rest.find(char::is_alphanumeric) else {
        return true;
    };
    if rest[..gap].contains(['.', ';', ':', '!', '?', '(', ')']) {
        return true;
    }
    let next: String = rest[gap..]
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    crate::study::text::is_stopword(&next)
}

/// Lowercase words with byte ranges.
pub(crate) fn word_spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut result = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let inner = matches!(c, '\'' | '’' | '-')
            && start.is_some()
            && chars.get(i + 1).is_some_and(|&(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || inner {
            start.get_or_insert(at);
        } else if let Some(s) = start.take() {
            result.push((s, at, text[s..at].to_lowercase()));
        }
    }
    if let Some(s) = start {
        result.push((s, text.len(), text[s..].to_lowercase()));
    }
    result
}

/// Prepares every sentence of a document (None where it cannot stand alone).
pub fn prepare_all(document: &Document, people: &Matcher) -> Vec<Option<Prepared>> {
    let sentences = document.sentences();
    let genders = learn_genders(document, people);
    let mut topic: Option<String> = None;
    let mut result = Vec::with_capacity(sentences.len());
    for (i, sentence) in sentences.iter().enumerate() {
        let previous = sentences[i.saturating_sub(2)..i]
            .iter()
            .filter(|s| s.passage == sentence.passage)
            .map(|s| s.text.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        // The whole sentence, else its first clause when only a trailing
        // clause leans on context ("..., which move as fast as your
        // fingernails grow"): the first clause alone is still true.
        // A heading or a caption ("The Black Death in Europe, 1347-1351")
        // is not a statement: a sentence ends with a full stop.
        let complete = sentence
            .text
            .trim_end()
            .trim_end_matches(['"', '\'', '”', '’', ')'])
            .ends_with(['.', '!']);
        let prepared = complete
            .then(|| {
                prepare(
                    &sentence.text,
                    &previous,
                    people,
                    topic.as_deref(),
                    &genders,
                )
                .or_else(|| {
                    let first = first_clause(&sentence.text)?;
                    prepare(&first, &previous, people, topic.as_deref(), &genders)
                })
            })
            .flatten();
        // The topic: a person named near the start of the sentence, before
        // any he/she (which would still be the old topic).
        let text = strip_openers(sentence.text.trim());
        let first_pronoun = word_spans(&text)
            .into_iter()
            .find(|(_, _, w)| gender_of_pronoun(w).is_some())
            .map_or(usize::MAX, |(s, _, _)| s);
        // Only a subject: at the start, or after a short time phrase
        // ("In 1765 Wedgwood ...").
        let leads = |before: &str| {
            word_spans(before).iter().all(|(_, _, w)| {
                matches!(
                    w.as_str(),
                    "in" | "by" | "on" | "at" | "during" | "after" | "before" | "the"
                ) || w.chars().all(|c| c.is_ascii_digit())
            })
        };
        if let Some(found) = people.find(&text).into_iter().find(|m| {
            m.kind == EntryKind::Person && m.start < first_pronoun && leads(&text[..m.start])
        }) {
            topic = Some(text[found.start..found.end].to_string());
        }
        result.push(prepared.map(|(text, written_in)| Prepared {
            index: sentence.index,
            text,
            written_in,
        }));
    }
    result
}

/// Which pronoun each person takes, as the document shows it: a he/she
/// right after their name or opening the next sentence.
pub(crate) fn learn_genders(document: &Document, people: &Matcher) -> HashMap<String, Gender> {
    let mut votes: HashMap<String, (u32, u32)> = HashMap::new();
    let sentences = document.sentences();
    for (i, sentence) in sentences.iter().enumerate() {
        let found: Vec<_> = people
            .find(&sentence.text)
            .into_iter()
            .filter(|m| m.kind == EntryKind::Person)
            .collect();
        let Some(first) = found.first() else {
            continue;
        };
        let name = sentence.text[first.start..first.end].to_lowercase();
        let words = word_spans(&sentence.text);
        let next_person = found.get(1).map_or(usize::MAX, |m| m.start);
        let mut vote = words
            .iter()
            .filter(|(s, _, _)| *s > first.end && *s < next_person)
            .find_map(|(_, _, w)| gender_of_pronoun(w));
        if vote.is_none() && found.len() == 1 {
            vote = sentences
                .get(i + 1)
                .and_then(|next| word_spans(&next.text).into_iter().next())
                .and_then(|(_, _, w)| gender_of_pronoun(&w));
        }
        let entry = votes.entry(name).or_default();
        match vote {
            Some(Gender::Male) => entry.0 += 1,
            Some(Gender::Female) => entry.1 += 1,
            None => {}
        }
    }
    votes
        .into_iter()
        .filter_map(|(name, (male, female))| match male.cmp(&female) {
            std::cmp::Ordering::Greater => Some((name, Gender::Male)),
            std::cmp::Ordering::Less => Some((name, Gender::Female)),
            std::cmp::Ordering::Equal => None,
        })
        .collect()
}

/// Removes leading discourse openers (and their comma).
pub fn strip_openers(text: &str) -> String {
    let mut text = text.trim().to_string();
    loop {
        let lower = text.to_lowercase();
        let Some(opener) = OPENERS.iter().find(|o| {
            lower.starts_with(*o)
                && lower[o.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c == ',' || c == ' ')
        }) else {
            break;
        };
        let rest = text[opener.len()..].trim_start_matches(',').trim_start();
        let next_word = rest
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let one_word = !opener.contains(' ');
        let had_comma = text[opener.len()..].starts_with(',');
        let starts_clause = next_word.chars().next().is_some_and(char::is_uppercase)
            || CLAUSE_STARTS.contains(&next_word.to_lowercase().as_str());
        if one_word && !had_comma && !starts_clause {
            break;
        }
        text = capitalise(rest);
    }
    text
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Conjunctive adverbs that join two clauses only after punctuation
/// ("...; therefore the ..."); without it the sentence is a run-on.
const CONJUNCTIVE: &[&str] = &[
    "therefore",
    "however",
    "thus",
    "hence",
    "consequently",
    "nevertheless",
    "otherwise",
    "moreover",
];

/// Words that open a new clause (a subject), after a conjunctive adverb.
const SUBJECT_STARTS: &[&str] = &[
    "the", "a", "an", "he", "she", "it", "they", "we", "you", "i", "there", "this", "that",
    "these", "those", "his", "her", "their", "its", "our", "my", "your",
];

/// Subordinators that, followed by a participle and no subject, make a
/// verbless opener ("Although admired by some, ...").
const SUBORDINATORS: &[&str] = &[
    "although", "though", "while", "when", "whilst", "once", "if", "unless", "until", "after",
    "before", "whether",
];

/// Verbs that follow a clause's subject (so "the work was" is a subject).
const CLAUSE_VERBS: &[&str] = &[
    "was", "were", "is", "are", "had", "has", "have", "could", "would", "will", "did", "became",
    "began", "took", "left", "went", "came", "ran", "made", "grew", "fell", "got", "kept",
];

/// Generic nouns whose "the" points back at an earlier sentence ("the
/// work was finished", "the engineer in charge"), measured by how common the
/// noun is in English: a rare noun ("the regime", "the kolkhoz") names its
/// own thing.
fn needs_antecedent(noun: &str, previous: &str) -> bool {
    english::general_zipf(noun).is_some_and(|z| z >= 4.4)
        || super::matcher::contains_words(previous, noun)
        || noun
            .strip_suffix('s')
            .is_some_and(|one| super::matcher::contains_words(previous, one))
}

fn participle(word: &str) -> bool {
    word.len() > 4 && (word.ends_with("ed") || word.ends_with("ing") || word.ends_with("en"))
}

/// The sentence up to its first trailing clause that adds to it without
/// qualifying it (", which ...", ", and ...", ", where ...", ", so ..."),
/// as a sentence; None when there is none or the first clause is short.
/// Not at ", but" or ", although": the first clause alone would mislead.
pub(crate) fn first_clause(sentence: &str) -> Option<String> {
    let cut = [", which ", ", and ", ", where ", ", so ", ", who "]
        .iter()
        .filter_map(|joiner| sentence.find(joiner))
        .min()?;
    let head = sentence[..cut].trim_end();
    (word_spans(head).len() >= 6 && !head.contains(['(', '"'])).then(|| format!("{head}."))
}

/// Whether a sentence reads badly on its own, whatever the document:
/// - a run-on: "... as Lenin therefore the impacts he made ...";
/// - a dangling opener: "Although admired by some Russians, most would
///   agree ..." (a participle with no subject, and a main clause whose
///   subject is not a name it could describe);
/// - an exclamation: "changed so much about ..." ("so" with no "that");
/// - unresolved time: "now", or a "still" before a past verb ("still
///   managed") that answers a sentence we do not show;
/// - a clause whose subject is "the" + a noun with nothing to say which
///   one: a generic noun ("the work was finished", "the engineer in charge
///   was") or one the sentences just before name ("the canal" after "the
///   Trent and Mersey Canal");
/// - spoken or second-person asides ("you", "a little bit").
pub(crate) fn reads_badly(text: &str, names: &Matcher, previous: &str) -> bool {
    let words = word_spans(text);
    let lower: Vec<&str> = words.iter().map(|(_, _, w)| w.as_str()).collect();
    let found = names.find(text);
    let is_name_at = |at: usize| found.iter().any(|f| f.start <= at && at < f.end);
    let punctuation_before = |i: usize| {
        i > 0
            && text[words[i - 1].1..words[i].0]
                .chars()
                .any(|c| matches!(c, ',' | ';' | ':' | '(' | '-' | '—'))
    };
    for (i, w) in lower.iter().enumerate() {
        if CONJUNCTIVE.contains(w)
            && i > 0
            && !punctuation_before(i)
            && lower
                .get(i + 1)
                .is_some_and(|n| SUBJECT_STARTS.contains(n) || is_name_at(words[i + 1].0) && i > 2)
        {
            return true;
        }
        if *w == "now" && !matches!(lower.get(i + 1), Some(&"known" | &"called")) {
            return true;
        }
        if *w == "still" && lower.get(i + 1).is_some_and(|n| n.ends_with("ed")) {
            return true;
        }
        if matches!(*w, "you" | "your" | "yourself") {
            return true;
        }
        // Words that presuppose something said before: "Krakatoa, also in
        // Indonesia", "another eruption", "examples too", "similarly". Out of
        // its paragraph the sentence points at nothing.
        // Not "also called" (a second name, not a second fact) nor "one
        // plate ... beneath another" (the other is in the sentence).
        let naming = *w == "also"
            && lower
                .get(i + 1)
                .is_some_and(|n| matches!(*n, "called" | "known" | "named"));
        let paired = *w == "another" && lower[..i].contains(&"one");
        if (matches!(
            *w,
            "also" | "again" | "another" | "likewise" | "similarly" | "similar" | "examples"
        ) && !naming
            && !paired)
            || (*w == "too"
                && i > 0
                && (i + 1 == lower.len()
                    || text[words[i - 1].1..words[i].0].contains(',')
                    || text[words[i].1..].starts_with([',', ';', '.'])))
            // "Congress then passed ...", "by then": a time set by the
            // sentence before (round-8 audit). Not "if ... then", nor a
            // sequence inside the sentence ("and then").
            || (*w == "then"
                && i > 0
                && !lower[..i].contains(&"if")
                && !matches!(lower[i - 1], "and" | "but" | "only" | "just"))
            || (*w == "well" && i > 0 && lower[i - 1] == "as" && i + 1 == lower.len())
        {
            return true;
        }
        if *w == "bit" && i > 1 && lower[i - 1] == "little" && lower[i - 2] == "a" {
            return true;
        }
        if *w == "so"
            && i > 0
            && !punctuation_before(i)
            && !matches!(lower[i - 1], "and" | "or" | "do" | "did" | "not")
            && !matches!(
                lower.get(i + 1),
                Some(&"that" | &"as" | &"far" | &"on" | &"called" | &"named")
            )
            && !lower[i + 1..].contains(&"that")
        {
            return true;
        }
        // "the work was finished": a generic subject with no modifier.
        if *w == "the"
            && (i == 0 || lower[i - 1] != "of")
            && let Some(noun) = lower.get(i + 1)
            && !is_name_at(words[i + 1].0)
            && text[words[i + 1].0..]
                .chars()
                .next()
                .is_some_and(char::is_lowercase)
            && needs_antecedent(noun, previous)
        {
            let mut next = i + 2;
            if lower.get(next) == Some(&"in") && lower.get(next + 1) == Some(&"charge") {
                next += 2;
            }
            let gap_clean = words
                .get(next)
                .is_some_and(|(s, _, _)| text[words[next - 1].1..*s].trim().is_empty());
            if gap_clean
                && lower.get(next).is_some_and(|v| {
                    CLAUSE_VERBS.contains(v) || (v.ends_with("ed") && !v.ends_with("eed"))
                })
            {
                return true;
            }
        }
    }
    // A verbless opener: "Although admired by ...," or "Having ...,".
    let opener_participle = match lower.as_slice() {
        [first, second, ..] if SUBORDINATORS.contains(first) => participle(second),
        [first, ..] => participle(first) && !is_name_at(0),
        [] => false,
    };
    if opener_participle && let Some(comma) = text.find(", ") {
        let main = &text[comma + 2..];
        let subject_is_name = names.find(main).first().is_some_and(|f| f.start == 0)
            || main
                .split_whitespace()
                .next()
                .is_some_and(|w| matches!(w, "he" | "she" | "they"));
        if !subject_is_name {
            return true;
        }
    }
    false
}

/// Removes a conjunctive adverb inside a clause that ties it to the
/// sentence before ("Wedgwood therefore became" -> "Wedgwood became";
/// ", however," dropped). A run-on never gets here ([`reads_badly`]).
pub(crate) fn drop_inner_links(text: &str) -> String {
    let mut out = text.to_string();
    for link in ["therefore", "thus", "consequently", "however", "hence"] {
        for (with, by) in [
            (format!(", {link},"), String::new()),
            (format!(" {link} "), " ".to_string()),
        ] {
            if let Some(at) = out.find(&with)
                && at > 0
            {
                out.replace_range(at..at + with.len(), &by);
            }
        }
    }
    out
}

/// The standalone form of one sentence (and where a name was written in),
/// or None.
fn prepare(
    original: &str,
    previous: &str,
    people: &Matcher,
    topic: Option<&str>,
    genders: &HashMap<String, Gender>,
) -> Option<(String, Option<std::ops::Range<usize>>)> {
    let original = original.trim();
    if original.contains("  ")
        || original.ends_with(':')
        || original.ends_with('?')
        || original.chars().next().is_some_and(char::is_lowercase)
        || original.matches('"').count() % 2 == 1
        || original.matches('(').count() != original.matches(')').count()
    {
        return None;
    }
    let mut text = strip_openers(original);
    // "As for the peasants, they were forced..." -> "The peasants were forced..."
    if let Some(rest) = text.strip_prefix("As for ")
        && let Some((subject, clause)) = rest.split_once(", ")
        && let Some(verb_phrase) = ["they ", "he ", "she ", "it "]
            .iter()
            .find_map(|p| clause.strip_prefix(p))
    {
        text = format!("{} {verb_phrase}", capitalise(subject));
    }
    let words = word_spans(&text);
    if words.len() < 6 || words.len() > 34 {
        return None;
    }
    if reads_badly(&text, people, previous) {
        return None;
    }
    // "Wedgwood therefore became ...": the link to the sentence before goes.
    let text = drop_inner_links(&text);
    let words = word_spans(&text);
    let lower: Vec<&str> = words.iter().map(|(_, _, w)| w.as_str()).collect();
    let found = people.find(&text);
    let persons: Vec<_> = found
        .iter()
        .filter(|m| m.kind == EntryKind::Person)
        .collect();
    let groups_before = |at: usize| {
        found
            .iter()
            .filter(|m| m.end <= at && m.kind == EntryKind::Group)
            .count()
            + usize::from(
                found
                    .iter()
                    .filter(|m| m.end <= at && m.kind == EntryKind::Person)
                    .count()
                    >= 2,
            )
    };
    // Stripped-year remnants: "from until", "In Stalin joined".
    for pair in lower.windows(2) {
        if PREPOSITIONS.contains(&pair[0])
            && (PREPOSITIONS.contains(&pair[1]) || matches!(pair[1], "if" | "and" | "but"))
            && !matches!(pair, ["from", "before" | "after"])
        {
            return None;
        }
    }
    for person in &persons {
        let before = text[..person.start].trim_end().to_lowercase();
        if before.ends_with(" in") || before == "in" {
            return None;
        }
    }
    let lowered = text.to_lowercase();
    if ANAPHORIC_PHRASES
        .iter()
        .any(|p| super::matcher::contains_words(&lowered, p))
    {
        return None;
    }
    // First-person and demonstrative references always need the context.
    if lower.iter().any(|w| {
        matches!(
            *w,
            "this" | "these" | "those" | "we" | "us" | "our" | "i" | "me" | "my" | "such"
        ) && !(*w == "such" && lowered.contains("such as"))
    }) {
        return None;
    }
    // "it": only as a dummy subject ("made it hard to work").
    for (i, w) in lower.iter().enumerate() {
        // Only as a dummy ("made it hard to ...", "it was clear that ..."),
        // never standing for a thing named before.
        if *w == "it" {
            let to_follows = lower[i + 1..]
                .iter()
                .take(3)
                .any(|n| matches!(*n, "to" | "that"));
            let dummy_object = i > 0
                && matches!(
                    lower[i - 1],
                    "made" | "makes" | "make" | "found" | "find" | "finds"
                );
            let dummy_subject = lower.get(i + 1).is_some_and(|n| matches!(*n, "is" | "was"));
            // Or standing for the subject of a clause that opens the same
            // sentence: "Once magma reaches the surface it is called lava",
            // "As magma rises, it causes ...".
            let after_opening_clause = i >= 3
                && matches!(
                    lower[0],
                    "once"
                        | "as"
                        | "when"
                        | "while"
                        | "after"
                        | "before"
                        | "if"
                        | "because"
                        | "since"
                        | "until"
                )
                && !lower[..i].contains(&"it");
            if !(to_follows && (dummy_object || dummy_subject)) && !after_opening_clause {
                return None;
            }
        }
        if *w == "its" && i < 3 {
            return None;
        }
        // they/them: only after a group or two people named in the sentence.
        if matches!(*w, "they" | "them" | "their" | "themselves")
            && (i < 3 || groups_before(words[i].0) == 0)
        {
            return None;
        }
        if *w == "that" && i == 0 {
            return None;
        }
        // "worked there" points at a place named before; "there were" does not.
        if *w == "there"
            && !lower.get(i + 1).is_some_and(|n| {
                matches!(
                    *n,
                    "is" | "was" | "were" | "are" | "had" | "has" | "have" | "would" | "will"
                )
            })
        {
            return None;
        }
    }
    // he/she: fine after a person named in the same sentence; otherwise
    // written in from the topic when the document shows its gender.
    let pronouns: Vec<(usize, usize, Gender, &str)> = words
        .iter()
        .filter_map(|(s, e, w)| gender_of_pronoun(w).map(|g| (*s, *e, g, w.as_str())))
        .collect();
    let Some(&(start, end, gender, word)) = pronouns.first() else {
        return Some((text, None));
    };
    if pronouns.iter().any(|p| p.2 != gender) {
        return None;
    }
    // "him"/"her" as an object never means the sentence's own subject:
    // it needs a second person named before it.
    let object_pronoun = words.iter().find(|(_, _, w)| w == "him" || w == "them");
    if let Some((at, _, _)) = object_pronoun
        && persons.iter().filter(|p| p.end <= *at).count() < 2
    {
        return None;
    }
    if persons.iter().any(|p| p.end <= start) {
        return Some((text, None));
    }
    // "In his Nobel lecture in 1945, Fleming gave a warning": a "his" in an
    // opening phrase points ahead, to the person the clause after the comma
    // opens with; written in from the topic, the name would come twice
    // (round-7 audit).
    if matches!(word, "his" | "her")
        && let Some(comma) = text.find(", ")
        && start < comma
        && persons.iter().any(|p| p.start == comma + 2)
    {
        return Some((text, None));
    }
    let topic = topic?;
    if genders.get(&topic.to_lowercase()) != Some(&gender) {
        return None;
    }
    let replacement = match word {
        "he" | "she" => topic.to_string(),
        "his" => format!("{topic}'s"),
        // "her" may be "her book" or "saw her": too ambiguous to rewrite.
        _ => return None,
    };
    let mut rewritten = format!("{}{replacement}{}", &text[..start], &text[end..]);
    if start == 0 {
        rewritten = capitalise(&rewritten);
    }
    Some((rewritten, Some(start..start + replacement.len())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::glossary::Glossary;

    fn people(names: &[&str]) -> Matcher {
        let glossary = Glossary {
            entries: names
                .iter()
                .map(|n| (EntryKind::Person, n.to_string()))
                .collect(),
            ..Glossary::default()
        };
        Matcher::new(&glossary)
    }

    fn prepared(text: &str, names: &[&str]) -> Vec<Option<String>> {
        prepare_all(&Document::parse(text), &people(names))
            .into_iter()
            .map(|p| p.map(|p| p.text))
            .collect()
    }

    #[test]
    fn openers_are_stripped_with_their_comma() {
        assert_eq!(
            strip_openers("For example, about one hundred thousand died."),
            "About one hundred thousand died."
        );
        assert_eq!(
            strip_openers("By now The Soviet Union was big."),
            "The Soviet Union was big."
        );
        assert_eq!(
            strip_openers("So Russia signed a pact."),
            "Russia signed a pact."
        );
        assert_eq!(
            strip_openers("However, the roads were poor."),
            "The roads were poor."
        );
        // Not an opener here.
        assert_eq!(
            strip_openers("So many people died."),
            "So many people died."
        );
        assert_eq!(strip_openers("Later he wrote."), "He wrote.");
    }

    #[test]
    fn sentences_that_need_an_earlier_one_are_skipped() {
        let got = prepared(
            "They usually dealt with it by exile or even death in the camps.\n\n\
             This means that you live off other people all the time.\n\n\
             It must have come as a great shock to the people.\n\n\
             The two men became close friends and wrote many letters.\n\n\
             Many workers disliked this discipline at first because of the bell.\n\n\
             Congress then passed the Soil Conservation Act to protect the land.\n\n\
             Livestock suffered too, and many cattle starved on the dry plains.",
            &[],
        );
        assert_eq!(got, vec![None, None, None, None, None, None, None]);
    }

    #[test]
    fn a_he_is_written_in_only_when_the_person_is_clear() {
        let got = prepared(
            "Josiah Wedgwood was born in Burslem, and he was the youngest child.\n\n\
             In 1759 he set up his own business at the works in Burslem.\n\n\
             Queen Charlotte liked the tea set very much indeed. She was so pleased that he was allowed to call it Queen's ware.",
            &["Josiah Wedgwood", "Queen Charlotte"],
        );
        assert_eq!(
            got[0].as_deref(),
            Some("Josiah Wedgwood was born in Burslem, and he was the youngest child.")
        );
        assert_eq!(
            got[1].as_deref(),
            Some("In 1759 Josiah Wedgwood set up his own business at the works in Burslem.")
        );
        // Both a she and a he: whose is which is not clear.
        assert_eq!(got[3], None);
    }

    #[test]
    fn a_his_that_points_ahead_to_the_name_after_the_comma_is_kept() {
        let got = prepared(
            "Josiah Wedgwood made pots for many years in Burslem.\n\n\
             In his last speech in 1790, Thomas Bentley praised the canal builders.",
            &["Josiah Wedgwood", "Thomas Bentley"],
        );
        assert_eq!(
            got[1].as_deref(),
            Some("In his last speech in 1790, Thomas Bentley praised the canal builders.")
        );
    }

    #[test]
    fn stripped_year_remnants_and_fragments_are_skipped() {
        let got = prepared(
            "Stalin ruled Russia from until the people wanted to join.\n\n\
             Therefore in Stalin announced that collectivisation would be compulsory.\n\n\
             In Russia then there were three classes of people:\n\n\
             As for the peasants, they were forced into collective farms by the state.",
            &["Stalin"],
        );
        assert_eq!(got[0], None);
        assert_eq!(got[1], None);
        assert_eq!(got[2], None);
        assert_eq!(
            got[3].as_deref(),
            Some("The peasants were forced into collective farms by the state.")
        );
    }
}

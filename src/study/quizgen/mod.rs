//! Question generation from the document, held to a teacher's rubric: the
//! marked answer is what the document says; the question stands on its own;
//! the wrong choices are of the answer's kind and definitely wrong; it reads
//! as English; it tests something worth knowing.
//!
//! Pipeline:
//! 1. [`prepare`]: each sentence is made to stand alone (openers such as "So"
//!    or "For example" stripped, a clear he/she written in) or skipped (a
//!    pronoun or "this/it" that needs an earlier sentence, a fragment).
//! 2. Answers are glossary entries ([`matcher`], whole words only), numbers
//!    and years. The glossary is the pack's, or one made automatically
//!    ([`crate::study::autoglossary`]) when the pack has none.
//! 3. Forms: a wh-question when the answer opens the sentence ("Who was a
//!    Liverpool merchant ...?"), otherwise a cloze ("In ___, Wedgwood set
//!    up ..."); "Which of these statements does the document support?";
//!    cause and effect from because/so/therefore/in order to sentences;
//!    "Which of these does the document describe as ...?" (a definition in
//!    reverse); "Which of these happened first?" from the pack's dated events
//!    or the document's dated sentences.
//! 4. Wrong choices ([`choices`]): same kind and form, never another name or
//!    a synonym of the answer, never a statement the document also makes;
//!    numbers far apart with no ×10 pairs; answer rank and position random.
//! 5. A quiz is drawn across the document's passages, with no answer in more
//!    than 15% of its questions.
//!
//! Deterministic for a seed. [`Generator::new`] does the document-wide work
//! once (it is what a bot caches); a quiz then only touches the sentences it
//! needs, so a textbook-sized pack stays fast.

pub mod audit;
pub mod choices;
pub mod matcher;
pub mod prepare;

use std::collections::{HashMap, HashSet};

use crate::content::glossary::{EntryKind, Glossary};
use crate::content::{Pack, Question, QuestionOrigin, Sentence};
use crate::study::{autoglossary, english, text};

use choices::{Claim, Support, format_number, number_distractors, terms, year_distractors};
use matcher::Matcher;
use prepare::{Prepared, prepare_all, word_spans};

/// What kind of thing an answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerKind {
    Person,
    Place,
    Group,
    Term,
    Number,
    Year,
}

impl AnswerKind {
    pub fn name(&self) -> &'static str {
        match self {
            AnswerKind::Person => "person",
            AnswerKind::Place => "place",
            AnswerKind::Group => "group",
            AnswerKind::Term => "term",
            AnswerKind::Number => "number",
            AnswerKind::Year => "year",
        }
    }

    fn from_entry(kind: EntryKind) -> Self {
        match kind {
            EntryKind::Person => AnswerKind::Person,
            EntryKind::Place => AnswerKind::Place,
            EntryKind::Group => AnswerKind::Group,
            EntryKind::Term => AnswerKind::Term,
        }
    }
}

/// A possible answer inside a prepared sentence.
#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    kind: AnswerKind,
    /// The glossary entry (index into the matcher), for names and terms.
    entry: Option<usize>,
    /// Numbers: value, currency sign before, unit word after, approximate.
    number: Option<(u64, String, String, bool)>,
    year: Option<i32>,
}

/// Most questions a quiz may share one answer with, as a share.
pub const MAX_ANSWER_SHARE: f64 = 0.15;

const APPROXIMATE: &[&str] = &[
    "about",
    "around",
    "nearly",
    "almost",
    "over",
    "roughly",
    "approximately",
    "some",
    "several",
    "than",
    "to",
    "least",
];

/// The document-wide work for question generation, done once per pack.
#[derive(Debug)]
pub struct Generator {
    sentences: Vec<Sentence>,
    prepared: Vec<Option<Prepared>>,
    glossary: Glossary,
    /// Whether the glossary was made automatically.
    pub automatic_glossary: bool,
    matcher: Matcher,
    /// Per matcher entry: its content terms.
    entry_terms: Vec<Vec<String>>,
    support: Support,
    /// Per matcher entry: sentences that mention it.
    popularity: Vec<usize>,
    /// Per matcher entry: the words next to its mentions.
    neighbours: Vec<HashSet<String>>,
    /// Per matcher entry: whether the document writes "the" before it.
    takes_the: Vec<bool>,
    /// Every year the document names, sorted.
    years: Vec<i32>,
    /// (date, title) of the pack's dated events.
    events: Vec<(chrono::NaiveDate, String)>,
    synonyms: Vec<Vec<String>>,
    passages: usize,
}

/// Generates up to `count` distinct questions from the pack's document.
pub fn generate(pack: &Pack, count: usize, seed: u64) -> Vec<Question> {
    Generator::new(pack).generate(count, seed)
}

impl Generator {
    pub fn new(pack: &Pack) -> Self {
        let automatic_glossary = pack.glossary.entries.is_empty();
        let glossary = if automatic_glossary {
            autoglossary::build(&pack.document)
        } else {
            pack.glossary.clone()
        };
        let matcher = Matcher::new(&glossary);
        let sentences = pack.document.sentences().to_vec();
        let prepared = prepare_all(&pack.document, &matcher);
        let mut popularity = vec![0; matcher.entries.len()];
        let mut neighbour_counts: Vec<HashMap<String, usize>> =
            vec![HashMap::new(); matcher.entries.len()];
        let mut years = Vec::new();
        for sentence in &sentences {
            let words = word_spans(&sentence.text);
            let mut seen = HashSet::new();
            for found in matcher.find(&sentence.text) {
                if seen.insert(found.entry) {
                    popularity[found.entry] += 1;
                }
                let position = words.iter().position(|w| w.0 == found.start);
                let after = words.iter().position(|w| w.0 >= found.end);
                if let Some(p) = position.and_then(|p| p.checked_sub(1)) {
                    *neighbour_counts[found.entry]
                        .entry(format!("<{}", words[p].2))
                        .or_default() += 1;
                }
                if let Some(a) = after {
                    *neighbour_counts[found.entry]
                        .entry(format!(">{}", words[a].2))
                        .or_default() += 1;
                }
            }
            for (_, _, word) in &words {
                if word.len() == 4
                    && let Ok(year) = word.parse::<i32>()
                    && (1000..=2100).contains(&year)
                {
                    years.push(year);
                }
            }
        }
        years.sort_unstable();
        years.dedup();
        // The words most often next to each entry (a few, so comparing two
        // entries stays cheap on a large document).
        let takes_the: Vec<bool> = neighbour_counts
            .iter()
            .map(|counts| counts.contains_key("<the"))
            .collect();
        let neighbours: Vec<HashSet<String>> = neighbour_counts
            .into_iter()
            .map(|counts| {
                let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
                ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                ranked.into_iter().take(12).map(|(w, _)| w).collect()
            })
            .collect();
        let support = Support::new(
            sentences.iter().map(|s| s.text.as_str()),
            pack.events
                .iter()
                .map(|e| format!("{}. {}", e.title, e.description)),
        );
        let events = pack
            .events
            .iter()
            .map(|e| (e.date, e.title.clone()))
            .collect();
        let synonyms = pack
            .synonyms
            .iter()
            .map(|g| g.iter().map(|w| w.to_lowercase()).collect())
            .collect();
        let entry_terms = matcher.entries.iter().map(|(_, e, _)| terms(e)).collect();
        Self {
            entry_terms,
            passages: pack.document.passages().len(),
            sentences,
            prepared,
            glossary,
            automatic_glossary,
            matcher,
            support,
            popularity,
            neighbours,
            takes_the,
            years,
            events,
            synonyms,
        }
    }

    /// The glossary generation uses (the pack's, or the automatic one).
    pub fn glossary(&self) -> &Glossary {
        &self.glossary
    }

    /// Every question the document yields (for audits).
    pub fn pool(&self, seed: u64) -> Vec<Question> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let all: Vec<usize> = (0..self.sentences.len()).collect();
        let mut questions = self.candidates(&all, &mut rng);
        let mut seen = HashSet::new();
        questions.retain(|q| seen.insert(q.id.clone()));
        // No answer dominates the pool either (the document's main person
        // would otherwise answer a question in five): a few questions each.
        let cap = (questions.len() / 12).max(3);
        let mut counts: HashMap<String, usize> = HashMap::new();
        questions.retain(|q| {
            let count = counts.entry(answer_key(q, &self.glossary)).or_default();
            *count += 1;
            *count <= cap
        });
        questions
    }

    /// Up to `count` questions for one quiz, spread over the document.
    pub fn generate(&self, count: usize, seed: u64) -> Vec<Question> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let chosen = self.sentences_for(count, &mut rng);
        let mut questions = self.candidates(&chosen, &mut rng);
        let mut seen = HashSet::new();
        questions.retain(|q| seen.insert(q.id.clone()));
        select(questions, count, &self.sentences, &self.glossary, &mut rng)
    }

    /// The sentences a quiz of `count` questions looks at: all of a small
    /// document; for a large one, a random spread of passages.
    fn sentences_for(&self, count: usize, rng: &mut fastrand::Rng) -> Vec<usize> {
        let wanted = (count * 3).max(150);
        if self.sentences.len() <= wanted {
            return (0..self.sentences.len()).collect();
        }
        let mut by_passage: Vec<Vec<usize>> = vec![Vec::new(); self.passages.max(1)];
        for sentence in &self.sentences {
            if let Some(list) = by_passage.get_mut(sentence.passage) {
                list.push(sentence.index);
            }
        }
        rng.shuffle(&mut by_passage);
        let mut chosen = Vec::new();
        for passage in by_passage {
            if chosen.len() >= wanted {
                break;
            }
            chosen.extend(passage);
        }
        chosen.sort_unstable();
        chosen
    }

    /// Every question of every form from the given sentences.
    fn candidates(&self, sentences: &[usize], rng: &mut fastrand::Rng) -> Vec<Question> {
        let mut questions = Vec::new();
        let mut corruptions: Vec<Corruption> = Vec::new();
        let mut dated: Vec<DatedStatement> = Vec::new();
        let mut clauses: Vec<CauseClause> = Vec::new();
        for &index in sentences {
            let Some(Some(prepared)) = self.prepared.get(index) else {
                continue;
            };
            let mut spans = self.spans(&prepared.text);
            if let Some(written_in) = &prepared.written_in {
                spans.retain(|s| s.end <= written_in.start || s.start >= written_in.end);
            }
            for span in &spans {
                if let Some(question) = self.span_question(prepared, span, rng) {
                    questions.push(question);
                }
            }
            if let Some(question) = self.definition_question(prepared, &spans, rng) {
                questions.push(question);
            }
            if let Some(corruption) = self.corruption(prepared, &spans, rng) {
                corruptions.push(corruption);
            }
            if let Some(statement) = dated_statement(prepared, &spans) {
                dated.push(statement);
            }
            clauses.extend(cause_clauses(prepared));
        }
        questions.extend(self.statement_questions(&corruptions, rng));
        questions.extend(cause_questions(&clauses, rng));
        questions.extend(self.chronology_questions(&dated, rng));
        questions
    }

    /// Answer spans of a prepared sentence: glossary entries, then numbers
    /// and years that do not overlap them.
    fn spans(&self, text_: &str) -> Vec<Span> {
        let mut spans: Vec<Span> = Vec::new();
        for found in self.matcher.find(text_) {
            if text_[..found.start].matches('"').count() % 2 == 1 {
                continue;
            }
            spans.push(Span {
                start: found.start,
                end: found.end,
                kind: AnswerKind::from_entry(found.kind),
                entry: Some(found.entry),
                number: None,
                year: None,
            });
        }
        let tokens = text::tokenize(text_);
        for (i, token) in tokens.iter().enumerate() {
            if !token.is_number {
                continue;
            }
            let written = &text_[token.start..token.end];
            if text_[token.end..].starts_with('-') || text_[..token.start].ends_with('-') {
                continue;
            }
            let next = tokens.get(i + 1);
            if next.is_some_and(|n| text::is_month(&n.surface)) {
                continue;
            }
            let Ok(value) = token.term.parse::<u64>() else {
                continue;
            };
            let overlaps =
                |start: usize, end: usize| spans.iter().any(|s| s.start < end && start < s.end);
            if written.len() == 4
                && written.chars().all(|c| c.is_ascii_digit())
                && (1000..=2100).contains(&value)
            {
                if !overlaps(token.start, token.end) {
                    spans.push(Span {
                        start: token.start,
                        end: token.end,
                        kind: AnswerKind::Year,
                        entry: None,
                        number: None,
                        year: Some(value as i32),
                    });
                }
                continue;
            }
            // "several hundred", "thousands": no figure to ask for.
            let vague = matches!(
                token.surface.as_str(),
                "hundred"
                    | "thousand"
                    | "million"
                    | "dozen"
                    | "hundreds"
                    | "thousands"
                    | "millions"
            ) || i.checked_sub(1).is_some_and(|p| {
                matches!(
                    tokens[p].surface.as_str(),
                    "several" | "few" | "many" | "some"
                )
            });
            if value < 2 || vague {
                continue;
            }
            let mut start = token.start;
            let mut prefix = String::new();
            if let Some(sign) = text_[..start]
                .chars()
                .next_back()
                .filter(|c| "£$€".contains(*c))
            {
                start -= sign.len_utf8();
                prefix = sign.to_string();
            }
            let (end, unit) = match next {
                Some(n)
                    if !n.is_number
                        && !n.is_stopword
                        && n.surface.len() > 3
                        && n.surface.ends_with('s')
                        && text_[token.end..n.start].trim().is_empty() =>
                {
                    (n.end, text_[n.start..n.end].to_string())
                }
                _ => (token.end, String::new()),
            };
            let before: Vec<&str> = tokens[..i]
                .iter()
                .rev()
                .take(2)
                .map(|t| t.surface.as_str())
                .collect();
            let marked = before.first().is_some_and(|w| APPROXIMATE.contains(w));
            let significant = value.to_string().trim_end_matches('0').len();
            let approximate = marked || (value >= 100 && significant <= 2);
            if overlaps(start, end) {
                continue;
            }
            spans.push(Span {
                start,
                end,
                kind: AnswerKind::Number,
                entry: None,
                number: Some((value, prefix, unit, approximate)),
                year: None,
            });
        }
        spans.sort_by_key(|s| s.start);
        spans
    }

    /// How a span's answer (or a wrong choice) is shown.
    fn label(&self, span: &Span, text_: &str) -> String {
        match (&span.number, span.year) {
            (Some((value, prefix, unit, _)), _) => number_label(*value, prefix, unit),
            (_, Some(year)) => year.to_string(),
            // Names and terms as the glossary writes them, so a capital at
            // a sentence start does not single the answer out.
            _ => span
                .entry
                .map(|e| self.matcher.entries[e].1.clone())
                .unwrap_or_else(|| text_[span.start..span.end].to_string()),
        }
    }

    /// The names of a text (except the blanked span) as a claim, with its
    /// other content terms.
    fn claim(&self, text_: &str, except: Option<(usize, usize)>) -> Claim {
        let mut claim = Claim::default();
        let mut name_terms: HashSet<String> = HashSet::new();
        for found in self.matcher.find(text_) {
            if except.is_some_and(|(s, e)| found.start < e && s < found.end) {
                continue;
            }
            let entry = &self.matcher.entries[found.entry].1;
            let mut forms = vec![terms(entry)];
            for other in self.glossary.other_names(entry) {
                forms.push(terms(&other));
            }
            name_terms.extend(forms[0].iter().cloned());
            claim.names.push(forms);
        }
        let blanked = match except {
            Some((s, e)) => format!("{} {}", &text_[..s], &text_[e..]),
            None => text_.to_string(),
        };
        claim.terms = terms(&blanked)
            .into_iter()
            .filter(|t| !name_terms.contains(t))
            .collect();
        claim
    }

    /// Three wrong choices for a span, or None when three good ones do not
    /// exist.
    fn wrong_choices(
        &self,
        prepared: &Prepared,
        span: &Span,
        question_text: &str,
        rng: &mut fastrand::Rng,
    ) -> Option<Vec<String>> {
        let claim = self.claim(&prepared.text, Some((span.start, span.end)));
        let naming = self.support.naming(&claim);
        let supported = |label: &str| {
            self.support
                .supports_in(&terms(label), &claim, &naming, Some(prepared.index))
        };
        match (&span.number, span.year, span.entry) {
            (Some((value, prefix, unit, approximate)), _, _) => {
                for _ in 0..5 {
                    let wrong = number_distractors(*value, *approximate, rng)?;
                    // "1 ways": a plural unit needs at least 2.
                    if !unit.is_empty() && wrong.iter().any(|w| *w < 2) {
                        continue;
                    }
                    let labels: Vec<String> = wrong
                        .iter()
                        .map(|v| number_label(*v, prefix, unit))
                        .collect();
                    if !labels.iter().any(|l| supported(l)) {
                        return Some(labels);
                    }
                }
                None
            }
            (_, Some(year), _) => {
                for _ in 0..5 {
                    let labels: Vec<String> = year_distractors(year, &self.years, rng)
                        .iter()
                        .map(i32::to_string)
                        .collect();
                    if !labels.iter().any(|l| supported(l)) {
                        return Some(labels);
                    }
                }
                None
            }
            (_, _, Some(entry)) => {
                self.entity_choices(entry, question_text, &claim, &naming, prepared.index, rng)
            }
            _ => None,
        }
    }

    /// Wrong names or terms for `entry`: same kind and form, not another
    /// name, part or synonym of it, not already in the question, not
    /// supported by the document; ranked by how alike their contexts are and
    /// how often the document names them (so a name that is often the answer
    /// is often a wrong choice too).
    fn entity_choices(
        &self,
        entry: usize,
        question_text: &str,
        claim: &Claim,
        naming: &Option<Vec<usize>>,
        sentence: usize,
        rng: &mut fastrand::Rng,
    ) -> Option<Vec<String>> {
        let (kind, answer, _) = &self.matcher.entries[entry];
        let question_terms: HashSet<String> = terms(question_text).into_iter().collect();
        let in_question: Vec<usize> = self
            .matcher
            .find(question_text)
            .into_iter()
            .map(|f| f.entry)
            .collect();
        let capital = |s: &str| s.chars().next().is_some_and(char::is_uppercase);
        let plural = |s: &str| s.ends_with('s') && !s.ends_with("ss");
        // "the USSR" but "Japan": a name keeps the article habit of the answer.
        let takes_the = |e: usize| self.takes_the[e];
        let ending = |s: &str| s.chars().rev().take(3).collect::<String>();
        let mut scored: Vec<(f32, usize)> = Vec::new();
        for (index, (other_kind, other, _)) in self.matcher.entries.iter().enumerate() {
            if index == entry || other_kind != kind {
                continue;
            }
            if self.same_or_part(entry, index)
                || in_question.iter().any(|&q| self.same_or_part(q, index))
                || capital(answer) != capital(other)
                || (!capital(answer) && plural(answer) != plural(other))
                || (capital(answer) && takes_the(entry) != takes_the(index))
                || self.synonyms_of(answer, other)
            {
                continue;
            }
            let other_terms = &self.entry_terms[index];
            if other_terms.is_empty() || other_terms.iter().all(|t| question_terms.contains(t)) {
                continue;
            }
            if self
                .support
                .supports_in(other_terms, claim, naming, Some(sentence))
            {
                continue;
            }
            let shared = self.neighbours[entry]
                .intersection(&self.neighbours[index])
                .count() as f32;
            let similar =
                english::similarity(&answer.to_lowercase(), &other.to_lowercase()).unwrap_or(0.0);
            let shape = f32::from(u8::from(ending(answer) == ending(other)))
                + f32::from(u8::from(
                    answer.split_whitespace().count() == other.split_whitespace().count(),
                )) * 0.5;
            let score = shared.min(4.0) * 0.4
                + similar * 3.0
                + shape * 0.6
                + (1.0 + self.popularity[index] as f32).ln()
                + rng.f32() * 1.2;
            scored.push((score, index));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        // No two wrong choices that name the same thing.
        let mut chosen: Vec<usize> = Vec::new();
        for (_, index) in scored {
            if chosen.iter().all(|&c| !self.same_or_part(c, index)) {
                chosen.push(index);
            }
            if chosen.len() == 3 {
                break;
            }
        }
        (chosen.len() == 3).then(|| {
            chosen
                .iter()
                .map(|&i| self.matcher.entries[i].1.clone())
                .collect()
        })
    }

    /// Whether two entries may name the same thing: the same or a `same`
    /// name, one part of the other ("Bentley", "Thomas Bentley"), or both
    /// parts of one longer name ("Josiah", "Wedgwood" of "Josiah Wedgwood").
    fn same_or_part(&self, a: usize, b: usize) -> bool {
        let (_, name_a, words_a) = &self.matcher.entries[a];
        let (_, name_b, words_b) = &self.matcher.entries[b];
        if a == b
            || self.glossary.same_thing(name_a, name_b)
            || words_a.iter().all(|w| words_b.contains(w))
            || words_b.iter().all(|w| words_a.contains(w))
        {
            return true;
        }
        let capital = |s: &str| s.chars().next().is_some_and(char::is_uppercase);
        capital(name_a)
            && capital(name_b)
            && self.matcher.entries.iter().any(|(_, _, longer)| {
                longer.len() > words_a.len().max(words_b.len())
                    && words_a.iter().all(|w| longer.contains(w))
                    && words_b.iter().all(|w| longer.contains(w))
            })
    }

    fn synonyms_of(&self, a: &str, b: &str) -> bool {
        let (a, b) = (a.to_lowercase(), b.to_lowercase());
        english::are_synonyms(&a, &b)
            || self
                .synonyms
                .iter()
                .any(|group| group.contains(&a) && group.contains(&b))
    }

    /// A wh-question or cloze on one span.
    fn span_question(
        &self,
        prepared: &Prepared,
        span: &Span,
        rng: &mut fastrand::Rng,
    ) -> Option<Question> {
        let text_ = prepared.text.trim_end();
        let answer = self.label(span, text_);
        // The answer (or another name of it) must not show elsewhere.
        let rest = format!("{} {}", &text_[..span.start], &text_[span.end..]).to_lowercase();
        let mut names = vec![text_[span.start..span.end].to_lowercase()];
        if let Some(entry) = span.entry {
            names.extend(
                self.glossary
                    .other_names(&self.matcher.entries[entry].1)
                    .iter()
                    .map(|n| n.to_lowercase()),
            );
        }
        if names.iter().any(|n| matcher::contains_words(&rest, n)) {
            return None;
        }
        // "Catherine the Great, Empress of Russia": a title in apposition
        // to a name is no question of its own.
        if span.kind == AnswerKind::Person
            && let Some(before) = text_[..span.start].strip_suffix(", ")
            && self
                .matcher
                .find(before)
                .last()
                .is_some_and(|f| f.kind == EntryKind::Person && f.end == before.len())
        {
            return None;
        }
        let prompt = phrase(text_, span)?;
        let mut wrong = self.wrong_choices(prepared, span, &prompt, rng)?;
        // "a ___" / "an ___" would give the answer away: the article goes
        // into the blank, each choice with its own.
        let (prompt, answer) = match article_before(text_, span) {
            Some(article_start) if span.entry.is_some() => {
                let widened = Span {
                    start: article_start,
                    ..span.clone()
                };
                wrong = wrong.iter().map(|w| with_article(w)).collect();
                (phrase(text_, &widened)?, with_article(&answer))
            }
            _ => (prompt, answer),
        };
        let prompt_text = prompt.clone();
        let mut answers = vec![answer.clone()];
        let written = text_[span.start..span.end].to_string();
        if !written.eq_ignore_ascii_case(&answer) {
            answers.push(written);
        }
        if let Some((value, _, _, _)) = &span.number {
            answers.push(value.to_string());
        }
        Some(make_question(
            format!(
                "generated-{}-{}-{}",
                prepared.index + 1,
                span.kind.name(),
                slug(&answer)
            ),
            prompt,
            answer,
            answers,
            wrong,
            Some(prepared.index),
            span.kind.name(),
            // The reason, unless the question already says it.
            reason_in(&self.sentences[prepared.index].text).filter(|reason| {
                let clause = reason.trim_start_matches("The document gives the reason: ");
                !prompt_text
                    .to_lowercase()
                    .contains(&clause.trim_end_matches('.').to_lowercase())
            }),
            rng,
        ))
    }

    /// "Which of these does the document describe as a cream-coloured
    /// earthenware ...?" from "X, a/an <description>".
    fn definition_question(
        &self,
        prepared: &Prepared,
        spans: &[Span],
        rng: &mut fastrand::Rng,
    ) -> Option<Question> {
        let text_ = prepared.text.trim_end().trim_end_matches(['.', '!']);
        for span in spans.iter().filter(|s| s.entry.is_some()) {
            let after = &text_[span.end..];
            let Some(description) = after
                .strip_prefix(", a ")
                .map(|d| format!("a {d}"))
                .or_else(|| after.strip_prefix(", an ").map(|d| format!("an {d}")))
            else {
                continue;
            };
            // Up to the next comma that starts a new clause.
            let description = match description
                .find(", who")
                .or_else(|| description.find(", and "))
            {
                Some(cut) => description[..cut].to_string(),
                None => description,
            };
            let words = description.split_whitespace().count();
            if !(4..=24).contains(&words) || description.contains('"') {
                continue;
            }
            let entry = span.entry?;
            let answer = self.matcher.entries[entry].1.clone();
            if text::content_terms(&description)
                .iter()
                .any(|t| terms(&answer).contains(t))
            {
                continue;
            }
            let prompt = format!("Which of these does the document describe as {description}?");
            let claim = Claim {
                names: Vec::new(),
                terms: terms(&description),
            };
            let naming = self.support.naming(&claim);
            let wrong =
                self.entity_choices(entry, &prompt, &claim, &naming, prepared.index, rng)?;
            return Some(make_question(
                format!(
                    "generated-{}-definition-{}",
                    prepared.index + 1,
                    slug(&answer)
                ),
                prompt,
                answer.clone(),
                vec![answer],
                wrong,
                Some(prepared.index),
                "definition",
                None,
                rng,
            ));
        }
        None
    }

    /// The sentence with one fact changed (a wrong name, number or year),
    /// checked to be unsupported by the document.
    fn corruption(
        &self,
        prepared: &Prepared,
        spans: &[Span],
        rng: &mut fastrand::Rng,
    ) -> Option<Corruption> {
        let words = prepared.text.split_whitespace().count();
        if !(7..=30).contains(&words) {
            return None;
        }
        // Names of people and places, numbers and years: a changed one is
        // plainly false and still reads well (a changed term may not).
        let mut order: Vec<&Span> = spans
            .iter()
            .filter(|s| {
                matches!(
                    s.kind,
                    AnswerKind::Person | AnswerKind::Place | AnswerKind::Number | AnswerKind::Year
                )
            })
            .filter(|s| {
                prepared
                    .written_in
                    .as_ref()
                    .is_none_or(|w| s.end <= w.start || s.start >= w.end)
            })
            .collect();
        rng.shuffle(&mut order);
        for span in order {
            let question_text = format!(
                "{}___{}",
                &prepared.text[..span.start],
                &prepared.text[span.end..]
            );
            let Some(wrong) = self.wrong_choices(prepared, span, &question_text, rng) else {
                continue;
            };
            let original = self.label(span, &prepared.text);
            let replacement = &wrong[0];
            // "a Liverpool merchant" -> "an Etruria merchant".
            let head = prepared.text[..span.start].to_string();
            let head = match (head.strip_suffix(" a "), head.strip_suffix(" an ")) {
                (Some(h), _) | (_, Some(h)) => {
                    let vowel = replacement
                        .chars()
                        .next()
                        .is_some_and(|c| "AEIOUaeiou".contains(c));
                    format!("{h} {} ", if vowel { "an" } else { "a" })
                }
                _ => head,
            };
            let written = replacement.clone();
            return Some(Corruption {
                sentence: prepared.index,
                passage: self.sentences[prepared.index].passage,
                truth: prepared.text.clone(),
                changed: capitalise(&format!("{head}{written}{}", &prepared.text[span.end..])),
                original,
                replacement: replacement.clone(),
                words,
            });
        }
        None
    }

    /// "Which of these statements does the document support?": one true
    /// sentence against three others each with one fact changed.
    fn statement_questions(
        &self,
        corruptions: &[Corruption],
        rng: &mut fastrand::Rng,
    ) -> Vec<Question> {
        let mut questions = Vec::new();
        if corruptions.len() < 4 {
            return questions;
        }
        for truth in corruptions {
            let mut others: Vec<&Corruption> = corruptions
                .iter()
                .filter(|c| {
                    c.sentence != truth.sentence
                        && (c.words as f64) >= truth.words as f64 * 0.65
                        && (c.words as f64) <= truth.words as f64 * 1.5
                })
                .collect();
            rng.shuffle(&mut others);
            // Prefer other passages, so the statements cover more ground.
            others.sort_by_key(|c| c.passage == truth.passage);
            if others.len() < 3 {
                continue;
            }
            let wrong: Vec<String> = others.iter().take(3).map(|c| c.changed.clone()).collect();
            let changes: Vec<String> = others
                .iter()
                .take(3)
                .map(|c| format!("{} (not {})", c.original, c.replacement))
                .collect();
            // And the reverse: three true statements, one changed.
            let trues: Vec<&Corruption> = others.iter().take(3).copied().collect();
            questions.push(make_question(
                format!("generated-{}-not-supported", truth.sentence + 1),
                "Which of these statements does the document NOT support?".into(),
                truth.changed.clone(),
                vec![truth.changed.clone()],
                trues.iter().map(|c| c.truth.clone()).collect(),
                Some(truth.sentence),
                "statement",
                Some(format!(
                    "The document says {}, not {}.",
                    truth.original, truth.replacement
                )),
                rng,
            ));
            questions.push(make_question(
                format!("generated-{}-statement", truth.sentence + 1),
                "Which of these statements does the document support?".into(),
                truth.truth.clone(),
                vec![truth.truth.clone()],
                wrong,
                Some(truth.sentence),
                "statement",
                Some(format!(
                    "The other statements each change one fact; the document says {}.",
                    join_and(&changes)
                )),
                rng,
            ));
        }
        questions
    }

    /// "Which of these happened first/last?" from the pack's dated events,
    /// or (without them) from the document's sentences that state a year.
    fn chronology_questions(
        &self,
        dated: &[DatedStatement],
        rng: &mut fastrand::Rng,
    ) -> Vec<Question> {
        let items: Vec<(i32, String, Option<usize>, String)> = if self.events.len() >= 8 {
            self.events
                .iter()
                .map(|(date, title)| {
                    use chrono::Datelike;
                    (date.year(), title.clone(), None, date.to_string())
                })
                .collect()
        } else {
            dated
                .iter()
                .map(|d| {
                    (
                        d.year,
                        d.statement.clone(),
                        Some(d.sentence),
                        d.year.to_string(),
                    )
                })
                .collect()
        };
        let mut questions = Vec::new();
        if items.len() < 4 {
            return questions;
        }
        let mut order: Vec<usize> = (0..items.len()).collect();
        rng.shuffle(&mut order);
        // Dated events are not the document: they stay a minority of the pool.
        let most = items
            .len()
            .div_ceil(2)
            .min((self.sentences.len() * 3 / 5).max(4));
        for &answer in order.iter().take(most) {
            let first = rng.bool();
            let (year, title, sentence, date) = &items[answer];
            let mut others: Vec<usize> = (0..items.len())
                .filter(|&i| {
                    let y = items[i].0;
                    if first { y >= year + 2 } else { y <= year - 2 }
                })
                .collect();
            rng.shuffle(&mut others);
            let mut picked: Vec<usize> = Vec::new();
            for i in others {
                if picked
                    .iter()
                    .all(|&p| (items[p].0 - items[i].0).abs() >= 1 && items[p].1 != items[i].1)
                {
                    picked.push(i);
                }
                if picked.len() == 3 {
                    break;
                }
            }
            if picked.len() < 3 {
                continue;
            }
            let mut dates: Vec<(String, String)> = picked
                .iter()
                .map(|&i| (items[i].3.clone(), items[i].1.clone()))
                .collect();
            dates.push((date.clone(), title.clone()));
            dates.sort();
            let explanation = dates
                .iter()
                .map(|(d, t)| format!("{d}: {}", t.trim_end_matches('.')))
                .collect::<Vec<_>>()
                .join("; ");
            let prompt = if first {
                "Which of these happened first?"
            } else {
                "Which of these happened last?"
            };
            questions.push(make_question(
                format!(
                    "chronology-{}-{}",
                    slug(date),
                    if first { "first" } else { "last" }
                ),
                prompt.into(),
                title.clone(),
                vec![title.clone()],
                picked.iter().map(|&i| items[i].1.clone()).collect(),
                *sentence,
                "chronology",
                Some(format!("In order: {explanation}.")),
                rng,
            ));
        }
        questions
    }
}

/// A sentence with one fact changed.
#[derive(Debug, Clone)]
struct Corruption {
    sentence: usize,
    passage: usize,
    truth: String,
    changed: String,
    original: String,
    replacement: String,
    words: usize,
}

/// A prepared sentence stating one year ("In 1759 X set up ..."), as a
/// statement without it ("X set up ...").
#[derive(Debug, Clone)]
struct DatedStatement {
    sentence: usize,
    year: i32,
    statement: String,
}

fn dated_statement(prepared: &Prepared, spans: &[Span]) -> Option<DatedStatement> {
    let years: Vec<&Span> = spans.iter().filter(|s| s.year.is_some()).collect();
    let [span] = years.as_slice() else {
        return None;
    };
    if spans.iter().any(|s| s.number.is_some()) {
        return None;
    }
    let text_ = prepared.text.trim_end();
    let before = &text_[..span.start];
    let after = &text_[span.end..];
    let statement = if before == "In " {
        capitalise(after.trim_start_matches(',').trim_start())
    } else if let Some(head) = before.strip_suffix(" in ") {
        let tail = after.trim_start_matches(',');
        format!(
            "{head}{}",
            if tail.starts_with([' ', '.', ',']) {
                tail.to_string()
            } else {
                format!(" {tail}")
            }
        )
    } else {
        return None;
    };
    let words = statement.split_whitespace().count();
    if !(5..=22).contains(&words) {
        return None;
    }
    Some(DatedStatement {
        sentence: prepared.index,
        year: span.year?,
        statement,
    })
}

/// The grammatical shape of a cause/effect clause, so wrong choices fit
/// the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClauseShape {
    /// A full clause: "because there was not enough food".
    Clause,
    /// An infinitive: "in order to fund the purchase of machinery".
    Purpose,
    /// A noun phrase: "leading to famine on a catastrophic scale".
    Result,
}

#[derive(Debug, Clone)]
struct CauseClause {
    sentence: usize,
    /// The prompt before the blank, connector included.
    lead: String,
    clause: String,
    shape: ClauseShape,
}

const CONNECTORS: &[(&str, ClauseShape)] = &[
    (" because ", ClauseShape::Clause),
    (" so that ", ClauseShape::Clause),
    (", so ", ClauseShape::Clause),
    (" therefore ", ClauseShape::Clause),
    (" in order to ", ClauseShape::Purpose),
    (", leading to ", ClauseShape::Result),
    (" as a result of ", ClauseShape::Result),
];

/// Cause and effect clauses of a prepared sentence.
fn cause_clauses(prepared: &Prepared) -> Vec<CauseClause> {
    let text_ = prepared.text.trim_end().trim_end_matches(['.', '!']);
    let mut found = Vec::new();
    for (connector, shape) in CONNECTORS {
        let Some(at) = text_.find(connector) else {
            continue;
        };
        let lead = &text_[..at + connector.len()];
        let clause = &text_[at + connector.len()..];
        let words = clause.split_whitespace().count();
        if !(3..=16).contains(&words) || lead.split_whitespace().count() < 4 || clause.contains(',')
        {
            continue;
        }
        found.push(CauseClause {
            sentence: prepared.index,
            lead: lead.trim_end().to_string(),
            clause: clause.to_string(),
            shape: *shape,
        });
    }
    found
}

/// "X because ___": the right clause against clauses of the same shape
/// from other sentences, of similar length.
fn cause_questions(clauses: &[CauseClause], rng: &mut fastrand::Rng) -> Vec<Question> {
    let standalone = |c: &CauseClause| {
        !word_spans(&c.clause).iter().any(|(_, _, w)| {
            matches!(
                w.as_str(),
                "he" | "she" | "it" | "they" | "them" | "his" | "her" | "their" | "its" | "him"
            )
        })
    };
    let mut questions = Vec::new();
    for clause in clauses {
        let length = clause.clause.len() as f32;
        let mut others: Vec<(f32, &CauseClause)> = clauses
            .iter()
            .filter(|o| o.sentence != clause.sentence && o.shape == clause.shape && standalone(o))
            .filter(|o| {
                let shared = terms(&o.clause)
                    .iter()
                    .filter(|t| terms(&clause.clause).contains(t))
                    .count();
                shared * 2 < terms(&o.clause).len().max(1)
            })
            .map(|o| {
                (
                    (o.clause.len() as f32 / length).ln().abs() + rng.f32() * 0.3,
                    o,
                )
            })
            .filter(|(d, _)| *d < 0.9)
            .collect();
        if others.len() < 3 {
            continue;
        }
        others.sort_by(|a, b| a.0.total_cmp(&b.0));
        let wrong: Vec<String> = others
            .iter()
            .take(3)
            .map(|(_, o)| o.clause.clone())
            .collect();
        questions.push(make_question(
            format!(
                "generated-{}-cause-{}",
                clause.sentence + 1,
                slug(&clause.clause)
            ),
            format!("{} ___.", clause.lead),
            clause.clause.clone(),
            vec![clause.clause.clone()],
            wrong,
            Some(clause.sentence),
            "cause",
            None,
            rng,
        ));
    }
    questions
}

/// The reason a sentence gives, if any ("because ...", "in order to ...").
fn reason_in(sentence: &str) -> Option<String> {
    let text_ = sentence.trim_end().trim_end_matches(['.', '!']);
    let lower = text_.to_lowercase();
    for connector in ["because ", "in order to ", "so that "] {
        if let Some(at) = lower.find(connector) {
            let clause = text_[at..].split(", ").next().unwrap_or("").trim();
            if clause.split_whitespace().count() >= 4 {
                return Some(format!("The document gives the reason: {clause}."));
            }
        }
    }
    None
}

/// The prompt for a span: a wh-question when the answer opens the
/// sentence as its subject, otherwise a cloze.
fn phrase(text_: &str, span: &Span) -> Option<String> {
    let body = text_.trim_end_matches(['.', '!']);
    if span.end >= body.len() && span.start == 0 {
        return None;
    }
    if span.start == 0 {
        let rest = &body[span.end..];
        let next_is_lower = rest
            .strip_prefix(' ')
            .and_then(|r| r.chars().next())
            .is_some_and(char::is_lowercase);
        if let Some(after) = rest
            .strip_prefix("'s ")
            .or_else(|| rest.strip_prefix("’s "))
            && span.kind == AnswerKind::Person
        {
            return Some(format!("Whose {after}?"));
        }
        if next_is_lower {
            let lead = match span.kind {
                AnswerKind::Person => Some("Who"),
                AnswerKind::Term => Some("What"),
                AnswerKind::Group => Some("Which group"),
                AnswerKind::Place => Some("Which place"),
                _ => None,
            };
            if let Some(lead) = lead {
                return Some(format!("{lead}{rest}?"));
            }
        }
    }
    Some(format!("{}___{}", &text_[..span.start], &text_[span.end..]))
}

/// Where "a"/"an" before a lowercase span starts, if there is one.
fn article_before(text_: &str, span: &Span) -> Option<usize> {
    if text_[span.start..]
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
    {
        return None;
    }
    let before = &text_[..span.start];
    for article in ["a ", "an ", "A ", "An "] {
        if let Some(head) = before.strip_suffix(article)
            && (head.is_empty() || head.ends_with(' '))
        {
            return Some(head.len());
        }
    }
    None
}

/// "a kolkhoz", "an exile".
fn with_article(noun: &str) -> String {
    let vowel = noun
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

fn number_label(value: u64, prefix: &str, unit: &str) -> String {
    if unit.is_empty() {
        format!("{prefix}{}", format_number(value))
    } else {
        format!("{prefix}{} {unit}", format_number(value))
    }
}

fn capitalise(text_: &str) -> String {
    let mut chars = text_.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A short id-safe form of an answer.
fn slug(text_: &str) -> String {
    let mut slug = String::new();
    for word in text_
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
    {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_lowercase());
    }
    slug
}

/// A question with its choices in random order.
#[allow(clippy::too_many_arguments)]
fn make_question(
    id: String,
    prompt: String,
    answer: String,
    answers: Vec<String>,
    wrong: Vec<String>,
    source_sentence: Option<usize>,
    kind: &str,
    explanation: Option<String>,
    rng: &mut fastrand::Rng,
) -> Question {
    let mut choices = wrong;
    choices.push(answer.clone());
    rng.shuffle(&mut choices);
    let answer_index = choices.iter().position(|c| *c == answer);
    Question {
        id,
        prompt,
        choices,
        answer_index,
        answers,
        source_sentence,
        kind: kind.to_string(),
        origin: QuestionOrigin::Generated,
        explanation,
    }
}

/// The key under which answers are counted for balance: one per thing, so
/// "USSR" and "Soviet Union" count together.
fn answer_key(question: &Question, glossary: &Glossary) -> String {
    let answer = question.answer().to_lowercase();
    glossary
        .same
        .iter()
        .find(|g| g.contains(&answer))
        .and_then(|g| g.first().cloned())
        .unwrap_or(answer)
}

/// Picks `count` questions: round-robin over passages (topics), one per
/// sentence before any sentence gives a second, no answer in more than
/// [`MAX_ANSWER_SHARE`] of the quiz, and no form taking over.
fn select(
    questions: Vec<Question>,
    count: usize,
    sentences: &[Sentence],
    glossary: &Glossary,
    rng: &mut fastrand::Rng,
) -> Vec<Question> {
    let answer_cap = ((count as f64 * MAX_ANSWER_SHARE).floor() as usize).max(1);
    let kind_cap = |kind: &str| match kind {
        "chronology" => (count / 10).max(1),
        "statement" => (count / 5).max(1),
        "cause" | "definition" => (count / 4).max(1),
        _ => count,
    };
    let mut groups: HashMap<usize, Vec<Question>> = HashMap::new();
    for question in questions {
        let topic = question
            .source_sentence
            .and_then(|i| sentences.get(i))
            .map_or(usize::MAX, |s| s.passage);
        groups.entry(topic).or_default().push(question);
    }
    let mut groups: Vec<(usize, Vec<Question>)> = groups.into_iter().collect();
    groups.sort_by_key(|(topic, _)| *topic);
    rng.shuffle(&mut groups);
    for (_, group) in &mut groups {
        rng.shuffle(group);
    }
    let mut chosen: Vec<Question> = Vec::new();
    let mut answers: HashMap<String, usize> = HashMap::new();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    let mut used_sentences: HashSet<usize> = HashSet::new();
    let mut used_ids: HashSet<String> = HashSet::new();
    for allow_same_sentence in [false, true] {
        loop {
            let mut progress = false;
            for (_, group) in &mut groups {
                if chosen.len() >= count {
                    break;
                }
                let position = group.iter().position(|q| {
                    let key = answer_key(q, glossary);
                    !used_ids.contains(&q.id)
                        && answers.get(&key).copied().unwrap_or(0) < answer_cap
                        && kinds.get(&q.kind).copied().unwrap_or(0) < kind_cap(&q.kind)
                        && (allow_same_sentence
                            || q.source_sentence
                                .is_none_or(|s| !used_sentences.contains(&s)))
                });
                if let Some(position) = position {
                    let question = group.remove(position);
                    *answers.entry(answer_key(&question, glossary)).or_default() += 1;
                    *kinds.entry(question.kind.clone()).or_default() += 1;
                    if let Some(s) = question.source_sentence {
                        used_sentences.insert(s);
                    }
                    used_ids.insert(question.id.clone());
                    chosen.push(question);
                    progress = true;
                }
            }
            if !progress || chosen.len() >= count {
                break;
            }
        }
    }
    chosen
}

#[cfg(test)]
mod tests;

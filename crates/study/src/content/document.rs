//! The document model: a study text split into passages (paragraphs) and
//! sentences with stable ids.
//!
//! Ids are positions: sentence `n` is the n-th sentence of the text, so the
//! same text always yields the same ids. Question banks cite sentences by a
//! quote rather than by number so that a teacher can edit the document
//! without renumbering every question. Nothing here rewrites the text: a
//! sentence's `text` is a verbatim slice of the document (trimmed), however
//! messy it is.

use std::ops::Range;

/// One sentence of the document, verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// 0-based position in the document. Shown to users 1-based.
    pub index: usize,
    /// 0-based index of the passage (paragraph) holding it.
    pub passage: usize,
    /// The sentence exactly as written, without surrounding whitespace.
    pub text: String,
    /// Byte range of `text` within the document.
    pub span: Range<usize>,
    /// 1-based line of the document where the sentence starts.
    pub line: usize,
}

impl Sentence {
    /// True when the sentence opens with a pronoun or demonstrative whose
    /// referent is in an earlier sentence ("He started...", "This means...").
    /// Such a sentence needs its neighbour to make sense.
    pub fn opens_with_dangling_reference(&self) -> bool {
        let first = self
            .text
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .find(|w| !w.is_empty())
            .unwrap_or("");
        DANGLING_OPENERS
            .iter()
            .any(|opener| first.eq_ignore_ascii_case(opener))
    }
}

const DANGLING_OPENERS: &[&str] = &[
    "he", "she", "it", "they", "them", "his", "her", "its", "their", "this", "these", "those",
    "that", "such",
];

/// A paragraph: a run of sentences not separated by a blank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub index: usize,
    /// Indices of its sentences in [`Document::sentences`].
    pub sentences: Range<usize>,
}

/// A study document split into passages and sentences.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    sentences: Vec<Sentence>,
    passages: Vec<Passage>,
}

impl Document {
    /// Splits `text` into paragraphs (separated by blank lines) and sentences.
    /// Never fails: any text, however messy, yields a document (possibly empty).
    pub fn parse(text: &str) -> Self {
        let mut sentences = Vec::new();
        let mut passages = Vec::new();
        // Lines are counted incrementally: sentences come in text order.
        let (mut counted_to, mut line) = (0usize, 1usize);
        for paragraph in paragraphs(text) {
            let first = sentences.len();
            for span in sentence_spans(text, paragraph) {
                let index = sentences.len();
                line += text.as_bytes()[counted_to..span.start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                counted_to = span.start;
                sentences.push(Sentence {
                    index,
                    passage: passages.len(),
                    text: text[span.clone()].to_string(),
                    line,
                    span,
                });
            }
            if sentences.len() > first {
                passages.push(Passage {
                    index: passages.len(),
                    sentences: first..sentences.len(),
                });
            }
        }
        Self {
            text: text.to_string(),
            sentences,
            passages,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn sentences(&self) -> &[Sentence] {
        &self.sentences
    }

    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    pub fn sentence(&self, index: usize) -> Option<&Sentence> {
        self.sentences.get(index)
    }

    /// The passages that are headings or a title: a paragraph of at most
    /// 14 words, in one or two pieces ("The Dust Bowl: Revision Notes"
    /// splits at its colon), that is not ended as a sentence is, or that is
    /// a question written in title case ("Where Was the Dust Bowl?"). In
    /// notes where many paragraphs look so (a list of points), none is a
    /// heading: they are the text.
    pub fn heading_passages(&self) -> std::collections::HashSet<usize> {
        let looks_like_heading = |passage: &Passage| {
            let sentences = &self.sentences[passage.sentences.clone()];
            let words: Vec<&str> = sentences
                .iter()
                .flat_map(|s| s.text.split_whitespace())
                .collect();
            let Some(last) = sentences.last() else {
                return false;
            };
            let end = last
                .text
                .trim_end()
                .trim_end_matches(['"', '\'', '”', '’', ')']);
            let capitalised = words
                .iter()
                .filter(|w| w.chars().count() >= 4)
                .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()));
            sentences.len() <= 2
                && words.len() <= 14
                && (!end.ends_with(['.', '!', '?', ':', ';'])
                    || (end.ends_with('?') && capitalised))
        };
        let found: std::collections::HashSet<usize> = self
            .passages
            .iter()
            .filter(|p| looks_like_heading(p))
            .map(|p| p.index)
            .collect();
        let sentences_in = |p: &usize| self.passages[*p].sentences.len();
        let count: usize = found.iter().map(sentences_in).sum();
        if found.len() > 3 && count * 5 > self.sentences.len() {
            return std::collections::HashSet::new();
        }
        found
    }

    /// The sentence before `index` in the same passage, if any.
    pub fn previous_in_passage(&self, index: usize) -> Option<&Sentence> {
        let sentence = self.sentences.get(index)?;
        let previous = self.sentences.get(index.checked_sub(1)?)?;
        (previous.passage == sentence.passage).then_some(previous)
    }

    /// The sentence after `index` in the same passage, if any.
    pub fn next_in_passage(&self, index: usize) -> Option<&Sentence> {
        let sentence = self.sentences.get(index)?;
        let next = self.sentences.get(index.checked_add(1)?)?;
        (next.passage == sentence.passage).then_some(next)
    }

    /// Finds the sentences containing `quote`, comparing with whitespace
    /// collapsed and case folded (so a teacher's citation survives a double
    /// space or a capital letter).
    pub fn find_quote(&self, quote: &str) -> Vec<usize> {
        let needle = collapse_whitespace(quote).to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        self.sentences
            .iter()
            .filter(|s| {
                collapse_whitespace(&s.text)
                    .to_lowercase()
                    .contains(&needle)
            })
            .map(|s| s.index)
            .collect()
    }
}

/// Collapses every run of whitespace to a single space and trims the ends.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Byte ranges of the paragraphs of `text` (blank-line separated, trimmed).
fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut result = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content_len = line.trim_end().len();
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                result.push(s..end);
            }
        } else {
            let leading = line.len() - line.trim_start().len();
            start.get_or_insert(offset + leading);
            end = offset + content_len;
        }
        offset += line.len();
    }
    if let Some(s) = start {
        result.push(s..end);
    }
    result
}

/// Splits one paragraph into sentence byte ranges.
///
/// A sentence ends at `.`, `!` or `?` (with any closing quotes or brackets)
/// followed by whitespace and then something that can start a sentence, or at
/// the end of the paragraph. A colon followed by whitespace and a capital
/// letter also ends one: the seed document uses "...three classes of people:
/// Although admired..." where a list was cut out. Common abbreviations and
/// initials ("Dr.", "e.g.", "J. Stalin") do not end a sentence.
fn sentence_spans(text: &str, paragraph: Range<usize>) -> Vec<Range<usize>> {
    let body = &text[paragraph.clone()];
    let chars: Vec<(usize, char)> = body.char_indices().collect();
    let mut spans = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if matches!(c, '.' | '!' | '?' | ':') {
            // Include trailing closers such as quotes and brackets.
            let mut j = i + 1;
            if c != ':' {
                while j < chars.len() && matches!(chars[j].1, '"' | '\'' | ')' | ']' | '”' | '’')
                {
                    j += 1;
                }
            }
            let end = chars.get(j).map_or(body.len(), |&(p, _)| p);
            let next_is_space = chars.get(j).is_some_and(|&(_, n)| n.is_whitespace());
            let mut k = j;
            while k < chars.len() && chars[k].1.is_whitespace() {
                k += 1;
            }
            let next_char = chars.get(k).map(|&(_, n)| n);
            let boundary = next_is_space
                && match c {
                    ':' => next_char.is_some_and(char::is_uppercase),
                    '.' => {
                        next_char.is_some_and(can_start_sentence)
                            && !ends_with_abbreviation(&body[start..pos])
                    }
                    _ => next_char.is_some_and(can_start_sentence),
                };
            if boundary {
                push_trimmed(&mut spans, body, start..end, paragraph.start);
                start = chars.get(k).map_or(body.len(), |&(p, _)| p);
                i = k;
                continue;
            }
        }
        i += 1;
    }
    push_trimmed(&mut spans, body, start..body.len(), paragraph.start);
    spans
}

fn can_start_sentence(c: char) -> bool {
    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[')
}

fn ends_with_abbreviation(before_dot: &str) -> bool {
    let word = before_dot
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let lower = word.to_lowercase();
    // A single capital letter is an initial ("J. Stalin").
    let is_initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    is_initial
        || matches!(
            lower.as_str(),
            "mr" | "mrs"
                | "ms"
                | "dr"
                | "st"
                | "prof"
                | "gen"
                | "col"
                | "lt"
                | "sgt"
                | "capt"
                | "e.g"
                | "i.e"
                | "etc"
                | "vs"
                | "cf"
                | "no"
                | "vol"
                | "approx"
                | "ca"
                | "c"
                | "u.s"
                | "u.k"
                | "u.s.s.r"
                | "jan"
                | "feb"
                | "aug"
                | "sept"
                | "oct"
                | "nov"
                | "dec"
        )
}

fn push_trimmed(spans: &mut Vec<Range<usize>>, body: &str, range: Range<usize>, offset: usize) {
    let slice = &body[range.clone()];
    let leading = slice.len() - slice.trim_start().len();
    let trimmed_len = slice.trim().len();
    if trimmed_len > 0 {
        let start = offset + range.start + leading;
        spans.push(start..start + trimmed_len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_paragraphs_and_sentences_with_positions() {
        let doc = Document::parse("First one. Second one!\n\nThird? Yes.\n");
        let texts: Vec<_> = doc.sentences().iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["First one.", "Second one!", "Third?", "Yes."]);
        assert_eq!(doc.passages().len(), 2);
        assert_eq!(doc.sentences()[2].passage, 1);
        assert_eq!(doc.sentences()[2].line, 3);
        for s in doc.sentences() {
            assert_eq!(&doc.text()[s.span.clone()], s.text);
        }
    }

    #[test]
    fn keeps_abbreviations_and_initials_inside_a_sentence() {
        let doc = Document::parse("Dr. Smith met J. Stalin, e.g. in Moscow. Then he left.");
        assert_eq!(doc.sentences().len(), 2);
        assert_eq!(doc.sentences()[1].text, "Then he left.");
    }

    #[test]
    fn colon_before_a_capital_ends_a_sentence_but_not_before_lowercase() {
        let doc = Document::parse(
            "There were three classes: Although admired. Two things: bread and land.",
        );
        let texts: Vec<_> = doc.sentences().iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "There were three classes:",
                "Although admired.",
                "Two things: bread and land."
            ]
        );
    }

    #[test]
    fn messy_text_never_invents_or_loses_words() {
        let text = "Stalin ruled Russia from  until If you wanted to join.  \n\n\n  Therefore in  Stalin announced it";
        let doc = Document::parse(text);
        let rebuilt: String = doc
            .sentences()
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(collapse_whitespace(&rebuilt), collapse_whitespace(text));
        assert!(Document::parse("").sentences().is_empty());
        assert!(Document::parse("\n \n").passages().is_empty());
    }

    #[test]
    fn detects_sentences_that_open_with_a_dangling_reference() {
        let doc = Document::parse(
            "Stalin ruled. He started executing. This means more. Agriculture fell.",
        );
        let dangling: Vec<_> = doc
            .sentences()
            .iter()
            .map(Sentence::opens_with_dangling_reference)
            .collect();
        assert_eq!(dangling, [false, true, true, false]);
    }

    #[test]
    fn finds_quotes_despite_spacing_and_case() {
        let doc = Document::parse(
            "Therefore in  Stalin announced that collectivisation would be compulsory.",
        );
        assert_eq!(doc.find_quote("therefore in Stalin announced"), vec![0]);
        assert!(doc.find_quote("not there").is_empty());
        assert!(doc.find_quote("   ").is_empty());
    }

    #[test]
    fn previous_in_passage_stops_at_paragraph_breaks() {
        let doc = Document::parse("A one. A two.\n\nB one.");
        assert_eq!(doc.previous_in_passage(1).map(|s| s.index), Some(0));
        assert!(doc.previous_in_passage(2).is_none());
        assert!(doc.previous_in_passage(0).is_none());
    }
}

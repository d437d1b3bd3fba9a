//! Topics the document covers, as phrases a student can ask about
//! ("collective farms", "Moscow Metro"), offered with a refusal.
//!
//! A topic is a run of up to three content words inside a sentence: no
//! function words, no common generic words, no adverbs or lowercase verb
//! forms. Topics that recur across sentences rank first.

use std::collections::HashMap;

use super::super::text;

#[derive(Debug, Clone)]
pub(super) struct Topic {
    /// As shown: the document's words, proper names keep their capitals.
    pub text: String,
    /// Normalised terms, to compare with what was asked.
    pub terms: Vec<String>,
    /// How central it is to the document.
    pub weight: f64,
}

/// The topics of a document, and which sentences hold each.
#[derive(Debug, Default)]
pub(super) struct Topics {
    pub topics: Vec<Topic>,
    /// Per sentence, its topics, best first.
    pub by_sentence: Vec<Vec<usize>>,
}

/// The words of a sentence with their byte offsets (hyphenated words whole).
fn raw_words(sentence: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in sentence.char_indices() {
        let inner = c.is_alphanumeric() || ((c == '-' || c == '\'' || c == '’') && start.is_some());
        match (inner, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, sentence[s..i].trim_end_matches(['-', '\'', '’'])));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, sentence[s..].trim_end_matches(['-', '\'', '’'])));
    }
    words
}

fn is_topic_word(word: &str, capitalised: bool) -> bool {
    let folded = text::fold(word);
    if folded.chars().count() < 3 || folded.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let plain = folded.replace(['-', '\'', '’'], "");
    if text::is_stopword(&plain) || text::is_generic(&plain) {
        return false;
    }
    capitalised || !(plain.ends_with("ly") || plain.ends_with("ed") || plain.ends_with("ing"))
}

impl Topics {
    pub fn build(sentences: &[&str], document_frequency: &HashMap<String, usize>) -> Self {
        let mut index: HashMap<Vec<String>, usize> = HashMap::new();
        let mut topics: Vec<Topic> = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        let mut by_sentence = Vec::with_capacity(sentences.len());
        // Words the document writes in lowercase somewhere: a capital on
        // them at a sentence start is only the start ("Stalin" stays).
        let lowercase: std::collections::HashSet<String> = sentences
            .iter()
            .flat_map(|s| raw_words(s).into_iter().skip(1))
            .filter(|(_, w)| w.chars().next().is_some_and(char::is_lowercase))
            .map(|(_, w)| w.to_string())
            .collect();
        for sentence in sentences {
            let words = raw_words(sentence);
            let mut runs: Vec<Vec<(usize, &str)>> = vec![Vec::new()];
            for (position, &(offset, word)) in words.iter().enumerate() {
                let capitalised =
                    position > 0 && word.chars().next().is_some_and(char::is_uppercase);
                if is_topic_word(word, capitalised) {
                    runs.last_mut().expect("one run").push((offset, word));
                } else if !runs.last().expect("one run").is_empty() {
                    runs.push(Vec::new());
                }
            }
            let mut own = Vec::new();
            for run in runs.iter().filter(|r| !r.is_empty()) {
                // English puts the head noun last: keep the last three words.
                let run = &run[run.len().saturating_sub(3)..];
                let shown: Vec<String> = run
                    .iter()
                    .map(|&(offset, word)| {
                        let first = offset == words[0].0;
                        let folded = text::fold(word);
                        if first && lowercase.contains(&folded) {
                            folded
                        } else {
                            word.to_string()
                        }
                    })
                    .collect();
                let terms: Vec<String> = text::content_terms(&shown.join(" "));
                if terms.is_empty() {
                    continue;
                }
                let id = *index.entry(terms.clone()).or_insert_with(|| {
                    topics.push(Topic {
                        text: shown.join(" "),
                        terms: terms.clone(),
                        weight: 0.0,
                    });
                    counts.push(0);
                    topics.len() - 1
                });
                if !own.contains(&id) {
                    counts[id] += 1;
                    own.push(id);
                }
            }
            by_sentence.push(own);
        }
        for (topic, count) in topics.iter_mut().zip(&counts) {
            // Recurring heads ("farms" in "collective farms") are topics;
            // a longer phrase is more telling than a lone word.
            let head = topic
                .terms
                .last()
                .map_or(0, |t| document_frequency.get(t).copied().unwrap_or(0));
            topic.weight =
                *count as f64 + (head.min(6) as f64) * 0.5 + 0.4 * (topic.terms.len() - 1) as f64;
        }
        for own in &mut by_sentence {
            own.sort_by(|a, b| {
                topics[*b]
                    .weight
                    .total_cmp(&topics[*a].weight)
                    .then(a.cmp(b))
            });
        }
        Self {
            topics,
            by_sentence,
        }
    }

    /// Up to `count` topics from the given sentences (best first), none of
    /// which shares a term with what was asked.
    pub fn near_sentences(
        &self,
        sentences: impl Iterator<Item = usize>,
        asked: &dyn Fn(&str) -> bool,
        count: usize,
    ) -> Vec<String> {
        let mut chosen: Vec<usize> = Vec::new();
        for sentence in sentences {
            if chosen.len() == count {
                break;
            }
            let pick = self
                .by_sentence
                .get(sentence)
                .into_iter()
                .flatten()
                .find(|&&id| {
                    let topic = &self.topics[id];
                    !chosen.contains(&id)
                        && !topic.terms.iter().any(|t| asked(t))
                        && !chosen
                            .iter()
                            .any(|&c| self.topics[c].terms.iter().any(|t| topic.terms.contains(t)))
                });
            if let Some(&id) = pick {
                chosen.push(id);
            }
        }
        chosen
            .into_iter()
            .map(|id| self.topics[id].text.clone())
            .collect()
    }

    /// The document's most central topics.
    pub fn central(&self, count: usize, asked: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut ids: Vec<usize> = (0..self.topics.len()).collect();
        ids.sort_by(|a, b| {
            self.topics[*b]
                .weight
                .total_cmp(&self.topics[*a].weight)
                .then(a.cmp(b))
        });
        let mut chosen: Vec<usize> = Vec::new();
        for id in ids {
            let topic = &self.topics[id];
            if chosen.len() == count {
                break;
            }
            if !topic.terms.iter().any(|t| asked(t))
                && !chosen
                    .iter()
                    .any(|&c| self.topics[c].terms.iter().any(|t| topic.terms.contains(t)))
            {
                chosen.push(id);
            }
        }
        chosen
            .into_iter()
            .map(|id| self.topics[id].text.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(sentences: &[&str]) -> Topics {
        let mut df = HashMap::new();
        for s in sentences {
            let mut terms = text::content_terms(s);
            terms.sort();
            terms.dedup();
            for t in terms {
                *df.entry(t).or_default() += 1;
            }
        }
        Topics::build(sentences, &df)
    }

    #[test]
    fn topics_are_noun_phrases_not_verbs_or_function_words() {
        let t = topics(&[
            "The peasants were forced into collective farms.",
            "Collective farms were slowly built in every village.",
            "About ten thousand died building the Moscow Metro.",
        ]);
        let texts: Vec<&str> = t.topics.iter().map(|t| t.text.as_str()).collect();
        assert!(texts.contains(&"collective farms"), "{texts:?}");
        assert!(texts.contains(&"Moscow Metro"), "{texts:?}");
        assert!(
            !texts
                .iter()
                .any(|t| t.contains("forced") || t.contains("slowly")),
            "{texts:?}"
        );
    }

    #[test]
    fn suggestions_never_repeat_what_was_asked() {
        let t = topics(&[
            "The famine killed millions of peasants.",
            "Collective farms replaced the peasant plots.",
        ]);
        let famine = text::content_terms("famine");
        let asked = |term: &str| famine.iter().any(|f| f == term);
        let offered = t.near_sentences([0, 1].into_iter(), &asked, 3);
        assert!(!offered.iter().any(|o| o.contains("famine")), "{offered:?}");
        assert!(!offered.is_empty());
    }
}

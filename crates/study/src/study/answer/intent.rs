//! What a question asks for, read from its shape rather than its topic:
//! the wh-word, an auxiliary that opens a yes/no question, "how" with an
//! adjective ("how bad"), "who was X".

use super::super::text;
use super::measure::Dimension;

/// What the question asks for, read from its opening words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// "How many", "how much": the answer is a figure or an amount.
    Count,
    /// "How far", "how long", "how old": often a figure, sometimes not.
    Measure,
    Person,
    Place,
    Date,
    Reason,
    /// "Was X ...?", "Did Y ...?": a sentence that states the matter answers.
    YesNo,
    /// "How bad was ...", "how important ...": a judgement the document makes.
    Evaluation,
    /// "Who was X", "what is X": a sentence that describes X.
    Definition,
    Other,
}

/// Auxiliaries that open a yes/no question.
const AUXILIARIES: &[&str] = &[
    "am", "are", "can", "could", "did", "do", "does", "had", "has", "have", "is", "may", "might",
    "must", "shall", "should", "was", "were", "will", "would", "isnt", "wasnt", "werent", "didnt",
    "doesnt", "dont", "hasnt", "hadnt", "cant", "couldnt", "wouldnt",
];

/// "How" + one of these asks for a figure, not a judgement.
const MEASURES: &[&str] = &[
    "far", "long", "old", "tall", "wide", "deep", "often", "soon", "fast",
];

/// Words students put before a question that do not change what it asks.
const LEAD_INS: &[&str] = &[
    "so", "ok", "okay", "and", "but", "um", "hey", "also", "then", "well", "hi", "please", "like",
];

/// The folded words of a question, without possessive apostrophes.
pub(super) fn question_words(question: &str) -> Vec<String> {
    text::fold(question)
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .map(|w| w.replace(['\'', '’'], ""))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The word after "how much".
fn after_how_much(words: &[String]) -> Option<&str> {
    let i = words
        .windows(2)
        .position(|p| p[0] == "how" && p[1] == "much")?;
    words.get(i + 2).map(String::as_str)
}

impl Intent {
    pub fn of(question: &str) -> Self {
        let words = question_words(question);
        let has = |w: &str| words.iter().any(|x| x == w);
        let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
        // The question's own wh-word decides: "why ... when Germany
        // attacked" asks why, not when.
        let first_wh = words.iter().find(|w| {
            matches!(
                w.as_str(),
                "when" | "why" | "how" | "what" | "which" | "who" | "whom" | "whose" | "where"
            )
        });
        let after_how = words
            .iter()
            .position(|w| w == "how")
            .and_then(|i| words.get(i + 1))
            .map(String::as_str);
        // A question that opens with an auxiliary asks yes or no, whatever
        // clause follows: "can they predict when it will erupt", "had he
        // finished when Stalin took over".
        let opens_with_auxiliary = words
            .iter()
            .find(|w| !LEAD_INS.contains(&w.as_str()))
            .is_some_and(|w| AUXILIARIES.contains(&w.as_str()));
        if opens_with_auxiliary {
            Intent::YesNo
        } else if first_wh.map(String::as_str) == Some("when")
            || pair("what", "year")
            || pair("which", "year")
            || pair("what", "date")
            || pair("which", "date")
            || pair("year", "did")
        {
            Intent::Date
        } else if pair("how", "much")
            && after_how_much(&words).is_some_and(|w| AUXILIARIES.contains(&w) || w == "of")
            && Dimension::asked(question).is_none()
        {
            // "how much did they suffer", "how much of a difference": a degree.
            Intent::Evaluation
        } else if pair("how", "many") || pair("how", "much") || pair("what", "number") {
            Intent::Count
        } else if after_how.is_some_and(|w| MEASURES.contains(&w)) {
            Intent::Measure
        } else if first_wh.map(String::as_str) == Some("how")
            && after_how.is_some_and(|w| !text::is_stopword(w) && !AUXILIARIES.contains(&w))
        {
            Intent::Evaluation
        } else if Self::is_definition(&words) {
            Intent::Definition
        } else if has("who") || has("whom") || has("whose") {
            Intent::Person
        } else if has("where") {
            Intent::Place
        } else if has("why") || pair("what", "caused") || pair("how", "come") {
            Intent::Reason
        } else {
            Intent::Other
        }
    }

    /// "who was X", "who is X", "what is a X", "what was the X", "whats X":
    /// the whole question is the frame plus a short name.
    fn is_definition(words: &[String]) -> bool {
        let start = words
            .iter()
            .position(|w| !LEAD_INS.contains(&w.as_str()))
            .unwrap_or(0);
        let rest = &words[start..];
        let (wh, tail) = match rest {
            [wh, be, tail @ ..] if matches!(be.as_str(), "is" | "was" | "are" | "were") => {
                (wh.as_str(), tail)
            }
            [whats, tail @ ..] if matches!(whats.as_str(), "whats" | "whos") => {
                (if whats == "whos" { "who" } else { "what" }, tail)
            }
            _ => return false,
        };
        let content: Vec<&String> = tail
            .iter()
            .filter(|w| !matches!(w.as_str(), "a" | "an" | "the"))
            .collect();
        // Only a name: "what were the owners afraid of" is not a definition.
        matches!(wh, "who" | "what")
            && (1..=3).contains(&content.len())
            && content.iter().all(|w| !text::is_stopword(w))
    }

    /// The adjective of a "how bad / how important" question: the
    /// dimension asked about, not its topic.
    pub(super) fn judged_word(question: &str) -> Option<String> {
        let words = question_words(question);
        let i = words.iter().position(|w| w == "how")?;
        words
            .get(i + 1)
            .filter(|w| !text::is_stopword(w) && !MEASURES.contains(&w.as_str()))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wh_words_decide() {
        assert_eq!(Intent::of("In what year did it end?"), Intent::Date);
        assert_eq!(Intent::of("how many died"), Intent::Count);
        assert_eq!(Intent::of("how far did they get"), Intent::Measure);
        assert_eq!(Intent::of("why did it fail"), Intent::Reason);
        assert_eq!(Intent::of("Where was he born"), Intent::Place);
        assert_eq!(Intent::of("kolkhoz"), Intent::Other);
        assert_eq!(
            Intent::of("why was the army weak when germany attacked"),
            Intent::Reason
        );
        assert_eq!(Intent::of("When did Germany attack?"), Intent::Date);
    }

    #[test]
    fn yes_no_questions_open_with_an_auxiliary() {
        assert_eq!(Intent::of("Was the harvest good?"), Intent::YesNo);
        assert_eq!(Intent::of("so did the canal ever open"), Intent::YesNo);
        assert_eq!(Intent::of("didnt the king object"), Intent::YesNo);
        assert_eq!(Intent::of("The harvest was good"), Intent::Other);
        // A clause with a wh-word inside a yes/no question does not make
        // it a "when" or "how many" question.
        assert_eq!(
            Intent::of("can they tell exactly when the dam will break"),
            Intent::YesNo
        );
        assert_eq!(
            Intent::of("had the king paid when the war started"),
            Intent::YesNo
        );
        assert_eq!(Intent::of("is it known how many ships sank"), Intent::YesNo);
    }

    #[test]
    fn how_with_an_adjective_asks_for_a_judgement() {
        assert_eq!(Intent::of("how bad was the flood"), Intent::Evaluation);
        assert_eq!(
            Intent::of("How important was the bridge?"),
            Intent::Evaluation
        );
        assert_eq!(Intent::of("how did they build it"), Intent::Other);
        assert_eq!(
            Intent::of("how much did the weavers suffer"),
            Intent::Evaluation
        );
        assert_eq!(
            Intent::of("how much of a difference did it make"),
            Intent::Evaluation
        );
        assert_eq!(Intent::of("how much grain was taken"), Intent::Count);
        // A sum of money, not a degree.
        assert_eq!(
            Intent::of("how much did the duke pay for the vase"),
            Intent::Count
        );
        assert_eq!(
            Intent::judged_word("how bad was the flood").as_deref(),
            Some("bad")
        );
        assert_eq!(Intent::judged_word("how did they build it"), None);
    }

    #[test]
    fn who_was_x_asks_for_a_description() {
        assert_eq!(Intent::of("Who was Thomas Bentley?"), Intent::Definition);
        assert_eq!(Intent::of("whats a guild"), Intent::Definition);
        assert_eq!(Intent::of("Who was in charge of the mill?"), Intent::Person);
        assert_eq!(Intent::of("what were the owners afraid of"), Intent::Other);
    }
}

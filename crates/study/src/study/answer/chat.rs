//! Chat spelling read as the words it stands for, before anything else
//! reads the question: "how many ppl died", "wher was he born", "cud u get
//! arrested", "why did ww1 raise prices". General English, never a
//! document's words: a word the lexicon knows or the document uses is left
//! as written.

use super::super::lexicon::Lexicon;
use super::super::text;

/// Chat shorthand and the words it stands for.
const SHORTHAND: &[(&str, &str)] = &[
    ("u", "you"),
    ("ur", "your"),
    ("r", "are"),
    ("y", "why"),
    ("ppl", "people"),
    ("peeps", "people"),
    ("cud", "could"),
    ("wud", "would"),
    ("shud", "should"),
    ("coz", "because"),
    ("cuz", "because"),
    ("bc", "because"),
    ("b4", "before"),
    ("tho", "though"),
    ("thru", "through"),
    ("abt", "about"),
    ("wat", "what"),
    ("wot", "what"),
    ("wen", "when"),
    ("hw", "how"),
    ("govt", "government"),
    ("yr", "year"),
    ("yrs", "years"),
    ("ww1", "the First World War"),
    ("wwi", "the First World War"),
    ("ww2", "the Second World War"),
    ("wwii", "the Second World War"),
];

/// Question and function words a hurried typist misspells ("wher",
/// "frm", "becuase"): an unknown word one edit from one of these is it.
const FUNCTION_WORDS: &[&str] = &[
    "what", "where", "when", "which", "while", "who", "whose", "why", "how", "from", "with",
    "were", "was", "there", "their", "they", "does", "did", "because", "about", "after", "before",
    "many", "much", "long", "the", "and", "that", "this", "have", "into",
];

/// The question with chat shorthand spelled out and misspelled function
/// words corrected. `known` says whether a lowercase word is the
/// document's own; those are never changed.
pub fn normalise(question: &str, known: impl Fn(&str) -> bool) -> String {
    let lexicon = Lexicon::global();
    let mut out = String::with_capacity(question.len());
    let mut rest = question;
    while let Some(start) = rest.find(|c: char| c.is_alphanumeric()) {
        out.push_str(&rest[..start]);
        let word_len = rest[start..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        out.push_str(&read(word, &known, lexicon));
        rest = &rest[start + word_len..];
    }
    out.push_str(rest);
    out
}

fn read(word: &str, known: &impl Fn(&str) -> bool, lexicon: &Lexicon) -> String {
    let lower = word.to_lowercase();
    if known(&lower) {
        return word.to_string();
    }
    if let Some((_, full)) = SHORTHAND.iter().find(|(short, _)| *short == lower) {
        return (*full).to_string();
    }
    if lower.chars().count() >= 3 && !lexicon.contains(&lower) && !text::is_stopword(&lower) {
        let near: Vec<&str> = FUNCTION_WORDS
            .iter()
            .copied()
            .filter(|f| text::edit_distance_within(&lower, f, 1).is_some())
            .collect();
        // A dropped letter is the commonest slip in chat: "wher" is
        // "where" before it is "when".
        let dropped: Vec<&str> = near
            .iter()
            .copied()
            .filter(|f| f.len() == lower.len() + 1 && subsequence(&lower, f))
            .collect();
        if let [only] = dropped.as_slice() {
            return (*only).to_string();
        }
        if let [only] = near.as_slice() {
            return (*only).to_string();
        }
    }
    word.to_string()
}

/// Whether `short`'s letters appear in `long` in order.
fn subsequence(short: &str, long: &str) -> bool {
    let mut letters = long.chars();
    short.chars().all(|c| letters.any(|l| l == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_spelling_is_read_as_the_words_it_stands_for() {
        let known = |w: &str| ["rosetta", "bazalgette"].contains(&w);
        assert_eq!(
            normalise("how many ppl died", known),
            "how many people died"
        );
        assert_eq!(
            normalise("wher was bazalgette born", known),
            "where was bazalgette born"
        );
        assert_eq!(
            normalise("cud u get arrested?", known),
            "could you get arrested?"
        );
        assert_eq!(
            normalise("why was wheat dear in ww1", known),
            "why was wheat dear in the First World War"
        );
        assert_eq!(
            normalise("where did it come frm", known),
            "where did it come from"
        );
        // Real words and the document's own words stay as written.
        assert_eq!(normalise("where is Rosetta", known), "where is Rosetta");
        assert_eq!(normalise("were there farms", known), "were there farms");
    }
}

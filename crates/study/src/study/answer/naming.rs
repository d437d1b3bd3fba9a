//! Questions that ask for a name, and passages that give one.
//!
//! "What was the name of the ship ...", "what was his wife called",
//! "what's the plan's name" ask for a name: the answer is a passage that
//! names the thing asked about ("Queen Charlotte, the wife of King
//! George III"; "the Five-year Plan"; "scientists who study volcanoes are
//! called volcanologists"). A passage about the right topic that names
//! something else ("signed a pact with Japan" for the name of a pact
//! between two men) does not answer, however close its words are.
//! The patterns are English grammar, the same for every document.

use super::super::lexicon::Lexicon;
use super::super::text::{self, Token};
use super::intent::question_words;

/// Words that open the thing named and say nothing of which it is.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "its", "this", "that", "these", "those", "your",
];

/// Copulas between "what" and the thing whose name is asked.
const COPULAS: &[&str] = &["is", "was", "are", "were", "s"];

/// How many words the thing named may take ("the mongol leader").
const MOST_WORDS: usize = 4;

/// Words that may stand between a name and the thing it names:
/// "Vulcan, the Roman god", "the wife of King George III", "a ship
/// called the Agamemnon", "the plan was known as ...", "led by Wat Tyler".
const CONNECTORS: &[&str] = &[
    "the", "a", "an", "of", "by", "called", "named", "known", "as", "is", "was", "are", "were",
];

/// How common in English (Zipf) a role word must be for "who was the X"
/// to ask for the person in that role ("leader", "wife", "engineer").
const ROLE_ZIPF: f32 = 4.0;

/// How far (in words) a name may stand from the thing it names.
const REACH: usize = 5;

/// The words of the thing whose name a question asks for, folded, in
/// order ("mongol", "leader" for "what was the name of the mongol
/// leader attacking caffa"); `None` when the question does not ask for a
/// name. "Why is it called ..." and "how did it get its name" ask for a
/// reason, not a name.
pub fn asked(question: &str) -> Option<Vec<String>> {
    let words = question_words(question);
    if words.iter().any(|w| w == "why" || w == "how") {
        return None;
    }
    let content = |w: &String| !text::is_stopword(w) && !DETERMINERS.contains(&w.as_str());
    // "... the name of [the] X ..."
    if let Some(at) = words
        .windows(2)
        .position(|p| matches!(p[0].as_str(), "name" | "names") && p[1] == "of")
    {
        let thing: Vec<String> = words[at + 2..]
            .iter()
            .skip_while(|w| DETERMINERS.contains(&w.as_str()))
            .take_while(|w| content(w))
            .take(MOST_WORDS)
            .cloned()
            .collect();
        return (!thing.is_empty()).then_some(thing);
    }
    // "who was the leader of ...", "who was his wife": the person in a
    // role, named by the answer. Only an everyday word for the role: "who
    // were the flagellants" asks what a term means.
    if let [who, copula, determiner, rest @ ..] = words.as_slice()
        && who == "who"
        && COPULAS.contains(&copula.as_str())
        && DETERMINERS.contains(&determiner.as_str())
    {
        let thing: Vec<String> = rest
            .iter()
            .take_while(|w| content(w))
            .take(MOST_WORDS)
            .cloned()
            .collect();
        let everyday = thing
            .last()
            .is_some_and(|w| Lexicon::global().zipf(w).is_some_and(|z| z >= ROLE_ZIPF));
        return everyday.then_some(thing);
    }
    // "what was [the] X called", "what is [the] X's name": the last
    // content word is "called"/"named"/"name" and the question opens with
    // "what".
    let first = words.first()?;
    if !matches!(first.as_str(), "what" | "whats" | "wat" | "wats") {
        return None;
    }
    let last = words.iter().rposition(content)?;
    if !matches!(words[last].as_str(), "called" | "named" | "name" | "names") {
        return None;
    }
    let from = if first.ends_with('s') {
        1
    } else {
        words
            .iter()
            .position(|w| COPULAS.contains(&w.as_str()))
            .map(|i| i + 1)?
    };
    let thing: Vec<String> = words
        .get(from..last)?
        .iter()
        .filter(|w| content(w))
        .cloned()
        .collect();
    (!thing.is_empty() && thing.len() <= MOST_WORDS).then_some(thing)
}

/// Whether a sentence names the thing asked for. `thing` holds, for each
/// word of the thing (in the question's order), the document terms that
/// match it; `asked` the question's own terms, which name nothing new.
///
/// The thing's last word the sentence holds is its head ("leader" in
/// "mongol leader"); a name must stand next to it, with only articles,
/// "of", "called", "known as", the thing's other words or the name's own
/// capitalised words between ("Pope Clement VI ... was advised by his
/// doctor" names the pope, not the doctor). Or the sentence says what the
/// thing is called ("scientists who study volcanoes are called
/// volcanologists").
pub fn names_thing(sentence: &str, thing: &[Vec<String>], asked: &[impl AsRef<str>]) -> bool {
    let tokens = text::tokenize(sentence);
    let in_question = |t: &Token| asked.iter().any(|a| a.as_ref() == t.term);
    let matches = |terms: &Vec<String>, t: &Token| terms.contains(&t.term);
    let Some(head) = thing
        .iter()
        .rev()
        .find(|terms| tokens.iter().any(|t| matches(terms, t)))
    else {
        return false;
    };
    let of_thing = |t: &Token| thing.iter().any(|terms| matches(terms, t));
    let capital = |t: &Token| {
        sentence[t.start..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    };
    let new = |t: &Token| !t.is_stopword && !t.is_number && !in_question(t);
    let is_name = |i: usize| {
        let t = &tokens[i];
        new(t)
            && capital(t)
            && (i > 0 || Lexicon::global().zipf(&t.surface).is_none_or(|z| z < 4.5))
    };
    // "called X", "named X", "known as X": X is the name, whatever its case.
    let called = |i: usize| {
        let word = tokens[i].surface.as_str();
        let next = match word {
            "called" | "named" => i + 1,
            "known" if tokens.get(i + 1).is_some_and(|t| t.surface == "as") => i + 2,
            _ => return false,
        };
        tokens
            .get(next..)
            .into_iter()
            .flatten()
            .find(|t| !matches!(t.surface.as_str(), "the" | "a" | "an"))
            .is_some_and(new)
    };
    let passable =
        |t: &Token| CONNECTORS.contains(&t.surface.as_str()) || of_thing(t) || capital(t);
    for (at, token) in tokens.iter().enumerate() {
        if !matches(head, token) {
            continue;
        }
        // The thing written as a name itself: "the Five-year Plan", "the
        // Grand Canal".
        if at > 0
            && capital(token)
            && (at.saturating_sub(2)..at).any(|i| {
                // "the Five-year Plan": a number word written as a name.
                let t = &tokens[i];
                capital(t) && !t.is_stopword && !in_question(t)
            })
        {
            return true;
        }
        let right = (at + 1..tokens.len().min(at + 1 + REACH)).collect::<Vec<_>>();
        let left = (at.saturating_sub(REACH)..at).rev().collect::<Vec<_>>();
        for side in [right, left] {
            for i in side {
                if is_name(i) || called(i) {
                    return true;
                }
                if !passable(&tokens[i]) {
                    break;
                }
            }
        }
        // "The fastest boat on the crossing was the Comet": the thing as
        // the subject, its name after the verb.
        let copula = (at + 1..tokens.len().min(at + 1 + 2 * REACH))
            .find(|&i| matches!(tokens[i].surface.as_str(), "is" | "was" | "are" | "were"));
        if let Some(verb) = copula
            && let Some(after) = (verb + 1..tokens.len())
                .find(|&i| !matches!(tokens[i].surface.as_str(), "the" | "a" | "an"))
            && is_name(after)
        {
            return true;
        }
        // "X are called Y" with X far from "called".
        if (at + 1..tokens.len()).any(called) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Option<Vec<String>> {
        Some(list.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn questions_that_ask_for_a_name() {
        assert_eq!(
            asked("what was the name of the boat that carried the mail"),
            words(&["boat"])
        );
        assert_eq!(
            asked("whats the name of the dutch captain leading the fleet"),
            words(&["dutch", "captain", "leading"])
        );
        assert_eq!(
            asked("what was the inventor's wife called"),
            words(&["inventors", "wife"])
        );
        assert_eq!(
            asked("What is a person who studies stars called?"),
            words(&["person", "studies", "stars"])
        );
        assert_eq!(
            asked("what was his assistant's name"),
            words(&["assistants"])
        );
        // Reasons, and questions that are not about a name at all.
        assert_eq!(asked("why was the bridge called the iron bridge"), None);
        assert_eq!(asked("how did the town get its name"), None);
        assert_eq!(asked("who built the bridge"), None);
        assert_eq!(asked("who was the mayor of the town"), words(&["mayor"]));
        assert_eq!(asked("who was her brother"), words(&["brother"]));
        // A name, or a term of art, asks what it is.
        assert_eq!(asked("who was henry"), None);
        assert_eq!(asked("who were the luddites"), None);
        assert_eq!(asked("what was the bridge made of"), None);
    }

    fn terms(list: &[&str]) -> Vec<Vec<String>> {
        list.iter().map(|w| vec![text::normalize_word(w)]).collect()
    }

    fn question(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| text::normalize_word(w)).collect()
    }

    #[test]
    fn a_name_must_stand_by_the_thing_asked() {
        let asked = question(&["name", "boat"]);
        let thing = terms(&["boat"]);
        assert!(names_thing(
            "The mail went on a fast boat, the Comet, every week.",
            &thing,
            &asked
        ));
        assert!(names_thing(
            "The Comet was the boat that carried the mail.",
            &thing,
            &asked
        ));
        assert!(names_thing(
            "They hired a boat called the Swift.",
            &thing,
            &asked
        ));
        assert!(names_thing(
            "The fastest boat on the route was the Swift.",
            &thing,
            &asked
        ));
        // A name elsewhere in the sentence names something else.
        assert!(!names_thing(
            "In 1820 a boat carried the mail from Dover to Calais.",
            &thing,
            &asked
        ));
        assert!(!names_thing(
            "Mr Green paid for a boat to carry his letters.",
            &thing,
            &asked
        ));
        // The thing itself is not there.
        assert!(!names_thing("The Comet sailed every week.", &thing, &asked));
    }

    #[test]
    fn a_role_is_named_by_apposition_or_of() {
        let asked = question(&["name", "king", "wife"]);
        let thing = terms(&["king", "wife"]);
        assert!(names_thing(
            "He met Queen Mary, the wife of the king, in 1690.",
            &thing,
            &asked
        ));
        assert!(!names_thing(
            "The king asked his wife for advice before the war.",
            &thing,
            &asked
        ));
    }

    #[test]
    fn a_thing_written_as_a_name_names_itself() {
        let asked = question(&["name", "canal"]);
        let thing = terms(&["canal"]);
        assert!(names_thing(
            "Then he paid for the Grand Trunk Canal.",
            &thing,
            &asked
        ));
        assert!(names_thing(
            "Then he paid for the Two Rivers Canal.",
            &thing,
            &asked
        ));
        assert!(!names_thing(
            "Then he paid for the new canal.",
            &thing,
            &asked
        ));
    }

    #[test]
    fn what_a_thing_is_called() {
        let asked = question(&["person", "studies", "stars", "called"]);
        let thing = terms(&["person"]);
        assert!(names_thing(
            "A person who studies the stars is called an astronomer.",
            &thing,
            &asked
        ));
        assert!(!names_thing(
            "A person who studies the stars needs patience.",
            &thing,
            &asked
        ));
    }
}

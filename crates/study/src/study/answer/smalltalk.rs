//! Greetings, thanks and requests for help: a chat message that is not a
//! question about the document gets a friendly pointer, not "the document
//! does not cover that".

use super::intent::question_words;

/// A conversational message that is not a question about the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallTalk {
    Greeting,
    Thanks,
    Help,
    Goodbye,
}

const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "heya",
    "hiya",
    "yo",
    "howdy",
    "greetings",
    "morning",
    "afternoon",
    "evening",
    "sup",
];
const THANKS: &[&str] = &["thanks", "thank", "thx", "ty", "cheers", "thankyou", "ta"];
const HELP: &[&str] = &["help", "commands", "usage", "instructions"];
const GOODBYES: &[&str] = &["bye", "goodbye", "cya", "later", "night", "goodnight"];
/// Words that may surround the above without making a question.
const FILLER: &[&str] = &[
    "a", "all", "again", "and", "bot", "everyone", "for", "good", "great", "guys", "lectern",
    "lot", "me", "much", "nice", "oh", "ok", "okay", "please", "see", "so", "that", "the", "there",
    "this", "to", "u", "very", "you", "your", "need", "i", "can", "with", "ya",
];
/// Questions about the bot itself.
const ABOUT_BOT: &[&[&str]] = &[
    &["what", "can", "you", "do"],
    &["what", "do", "you", "do"],
    &["who", "are", "you"],
    &["how", "does", "this", "work"],
    &["how", "do", "i", "use", "this"],
    &["how", "do", "i", "use", "you"],
];

impl SmallTalk {
    /// Recognises a message made only of greeting, thanks, help or goodbye
    /// words (with filler), or a question about the bot itself.
    pub fn of(message: &str) -> Option<SmallTalk> {
        let words = question_words(message);
        if words.is_empty() || words.len() > 8 {
            return None;
        }
        if ABOUT_BOT
            .iter()
            .any(|p| words.iter().map(String::as_str).eq(p.iter().copied()))
        {
            return Some(SmallTalk::Help);
        }
        let mut kind = None;
        for word in &words {
            let w = word.as_str();
            let this = if HELP.contains(&w) {
                SmallTalk::Help
            } else if THANKS.contains(&w) {
                SmallTalk::Thanks
            } else if GOODBYES.contains(&w) {
                SmallTalk::Goodbye
            } else if GREETINGS.contains(&w) {
                SmallTalk::Greeting
            } else if FILLER.contains(&w) {
                continue;
            } else {
                return None;
            };
            // Help wins over a greeting ("hi, help please"), thanks over goodbye.
            kind = Some(match (kind, this) {
                (Some(SmallTalk::Help), _) | (_, SmallTalk::Help) => SmallTalk::Help,
                (Some(SmallTalk::Thanks), _) | (_, SmallTalk::Thanks) => SmallTalk::Thanks,
                (_, this) => this,
            });
        }
        kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_thanks_and_help_are_recognised() {
        assert_eq!(SmallTalk::of("hello"), Some(SmallTalk::Greeting));
        assert_eq!(SmallTalk::of("Hi there!"), Some(SmallTalk::Greeting));
        assert_eq!(SmallTalk::of("thanks so much"), Some(SmallTalk::Thanks));
        assert_eq!(SmallTalk::of("thank you bot"), Some(SmallTalk::Thanks));
        assert_eq!(SmallTalk::of("help"), Some(SmallTalk::Help));
        assert_eq!(SmallTalk::of("what can you do?"), Some(SmallTalk::Help));
        assert_eq!(SmallTalk::of("ok bye"), Some(SmallTalk::Goodbye));
    }

    #[test]
    fn questions_are_not_small_talk() {
        assert_eq!(SmallTalk::of("who helped the peasants"), None);
        assert_eq!(SmallTalk::of("thanks to what did the plan succeed"), None);
        assert_eq!(SmallTalk::of(""), None);
    }
}

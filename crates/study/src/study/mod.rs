//! The pure domain: text normalisation, the `/ask` answerer, quiz scoring
//! rules and the "on this day" picker. No async, no database, no platform
//! types: everything here is deterministic and tested beside the code.

pub mod answer;
pub mod autoglossary;
pub mod daily;
pub mod english;
pub mod lexicon;
pub mod matching;
pub mod onthisday;
pub mod quizgen;
pub mod scoring;
pub mod text;

pub use answer::{Answer, Answerer, Hit, Intent, RefusalReason};

#![recursion_limit = "256"]
//! Lectern, a study bot: answers questions from a study document, runs group
//! quizzes, keeps scores and posts a daily "on this day" fact, on Discord,
//! Matrix and in a terminal.
//!
//! Layers (arrows point at what a layer may use):
//! `platforms` -> `bot` -> `study`, `store`, `content`. See `docs/ARCHITECTURE.md`.

pub mod app;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod config;
pub mod content;
pub mod identity;
pub mod platforms;
pub mod store;
// The pure domain is owned by the /ask and quiz-quality work; its three
// remaining unwraps (study::answer::topics, study::lexicon) are theirs to
// clear, after which this exemption goes.
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub mod study;

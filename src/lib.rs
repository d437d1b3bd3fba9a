#![recursion_limit = "256"]
//! Lectern, a study bot: answers questions from a study document, runs group
//! quizzes, keeps scores and posts a daily "on this day" fact, on Discord,
//! Matrix and in a terminal.
//!
//! Layers (arrows point at what a layer may use):
//! `platforms` -> `bot` -> `study`, `store`, `content`, `chart` (the report
//! drawn as a PNG). See `docs/ARCHITECTURE.md`.

pub mod app;
pub mod bot;
pub mod chart;
pub mod cli;
pub mod clock;
pub mod config;
pub mod identity;
pub mod platforms;
pub mod store;
// The study core (content packs and the pure study code) is its own crate,
// `crates/study`; these are the same paths as before it moved.
pub use lectern_study::{content, new_pack, study};

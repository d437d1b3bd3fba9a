//! Lectern's study core: content packs (read and validated, every error
//! `file:line: problem`) and the pure, synchronous study code: the `/ask`
//! retrieval, quiz generation, typed-answer matching, scoring rules and the
//! on-this-day picks.
//!
//! No async, no database, no platform types: the compiler holds that line,
//! because this crate does not depend on any of them. It is a crate of its
//! own for that, and so it builds at full optimisation in parallel with the
//! chat SDKs (see `docs/ARCHITECTURE.md`, Build time). The `lectern` crate
//! re-exports both modules, so `lectern::content` and `lectern::study` are
//! the same paths as before.

pub mod content;
pub mod new_pack;
// Three unwraps remain in `study` (study::answer::topics, study::lexicon);
// this exemption goes when they are cleared.
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub mod study;

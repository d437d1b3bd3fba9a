#![recursion_limit = "256"]
//! Integration tests: the bot driven as a user drives it, through the
//! terminal platform and the `lectern` binary. One test binary (compiled
//! once), one module per feature.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

mod helpers;

mod app;
mod ask;
mod cli;
mod commands;
mod content;
mod daily;
mod discord;
mod drills;
mod fake_discord;
mod matrix;
mod quality;
mod quiz;
mod report;
mod review;
mod scores;
mod synapse;

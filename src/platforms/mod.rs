//! Platform adapters: translate a platform's events into bot commands and
//! render the bot's messages the platform's way. No business rule lives here.

pub mod console;
pub mod discord;

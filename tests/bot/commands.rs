//! The one command table seen from each platform: help, hints and errors
//! spell commands with the platform's prefix, and Discord-only commands are
//! offered on Discord only.

use std::sync::Arc;

use lectern::bot::{Action, Bot, BotSettings, Origin};
use lectern::clock::ManualClock;
use lectern::content::Pack;
use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
use lectern::platforms::console::{ConsoleOutbox, shared_writer};
use lectern::store::Store;

use crate::helpers::{Transcript, test_start};

async fn bot(dir: &tempfile::TempDir) -> Bot {
    let store = Store::open(&dir.path().join("c.db")).await.unwrap();
    let outbox = Arc::new(ConsoleOutbox::new(shared_writer(Transcript::default())));
    let settings = BotSettings {
        matrix_prefix: '!',
        ..BotSettings::default()
    };
    Bot::new(
        Arc::new(Pack::bundled().unwrap()),
        store,
        outbox,
        Arc::new(ManualClock::new(test_start())),
        settings,
    )
}

fn on(platform: Platform) -> Origin {
    Origin {
        user: UserRef::new(platform, "ann", "ann"),
        channel: ChannelRef::new(ScopeRef::new(platform, "room"), "room"),
        is_admin: false,
    }
}

async fn say(bot: &Bot, origin: &Origin, line: &str) -> String {
    bot.on_text(origin, line, false)
        .await
        .into_iter()
        .map(|action| match action {
            Action::Reply(message) => message.to_markdown(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_matrix_hint_says_bang_quiz() {
    let dir = tempfile::tempdir().unwrap();
    let bot = bot(&dir).await;
    let matrix = on(Platform::Matrix);
    let score = say(&bot, &matrix, "!score").await;
    assert!(score.contains("Start a quiz with !quiz."), "{score}");
    let help = say(&bot, &matrix, "!help").await;
    assert!(help.contains("!quiz [rounds] [seconds]"), "{help}");
    assert!(help.contains("!daily set HH:MM [time zone]"), "{help}");
    assert!(
        !help.contains("/quiz") && !help.contains("bank import"),
        "{help}"
    );
    let unknown = say(&bot, &matrix, "!frobnicate").await;
    assert!(
        unknown.starts_with("Unknown command !frobnicate. Commands: !ask, !quiz, !score"),
        "{unknown}"
    );
    assert!(unknown.contains("Type !help for details."), "{unknown}");
    let usage = say(&bot, &matrix, "!daily sometimes").await;
    assert_eq!(
        usage.trim(),
        "Use !daily set HH:MM [time zone], !daily off or !daily status."
    );
    // A slash is just text on Matrix.
    assert_eq!(say(&bot, &matrix, "/help").await, "");
}

#[tokio::test]
async fn the_terminal_and_discord_spell_commands_with_a_slash() {
    let dir = tempfile::tempdir().unwrap();
    let bot = bot(&dir).await;
    let terminal = say(&bot, &on(Platform::Console), "/score").await;
    assert!(terminal.contains("Start a quiz with /quiz."), "{terminal}");
    let discord = bot
        .handle(&on(Platform::Discord), lectern::bot::Command::Help)
        .await;
    let help = discord[0].to_markdown();
    assert!(help.contains("/quiz start [rounds]"), "{help}");
    assert!(help.contains("/bank import FILE"), "{help}");
    assert!(!help.contains("!quiz"), "{help}");
    let bank = say(&bot, &on(Platform::Console), "/bank import").await;
    assert!(bank.contains("works on Discord only"), "{bank}");
}

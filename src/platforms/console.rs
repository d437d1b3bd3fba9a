//! The terminal platform (`lectern chat`): one channel, lines in, rendered
//! messages out. Plain text is a question (or a quiz answer while a quiz
//! runs), `/command` is a command, and `/as NAME ...` acts as another
//! player so a group quiz can be played or scripted from one keyboard.

use std::io::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::bot::{Action, Bot, Message, Origin, Outbox, PostedMessage, SendError};
use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};

/// The scope and channel of the terminal.
pub fn terminal_channel() -> ChannelRef {
    ChannelRef::new(ScopeRef::new(Platform::Console, "terminal"), "terminal")
}

/// A writer the console and its outbox share.
pub type SharedWriter = Arc<Mutex<Box<dyn Write + Send>>>;

/// Wraps a writer for sharing.
pub fn shared_writer(writer: impl Write + Send + 'static) -> SharedWriter {
    Arc::new(Mutex::new(Box::new(writer)))
}

fn write_out(out: &SharedWriter, text: &str) {
    let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
    // A closed stdout (e.g. `| head`) is not worth crashing for.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Renders a message for the terminal.
pub fn render(message: &Message) -> String {
    let mut text = message.to_markdown();
    text.push('\n');
    text
}

/// Posts to the terminal by printing.
pub struct ConsoleOutbox {
    out: SharedWriter,
    posted: std::sync::atomic::AtomicU64,
}

impl ConsoleOutbox {
    pub fn new(out: SharedWriter) -> Self {
        Self {
            out,
            posted: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

#[async_trait]
impl Outbox for ConsoleOutbox {
    async fn post(
        &self,
        _channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        write_out(&self.out, &render(message));
        let n = self
            .posted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(PostedMessage(n.to_string()))
    }

    async fn edit(&self, _: &ChannelRef, _: &PostedMessage, _: &Message) -> Result<(), SendError> {
        Ok(())
    }

    fn can_edit(&self) -> bool {
        false
    }
}

/// A terminal session.
pub struct Console {
    bot: Bot,
    out: SharedWriter,
    user: UserRef,
}

const CONSOLE_HELP: &str = "In the terminal: type a question to ask it; /as NAME TEXT plays as another player (e.g. /as alice B); /quit leaves.";

impl Console {
    /// `display_name` is the local player's name.
    pub fn new(bot: Bot, out: SharedWriter, display_name: &str) -> Self {
        let user = UserRef::new(
            Platform::Console,
            format!("local:{display_name}"),
            display_name,
        );
        Self { bot, out, user }
    }

    fn origin_for(&self, user: UserRef) -> Origin {
        Origin {
            user,
            channel: terminal_channel(),
            is_admin: true,
        }
    }

    /// Handles one line; returns false when the user asked to quit.
    pub async fn on_line(&self, line: &str) -> bool {
        let line = line.trim();
        let (user, text) = match line.strip_prefix("/as ") {
            Some(rest) => {
                let mut parts = rest.trim_start().splitn(2, char::is_whitespace);
                let name = parts.next().unwrap_or("").to_string();
                let text = parts.next().unwrap_or("").trim().to_string();
                if name.is_empty() || text.is_empty() {
                    write_out(&self.out, "Use /as NAME TEXT, e.g. /as alice B\n\n");
                    return true;
                }
                (
                    UserRef::new(Platform::Console, format!("local:{name}"), name),
                    text,
                )
            }
            None => (self.user.clone(), line.to_string()),
        };
        if matches!(text.as_str(), "/quit" | "/exit") {
            return false;
        }
        let origin = self.origin_for(user);
        for action in self.bot.on_text(&origin, &text, true).await {
            match action {
                Action::Reply(message) => write_out(&self.out, &render(&message)),
                // The terminal is private: a note is just printed.
                Action::Note(text) => write_out(&self.out, &format!("{text}\n\n")),
                // No reactions, and the quiz's own output shows it started.
                Action::React(_) | Action::Ack(_) => {}
            }
        }
        if text.trim() == "/help" {
            write_out(&self.out, &format!("{CONSOLE_HELP}\n\n"));
        }
        true
    }

    /// Reads lines until end of input or `/quit`. The app then stops any
    /// running quiz (its revealed rounds are already saved).
    pub async fn run(
        &self,
        input: impl AsyncBufRead + Unpin,
        interactive: bool,
    ) -> std::io::Result<()> {
        if interactive {
            let title = &self.bot.pack().manifest.title;
            write_out(
                &self.out,
                &format!(
                    "Lectern — studying “{title}”. Ask a question, or type /help. /quit leaves.\n\n"
                ),
            );
        }
        let mut lines = input.lines();
        while let Some(line) = lines.next_line().await? {
            if !self.on_line(&line).await {
                break;
            }
        }
        Ok(())
    }
}

/// The terminal, for the [`App`](crate::app::App) to run: reads `input`
/// until it ends (or `/quit`, or a shutdown signal).
pub struct Terminal {
    outbox: Arc<ConsoleOutbox>,
    out: SharedWriter,
    name: String,
    input: Box<dyn AsyncBufRead + Unpin + Send>,
    interactive: bool,
}

impl Terminal {
    /// `name` is the local player; `interactive` prints a greeting.
    pub fn new(
        out: SharedWriter,
        name: &str,
        input: impl AsyncBufRead + Unpin + Send + 'static,
        interactive: bool,
    ) -> Self {
        Self {
            outbox: Arc::new(ConsoleOutbox::new(out.clone())),
            out,
            name: name.to_string(),
            input: Box::new(input),
            interactive,
        }
    }
}

#[async_trait]
impl crate::platforms::Adapter for Terminal {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        self.outbox.clone()
    }

    async fn run(
        self: Box<Self>,
        bot: Bot,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let console = Console::new(bot, self.out, &self.name);
        tokio::select! {
            result = console.run(self.input, self.interactive) => {
                result.map_err(|error| anyhow::Error::new(error).context("reading the terminal failed"))
            }
            _ = shutdown.wait_for(|stop| *stop) => Ok(()),
        }
    }
}

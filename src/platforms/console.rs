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

/// How the terminal shows emphasis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// Plain text: output piped to a file or another program.
    #[default]
    Plain,
    /// Bold and dim with ANSI escapes: a terminal that shows them.
    Ansi,
}

impl Style {
    /// ANSI when standard output is a terminal that supports it (not
    /// `TERM=dumb`, no `NO_COLOR`), else plain.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        let dumb = std::env::var("TERM").is_ok_and(|term| term == "dumb");
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if std::io::stdout().is_terminal() && !dumb && !no_color {
            Style::Ansi
        } else {
            Style::Plain
        }
    }

    fn bold(self, text: &str) -> String {
        match self {
            Style::Plain => text.to_string(),
            Style::Ansi => format!("\x1b[1m{text}\x1b[22m"),
        }
    }

    fn dim(self, text: &str) -> String {
        match self {
            Style::Plain => text.to_string(),
            Style::Ansi => format!("\x1b[2m{text}\x1b[22m"),
        }
    }
}

/// Renders a message for the terminal: never Markdown syntax, bold only
/// where `style` can show it. The zero-width spaces that defuse mentions
/// on chat platforms are dropped (nothing pings in a terminal).
pub fn render(message: &Message, style: Style) -> String {
    let mut out = message.render_text(|text| style.bold(text), |text| style.dim(text));
    out.push('\n');
    out.replace('\u{200B}', "")
}

/// Posts to the terminal by printing.
pub struct ConsoleOutbox {
    out: SharedWriter,
    style: Style,
    posted: std::sync::atomic::AtomicU64,
}

impl ConsoleOutbox {
    /// Prints plain text (see [`ConsoleOutbox::styled`]).
    pub fn new(out: SharedWriter) -> Self {
        Self {
            out,
            style: Style::Plain,
            posted: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub fn styled(mut self, style: Style) -> Self {
        self.style = style;
        self
    }
}

#[async_trait]
impl Outbox for ConsoleOutbox {
    async fn post(
        &self,
        _channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        write_out(&self.out, &render(message, self.style));
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
    style: Style,
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
        Self {
            bot,
            out,
            style: Style::Plain,
            user,
        }
    }

    /// Shows emphasis with `style` (plain by default).
    pub fn styled(mut self, style: Style) -> Self {
        self.style = style;
        self
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
                Action::Reply(message) => write_out(&self.out, &render(&message, self.style)),
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
            let title = self.style.bold(&self.bot.pack().manifest.title);
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
    style: Style,
    name: String,
    input: Box<dyn AsyncBufRead + Unpin + Send>,
    interactive: bool,
}

impl Terminal {
    /// `name` is the local player; `interactive` prints a greeting;
    /// `style` is how emphasis shows ([`Style::detect`]).
    pub fn new(
        out: SharedWriter,
        style: Style,
        name: &str,
        input: impl AsyncBufRead + Unpin + Send + 'static,
        interactive: bool,
    ) -> Self {
        Self {
            outbox: Arc::new(ConsoleOutbox::new(out.clone()).styled(style)),
            out,
            style,
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
        let console = Console::new(bot, self.out, &self.name).styled(self.style);
        tokio::select! {
            result = console.run(self.input, self.interactive) => {
                result.map_err(|error| anyhow::Error::new(error).context("reading the terminal failed"))
            }
            _ = shutdown.wait_for(|stop| *stop) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::escape;
    use crate::bot::reply::{Choice, escape_with_bold};

    fn question() -> Message {
        let mut message = Message::titled(
            "Question 1 of 2",
            escape("The ___ was dug by prisoners @everyone"),
        )
        .with_footer("20 seconds to answer");
        message.choices.push(Choice {
            label: "A".into(),
            text: escape_with_bold("White_Sea Canal", &[(0, 9)]),
            key: "quiz:1:1:0".into(),
        });
        message
    }

    #[test]
    fn piped_output_is_plain_text_without_markdown() {
        let text = render(&question(), Style::Plain);
        assert_eq!(
            text,
            "Question 1 of 2\nThe ___ was dug by prisoners @everyone\n  A) White_Sea Canal\n20 seconds to answer\n\n"
        );
        assert!(!text.contains('\\') && !text.contains("**") && !text.contains('\x1b'));
    }

    #[test]
    fn a_terminal_shows_bold_and_dim_with_ansi_escapes() {
        let text = render(&question(), Style::Ansi);
        assert!(
            text.starts_with("\x1b[1mQuestion 1 of 2\x1b[22m\n"),
            "{text:?}"
        );
        assert!(
            text.contains("  A) \x1b[1mWhite_Sea\x1b[22m Canal"),
            "{text:?}"
        );
        assert!(
            text.contains("\x1b[2m20 seconds to answer\x1b[22m"),
            "{text:?}"
        );
        assert!(!text.contains("**") && !text.contains("\\_"), "{text:?}");
    }
}

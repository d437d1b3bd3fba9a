//! The platform-neutral reply model. The bot core says *what* to show; each
//! platform renders it its own way (Discord embeds and buttons, Matrix HTML,
//! plain text in the terminal).
//!
//! Text in a [`Message`] is Markdown. Anything that came from a user or a
//! pack goes through [`escape`] first, so it can neither format nor ping.

/// Who sees a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Everyone in the channel.
    #[default]
    Public,
    /// Only the person who asked (where the platform supports it).
    Ephemeral,
    /// Only the person who asked, even where the platform has no
    /// ephemeral replies: a direct-message room on Matrix.
    Private,
}

/// A quoted passage of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Markdown text of the passage (already escaped, matched words bold).
    pub text: String,
    /// Where it is: "sentence 12 of 37".
    pub location: String,
}

/// One button / reaction option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// "A", "B", ...
    pub label: String,
    /// The option's text (escaped Markdown).
    pub text: String,
    /// Opaque key the platform sends back when it is picked
    /// (`quiz:<session>:<round>:<index>`).
    pub key: String,
}

/// A file sent with a message: the report's chart. Each platform sends it
/// its own way (a Discord attachment shown in the embed, a Matrix
/// `m.image` upload); the terminal cannot show one, so the core sends it
/// no file.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file's name: `report.png`.
    pub name: String,
    /// Its media type: `image/png`.
    pub media_type: String,
    /// The image's size in pixels, for platforms that announce it.
    pub pixels: Option<(u32, u32)>,
    pub bytes: std::sync::Arc<[u8]>,
}

impl Attachment {
    /// A PNG image of `width` × `height` pixels.
    pub fn png(name: impl Into<String>, bytes: Vec<u8>, width: u32, height: u32) -> Self {
        Self {
            name: name.into(),
            media_type: "image/png".into(),
            pixels: Some((width, height)),
            bytes: bytes.into(),
        }
    }

    /// Whether it is a picture a platform may show inline.
    pub fn is_image(&self) -> bool {
        self.media_type.starts_with("image/")
    }
}

/// The bytes are not printed, only how many.
impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("name", &self.name)
            .field("media_type", &self.media_type)
            .field("pixels", &self.pixels)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// One message to show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub title: Option<String>,
    /// Markdown body.
    pub body: String,
    pub quotes: Vec<Quote>,
    pub choices: Vec<Choice>,
    /// Small print: sources, hints, timers.
    pub footer: Option<String>,
    pub visibility: Visibility,
    /// A file sent with it (the report's chart).
    pub attachment: Option<Attachment>,
}

impl Message {
    pub fn text(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            ..Self::default()
        }
    }

    pub fn titled(title: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            title: Some(title.into()),
            body: body.into(),
            ..Self::default()
        }
    }

    pub fn ephemeral(mut self) -> Self {
        self.visibility = Visibility::Ephemeral;
        self
    }

    /// Shown only to the asker, in a direct conversation where the
    /// platform has no ephemeral replies.
    pub fn private(mut self) -> Self {
        self.visibility = Visibility::Private;
        self
    }

    pub fn with_footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = Some(footer.into());
        self
    }

    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        self.attachment = Some(attachment);
        self
    }

    /// The whole message as plain Markdown, as the terminal and Matrix
    /// plain-text bodies show it.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if let Some(title) = &self.title {
            out.push_str(&format!("**{title}**\n"));
        }
        if !self.body.is_empty() {
            out.push_str(&self.body);
            out.push('\n');
        }
        for quote in &self.quotes {
            for line in quote.text.lines() {
                out.push_str(&format!("> {line}\n"));
            }
            out.push_str(&format!("> — {}\n", quote.location));
        }
        for choice in &self.choices {
            out.push_str(&format!("  {}) {}\n", choice.label, choice.text));
        }
        if let Some(footer) = &self.footer {
            out.push_str(&format!("_{footer}_\n"));
        }
        out
    }

    /// The whole message as text with no Markdown syntax: escapes dropped,
    /// `**bold**` runs passed through `bold`, the footer through `dim`.
    /// The terminal styles them for a TTY; Matrix's plain-text body and a
    /// piped terminal leave them as they are.
    pub fn render_text(
        &self,
        bold: impl Fn(&str) -> String,
        dim: impl Fn(&str) -> String,
    ) -> String {
        let inline = |markdown: &str| -> String {
            spans(markdown)
                .iter()
                .map(|span| {
                    if span.bold {
                        bold(&span.text)
                    } else {
                        span.text.clone()
                    }
                })
                .collect()
        };
        let flat =
            |markdown: &str| -> String { spans(markdown).into_iter().map(|s| s.text).collect() };
        let mut out = String::new();
        if let Some(title) = &self.title {
            out.push_str(&bold(&flat(title)));
            out.push('\n');
        }
        for line in self.body.lines() {
            out.push_str(&inline(line));
            out.push('\n');
        }
        for quote in &self.quotes {
            for line in quote.text.lines() {
                out.push_str(&format!("> {}\n", inline(line)));
            }
            out.push_str(&format!("> — {}\n", inline(&quote.location)));
        }
        for choice in &self.choices {
            out.push_str(&format!("  {}) {}\n", choice.label, inline(&choice.text)));
        }
        if let Some(footer) = &self.footer {
            out.push_str(&dim(&flat(footer)));
            out.push('\n');
        }
        out
    }
}

/// What the bot does in answer to something a user did. The core decides
/// and words it; each platform carries it out its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A message in answer (public, or private where its visibility is
    /// ephemeral and the platform can do that).
    Reply(Message),
    /// Mark the user's message with this emoji: "your answer was taken".
    /// Platforms without reactions (the terminal) show nothing.
    React(&'static str),
    /// A short note for this user only: Discord says it privately, the
    /// terminal prints it; a Matrix room has no private replies, so it is
    /// not sent there (it would be noise for everyone).
    Note(String),
    /// The command worked and its effect shows elsewhere (the quiz's first
    /// question in the channel). Only platforms that must answer every
    /// command (a Discord interaction) show it, privately.
    Ack(String),
}

/// Escapes Markdown and defuses mentions in text that came from a user or a
/// pack: `*`, `_`, `` ` ``, `~`, `|`, `>`, `#`, `[`, `]` are backslashed, and
/// `@` and `<` get a zero-width joiner so `@everyone`, `@here`, `<@123>` and
/// Matrix `@user:server` never ping. (Platforms also send with mentions
/// disabled; this is the second lock.)
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '*' | '_' | '`' | '~' | '|' | '>' | '#' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '@' | '<' => {
                out.push(c);
                out.push('\u{200B}');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Escapes `text` and wraps the byte ranges in `bold` with `**`.
/// Ranges must be sorted, non-overlapping and on char boundaries.
pub fn escape_with_bold(text: &str, bold: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(start, end) in bold {
        if start < at || end > text.len() || start >= end {
            continue;
        }
        out.push_str(&escape(&text[at..start]));
        out.push_str("**");
        out.push_str(&escape(&text[start..end]));
        out.push_str("**");
        at = end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// A run of the bot's Markdown with its emphasis, the escapes removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

/// Reads the Markdown subset the bot writes (`**bold**` and backslash
/// escapes) into spans, for platforms that render it another way (HTML
/// on Matrix, plain or bold text in the terminal).
pub fn spans(markdown: &str) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let mut current = String::new();
    let mut bold = false;
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if !current.is_empty() {
                    spans.push(Span {
                        text: std::mem::take(&mut current),
                        bold,
                    });
                }
                bold = !bold;
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        spans.push(Span {
            text: current,
            bold,
        });
    }
    spans
}

/// "A", "B", ... for choice `index`.
pub fn choice_label(index: usize) -> String {
    char::from(b'A' + (index % 26) as u8).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_defuses_mentions_and_markdown() {
        let escaped = escape("@everyone <@123> **bold** `code`");
        assert!(!escaped.contains("@everyone"));
        assert!(!escaped.contains("<@123>"));
        assert!(escaped.contains("\\*\\*bold\\*\\*"));
    }

    #[test]
    fn bold_ranges_wrap_the_matched_words() {
        assert_eq!(
            escape_with_bold("Stalin met Trotsky", &[(0, 6), (11, 18)]),
            "**Stalin** met **Trotsky**"
        );
        assert_eq!(escape_with_bold("a_b", &[]), "a\\_b");
    }

    #[test]
    fn spans_drop_escapes_and_mark_bold_runs() {
        let text = escape_with_bold("a_b won", &[(4, 7)]);
        assert_eq!(
            spans(&text),
            vec![
                Span {
                    text: "a_b ".into(),
                    bold: false
                },
                Span {
                    text: "won".into(),
                    bold: true
                }
            ]
        );
    }

    #[test]
    fn markdown_rendering_shows_every_part() {
        let mut message = Message::titled("Question 1 of 3", "Who?").with_footer("20 s");
        message.choices.push(Choice {
            label: "A".into(),
            text: "Trotsky".into(),
            key: "k".into(),
        });
        message.quotes.push(Quote {
            text: "He did.".into(),
            location: "sentence 2 of 9".into(),
        });
        let text = message.to_markdown();
        assert_eq!(
            text,
            "**Question 1 of 3**\nWho?\n> He did.\n> — sentence 2 of 9\n  A) Trotsky\n_20 s_\n"
        );
    }
}

//! Markdown: headings become section names; paragraphs, list items, quotes
//! and table rows become paragraphs; code and raw HTML are dropped.

use pulldown_cmark::{Event, Options, Parser, Tag};

use super::Builder;
use crate::content::error::ContentError;

pub(super) fn extract(text: &str, out: &mut Builder<'_>) -> Result<(), ContentError> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut current = String::new();
    // Inside a code block or an image (whose alt text is not prose).
    let mut skipping = 0usize;
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Image(..)) => skipping += 1,
            Event::End(Tag::CodeBlock(_) | Tag::Image(..)) => {
                skipping = skipping.saturating_sub(1);
            }
            _ if skipping > 0 => {}
            Event::Start(Tag::Heading(..)) => out.paragraph(&std::mem::take(&mut current))?,
            Event::End(Tag::Heading(..)) => out.heading(&std::mem::take(&mut current))?,
            Event::Start(
                Tag::Paragraph | Tag::Item | Tag::BlockQuote | Tag::TableRow | Tag::TableHead,
            )
            | Event::End(
                Tag::Paragraph
                | Tag::Item
                | Tag::BlockQuote
                | Tag::TableRow
                | Tag::TableHead
                | Tag::List(_),
            ) => out.paragraph(&std::mem::take(&mut current))?,
            Event::End(Tag::TableCell) => current.push(' '),
            Event::Text(text) | Event::Code(text) => current.push_str(&text),
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            _ => {}
        }
    }
    out.paragraph(&current)
}

//! HTML, read with html5ever's tokenizer (no tree is built): `h1`..`h6`
//! become section names, block elements end paragraphs, and scripts,
//! styles and the page's head are dropped. Entities are decoded by the
//! tokenizer.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::Builder;
use crate::content::error::ContentError;

/// Elements whose text is not prose.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "title", "svg", "math", "iframe",
];

/// Elements that begin or end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "hr",
    "br",
    "body",
    "form",
    "caption",
];

#[derive(Default)]
struct State {
    /// Blocks found: (is a heading, text).
    blocks: Vec<(bool, String)>,
    current: String,
    /// How deep inside skipped elements.
    skipping: usize,
}

impl State {
    fn flush(&mut self, heading: bool) {
        let text = std::mem::take(&mut self.current);
        if !text.trim().is_empty() {
            self.blocks.push((heading, text));
        }
    }
}

#[derive(Default)]
struct Sink(RefCell<State>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        let mut state = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let start = tag.kind == TagKind::StartTag;
                if SKIPPED.contains(&name) {
                    if start && !tag.self_closing {
                        state.skipping += 1;
                    } else if !start {
                        state.skipping = state.skipping.saturating_sub(1);
                    }
                    // The tokenizer alone does not know these hold raw text.
                    return match (start, name) {
                        (true, "script") => TokenSinkResult::RawData(RawKind::ScriptData),
                        (true, "style" | "noscript" | "iframe") => {
                            TokenSinkResult::RawData(RawKind::Rawtext)
                        }
                        (true, "title") => TokenSinkResult::RawData(RawKind::Rcdata),
                        _ => TokenSinkResult::Continue,
                    };
                }
                if state.skipping > 0 {
                    return TokenSinkResult::Continue;
                }
                let heading = matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
                if heading {
                    // A heading ends the paragraph before it and is a block.
                    state.flush(!start);
                } else if BLOCKS.contains(&name) {
                    state.flush(false);
                } else if matches!(name, "td" | "th") {
                    state.current.push(' ');
                }
            }
            Token::CharacterTokens(text) if state.skipping == 0 => {
                state.current.push_str(&text);
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

pub(super) fn extract(text: &str, out: &mut Builder<'_>) -> Result<(), ContentError> {
    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(text));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let mut state = tokenizer.sink.0.take();
    state.flush(false);
    for (heading, block) in state.blocks {
        if heading {
            out.heading(&block)?;
        } else {
            out.paragraph(&block)?;
        }
    }
    Ok(())
}

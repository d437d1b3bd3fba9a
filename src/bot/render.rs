//! Messages built from pure data (a pack, an answer, a date), shared by the
//! bot and the command line so both show the same thing.

use chrono::{Datelike, NaiveDate};

use crate::content::{DatedEvent, Pack};
use crate::study::answer::{Answer, Answerer, Hit, RefusalReason, SmallTalk};
use crate::study::onthisday::{self, Framing};

use super::reply::{Message, Quote, escape, escape_with_bold};

/// A share of a best passage's score that a further passage needs to be shown.
const CLOSE_SHARE: f64 = 0.6;

/// A passage of the document as a quote: escaped, `bold` ranges in bold,
/// located as "sentence N of M" (after `label`, when given).
pub fn passage_quote(
    pack: &Pack,
    sentence: usize,
    text: &str,
    bold: &[(usize, usize)],
    label: &str,
) -> Quote {
    Quote {
        text: escape_with_bold(text, bold),
        location: format!(
            "{label}sentence {} of {}",
            sentence + 1,
            pack.document.sentences().len()
        ),
    }
}

/// Renders an [`Answer`]: the best passage quoted with matched words in bold
/// and its place in the document, plus close runners-up; or an honest
/// refusal with nearby topics.
pub fn answer_message(pack: &Pack, answer: &Answer) -> Message {
    let Some(best) = answer.hits.first() else {
        return refusal_message(pack, answer);
    };
    let mut message = Message::text("From the document:");
    for hit in answer
        .hits
        .iter()
        .take_while(|h| h.score >= best.score * CLOSE_SHARE)
    {
        message.quotes.push(passage_quote(
            pack,
            hit.sentence,
            &hit.text,
            &hit.matched,
            "",
        ));
    }
    message.footer = Some(format!("Source: {}", escape(&pack.attribution())));
    message
}

/// A refusal: why, the closest passage labelled as not a direct answer
/// when one is close, and topics the document does cover. Small talk gets
/// a pointer to what the bot can do instead.
fn refusal_message(pack: &Pack, answer: &Answer) -> Message {
    let topics = || {
        answer
            .suggestions
            .iter()
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let why = match &answer.refusal {
        Some(RefusalReason::SmallTalk(talk)) => {
            let opener = match talk {
                SmallTalk::Greeting => "Hello!",
                SmallTalk::Thanks => "You're welcome!",
                SmallTalk::Goodbye => "Bye for now!",
                SmallTalk::Help => "Happy to help.",
            };
            let mut body = format!(
                "{opener} Ask me anything about \"{}\" and I'll quote the passage that answers it, or start a quiz with the quiz command. Type help to see every command.",
                escape(&pack.manifest.title)
            );
            if !answer.suggestions.is_empty() {
                body.push_str(&format!(" You could ask about: {}.", topics()));
            }
            return Message::text(body).ephemeral();
        }
        Some(RefusalReason::NoDate) => "The document does not give a date for that.",
        Some(RefusalReason::NoQuantity) => "The document gives no figure for that.",
        Some(RefusalReason::NoName) => "The document does not give that name.",
        Some(RefusalReason::Empty) => "Ask me a question about the document.",
        _ => "The document does not cover that.",
    };
    let mut message = Message::text(why);
    if let Some(closest) = &answer.closest {
        message
            .body
            .push_str(" The closest passage, not a direct answer:");
        message.quotes.push(passage_quote(
            pack,
            closest.sentence,
            &closest.text,
            &closest.matched,
            "",
        ));
    }
    if !answer.suggestions.is_empty() {
        message.footer = Some(format!("It does cover: {}.", topics()));
    }
    message.ephemeral()
}

/// One event as a line: "On this day in 1941: **Title**. Description".
fn event_line(framing: Framing, event: &DatedEvent) -> String {
    format!(
        "{}: **{}**. {}",
        framing.lead(event.date.year()),
        escape(&event.title),
        escape(&event.description)
    )
}

/// The title for a day's post.
fn day_title(framing: Framing, date: NaiveDate) -> String {
    // Only a same-day event is "on this day"; a near one is "this week".
    match framing {
        Framing::OnThisDay => format!("On this day: {}", date.format("%-d %B")),
        Framing::ThisMonth => format!("This month in history ({})", date.format("%B")),
        _ => format!("This week in history: {}", date.format("%-d %B")),
    }
}

/// The document passages most related to an event, best first.
pub fn related_passages(answerer: &Answerer, event: &DatedEvent) -> Vec<Hit> {
    let query = format!(
        "{} {} {}",
        event.title,
        event.tags.join(" "),
        event.description
    );
    answerer.related(&query, 3)
}

/// Links an event to the document: the most related passage and, when the
/// pack has one about that passage, a question to think over.
fn link_to_document(message: &mut Message, pack: &Pack, answerer: &Answerer, event: &DatedEvent) {
    let hits = related_passages(answerer, event);
    let Some(hit) = hits.first() else {
        return;
    };
    let quote = passage_quote(
        pack,
        hit.sentence,
        &hit.text,
        &hit.matched,
        "related passage: ",
    );
    message.quotes.push(quote);
    let question = hits.iter().find_map(|h| {
        pack.questions
            .iter()
            .find(|q| q.source_sentence == Some(h.sentence))
    });
    if let Some(question) = question {
        message
            .body
            .push_str(&format!("\n\nTo think over: {}", escape(&question.prompt)));
    }
}

/// The daily post for one chosen event.
pub fn daily_post_message(
    pack: &Pack,
    answerer: &Answerer,
    date: NaiveDate,
    framing: Framing,
    event: &DatedEvent,
) -> Message {
    let mut message = Message::titled(day_title(framing, date), event_line(framing, event));
    link_to_document(&mut message, pack, answerer, event);
    if let Some(source) = &event.source {
        message.footer = Some(format!("Source: {}", escape(source)));
    }
    message
}

/// The "on this day" message for `date`: the pack's events framed honestly,
/// their sources, and the document's most related passage.
pub fn on_this_day_message(
    pack: &Pack,
    events: &[DatedEvent],
    answerer: &Answerer,
    date: NaiveDate,
) -> Message {
    let pick = onthisday::pick(events, date);
    if pick.framing == Framing::Nothing {
        return Message::text(format!(
            "This pack has no dated event on or near {}.",
            date.format("%-d %B")
        ));
    }
    let lines: Vec<String> = pick
        .events
        .iter()
        .map(|e| event_line(pick.framing, e))
        .collect();
    let sources: Vec<String> = pick
        .events
        .iter()
        .filter_map(|e| e.source.as_deref())
        .map(escape)
        .collect();
    let mut message = Message::titled(day_title(pick.framing, date), lines.join("\n"));
    if let Some(event) = pick.events.first() {
        link_to_document(&mut message, pack, answerer, event);
    }
    if !sources.is_empty() {
        message.footer = Some(format!("Source: {}", sources.join(" · ")));
    }
    message
}

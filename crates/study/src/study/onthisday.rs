//! The "on this day" picker: given a local date, choose the pack's events to
//! show and how to frame them honestly. Events of that month and day come
//! first; otherwise the nearest within a week ("3 days ago, in 1932");
//! otherwise one from the same month ("This month in history"). It never
//! says "on this day" about another day.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use crate::content::{DatedEvent, Document};

use super::text;

/// How far away (in days) an event may be to be offered instead.
pub const NEAR_DAYS: i64 = 7;

/// How many of the month's events `/onthisday` shows when none is near.
pub const MONTH_EVENTS: usize = 3;

/// How the chosen events relate to the requested date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Same month and day.
    OnThisDay,
    /// The events' anniversary was this many days before the date.
    DaysAgo(i64),
    /// The events' anniversary is this many days after the date.
    DaysAhead(i64),
    /// Same month, not within a week.
    ThisMonth,
    /// Nothing near.
    Nothing,
}

impl Framing {
    /// Short machine name, used in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Framing::OnThisDay => "on_this_day",
            Framing::DaysAgo(_) => "days_ago",
            Framing::DaysAhead(_) => "days_ahead",
            Framing::ThisMonth => "this_month",
            Framing::Nothing => "nothing",
        }
    }

    /// The lead-in for one event of `year`: "On this day in 1941".
    pub fn lead(&self, year: i32) -> String {
        match *self {
            Framing::OnThisDay => format!("On this day in {year}"),
            Framing::DaysAgo(1) => format!("Yesterday, in {year}"),
            Framing::DaysAgo(n) => format!("{n} days ago, in {year}"),
            Framing::DaysAhead(1) => format!("Tomorrow, in {year}"),
            Framing::DaysAhead(n) => format!("In {n} days, in {year}"),
            Framing::ThisMonth => format!("This month in history, {year}"),
            Framing::Nothing => format!("In {year}"),
        }
    }
}

/// The events chosen for a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick<'a> {
    pub date: NaiveDate,
    pub framing: Framing,
    pub events: Vec<&'a DatedEvent>,
}

/// Signed distance in days from `date` to the nearest anniversary of
/// `event` (negative: the anniversary was before `date`).
fn anniversary_offset(date: NaiveDate, event: NaiveDate) -> Option<i64> {
    [date.year() - 1, date.year(), date.year() + 1]
        .into_iter()
        .filter_map(|year| anniversary_in(event, year))
        .map(|day| (day - date).num_days())
        .min_by_key(|d| (d.abs(), *d))
}

/// The anniversary of `event` in `year`; 29 February falls on 28 February
/// in common years.
fn anniversary_in(event: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, event.month(), event.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, event.month(), event.day() - 1))
}

/// Chooses the events to show for `date`.
pub fn pick(events: &[DatedEvent], date: NaiveDate) -> Pick<'_> {
    let same_day: Vec<&DatedEvent> = events
        .iter()
        .filter(|e| anniversary_offset(date, e.date) == Some(0))
        .collect();
    if !same_day.is_empty() {
        return Pick {
            date,
            framing: Framing::OnThisDay,
            events: same_day,
        };
    }
    let nearest = events
        .iter()
        .filter_map(|e| anniversary_offset(date, e.date).map(|d| (d, e)))
        .filter(|(d, _)| d.abs() <= NEAR_DAYS)
        .min_by_key(|(d, _)| (d.abs(), *d));
    if let Some((offset, _)) = nearest {
        let chosen = events
            .iter()
            .filter(|e| anniversary_offset(date, e.date) == Some(offset))
            .collect();
        let framing = if offset < 0 {
            Framing::DaysAgo(-offset)
        } else {
            Framing::DaysAhead(offset)
        };
        return Pick {
            date,
            framing,
            events: chosen,
        };
    }
    // The month's events closest to the day, at most MONTH_EVENTS of them.
    let mut month: Vec<&DatedEvent> = events
        .iter()
        .filter(|e| e.date.month() == date.month())
        .collect();
    month.sort_by_key(|e| (e.date.day().abs_diff(date.day()), e.date));
    month.truncate(MONTH_EVENTS);
    if !month.is_empty() {
        return Pick {
            date,
            framing: Framing::ThisMonth,
            events: month,
        };
    }
    Pick {
        date,
        framing: Framing::Nothing,
        events: Vec::new(),
    }
}

/// Every dated event of a pack: its events file, then the sentences of its
/// document that state a full date.
pub fn all_events(pack: &crate::content::Pack) -> Vec<DatedEvent> {
    let mut events = pack.events.clone();
    events.extend(dated_sentences(&pack.document));
    events
}

/// A stable key for an event, used to avoid repeats in a channel.
pub fn event_key(event: &DatedEvent) -> String {
    format!("{}|{}", event.date, event.title)
}

/// Candidates for `date`, best first: same day, then the nearest within a
/// week, then the rest of the month. Each with its honest framing.
fn candidates(events: &[DatedEvent], date: NaiveDate) -> Vec<(Framing, &DatedEvent)> {
    let mut near: Vec<(i64, &DatedEvent)> = events
        .iter()
        .filter_map(|e| anniversary_offset(date, e.date).map(|d| (d, e)))
        .filter(|(d, _)| d.abs() <= NEAR_DAYS)
        .collect();
    near.sort_by_key(|(d, e)| (d.abs(), *d, e.date));
    let mut result: Vec<(Framing, &DatedEvent)> = near
        .into_iter()
        .map(|(d, e)| {
            let framing = match d {
                0 => Framing::OnThisDay,
                d if d < 0 => Framing::DaysAgo(-d),
                d => Framing::DaysAhead(d),
            };
            (framing, e)
        })
        .collect();
    let mut month: Vec<&DatedEvent> = events
        .iter()
        .filter(|e| e.date.month() == date.month())
        .filter(|e| !result.iter().any(|(_, r)| std::ptr::eq(*r, *e)))
        .collect();
    month.sort_by_key(|e| (e.date.day(), e.date));
    result.extend(month.into_iter().map(|e| (Framing::ThisMonth, e)));
    result
}

/// The event a channel gets on `date`: the best candidate it has not had in
/// its current cycle. When it has had every candidate, a new cycle starts
/// (`new_cycle` is true) and the best candidate is used again.
pub struct Choice<'a> {
    pub framing: Framing,
    pub event: &'a DatedEvent,
    pub new_cycle: bool,
}

pub fn choose_for_channel<'a>(
    events: &'a [DatedEvent],
    date: NaiveDate,
    used: &HashSet<String>,
) -> Option<Choice<'a>> {
    let candidates = candidates(events, date);
    if let Some((framing, event)) = candidates
        .iter()
        .find(|(_, e)| !used.contains(&event_key(e)))
    {
        return Some(Choice {
            framing: *framing,
            event,
            new_cycle: false,
        });
    }
    candidates.first().map(|(framing, event)| Choice {
        framing: *framing,
        event,
        new_cycle: true,
    })
}

/// Finds sentences of the document that state a full date ("22 June 1941",
/// "June 22, 1941", "1941-06-22") and makes them events, citing the
/// sentence. A document without full dates (like the seed, whose years were
/// stripped) yields none: nothing is guessed.
pub fn dated_sentences(document: &Document) -> Vec<DatedEvent> {
    let mut events = Vec::new();
    for sentence in document.sentences() {
        let Some(date) = find_date(&sentence.text) else {
            continue;
        };
        let title: String = sentence
            .text
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ");
        events.push(DatedEvent {
            date,
            title: title.trim_end_matches(['.', ',', ';', ':']).to_string(),
            description: sentence.text.clone(),
            tags: Vec::new(),
            source: Some(format!("the document, sentence {}", sentence.index + 1)),
            note: None,
            line: sentence.line,
        });
    }
    events
}

fn find_date(text: &str) -> Option<NaiveDate> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let month = |w: &str| {
        text::MONTHS
            .iter()
            .position(|m| *m == w || (w.len() >= 3 && m.starts_with(w) && w.len() <= 4))
            .map(|i| i as u32 + 1)
    };
    let day = |w: &str| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        digits.parse::<u32>().ok().filter(|d| (1..=31).contains(d))
    };
    let year = |w: &str| {
        w.parse::<i32>()
            .ok()
            .filter(|y| (100..=2999).contains(y) && w.len() == 4)
    };
    for (i, word) in words.iter().enumerate() {
        if let Ok(date) = NaiveDate::parse_from_str(word, "%Y-%m-%d") {
            return Some(date);
        }
        let next = words.get(i + 1).map(String::as_str).unwrap_or("");
        let after = words.get(i + 2).map(String::as_str).unwrap_or("");
        // 22 June 1941 / 22nd of June 1941
        if let Some(d) = day(word) {
            let (m, y) = if next == "of" {
                (month(after), words.get(i + 3).map(String::as_str))
            } else {
                (month(next), Some(after))
            };
            if let (Some(m), Some(y)) = (m, y.and_then(year))
                && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
            {
                return Some(date);
            }
        }
        // June 22, 1941
        if let (Some(m), Some(d), Some(y)) = (month(word), day(next), year(after))
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            return Some(date);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(date: &str, title: &str) -> DatedEvent {
        DatedEvent {
            date: date.parse().unwrap(),
            title: title.into(),
            description: "d".into(),
            tags: vec![],
            source: None,
            note: None,
            line: 2,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn same_month_and_day_is_on_this_day_in_any_year() {
        let events = [
            event("1941-06-22", "Invasion"),
            event("1941-06-30", "Other"),
        ];
        let pick = pick(&events, day("2026-06-22"));
        assert_eq!(pick.framing, Framing::OnThisDay);
        assert_eq!(pick.events[0].title, "Invasion");
        assert_eq!(pick.framing.lead(1941), "On this day in 1941");
    }

    #[test]
    fn a_near_event_is_framed_by_its_real_distance() {
        let events = [event("1941-06-22", "Invasion")];
        assert_eq!(
            pick(&events, day("2026-06-21")).framing,
            Framing::DaysAhead(1)
        );
        assert_eq!(
            pick(&events, day("2026-06-25")).framing,
            Framing::DaysAgo(3)
        );
        assert_eq!(Framing::DaysAhead(1).lead(1941), "Tomorrow, in 1941");
        assert_eq!(Framing::DaysAgo(3).lead(1932), "3 days ago, in 1932");
    }

    #[test]
    fn near_events_cross_the_new_year() {
        let events = [event("1922-12-30", "USSR founded")];
        assert_eq!(
            pick(&events, day("2027-01-02")).framing,
            Framing::DaysAgo(3)
        );
    }

    #[test]
    fn otherwise_the_month_then_nothing() {
        let events = [event("1941-06-01", "Early June")];
        let june = pick(&events, day("2026-06-20"));
        assert_eq!(june.framing, Framing::ThisMonth);
        assert_eq!(june.events.len(), 1);
        let march = pick(&events, day("2026-03-15"));
        assert_eq!(march.framing, Framing::Nothing);
        assert!(march.events.is_empty());
    }

    #[test]
    fn a_channel_gets_no_repeat_until_every_candidate_is_used() {
        let events = [
            event("1941-06-22", "A"),
            event("1932-06-22", "B"),
            event("1930-06-24", "C"),
        ];
        let date = day("2026-06-22");
        let mut used = HashSet::new();
        let mut order = Vec::new();
        for _ in 0..3 {
            let choice = choose_for_channel(&events, date, &used).unwrap();
            assert!(!choice.new_cycle);
            order.push((choice.event.title.clone(), choice.framing));
            used.insert(event_key(choice.event));
        }
        assert_eq!(order[0].1, Framing::OnThisDay);
        assert_eq!(order[2], ("C".to_string(), Framing::DaysAhead(2)));
        let again = choose_for_channel(&events, date, &used).unwrap();
        assert!(again.new_cycle);
        assert_eq!(again.framing, Framing::OnThisDay);
    }

    #[test]
    fn full_dates_in_sentences_become_events_citing_the_sentence() {
        let doc = Document::parse(
            "Germany invaded on 22 June 1941. On March 5, 1953 Stalin died. It happened on 1917-11-07. In June nothing. Stalin ruled from  until",
        );
        let events = dated_sentences(&doc);
        let dates: Vec<String> = events.iter().map(|e| e.date.to_string()).collect();
        assert_eq!(dates, ["1941-06-22", "1953-03-05", "1917-11-07"]);
        assert_eq!(
            events[0].source.as_deref(),
            Some("the document, sentence 1")
        );
    }

    #[test]
    fn the_seed_document_has_no_dates_to_detect() {
        let pack = crate::content::Pack::bundled().unwrap();
        assert!(dated_sentences(&pack.document).is_empty());
    }
}

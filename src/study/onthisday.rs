//! The "on this day" picker: given a local date, choose the pack's events to
//! show and how to frame them honestly. Events of that month and day come
//! first; otherwise the nearest within a week ("3 days ago, in 1932");
//! otherwise one from the same month ("This month in history"). It never
//! says "on this day" about another day.

use chrono::{Datelike, NaiveDate};

use crate::content::DatedEvent;

/// How far away (in days) an event may be to be offered instead.
pub const NEAR_DAYS: i64 = 7;

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
    let month: Vec<&DatedEvent> = events
        .iter()
        .filter(|e| e.date.month() == date.month())
        .collect();
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
}

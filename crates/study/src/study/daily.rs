//! Pure rules of the daily post: when it fires (local time of day in an IANA
//! zone, across DST changes), reading the time and zone a user typed, and
//! which event a channel gets next without repeats.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::text::edit_distance_within;

/// Parses "HH:MM" (24-hour; "8:05" is allowed).
pub fn parse_time_of_day(text: &str) -> Result<NaiveTime, String> {
    let text = text.trim();
    let bad = || {
        format!("{text:?} is not a time of day: write HH:MM in 24-hour time, e.g. 08:30 or 17:00.")
    };
    let (hours, minutes) = text.split_once(':').ok_or_else(bad)?;
    if minutes.len() != 2 || hours.is_empty() || hours.len() > 2 {
        return Err(bad());
    }
    let (hours, minutes): (u32, u32) = (
        hours.parse().map_err(|_| bad())?,
        minutes.parse().map_err(|_| bad())?,
    );
    NaiveTime::from_hms_opt(hours, minutes, 0).ok_or_else(bad)
}

/// Parses an IANA time zone name, forgiving case. An unknown name is refused
/// with the closest real one: "Europe/Berln is not a time zone; did you mean
/// Europe/Berlin?"
pub fn parse_time_zone(text: &str) -> Result<Tz, String> {
    let text = text.trim();
    if let Ok(zone) = text.parse::<Tz>() {
        return Ok(zone);
    }
    let lower = text.to_lowercase();
    if let Some(zone) = chrono_tz::TZ_VARIANTS
        .iter()
        .find(|z| z.name().to_lowercase() == lower)
    {
        return Ok(*zone);
    }
    let closest = chrono_tz::TZ_VARIANTS
        .iter()
        .filter_map(|zone| {
            let name = zone.name().to_lowercase();
            edit_distance_within(&lower, &name, 3).map(|d| (d, zone.name()))
        })
        .min();
    Err(match closest {
        Some((_, name)) => format!("{text} is not a time zone; did you mean {name}?"),
        None => format!(
            "{text} is not a time zone: use an IANA name such as Europe/London, America/New_York or Asia/Tokyo."
        ),
    })
}

/// The instant the post for local `date` fires: `time` on that date in
/// `zone`. A time that does not exist that day (spring forward) fires at the
/// first valid minute after it; an ambiguous one (fall back) fires once, at
/// its first occurrence.
pub fn fire_instant(date: NaiveDate, time: NaiveTime, zone: Tz) -> DateTime<Utc> {
    let mut local = date.and_time(time);
    // DST gaps are at most a few hours; a day has 1,440 minutes.
    for _ in 0..1_440 {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(at) => return at.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    // Unreachable for real zones; fall back to reading the time as UTC.
    Utc.from_utc_datetime(&date.and_time(time))
}

/// The local date in `zone` at `now`.
pub fn local_date(now: DateTime<Utc>, zone: Tz) -> NaiveDate {
    now.with_timezone(&zone).date_naive()
}

/// The first firing strictly after `now`.
pub fn next_fire_after(now: DateTime<Utc>, time: NaiveTime, zone: Tz) -> DateTime<Utc> {
    let today = local_date(now, zone);
    let todays = fire_instant(today, time, zone);
    if todays > now {
        todays
    } else {
        fire_instant(today.succ_opt().unwrap_or(today), time, zone)
    }
}

/// What a due subscription should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Post for this local date (on time, or late on the same date), then
    /// wait for `next`.
    Post {
        local_date: NaiveDate,
        next: DateTime<Utc>,
    },
    /// The firing that came due belongs to a past date (the bot was down):
    /// post nothing for it and wait for `next`.
    Skip { next: DateTime<Utc> },
}

/// Decides what a subscription whose stored firing time has passed does at
/// `now`: today's post once (late if need be), never a past day's.
pub fn due_action(now: DateTime<Utc>, time: NaiveTime, zone: Tz) -> Due {
    let today = local_date(now, zone);
    let todays = fire_instant(today, time, zone);
    if todays <= now {
        let next = fire_instant(today.succ_opt().unwrap_or(today), time, zone);
        Due::Post {
            local_date: today,
            next,
        }
    } else {
        Due::Skip { next: todays }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn times_of_day_are_24_hour_hh_mm() {
        assert_eq!(parse_time_of_day("08:30"), Ok(at(8, 30)));
        assert_eq!(parse_time_of_day("8:05"), Ok(at(8, 5)));
        assert!(parse_time_of_day("24:00").is_err());
        assert!(parse_time_of_day("8.30").is_err());
        assert!(parse_time_of_day("08:3").is_err());
    }

    #[test]
    fn zones_forgive_case_and_suggest_the_closest_name() {
        assert_eq!(
            parse_time_zone("europe/berlin"),
            Ok(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            parse_time_zone("Europe/Berln"),
            Err("Europe/Berln is not a time zone; did you mean Europe/Berlin?".to_string())
        );
        assert!(
            parse_time_zone("Mars/Olympus")
                .unwrap_err()
                .contains("IANA")
        );
    }

    #[test]
    fn a_fire_time_is_local_in_each_zone() {
        let time = at(8, 0);
        assert_eq!(
            fire_instant(day("2026-01-15"), time, chrono_tz::Europe::Berlin),
            utc("2026-01-15T07:00:00Z")
        );
        assert_eq!(
            fire_instant(day("2026-01-15"), time, chrono_tz::America::New_York),
            utc("2026-01-15T13:00:00Z")
        );
    }

    #[test]
    fn spring_forward_gaps_fire_at_the_first_valid_minute_after() {
        // Berlin jumps 02:00 -> 03:00 on 29 March 2026.
        assert_eq!(
            fire_instant(day("2026-03-29"), at(2, 30), chrono_tz::Europe::Berlin),
            utc("2026-03-29T01:00:00Z")
        );
        // New York jumps 02:00 -> 03:00 on 8 March 2026.
        assert_eq!(
            fire_instant(day("2026-03-08"), at(2, 15), chrono_tz::America::New_York),
            utc("2026-03-08T07:00:00Z")
        );
        // The same times on ordinary days.
        assert_eq!(
            fire_instant(day("2026-03-30"), at(2, 30), chrono_tz::Europe::Berlin),
            utc("2026-03-30T00:30:00Z")
        );
    }

    #[test]
    fn fall_back_repeats_fire_once_at_the_first_occurrence() {
        // Berlin repeats 02:00-03:00 on 25 October 2026: 02:30 CEST is 00:30 UTC.
        assert_eq!(
            fire_instant(day("2026-10-25"), at(2, 30), chrono_tz::Europe::Berlin),
            utc("2026-10-25T00:30:00Z")
        );
        // New York repeats 01:00-02:00 on 1 November 2026: 01:30 EDT is 05:30 UTC.
        let first = fire_instant(day("2026-11-01"), at(1, 30), chrono_tz::America::New_York);
        assert_eq!(first, utc("2026-11-01T05:30:00Z"));
        // After firing, the next one is the following day, not the repeat an hour later.
        assert_eq!(
            next_fire_after(first, at(1, 30), chrono_tz::America::New_York),
            utc("2026-11-02T06:30:00Z")
        );
    }

    #[test]
    fn next_fire_is_today_until_the_time_passes() {
        let zone = chrono_tz::Europe::London;
        assert_eq!(
            next_fire_after(utc("2026-11-25T07:59:00Z"), at(8, 0), zone),
            utc("2026-11-25T08:00:00Z")
        );
        assert_eq!(
            next_fire_after(utc("2026-11-25T08:00:00Z"), at(8, 0), zone),
            utc("2026-11-26T08:00:00Z")
        );
    }

    #[test]
    fn a_late_start_posts_today_once_and_never_a_past_day() {
        let zone = chrono_tz::Europe::London;
        // Down from before yesterday's 08:00 until 10:00 today: today's post, late.
        assert_eq!(
            due_action(utc("2026-11-25T10:00:00Z"), at(8, 0), zone),
            Due::Post {
                local_date: day("2026-11-25"),
                next: utc("2026-11-26T08:00:00Z")
            }
        );
        // Back at 07:00: yesterday's missed post is skipped, today's waits.
        assert_eq!(
            due_action(utc("2026-11-25T07:00:00Z"), at(8, 0), zone),
            Due::Skip {
                next: utc("2026-11-25T08:00:00Z")
            }
        );
    }
}

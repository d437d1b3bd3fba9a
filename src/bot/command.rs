//! What a user asked for, independent of how they asked: a slash command on
//! Discord, `!command` on Matrix or `/command` in the terminal all become a
//! [`Command`]. Text parsing for the text-based platforms lives here too.

use chrono::NaiveDate;

use super::quiz::{QuizMode, QuizOptions, QuizSource};

/// Period of a leaderboard, in the scope's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    All,
}

impl Period {
    pub fn name(&self) -> &'static str {
        match self {
            Period::Week => "this week",
            Period::Month => "this month",
            Period::All => "all time",
        }
    }
}

/// A date given to `/onthisday`: a full date, or a month and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateQuery {
    Full(NaiveDate),
    MonthDay { month: u32, day: u32 },
}

impl DateQuery {
    /// Parses `YYYY-MM-DD` or `MM-DD`.
    pub fn parse(text: &str) -> Result<Self, CommandError> {
        let text = text.trim();
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Self::Full(date));
        }
        let bad = || {
            CommandError::BadArgument(format!(
                "{text:?} is not a date: write YYYY-MM-DD or MM-DD, e.g. 1941-06-22 or 06-22"
            ))
        };
        let (month, day) = text.split_once('-').ok_or_else(bad)?;
        let (month, day): (u32, u32) = (
            month.parse().map_err(|_| bad())?,
            day.parse().map_err(|_| bad())?,
        );
        // Validate against a leap year so 02-29 is allowed.
        NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
        Ok(Self::MonthDay { month, day })
    }

    /// The concrete date, taking the year from `today` for month-day input.
    pub fn resolve(&self, today: NaiveDate) -> NaiveDate {
        use chrono::Datelike;
        match *self {
            DateQuery::Full(date) => date,
            DateQuery::MonthDay { month, day } => NaiveDate::from_ymd_opt(today.year(), month, day)
                .or_else(|| NaiveDate::from_ymd_opt(today.year(), month, day - 1))
                .unwrap_or(today),
        }
    }
}

/// `/daily ...`: the channel's daily "on this day" post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DailyCommand {
    /// Post every day at `time` in `zone` (the scope's zone when `None`).
    Set {
        time: chrono::NaiveTime,
        zone: Option<chrono_tz::Tz>,
    },
    Off,
    Status,
}

/// Everything a user can ask the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Ask(String),
    QuizStart(QuizOptions),
    QuizStop,
    /// The questions the player missed in the last quiz here (privately).
    QuizReview,
    /// A player reports a question as wrong.
    QuizFlag {
        id: String,
        reason: String,
    },
    /// Admins: the flagged questions of this scope.
    QuizFlags,
    /// Admins: take a question out of this scope's quizzes, or put it back.
    QuizRetire {
        id: String,
        retire: bool,
    },
    Score(Option<String>),
    Leaderboard(Period),
    OnThisDay(Option<DateQuery>),
    Daily(DailyCommand),
    Help,
}

/// Problems with what the user typed; `Display` is the reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("Unknown command {0}. Commands: {commands}. Type {help} for details.", commands = COMMAND_NAMES.join(", "), help = "/help")]
    Unknown(String),
    #[error("{0}")]
    BadArgument(String),
}

/// The commands, as listed in errors and help.
pub const COMMAND_NAMES: &[&str] = &[
    "/ask",
    "/quiz",
    "/quiz stop",
    "/quiz review",
    "/quiz flag",
    "/score",
    "/leaderboard",
    "/onthisday",
    "/daily",
    "/help",
];

/// Parses a text command such as `/quiz 5 15 typed`. `prefix` is the
/// platform's command character (`/` in the terminal, `!` on Matrix).
/// Returns `Ok(None)` when `line` is not a command at all.
pub fn parse_command(line: &str, prefix: char) -> Result<Option<Command>, CommandError> {
    let line = line.trim();
    let Some(rest) = line.strip_prefix(prefix) else {
        return Ok(None);
    };
    let mut words = rest.split_whitespace();
    let name = words.next().unwrap_or("").to_lowercase();
    let args: Vec<&str> = words.collect();
    let command = match name.as_str() {
        "ask" | "a" => {
            let question = args.join(" ");
            if question.is_empty() {
                return Err(CommandError::BadArgument(format!(
                    "Ask a question after {prefix}ask, e.g. {prefix}ask who was Trotsky?"
                )));
            }
            Command::Ask(question)
        }
        "quiz" | "q" => {
            let sub = args.first().map(|a| a.to_lowercase());
            let id = || {
                args.get(1).map(|id| id.to_string()).ok_or_else(|| {
                    CommandError::BadArgument(format!(
                        "Name the question by its id, shown under each answer: {prefix}quiz {} ID",
                        sub.as_deref().unwrap_or("flag")
                    ))
                })
            };
            match sub.as_deref() {
                Some("stop") => Command::QuizStop,
                Some("review") => Command::QuizReview,
                Some("flags") => Command::QuizFlags,
                Some("flag") => Command::QuizFlag {
                    id: id()?,
                    reason: args.get(2..).map(|r| r.join(" ")).unwrap_or_default(),
                },
                Some("retire") => Command::QuizRetire {
                    id: id()?,
                    retire: true,
                },
                Some("unretire" | "restore") => Command::QuizRetire {
                    id: id()?,
                    retire: false,
                },
                _ => Command::QuizStart(parse_quiz_options(&args, prefix)?),
            }
        }
        "score" | "me" => Command::Score((!args.is_empty()).then(|| args.join(" "))),
        "leaderboard" | "lb" | "top" => {
            Command::Leaderboard(match args.first().map(|a| a.to_lowercase()) {
                None => Period::All,
                Some(p) if p == "all" => Period::All,
                Some(p) if p == "week" => Period::Week,
                Some(p) if p == "month" => Period::Month,
                Some(p) => {
                    return Err(CommandError::BadArgument(format!(
                        "{p:?} is not a period: use week, month or all"
                    )));
                }
            })
        }
        "onthisday" | "otd" | "today" => Command::OnThisDay(match args.first() {
            Some(date) => Some(DateQuery::parse(date)?),
            None => None,
        }),
        "daily" => Command::Daily(parse_daily(&args, prefix)?),
        "help" | "h" | "?" => Command::Help,
        other => return Err(CommandError::Unknown(format!("{prefix}{other}"))),
    };
    Ok(Some(command))
}

/// `set HH:MM [zone]`, `off`, `status` (the default).
fn parse_daily(args: &[&str], prefix: char) -> Result<DailyCommand, CommandError> {
    use crate::study::daily::{parse_time_of_day, parse_time_zone};
    let usage = || {
        format!(
            "Use {prefix}daily set HH:MM [time zone], {prefix}daily off or {prefix}daily status."
        )
    };
    match args.first().map(|a| a.to_lowercase()).as_deref() {
        None | Some("status") => Ok(DailyCommand::Status),
        Some("off" | "stop") => Ok(DailyCommand::Off),
        Some("set") => {
            let time = args
                .get(1)
                .ok_or_else(|| CommandError::BadArgument(usage()))?;
            let time = parse_time_of_day(time).map_err(CommandError::BadArgument)?;
            let zone = match args.get(2) {
                Some(zone) => Some(parse_time_zone(zone).map_err(CommandError::BadArgument)?),
                None => None,
            };
            if args.len() > 3 {
                return Err(CommandError::BadArgument(usage()));
            }
            Ok(DailyCommand::Set { time, zone })
        }
        Some(_) => Err(CommandError::BadArgument(usage())),
    }
}

/// `[rounds] [seconds] [choice|typed] [bank|generated|mixed] [seed=N]`, in
/// any order: the first number is rounds, the second seconds.
fn parse_quiz_options(args: &[&str], prefix: char) -> Result<QuizOptions, CommandError> {
    let mut options = QuizOptions::default();
    let mut numbers = 0;
    let mut args = args.iter().peekable();
    while let Some(arg) = args.next() {
        let lower = arg.to_lowercase();
        let seed_value = if let Some(value) = lower
            .strip_prefix("seed=")
            .or_else(|| lower.strip_prefix("seed:"))
        {
            Some(value.to_string())
        } else if lower == "seed" {
            Some(args.next().map(|v| v.to_string()).unwrap_or_default())
        } else {
            None
        };
        if let Some(value) = seed_value {
            options.seed = Some(value.parse().map_err(|_| {
                CommandError::BadArgument(format!(
                    "{value:?} is not a seed: give a whole number, e.g. {prefix}quiz 10 seed=42 (the same seed gives everyone the same quiz)"
                ))
            })?);
            continue;
        }
        if let Ok(n) = lower.trim_end_matches('s').parse::<u32>() {
            match numbers {
                0 => options.rounds = n,
                1 => options.seconds = n,
                _ => {
                    return Err(CommandError::BadArgument(format!(
                        "Too many numbers: {prefix}quiz [rounds] [seconds]"
                    )));
                }
            }
            numbers += 1;
            continue;
        }
        match lower.as_str() {
            "typed" | "type" | "text" => options.mode = QuizMode::Typed,
            "choice" | "choices" | "mc" | "multiple" => options.mode = QuizMode::MultipleChoice,
            "bank" => options.source = QuizSource::Bank,
            "generated" | "document" | "doc" => options.source = QuizSource::Generated,
            "mixed" | "mix" | "all" => options.source = QuizSource::Mixed,
            _ => {
                return Err(CommandError::BadArgument(format!(
                    "{arg:?} is not a quiz option. Use {prefix}quiz [rounds] [seconds] [choice|typed] [bank|generated|mixed] [seed=N], e.g. {prefix}quiz 5 15 typed"
                )));
            }
        }
    }
    options.validate()?;
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_their_arguments() {
        assert_eq!(
            parse_command("/ask who was Trotsky?", '/'),
            Ok(Some(Command::Ask("who was Trotsky?".into())))
        );
        assert_eq!(parse_command("who was Trotsky?", '/'), Ok(None));
        assert_eq!(
            parse_command("!quiz stop", '!'),
            Ok(Some(Command::QuizStop))
        );
        assert_eq!(
            parse_command("/leaderboard week", '/'),
            Ok(Some(Command::Leaderboard(Period::Week)))
        );
        assert_eq!(
            parse_command("/score alice", '/'),
            Ok(Some(Command::Score(Some("alice".into()))))
        );
        assert_eq!(
            parse_command("/onthisday 06-22", '/'),
            Ok(Some(Command::OnThisDay(Some(DateQuery::MonthDay {
                month: 6,
                day: 22
            }))))
        );
    }

    #[test]
    fn daily_commands_validate_time_and_zone() {
        assert_eq!(
            parse_command("/daily set 08:30 Europe/Berlin", '/'),
            Ok(Some(Command::Daily(DailyCommand::Set {
                time: chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
                zone: Some(chrono_tz::Europe::Berlin)
            })))
        );
        assert_eq!(
            parse_command("/daily", '/'),
            Ok(Some(Command::Daily(DailyCommand::Status)))
        );
        assert_eq!(
            parse_command("/daily off", '/'),
            Ok(Some(Command::Daily(DailyCommand::Off)))
        );
        let error = parse_command("/daily set 08:30 Europe/Berln", '/')
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "Europe/Berln is not a time zone; did you mean Europe/Berlin?"
        );
        assert!(parse_command("/daily set 25:00", '/').is_err());
    }

    #[test]
    fn quiz_options_are_read_in_any_order() {
        let Ok(Some(Command::QuizStart(options))) = parse_command("/quiz typed 5 15s", '/') else {
            panic!("not a quiz start");
        };
        assert_eq!(
            (options.rounds, options.seconds, options.mode),
            (5, 15, QuizMode::Typed)
        );
        assert!(parse_command("/quiz 0", '/').is_err());
        assert!(parse_command("/quiz fast", '/').is_err());
        let Ok(Some(Command::QuizStart(options))) = parse_command("/quiz 5 seed=42", '/') else {
            panic!("not a quiz start");
        };
        assert_eq!((options.rounds, options.seed), (5, Some(42)));
        let Ok(Some(Command::QuizStart(options))) = parse_command("/quiz seed 7 generated", '/')
        else {
            panic!("not a quiz start");
        };
        assert_eq!(options.seed, Some(7));
        let error = parse_command("/quiz seed=abc", '/')
            .unwrap_err()
            .to_string();
        assert!(error.contains("is not a seed"), "{error}");
    }

    #[test]
    fn quiz_teacher_commands_name_a_question_by_id() {
        assert_eq!(
            parse_command("/quiz flag generated-3-year-1759 two years fit", '/'),
            Ok(Some(Command::QuizFlag {
                id: "generated-3-year-1759".into(),
                reason: "two years fit".into()
            }))
        );
        assert_eq!(
            parse_command("!quiz retire kolkhoz", '!'),
            Ok(Some(Command::QuizRetire {
                id: "kolkhoz".into(),
                retire: true
            }))
        );
        assert_eq!(
            parse_command("/quiz review", '/'),
            Ok(Some(Command::QuizReview))
        );
        assert_eq!(
            parse_command("/quiz flags", '/'),
            Ok(Some(Command::QuizFlags))
        );
        assert!(parse_command("/quiz flag", '/').is_err());
    }

    #[test]
    fn unknown_commands_say_what_exists() {
        let error = parse_command("/frobnicate", '/').unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("Unknown command /frobnicate."), "{text}");
        assert!(text.contains("/quiz") && text.contains("/help"));
    }

    #[test]
    fn dates_accept_full_and_month_day_forms() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            DateQuery::parse("1941-06-22").unwrap().resolve(today),
            NaiveDate::from_ymd_opt(1941, 6, 22).unwrap()
        );
        assert_eq!(
            DateQuery::parse("06-21").unwrap().resolve(today),
            NaiveDate::from_ymd_opt(2026, 6, 21).unwrap()
        );
        assert!(DateQuery::parse("13-01").is_err());
        assert!(DateQuery::parse("yesterday").is_err());
    }
}

//! What a user asked for, independent of how they asked: a slash command on
//! Discord, `!command` on Matrix or `/command` in the terminal all become a
//! [`Command`].
//!
//! [`COMMANDS`] is the one table of commands. Text parsing
//! ([`parse_command`]), `/help`, the "unknown command" list and Discord's
//! slash-command registration are all derived from it, so a new command is
//! one [`CommandSpec`] here plus its handler in the bot.

use chrono::NaiveDate;

use crate::identity::Platform;

use super::quiz::{QuizMode, QuizOptions, QuizSource};

/// Period of a leaderboard, in the scope's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    All,
    /// The current season (admins start one with `/season new`).
    Season,
    /// What `/leaderboard` shows by default: the season once one has been
    /// started here, else all time.
    Current,
}

impl Period {
    pub fn name(&self) -> &'static str {
        match self {
            Period::Week => "this week",
            Period::Month => "this month",
            Period::All => "all time",
            Period::Season => "this season",
            Period::Current => "current",
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
            // 29 February in a common year is the 29 February of the
            // last leap year, not the 28th.
            DateQuery::MonthDay { month, day } => (0..8)
                .find_map(|back| NaiveDate::from_ymd_opt(today.year() - back, month, day))
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
    /// A hint for the running round (halves the speed bonus).
    Hint,
    /// A vote to skip the running round.
    Skip,
    /// A private practice session of missed and unseen questions (FSRS).
    Review,
    /// How many reviews are due, and when the next is.
    ReviewStatus,
    /// The player's daily reminder of due reviews here: on (at a local
    /// time, 17:00 by default) or off.
    ReviewRemind {
        on: bool,
        time: Option<chrono::NaiveTime>,
    },
    /// Admins: start the next season (the season leaderboard starts empty).
    SeasonNew,
    /// The current season and when it started.
    SeasonStatus,
    /// Admins: the teacher's report of this scope, in short (privately).
    Report,
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
    /// Admins: a question bank file sent in chat (its name and text).
    BankImport {
        file_name: String,
        text: String,
    },
    Help,
}

impl Command {
    /// What a platform that must answer every command (a Discord
    /// interaction) says when the command's effect is shown elsewhere: a
    /// quiz's first question is posted in the channel.
    pub fn acknowledgement(&self) -> String {
        match self {
            Command::QuizStart(options) => format!(
                "Quiz started: {} rounds of {} seconds.",
                options.rounds, options.seconds
            ),
            Command::QuizStop => "Quiz stopped.".into(),
            _ => "Done.".into(),
        }
    }
}

/// Problems with what the user typed; `Display` is the reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("Unknown command {prefix}{name}. Commands: {list}. Type {prefix}help for details.", list = command_list(*prefix))]
    Unknown { name: String, prefix: char },
    #[error("{0}")]
    BadArgument(String),
}

/// How a parameter is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A word or, for the last parameter, the rest of the line.
    Text,
    /// A whole number.
    Integer,
    /// One of a fixed list: (name shown on Discord, word the parser reads).
    Choice(&'static [(&'static str, &'static str)]),
    /// Yes or no.
    Flag,
    /// A user of the platform (Discord gives their id).
    User,
    /// An attached file (Discord only).
    File,
}

/// One parameter of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    /// Shown by Discord beside the parameter.
    pub description: &'static str,
    pub kind: ParamKind,
    pub required: bool,
    /// How help writes it for text platforms: `QUESTION`, `[rounds]`.
    pub usage: &'static str,
}

/// What was given to a command: words on a text platform, named values on
/// Discord. Each command's parser reads both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    /// The words after the command's name (text platforms).
    pub words: Vec<String>,
    /// Named values (Discord options: choices as their parser word, users
    /// as ids, flags as `true`/`false`).
    pub named: Vec<(String, String)>,
    /// An attached file: its name and text.
    pub file: Option<(String, String)>,
    /// The name the command was called by (an alias selects a variant:
    /// `unretire`).
    pub invoked_as: String,
    /// The platform's command character, for hints in errors.
    pub prefix: char,
}

impl Args {
    fn named(&self, name: &str) -> Option<&str> {
        self.named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A named value, else the words from `from` on joined by spaces.
    fn text(&self, name: &str, from: usize) -> Option<String> {
        match self.named(name) {
            Some(value) => Some(value.to_string()),
            None => {
                let rest = self.words.get(from..).unwrap_or_default().join(" ");
                (!rest.trim().is_empty()).then_some(rest)
            }
        }
    }

    /// A named value, else the word at `index`.
    fn word(&self, name: &str, index: usize) -> Option<String> {
        self.named(name)
            .map(str::to_string)
            .or_else(|| self.words.get(index).cloned())
    }
}

/// A group of subcommands (`/quiz ...`, `/daily ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandGroup {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// Discord's description of the group.
    pub summary: &'static str,
    /// On text platforms, the subcommand used when the next word names none.
    pub default: Option<&'static str>,
    /// Whether that default also takes words (`/quiz 5 typed`) or only
    /// stands for the bare group name (`/daily`).
    pub default_takes_words: bool,
}

/// One command: its name, parameters, help line and parser.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// `ask`, or a group and subcommand: `quiz start`.
    pub name: &'static str,
    /// Other names text platforms accept for the last word.
    pub aliases: &'static [&'static str],
    /// The help line and Discord's description (at most 100 characters).
    pub summary: &'static str,
    pub params: &'static [Param],
    /// Offered on text platforms (a file upload is Discord only).
    pub text: bool,
    /// May take a few seconds: platforms that must answer quickly
    /// acknowledge first (Discord defers).
    pub slow: bool,
    /// Seconds a user waits between two uses (Discord enforces it).
    pub cooldown_seconds: u64,
    pub parse: fn(&Args) -> Result<Command, CommandError>,
}

impl CommandSpec {
    /// The group part of the name, for subcommands.
    pub fn group(&self) -> Option<&'static str> {
        self.name.split_once(' ').map(|(group, _)| group)
    }

    /// The last word of the name: what Discord registers.
    pub fn leaf(&self) -> &'static str {
        self.name
            .rsplit_once(' ')
            .map_or(self.name, |(_, leaf)| leaf)
    }

    /// The command as typed on a text platform, with its parameters.
    fn text_usage(&self, prefix: char) -> String {
        let name = match self.group().and_then(group_named) {
            Some(group) if group.default == Some(self.leaf()) && group.default_takes_words => {
                group.name
            }
            _ => self.name,
        };
        let mut usage = format!("{prefix}{name}");
        for param in self.params {
            usage.push(' ');
            usage.push_str(param.usage);
        }
        usage
    }
}

const QUIZ_MODES: &[(&str, &str)] = &[("multiple choice", "choice"), ("typed", "typed")];
const QUIZ_SOURCES: &[(&str, &str)] = &[
    ("mixed", "mixed"),
    ("bank", "bank"),
    ("generated", "generated"),
];
const SWITCH: &[(&str, &str)] = &[("on", "on"), ("off", "off")];
const PERIODS: &[(&str, &str)] = &[
    ("all time", "all"),
    ("this week", "week"),
    ("this month", "month"),
    ("this season", "season"),
];

const fn param(
    name: &'static str,
    description: &'static str,
    kind: ParamKind,
    required: bool,
    usage: &'static str,
) -> Param {
    Param {
        name,
        description,
        kind,
        required,
        usage,
    }
}

/// The command groups.
pub const GROUPS: &[CommandGroup] = &[
    CommandGroup {
        name: "quiz",
        aliases: &["q"],
        summary: "Quizzes for everyone in this channel.",
        default: Some("start"),
        default_takes_words: true,
    },
    CommandGroup {
        name: "daily",
        aliases: &[],
        summary: "The daily \u{201c}on this day\u{201d} post in this channel.",
        default: Some("status"),
        default_takes_words: false,
    },
    CommandGroup {
        name: "review",
        aliases: &["r"],
        summary: "Your private review of the questions you missed.",
        default: Some("start"),
        default_takes_words: false,
    },
    CommandGroup {
        name: "season",
        aliases: &[],
        summary: "Seasons: a fresh leaderboard, all-time totals kept.",
        default: Some("status"),
        default_takes_words: false,
    },
    CommandGroup {
        name: "bank",
        aliases: &[],
        summary: "Question banks for this server.",
        default: None,
        default_takes_words: false,
    },
];

const fn spec(
    name: &'static str,
    aliases: &'static [&'static str],
    summary: &'static str,
    params: &'static [Param],
    parse: fn(&Args) -> Result<Command, CommandError>,
) -> CommandSpec {
    CommandSpec {
        name,
        aliases,
        summary,
        params,
        text: true,
        slow: false,
        cooldown_seconds: 0,
        parse,
    }
}

/// Every command, in the order help lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        cooldown_seconds: 3,
        ..spec(
            "ask",
            &["a"],
            "answer from the document, quoting the passage (in the terminal, just type the question)",
            &[param(
                "question",
                "Your question",
                ParamKind::Text,
                true,
                "QUESTION",
            )],
            parse_ask,
        )
    },
    CommandSpec {
        slow: true,
        ..spec(
            "quiz start",
            &[],
            "start a quiz in this channel; the same seed gives every class the same quiz",
            &[
                param(
                    "rounds",
                    "Rounds (default 10)",
                    ParamKind::Integer,
                    false,
                    "[rounds]",
                ),
                param(
                    "seconds",
                    "Seconds per round (default 20)",
                    ParamKind::Integer,
                    false,
                    "[seconds]",
                ),
                param(
                    "mode",
                    "Multiple choice (buttons) or typed answers",
                    ParamKind::Choice(QUIZ_MODES),
                    false,
                    "[choice|typed]",
                ),
                param(
                    "source",
                    "Questions from the banks, generated from the document, or both",
                    ParamKind::Choice(QUIZ_SOURCES),
                    false,
                    "[bank|generated|mixed]",
                ),
                param(
                    "seed",
                    "Seed: the same seed gives every class the same quiz",
                    ParamKind::Integer,
                    false,
                    "[seed=N]",
                ),
            ],
            parse_quiz_start,
        )
    },
    CommandSpec {
        slow: true,
        ..spec(
            "quiz stop",
            &[],
            "stop the quiz (its starter or an admin)",
            &[],
            |_| Ok(Command::QuizStop),
        )
    },
    spec(
        "quiz review",
        &[],
        "the questions you missed in the last quiz here, with the passages to reread",
        &[],
        |_| Ok(Command::QuizReview),
    ),
    spec(
        "quiz flag",
        &[],
        "report a wrong question (its id is shown under each answer)",
        &[
            param(
                "id",
                "The question's id, shown under its answer",
                ParamKind::Text,
                true,
                "ID",
            ),
            param(
                "reason",
                "What is wrong with it",
                ParamKind::Text,
                false,
                "[why]",
            ),
        ],
        parse_quiz_flag,
    ),
    spec(
        "quiz flags",
        &[],
        "the questions players flagged here (admins)",
        &[],
        |_| Ok(Command::QuizFlags),
    ),
    spec(
        "quiz retire",
        &["unretire", "restore"],
        "take a question out of the quizzes here, or put it back (admins)",
        &[
            param("id", "The question's id", ParamKind::Text, true, "ID"),
            param(
                "restore",
                "Put it back instead",
                ParamKind::Flag,
                false,
                "[restore]",
            ),
        ],
        parse_quiz_retire,
    ),
    spec(
        "score",
        &["me"],
        "rank, points, accuracy and best streak here",
        &[param(
            "user",
            "Whose score (default: yours)",
            ParamKind::User,
            false,
            "[name]",
        )],
        parse_score,
    ),
    spec(
        "leaderboard",
        &["lb", "top"],
        "the top 10 here: this season once an admin started one, else all time",
        &[param(
            "period",
            "Period",
            ParamKind::Choice(PERIODS),
            false,
            "[season|week|month|all]",
        )],
        parse_leaderboard,
    ),
    spec(
        "hint",
        &[],
        "from halfway through a round: two wrong choices out (or the first letter); halves your speed bonus",
        &[],
        |_| Ok(Command::Hint),
    ),
    spec(
        "skip",
        &[],
        "vote to skip the round; it ends when a majority of the quiz's players vote",
        &[],
        |_| Ok(Command::Skip),
    ),
    spec(
        "review start",
        &[],
        "practise, privately, the questions you missed here (and then new ones); never scored",
        &[],
        |_| Ok(Command::Review),
    ),
    spec(
        "review status",
        &[],
        "how many of your reviews are due here, and when the next one is",
        &[],
        |_| Ok(Command::ReviewStatus),
    ),
    spec(
        "review remind",
        &["reminder"],
        "a private note once a day, at a time of yours, when reviews are due here: on [HH:MM] or off",
        &[
            param(
                "switch",
                "On or off",
                ParamKind::Choice(SWITCH),
                true,
                "on|off",
            ),
            param(
                "time",
                "Local time, HH:MM (24-hour; default 17:00)",
                ParamKind::Text,
                false,
                "[HH:MM]",
            ),
        ],
        parse_review_remind,
    ),
    spec(
        "season new",
        &["start"],
        "start a new season: the season leaderboard starts empty, all-time totals are kept (admins)",
        &[],
        |_| Ok(Command::SeasonNew),
    ),
    spec(
        "season status",
        &[],
        "the current season and when it started",
        &[],
        |_| Ok(Command::SeasonStatus),
    ),
    spec(
        "report",
        &[],
        "the class this week against last, the hardest questions, students counted (admins, privately)",
        &[],
        parse_report,
    ),
    spec(
        "onthisday",
        &["otd", "today"],
        "a dated event from the pack for a day (default today)",
        &[param(
            "date",
            "YYYY-MM-DD or MM-DD",
            ParamKind::Text,
            false,
            "[YYYY-MM-DD|MM-DD]",
        )],
        parse_on_this_day,
    ),
    spec(
        "daily set",
        &[],
        "post an \u{201c}on this day\u{201d} fact here every day at a local time (admins)",
        &[
            param(
                "time",
                "Local time, HH:MM (24-hour)",
                ParamKind::Text,
                true,
                "HH:MM",
            ),
            param(
                "zone",
                "IANA time zone, e.g. Europe/Berlin (default: the server's)",
                ParamKind::Text,
                false,
                "[time zone]",
            ),
        ],
        parse_daily_set,
    ),
    spec(
        "daily off",
        &["stop"],
        "stop the daily post here (admins)",
        &[],
        |_| Ok(Command::Daily(DailyCommand::Off)),
    ),
    spec(
        "daily status",
        &[],
        "when the next daily post comes (local time and UTC)",
        &[],
        |_| Ok(Command::Daily(DailyCommand::Status)),
    ),
    CommandSpec {
        text: false,
        slow: true,
        ..spec(
            "bank import",
            &[],
            "import a question bank file: GIFT, Aiken, CSV/TSV, Red YAML, OpenTDB JSON (admins)",
            &[param(
                "file",
                "The bank file",
                ParamKind::File,
                true,
                "FILE",
            )],
            parse_bank_import,
        )
    },
    spec("help", &["h", "?"], "this list", &[], |_| Ok(Command::Help)),
];

/// The group called `name`.
pub fn group_named(name: &str) -> Option<&'static CommandGroup> {
    GROUPS.iter().find(|g| g.name == name)
}

/// The command called `name` (`quiz start`).
pub fn spec_named(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|s| s.name == name)
}

/// The commands a platform offers, in help order.
pub fn commands_on(platform: Platform) -> impl Iterator<Item = &'static CommandSpec> {
    COMMANDS
        .iter()
        .filter(move |spec| spec.text || platform == Platform::Discord)
}

/// One line of help: the command as the platform spells it, its
/// parameters and what it does.
pub fn help_line(spec: &CommandSpec, platform: Platform, prefix: char) -> String {
    let usage = if platform == Platform::Discord {
        let mut usage = format!("/{}", spec.name);
        for param in spec.params {
            usage.push(' ');
            usage.push_str(param.usage);
        }
        usage
    } else {
        spec.text_usage(prefix)
    };
    format!("{usage} \u{2014} {}", spec.summary)
}

/// The commands as listed in errors: `/ask, /quiz, /score, ...`.
pub fn command_list(prefix: char) -> String {
    let mut names: Vec<String> = Vec::new();
    for spec in COMMANDS.iter().filter(|s| s.text) {
        let name = format!("{prefix}{}", spec.group().unwrap_or(spec.name));
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(", ")
}

/// Parses a text command such as `/quiz 5 15 typed`. `prefix` is the
/// platform's command character (`/` in the terminal, `!` on Matrix).
/// Returns `Ok(None)` when `line` is not a command at all.
pub fn parse_command(line: &str, prefix: char) -> Result<Option<Command>, CommandError> {
    let line = line.trim();
    let Some(rest) = line.strip_prefix(prefix) else {
        return Ok(None);
    };
    let mut words: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        return Err(CommandError::Unknown {
            name: String::new(),
            prefix,
        });
    }
    let first = words.remove(0).to_lowercase();
    let unknown = || CommandError::Unknown {
        name: first.clone(),
        prefix,
    };
    let (spec, invoked_as) = if let Some(group) = GROUPS
        .iter()
        .find(|g| g.name == first || g.aliases.contains(&first.as_str()))
    {
        let next = words.first().map(|w| w.to_lowercase());
        let named = next.as_deref().and_then(|next| {
            COMMANDS.iter().find(|s| {
                s.group() == Some(group.name) && (s.leaf() == next || s.aliases.contains(&next))
            })
        });
        match (named, group.default) {
            (Some(spec), _) => (spec, words.remove(0).to_lowercase()),
            (None, Some(default)) if group.default_takes_words || words.is_empty() => {
                let name = format!("{} {default}", group.name);
                (spec_named(&name).ok_or_else(unknown)?, default.to_string())
            }
            _ => return Err(CommandError::BadArgument(group_usage(group, prefix))),
        }
    } else {
        let spec = COMMANDS
            .iter()
            .find(|s| {
                s.group().is_none() && (s.name == first || s.aliases.contains(&first.as_str()))
            })
            .ok_or_else(unknown)?;
        (spec, first.clone())
    };
    if !spec.text {
        return Err(CommandError::BadArgument(format!(
            "/{} works on Discord only.",
            spec.name
        )));
    }
    let args = Args {
        words,
        invoked_as,
        prefix,
        ..Args::default()
    };
    (spec.parse)(&args).map(Some)
}

/// "Use /daily set HH:MM [time zone], /daily off or /daily status."
fn group_usage(group: &CommandGroup, prefix: char) -> String {
    let usages: Vec<String> = COMMANDS
        .iter()
        .filter(|s| s.text && s.group() == Some(group.name))
        .map(|s| s.text_usage(prefix))
        .collect();
    match usages.split_last() {
        Some((last, [])) => format!("Use {last}."),
        Some((last, rest)) => format!("Use {} or {last}.", rest.join(", ")),
        None => format!("{prefix}{} has no commands here.", group.name),
    }
}

fn parse_ask(args: &Args) -> Result<Command, CommandError> {
    let prefix = args.prefix;
    args.text("question", 0).map(Command::Ask).ok_or_else(|| {
        CommandError::BadArgument(format!(
            "Ask a question after {prefix}ask, e.g. {prefix}ask who was Trotsky?"
        ))
    })
}

fn question_id(args: &Args) -> Result<String, CommandError> {
    args.word("id", 0).ok_or_else(|| {
        CommandError::BadArgument(format!(
            "Name the question by its id, shown under each answer: {}quiz {} ID",
            args.prefix, args.invoked_as
        ))
    })
}

fn parse_quiz_flag(args: &Args) -> Result<Command, CommandError> {
    Ok(Command::QuizFlag {
        id: question_id(args)?,
        reason: args.text("reason", 1).unwrap_or_default(),
    })
}

fn parse_quiz_retire(args: &Args) -> Result<Command, CommandError> {
    let restore = matches!(args.invoked_as.as_str(), "unretire" | "restore")
        || args.named("restore") == Some("true")
        || args
            .words
            .get(1)
            .is_some_and(|w| w.eq_ignore_ascii_case("restore"));
    Ok(Command::QuizRetire {
        id: question_id(args)?,
        retire: !restore,
    })
}

/// `/review remind on [HH:MM]` or `/review remind off`.
fn parse_review_remind(args: &Args) -> Result<Command, CommandError> {
    let switch = args.word("switch", 0).map(|w| w.to_lowercase());
    let time = args
        .word("time", 1)
        .map(|text| crate::study::daily::parse_time_of_day(&text))
        .transpose()
        .map_err(CommandError::BadArgument)?;
    match switch.as_deref() {
        Some("on") => Ok(Command::ReviewRemind { on: true, time }),
        Some("off") if time.is_none() => Ok(Command::ReviewRemind {
            on: false,
            time: None,
        }),
        _ => Err(CommandError::BadArgument(format!(
            "Write {p}review remind on [HH:MM] (a private note once a day when reviews are due) \
             or {p}review remind off.",
            p = args.prefix
        ))),
    }
}

/// `/report` takes nothing after it; a word there is named, with what
/// exists.
fn parse_report(args: &Args) -> Result<Command, CommandError> {
    match args.words.first() {
        None => Ok(Command::Report),
        Some(word) => Err(CommandError::BadArgument(format!(
            "{p}report has no \"{word}\": it takes nothing after it. In the terminal, \
             `lectern report` writes the whole report (students, questions, weeks) as CSV or JSON.",
            p = args.prefix,
            word = super::reply::escape(word),
        ))),
    }
}

fn parse_score(args: &Args) -> Result<Command, CommandError> {
    Ok(Command::Score(args.text("user", 0)))
}

fn parse_leaderboard(args: &Args) -> Result<Command, CommandError> {
    Ok(Command::Leaderboard(
        match args.word("period", 0).map(|p| p.to_lowercase()).as_deref() {
            None => Period::Current,
            Some("all") => Period::All,
            Some("season") => Period::Season,
            Some("week") => Period::Week,
            Some("month") => Period::Month,
            Some(p) => {
                return Err(CommandError::BadArgument(format!(
                    "{p:?} is not a period: use season, week, month or all"
                )));
            }
        },
    ))
}

fn parse_on_this_day(args: &Args) -> Result<Command, CommandError> {
    Ok(Command::OnThisDay(match args.word("date", 0) {
        Some(date) => Some(DateQuery::parse(&date)?),
        None => None,
    }))
}

fn parse_bank_import(args: &Args) -> Result<Command, CommandError> {
    let (file_name, text) = args
        .file
        .clone()
        .ok_or_else(|| CommandError::BadArgument("Attach the bank file.".into()))?;
    Ok(Command::BankImport { file_name, text })
}

/// `set HH:MM [zone]`.
fn parse_daily_set(args: &Args) -> Result<Command, CommandError> {
    use crate::study::daily::{parse_time_of_day, parse_time_zone};
    let usage =
        || group_named("daily").map_or_else(String::new, |group| group_usage(group, args.prefix));
    let time = args
        .word("time", 0)
        .ok_or_else(|| CommandError::BadArgument(usage()))?;
    let time = parse_time_of_day(&time).map_err(CommandError::BadArgument)?;
    let zone = match args.word("zone", 1) {
        Some(zone) => Some(parse_time_zone(&zone).map_err(CommandError::BadArgument)?),
        None => None,
    };
    if args.words.len() > 2 {
        return Err(CommandError::BadArgument(usage()));
    }
    Ok(Command::Daily(DailyCommand::Set { time, zone }))
}

/// `[rounds] [seconds] [choice|typed] [bank|generated|mixed] [seed=N]`, in
/// any order: the first number is rounds, the second seconds. Named values
/// (Discord's options) are read too.
fn parse_quiz_start(args: &Args) -> Result<Command, CommandError> {
    let prefix = args.prefix;
    let mut options = QuizOptions::default();
    let number = |name: &str, value: &str| -> Result<u32, CommandError> {
        value
            .parse()
            .map_err(|_| CommandError::BadArgument(format!("{value:?} is not a number of {name}.")))
    };
    let seed = |value: &str| -> Result<u64, CommandError> {
        value.parse().map_err(|_| {
            CommandError::BadArgument(format!(
                "{value:?} is not a seed: give a whole number, e.g. {prefix}quiz 10 seed=42 (the same seed gives everyone the same quiz)"
            ))
        })
    };
    let mut numbers = 0;
    let mut words = args.words.iter().peekable();
    while let Some(arg) = words.next() {
        let lower = arg.to_lowercase();
        let seed_value = if let Some(value) = lower
            .strip_prefix("seed=")
            .or_else(|| lower.strip_prefix("seed:"))
        {
            Some(value.to_string())
        } else if lower == "seed" {
            Some(words.next().map(|v| v.to_string()).unwrap_or_default())
        } else {
            None
        };
        if let Some(value) = seed_value {
            options.seed = Some(seed(&value)?);
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
        if !apply_quiz_word(&mut options, &lower) {
            return Err(CommandError::BadArgument(format!(
                "{arg:?} is not a quiz option. Use {prefix}quiz [rounds] [seconds] [choice|typed] [bank|generated|mixed] [seed=N], e.g. {prefix}quiz 5 15 typed"
            )));
        }
    }
    for (name, value) in &args.named {
        match name.as_str() {
            "rounds" => options.rounds = number("rounds", value)?,
            "seconds" => options.seconds = number("seconds", value)?,
            "seed" => options.seed = Some(seed(value)?),
            _ => {
                apply_quiz_word(&mut options, value);
            }
        }
    }
    options.validate()?;
    Ok(Command::QuizStart(options))
}

/// Reads a mode or source word; false when it is neither.
fn apply_quiz_word(options: &mut QuizOptions, word: &str) -> bool {
    match word {
        "typed" | "type" | "text" => options.mode = QuizMode::Typed,
        "choice" | "choices" | "mc" | "multiple" => options.mode = QuizMode::MultipleChoice,
        "bank" => options.source = QuizSource::Bank,
        "generated" | "document" | "doc" => options.source = QuizSource::Generated,
        "mixed" | "mix" | "all" => options.source = QuizSource::Mixed,
        _ => return false,
    }
    true
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
    fn the_table_fits_discords_rules_and_every_text_command_is_reachable() {
        for spec in COMMANDS {
            assert!(spec.summary.chars().count() <= 100, "{}", spec.name);
            for param in spec.params {
                assert!(param.description.chars().count() <= 100, "{}", param.name);
                assert!(
                    param.name.chars().all(|c| c.is_ascii_lowercase()),
                    "{}",
                    param.name
                );
            }
            if let Some(group) = spec.group() {
                assert!(group_named(group).is_some(), "{} has no group", spec.name);
            }
            if spec.text && spec.params.iter().all(|p| !p.required) {
                let line = format!("/{}", spec.name);
                assert!(parse_command(&line, '/').is_ok(), "{line}");
            }
        }
        assert_eq!(
            parse_command("/quiz unretire kolkhoz", '/'),
            Ok(Some(Command::QuizRetire {
                id: "kolkhoz".into(),
                retire: false
            }))
        );
        assert_eq!(
            parse_command("/quiz start 3 typed", '/'),
            parse_command("/quiz 3 typed", '/')
        );
    }

    #[test]
    fn named_values_are_read_like_words() {
        let args = Args {
            named: vec![
                ("rounds".into(), "3".into()),
                ("seconds".into(), "30".into()),
                ("mode".into(), "typed".into()),
                ("seed".into(), "9".into()),
            ],
            prefix: '/',
            ..Args::default()
        };
        let Ok(Command::QuizStart(options)) = parse_quiz_start(&args) else {
            panic!("not a quiz start");
        };
        assert_eq!(
            (options.rounds, options.seconds, options.mode, options.seed),
            (3, 30, QuizMode::Typed, Some(9))
        );
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

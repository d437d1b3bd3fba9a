//! The `lectern` command line: a thin layer that reads arguments and
//! configuration, then hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use lectern::config::Config;
use lectern::content::Pack;

/// Lectern, a study bot: answers questions from a study document, runs
/// group quizzes, keeps scores and posts a daily "on this day" fact.
#[derive(Debug, Parser)]
#[command(name = "lectern", version, about, long_about = None)]
struct Cli {
    /// Configuration file (default: ./lectern.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Debug, Args)]
struct PackArg {
    /// Content pack folder (default: the bundled content/ussr pack).
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct DbArg {
    /// Database: an SQLite file, sqlite://PATH or postgres://URL
    /// (default: lectern.db in your data folder).
    #[arg(long, value_name = "PATH|URL")]
    db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Chat with the bot in the terminal: ask questions, play quizzes.
    ///
    /// When standard input is not a terminal, lines are read from it and
    /// replies printed, so sessions can be scripted:
    /// printf '/quiz 3\nA\nB\nC\n/leaderboard\n' | lectern chat
    Chat {
        #[command(flatten)]
        pack: PackArg,
        #[command(flatten)]
        db: DbArg,
        /// Your player name.
        #[arg(long, default_value = "you")]
        name: String,
    },
    /// Answer one question from the document (or many with --stdin).
    Ask {
        #[command(flatten)]
        pack: PackArg,
        /// Print JSON: {"answered": bool, "passages": [{"text", "score", ...}]}.
        #[arg(long)]
        json: bool,
        /// How many passages to return at most.
        #[arg(long, default_value_t = 3)]
        top: usize,
        /// Read one {"question": "..."} JSON object per line from standard
        /// input and answer each on one line.
        #[arg(long)]
        stdin: bool,
        /// Tuning overrides for evaluation runs, as JSON
        /// (`{"dense_weight": 0.2}`); see `study::answer::Params`.
        #[arg(long, hide = true)]
        params: Option<String>,
        /// The question.
        question: Vec<String>,
    },
    /// Content pack tools.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// Show the pack's dated event(s) for a day.
    Onthisday {
        #[command(flatten)]
        pack: PackArg,
        /// YYYY-MM-DD or MM-DD (default: today in the pack's time zone).
        #[arg(long)]
        date: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Quiz tools for teachers.
    Quiz {
        #[command(subcommand)]
        command: QuizCommand,
    },
    /// Read a question bank in another format (GIFT, Aiken, CSV/TSV, Red
    /// trivia YAML, Open Trivia DB JSON) and check it, show it, or add it to a pack.
    Import {
        /// The bank file.
        file: PathBuf,
        /// gift, aiken, csv, red or opentdb (default: guessed from the name and content).
        #[arg(long)]
        format: Option<String>,
        /// Print what was read as JSON.
        #[arg(long)]
        json: bool,
        /// Add the questions to this pack folder (as questions/NAME.toml).
        #[arg(long, value_name = "PACK")]
        into: Option<PathBuf>,
    },
    /// Make content packs.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Discord tools.
    Discord {
        #[command(subcommand)]
        command: DiscordCommand,
    },
    /// Database tools: apply migrations, copy a deployment to another
    /// database (SQLite to PostgreSQL and back).
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// The teacher's report of a scope: per student, per question (hardest
    /// first) and this week against last, as CSV or JSON; or its chart
    /// (accuracy by week, hardest questions) as a PNG.
    Report {
        /// sqlite://PATH, a file path or postgres://URL (default: the
        /// configured database).
        #[arg(long, visible_alias = "db", value_name = "URL")]
        database: Option<String>,
        /// PLATFORM:ID (discord:GUILD, matrix:!ROOM:SERVER, console:terminal)
        /// or an id alone (default: the terminal's, as `lectern chat` keeps it).
        #[arg(long, value_name = "ID")]
        scope: Option<String>,
        /// Count only answers from this day on (YYYY-MM-DD, UTC) for the
        /// students and questions.
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
        /// CSV (one table, see --table), JSON (every table) or PNG (the
        /// chart; give --output, or pipe standard output to a file).
        #[arg(long, value_enum, default_value_t)]
        format: lectern::cli::ReportFormat,
        /// The table a CSV report holds.
        #[arg(long, value_enum, default_value_t)]
        table: lectern::cli::ReportTable,
        /// Write to this file (whole, replacing it) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run the bot on the configured chat platforms.
    Serve {
        #[command(flatten)]
        pack: PackArg,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Apply this version's pending schema migrations (the bot also does
    /// at start-up; run this first when several processes share a database).
    Migrate {
        /// sqlite://PATH, a file path or postgres://URL (default: the
        /// configured database).
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },
    /// Copy every table into another database, verified by row counts and
    /// point totals. Stop the bot first: the source must not change while
    /// it is copied.
    Copy {
        /// The database to copy (sqlite://PATH, a path or postgres://URL).
        #[arg(long, value_name = "URL")]
        from: String,
        /// The database to copy into; it must be empty unless --replace.
        #[arg(long, value_name = "URL")]
        to: String,
        /// Delete the target's data first.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Subcommand)]
enum PackCommand {
    /// Make a content pack from a PDF, Word (.docx), Markdown, HTML or
    /// text file: the document with its headings, an automatic glossary,
    /// dated events from sentences with a full date; then check it and
    /// print a summary.
    New {
        /// The file (.pdf, .docx, .md, .html or .txt; at most 10 MB).
        file: PathBuf,
        /// The pack folder to create (new, or an empty folder).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The pack's title (default: the document's first heading, or the file name).
        #[arg(long, value_name = "T")]
        title: Option<String>,
        /// IANA time zone for "on this day", e.g. Europe/London (default: UTC).
        #[arg(long, value_name = "Z")]
        time_zone: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum DiscordCommand {
    /// Print the URL that invites the bot to a server (scopes bot and
    /// applications.commands; View Channel, Send Messages, Embed Links).
    InviteUrl {
        /// The application id from the developer portal (default: asked
        /// from Discord with DISCORD_TOKEN).
        #[arg(long)]
        application_id: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
enum QuizCommand {
    /// Preview questions generated from the document.
    Generate {
        #[command(flatten)]
        pack: PackArg,
        /// How many questions.
        #[arg(long, default_value_t = 10)]
        count: usize,
        /// Seed: the same seed gives the same questions.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print JSON: [{"question", "choices", "answer_index", "answer", "source_sentence", "kind"}].
        #[arg(long)]
        json: bool,
    },
    /// How guessable the questions are: pool size, the share of each
    /// answer, and how rule-based guessers score (most frequent answer,
    /// x10 partner, longest choice, middle value). Exits with 1 when a
    /// guesser scores above 35% on the generated pool.
    Audit {
        #[command(flatten)]
        pack: PackArg,
        /// Audit these questions instead (the JSON of `quiz generate --json`).
        #[arg(long, value_name = "FILE")]
        questions: Option<PathBuf>,
        /// Seed for the generated pool and quizzes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
enum ContentCommand {
    /// Validate a content pack and print a summary.
    Check {
        /// The pack folder (default: the bundled pack).
        dir: Option<PathBuf>,
    },
    /// Print a glossary made automatically from the document (people,
    /// places, groups, terms) in the glossary.toml format, to edit and save
    /// as the pack's glossary.toml.
    Glossary {
        /// The pack folder (default: the bundled pack).
        dir: Option<PathBuf>,
        /// Instead, list where the automatic glossary and the pack's own differ.
        #[arg(long)]
        compare: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = matches!(
        cli.command,
        CliCommand::Chat { .. } | CliCommand::Ask { .. } | CliCommand::Report { .. }
    );
    init_logging(quiet);
    match run(cli) {
        Ok(code) => code,
        // `lectern onthisday | head -1`: the reader has all it wanted.
        Err(error) if lectern::cli::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn init_logging(quiet: bool) {
    let default = if quiet { "error" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn load_pack(config: &Config, pack: &PackArg) -> Result<Pack> {
    let dir = pack.pack.as_ref().or(config.pack.as_ref());
    Ok(Pack::load_or_bundled(dir)?)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    let database = |db: DbArg| db.db.map_or_else(|| config.database_path(), Ok);
    match cli.command {
        CliCommand::Chat { pack, db, name } => {
            lectern::cli::chat(&config, load_pack(&config, &pack)?, database(db)?, &name)
        }
        CliCommand::Serve { pack, db } => {
            lectern::cli::serve(&config, load_pack(&config, &pack)?, database(db)?)
        }
        CliCommand::Ask {
            pack,
            json,
            top,
            stdin,
            params,
            question,
        } => lectern::cli::ask(
            &load_pack(&config, &pack)?,
            &question.join(" "),
            json,
            top,
            stdin,
            params.as_deref(),
        ),
        CliCommand::Content {
            command: ContentCommand::Check { dir },
        } => Ok(lectern::cli::content_check(dir.as_ref())),
        CliCommand::Content {
            command: ContentCommand::Glossary { dir, compare },
        } => lectern::cli::content_glossary(dir.as_ref(), compare),
        CliCommand::Quiz {
            command:
                QuizCommand::Audit {
                    pack,
                    questions,
                    seed,
                },
        } => lectern::cli::quiz_audit(&load_pack(&config, &pack)?, questions.as_deref(), seed),
        CliCommand::Quiz {
            command:
                QuizCommand::Generate {
                    pack,
                    count,
                    seed,
                    json,
                },
        } => lectern::cli::quiz_generate(&load_pack(&config, &pack)?, count, seed, json),
        CliCommand::Onthisday { pack, date, json } => {
            lectern::cli::onthisday(load_pack(&config, &pack)?, date.as_deref(), json)
        }
        CliCommand::Import {
            file,
            format,
            json,
            into,
        } => lectern::cli::import(&file, format.as_deref(), json, into.as_deref()),
        CliCommand::Pack {
            command:
                PackCommand::New {
                    file,
                    out,
                    title,
                    time_zone,
                },
        } => lectern::cli::pack_new(lectern::new_pack::Request {
            file,
            out,
            title,
            time_zone,
        }),
        CliCommand::Discord {
            command: DiscordCommand::InviteUrl { application_id },
        } => lectern::cli::discord_invite_url(&config, application_id),
        CliCommand::Db {
            command: DbCommand::Migrate { database },
        } => {
            let location = match database {
                Some(url) => url,
                None => config.database_path()?.display().to_string(),
            };
            lectern::cli::db_migrate(&location)
        }
        CliCommand::Db {
            command: DbCommand::Copy { from, to, replace },
        } => lectern::cli::db_copy(&from, &to, replace),
        CliCommand::Report {
            database,
            scope,
            since,
            format,
            table,
            output,
        } => lectern::cli::report(&lectern::cli::ReportRequest {
            database: match database {
                Some(url) => url,
                None => config.database_path()?.display().to_string(),
            },
            scope,
            since,
            format,
            table,
            output,
        }),
    }
}

//! What each `lectern` subcommand does, for `main.rs` to call once it has
//! read the arguments: each function takes typed values, prints to
//! standard output (errors and reports for people to standard error) and
//! returns the process's exit code.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::json;

use crate::bot::{DateQuery, render};
use crate::config::Config;
use crate::content::import::{self, Format};
use crate::content::{Pack, Question};
use crate::platforms::console::{self, Style};
use crate::study::Answerer;
use crate::study::{onthisday, quizgen};

mod report;
pub use report::{ReportFormat, ReportRequest, ReportTable, report};

/// Writes to standard output and returns the error instead of panicking,
/// so a closed pipe (`lectern onthisday | head -1`) ends the command
/// quietly (`main` treats a broken pipe as a clean exit).
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}

/// [`outln!`] without the newline.
macro_rules! out {
    ($($arg:tt)*) => {
        write!(std::io::stdout(), $($arg)*)?
    };
}

/// A multi-threaded runtime for the subcommands that need one.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

/// Whether `error` is standard output closed by its reader: not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `lectern chat`.
pub fn chat(config: &Config, pack: Pack, database: PathBuf, name: &str) -> Result<ExitCode> {
    runtime()?.block_on(crate::app::chat(config, pack, database, name))?;
    Ok(ExitCode::SUCCESS)
}

/// `lectern serve`: exit code 2 when no platform is configured.
pub fn serve(config: &Config, pack: Pack, database: PathBuf) -> Result<ExitCode> {
    let runtime = runtime()?;
    let platforms = runtime.block_on(crate::app::configured_platforms(config, &database))?;
    if platforms.is_empty() {
        eprintln!(
            "No chat platform is configured, so there is nothing to serve.\n\
             Discord: set DISCORD_TOKEN (or [discord] token_file in lectern.toml); see README.md, \"Discord\".\n\
             Matrix: set [matrix] homeserver and user, and LECTERN_MATRIX__PASSWORD; see README.md, \"Matrix\".\n\
             To try Lectern without an account, run `lectern chat`."
        );
        return Ok(ExitCode::from(2));
    }
    runtime.block_on(crate::app::serve(config, pack, database, platforms))?;
    Ok(ExitCode::SUCCESS)
}

/// `lectern ask`: one question, or one JSON line per question with `stdin`.
pub fn ask(
    pack: &Pack,
    question: &str,
    json: bool,
    top: usize,
    stdin: bool,
    params: Option<&str>,
) -> Result<ExitCode> {
    let params = match params {
        Some(json) => serde_json::from_str(json).context("--params is not valid JSON")?,
        None => crate::study::answer::Params::default(),
    };
    if top == 0 {
        anyhow::bail!("--top 0 shows nothing: give how many passages to show, 1 or more");
    }
    let answerer = Answerer::with_params(&pack.document, &pack.synonyms, params);
    if stdin {
        ask_stdin(&answerer, top)?;
        return Ok(ExitCode::SUCCESS);
    }
    if question.trim().is_empty() {
        anyhow::bail!("give a question, e.g. lectern ask \"Who was Trotsky?\" (or --stdin)");
    }
    let answer = answerer.answer(question, top);
    if json {
        outln!("{}", answer_json(&answer));
    } else {
        let message = render::answer_message(pack, &answer);
        outln!("{}", console::render(&message, Style::detect()).trim_end());
    }
    Ok(ExitCode::SUCCESS)
}

/// `lectern content check`.
pub fn content_check(dir: Option<&PathBuf>) -> ExitCode {
    match Pack::load_or_bundled(dir) {
        Ok(pack) => {
            let _ = writeln!(
                std::io::stdout(),
                "{} ({}): ok\n  {} sentences in {} passages, {} dated events, {} questions, {} related-term groups",
                pack.manifest.title,
                pack.location,
                pack.document.sentences().len(),
                pack.document.passages().len(),
                pack.events.len(),
                pack.questions.len(),
                pack.synonyms.len()
            );
            bank_advice(&pack);
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprint!("{errors}");
            ExitCode::FAILURE
        }
    }
}

/// Advice on a pack's hand-written bank: questions whose answer a
/// student could guess without studying, and rule-based guessers that beat
/// the limit over the whole bank. The pack is valid either way.
fn bank_advice(pack: &Pack) {
    use crate::study::quizgen::audit;
    let mut lines = Vec::new();
    for question in &pack.questions {
        for giveaway in audit::giveaways(question) {
            lines.push(format!("  question {:?}: {giveaway}", question.id));
        }
    }
    let report = audit::audit("hand-written bank", &pack.questions);
    for guesser in report.failing() {
        lines.push(format!(
            "  the whole bank: a student who picks the {} is right in {} of {} questions ({:.0}%; chance is 25%, the limit {:.0}%)",
            guesser.name,
            guesser.right,
            guesser.applicable,
            guesser.share() * 100.0,
            audit::GUESSER_LIMIT * 100.0
        ));
    }
    if !lines.is_empty() {
        let _ = writeln!(
            std::io::stdout(),
            "advice on questions.toml (the answer could be guessed without studying):\n{}",
            lines.join("\n")
        );
    }
}

/// `lectern pack new`: exit code 1 (with the reason on standard error)
/// when the file cannot be made into a pack.
pub fn pack_new(request: crate::new_pack::Request) -> Result<ExitCode> {
    let summary = match crate::new_pack::create(&request) {
        Ok(summary) => summary,
        Err(error) => {
            eprintln!("{error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    outln!(
        "Made the pack {} ({:?}) from {}:",
        request.out.display(),
        summary.title,
        summary.format
    );
    outln!(
        "  {} in {}, {}",
        count(summary.sentences, "sentence", "sentences"),
        count(summary.passages, "passage", "passages"),
        count(summary.sections, "section", "sections")
    );
    outln!(
        "  {}, {} ({} only a year)",
        count(
            summary.glossary_entries,
            "glossary entry",
            "glossary entries"
        ),
        count(summary.events, "dated event", "dated events"),
        count(
            summary.year_only_sentences,
            "sentence names",
            "sentences name"
        )
    );
    outln!(
        "  {} can be generated",
        count(summary.questions, "quiz question", "quiz questions")
    );
    if summary.notes.is_empty() {
        outln!("  no problems found");
    }
    for note in &summary.notes {
        outln!("  note: {note}");
    }
    outln!(
        "Check it with `lectern content check {0}`, try it with `lectern chat --pack {0}`.",
        request.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `lectern content glossary`.
pub fn content_glossary(dir: Option<&PathBuf>, compare: bool) -> Result<ExitCode> {
    let pack = match Pack::load_or_bundled(dir) {
        Ok(pack) => pack,
        Err(errors) => {
            eprint!("{errors}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let automatic = crate::study::autoglossary::build(&pack.document);
    if compare {
        if pack.glossary.entries.is_empty() {
            anyhow::bail!("{} has no glossary.toml to compare with", pack.location);
        }
        out!("{}", glossary_differences(&pack.glossary, &automatic));
    } else {
        out!(
            "{}",
            automatic.to_toml(&format!(
                "Glossary of {:?}, made automatically by `lectern content glossary`.\n\
                 Check each list, move or delete what is wrong, add what is missing,\n\
                 then save it as glossary.toml in the pack folder. Every entry must\n\
                 occur in the document. Quiz generation gives an answer of one kind\n\
                 wrong choices of the same kind.\n",
                pack.manifest.title
            ))
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `lectern onthisday`.
pub fn onthisday(pack: Pack, date: Option<&str>, json: bool) -> Result<ExitCode> {
    let date = date.map(DateQuery::parse).transpose()?;
    print_on_this_day(pack, date, json)?;
    Ok(ExitCode::SUCCESS)
}

/// `lectern quiz generate`.
pub fn quiz_generate(pack: &Pack, count: usize, seed: u64, json: bool) -> Result<ExitCode> {
    let questions = quizgen::generate(pack, count, seed);
    if json {
        let items = questions_json(&questions, Some(pack));
        outln!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (n, q) in questions.iter().enumerate() {
        outln!("{}. [{}] {}", n + 1, q.kind, q.prompt);
        for (i, choice) in q.choices.iter().enumerate() {
            let mark = if Some(i) == q.answer_index { "*" } else { " " };
            outln!("   {mark} {}) {choice}", crate::bot::reply::choice_label(i));
        }
        if let Some(i) = q.source_sentence {
            outln!(
                "   (sentence {} of {})",
                i + 1,
                pack.document.sentences().len()
            );
        }
    }
    if questions.len() < count {
        let made = match questions.len() {
            1 => "1 question".to_string(),
            n => format!("{n} questions"),
        };
        eprintln!("Only {made} could be made from this document.");
    }
    Ok(ExitCode::SUCCESS)
}

/// `lectern import`: read a bank, show it, and with `into` add it to a
/// pack (see [`import::add_to_pack`]).
pub fn import(
    file: &Path,
    format: Option<&str>,
    json: bool,
    into: Option<&Path>,
) -> Result<ExitCode> {
    let format = format
        .map(Format::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let (format, questions) = match import::import(file, format) {
        Ok(read) => read,
        Err(errors) => {
            eprint!("{errors}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&questions_json(&questions, None))?
        );
    } else {
        outln!(
            "{}: {} questions read as {}",
            file.display(),
            questions.len(),
            format.name()
        );
    }
    if let Some(pack_dir) = into {
        let name = file
            .file_stem()
            .map_or("imported".into(), |s| s.to_string_lossy().to_string());
        let note = format!(
            "Imported from {} ({}) by lectern import.",
            file.display(),
            format.name()
        );
        match import::add_to_pack(pack_dir, &name, &questions, &note) {
            Ok(added) => outln!(
                "Added to {} ({} questions in the pack now).",
                added.path.display(),
                added.questions_in_pack
            ),
            Err(import::AddError::Invalid(errors)) => {
                eprint!("{errors}");
                anyhow::bail!("the pack did not load with the new bank, so it was not added");
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `lectern discord invite-url`.
pub fn discord_invite_url(config: &Config, application_id: Option<u64>) -> Result<ExitCode> {
    use crate::platforms::discord;
    let id = match application_id {
        Some(id) => id,
        None => {
            let token = config.discord.resolve_token()?.context(
                "give --application-id, or set DISCORD_TOKEN so the id can be asked from Discord",
            )?;
            runtime()?
                .block_on(discord::application_id(&discord::http(token.expose())))
                .map_err(|error| {
                    anyhow::anyhow!("could not ask Discord for the application id: {error}")
                })?
        }
    };
    outln!("{}", discord::invite_url(id));
    Ok(ExitCode::SUCCESS)
}

/// Prints the audit of the generated pool, a few quizzes and the bank (or
/// of a question file); fails when a guesser is above the limit.
pub fn quiz_audit(pack: &Pack, file: Option<&std::path::Path>, seed: u64) -> Result<ExitCode> {
    use crate::study::quizgen::audit;
    let sentences = pack.document.sentences().len();
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("could not read {}", file.display()))?;
        let questions = questions_from_json(&text).with_context(|| {
            format!(
                "{} is not the JSON of `lectern quiz generate --json`",
                file.display()
            )
        })?;
        let report = audit::audit(&file.display().to_string(), &questions);
        outln!("{report}");
        return Ok(if report.failing().is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let generator = quizgen::Generator::new(pack);
    let pool = generator.pool(seed);
    let report = audit::audit("generated pool", &pool);
    outln!(
        "{} ({}): {sentences} sentences, glossary {}",
        pack.manifest.title,
        pack.location,
        if generator.automatic_glossary {
            "made automatically"
        } else {
            "from glossary.toml"
        }
    );
    outln!(
        "pool: {} distinct questions, {:.2} per sentence (target 1.5)",
        pool.len(),
        pool.len() as f64 / sentences.max(1) as f64
    );
    out!("{report}");
    let mut largest = 0.0f64;
    let mut played = Vec::new();
    for quiz_seed in seed..seed + 20 {
        let quiz = generator.generate(10, quiz_seed);
        let mut counts = std::collections::HashMap::new();
        for q in &quiz {
            *counts.entry(q.answer().to_lowercase()).or_insert(0usize) += 1;
        }
        let top = counts.values().copied().max().unwrap_or(0);
        largest = largest.max(top as f64 / quiz.len().max(1) as f64);
        played.extend(quiz);
    }
    // Each question once: a repeat would count its own answer as "frequent".
    let mut seen = std::collections::HashSet::new();
    played.retain(|q| seen.insert(q.id.clone()));
    outln!(
        "quizzes (20 seeds x 10 questions): the most frequent answer fills at most {:.0}% of one quiz",
        largest * 100.0
    );
    out!(
        "{}",
        audit::audit("distinct questions played in those quizzes", &played)
    );
    if !pack.questions.is_empty() {
        out!("{}", audit::audit("hand-written bank", &pack.questions));
    }
    let failing = report.failing();
    if failing.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for g in failing {
            eprintln!(
                "guesser {:?} scores {:.1}% (limit 35%)",
                g.name,
                g.share() * 100.0
            );
        }
        Ok(ExitCode::FAILURE)
    }
}

/// Reads the JSON of `quiz generate --json` back as questions.
fn questions_from_json(text: &str) -> Result<Vec<Question>> {
    let items: Vec<serde_json::Value> = serde_json::from_str(text)?;
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let field = |name: &str| {
                item.get(name)
                    .with_context(|| format!("question {} has no {name:?}", n + 1))
            };
            let choices: Vec<String> = serde_json::from_value(field("choices")?.clone())?;
            Ok(Question {
                id: format!("file-{}", n + 1),
                prompt: field("question")?.as_str().unwrap_or_default().to_string(),
                answer_index: field("answer_index")?.as_u64().map(|i| i as usize),
                answers: vec![field("answer")?.as_str().unwrap_or_default().to_string()],
                choices,
                source_sentence: None,
                kind: item
                    .get("kind")
                    .and_then(|k| k.as_str())
                    .unwrap_or("")
                    .to_string(),
                origin: crate::content::QuestionOrigin::Generated,
                explanation: None,
            })
        })
        .collect()
}

/// Where two glossaries differ: entries only in one, entries of another kind.
fn glossary_differences(
    hand: &crate::content::glossary::Glossary,
    automatic: &crate::content::glossary::Glossary,
) -> String {
    let mut out = String::new();
    let mut only_hand = Vec::new();
    let mut other_kind = Vec::new();
    for (kind, entry) in &hand.entries {
        match automatic.kind_of(entry) {
            None => only_hand.push(format!("{entry} ({})", kind.name())),
            Some(found) if found != *kind => other_kind.push(format!(
                "{entry}: {} by hand, {} automatically",
                kind.name(),
                found.name()
            )),
            Some(_) => {}
        }
    }
    let only_auto: Vec<String> = automatic
        .entries
        .iter()
        .filter(|(_, e)| hand.kind_of(e).is_none())
        .map(|(k, e)| format!("{e} ({})", k.name()))
        .collect();
    let agreed = hand.entries.len() - only_hand.len() - other_kind.len();
    out.push_str(&format!(
        "hand glossary: {} entries; automatic: {}; same entry and kind: {agreed}\n",
        hand.entries.len(),
        automatic.entries.len()
    ));
    out.push_str(&format!(
        "only by hand ({}): {}\n",
        only_hand.len(),
        only_hand.join(", ")
    ));
    out.push_str(&format!(
        "only automatic ({}): {}\n",
        only_auto.len(),
        only_auto.join(", ")
    ));
    out.push_str(&format!(
        "other kind ({}): {}\n",
        other_kind.len(),
        other_kind.join("; ")
    ));
    let same = |g: &crate::content::glossary::Glossary| {
        g.same
            .iter()
            .map(|group| group.join(" = "))
            .collect::<Vec<_>>()
            .join("; ")
    };
    out.push_str(&format!("same, by hand: {}\n", same(hand)));
    out.push_str(&format!("same, automatic: {}\n", same(automatic)));
    out
}

/// Questions as JSON: `{"question", "choices", "answer_index", "answer",
/// "answers", "source_sentence", "kind", "id", "explanation"}` (choices
/// empty for typed ones).
fn questions_json(questions: &[Question], pack: Option<&Pack>) -> Vec<serde_json::Value> {
    questions
        .iter()
        .map(|q| {
            let source = q
                .source_sentence
                .and_then(|i| pack.and_then(|p| p.document.sentence(i)))
                .map(|s| s.text.clone());
            json!({
                "question": q.prompt,
                "choices": if q.is_multiple_choice() { q.choices.clone() } else { Vec::new() },
                "answer_index": q.answer_index,
                "answer": q.answer(),
                "answers": q.answers,
                "source_sentence": source,
                "kind": q.kind,
                "id": q.id,
                "explanation": q.explanation,
            })
        })
        .collect()
}

fn answer_json(answer: &crate::study::Answer) -> serde_json::Value {
    json!({
        "answered": answer.answered(),
        "question": answer.question,
        "intent": format!("{:?}", answer.intent).to_lowercase(),
        "passages": answer.hits.iter().map(|hit| json!({
            "text": hit.text,
            "score": hit.score,
            "sentence": hit.sentence + 1,
            "coverage": (hit.coverage * 1000.0).round() / 1000.0,
        })).collect::<Vec<_>>(),
        "refusal": answer.refusal.as_ref().map(|r| format!("{r:?}")),
        "suggestions": answer.suggestions,
        "closest": answer.closest.as_ref().map(|hit| json!({"text": hit.text, "sentence": hit.sentence + 1})),
        "signals": {
            "coverage": round3(answer.signals.coverage),
            "dense": round3(answer.signals.dense),
            "missing": round3(answer.signals.missing),
            "missing_word": round3(answer.signals.missing_word),
            "reach": round3(answer.signals.reach),
            "names": round3(answer.signals.names),
            "weakest": round3(answer.signals.weakest),
            "cosine": round3(answer.signals.cosine),
            "best_cosine": round3(answer.signals.best_cosine),
            "second_cosine": round3(answer.signals.second_cosine),
            "mean_cosine": round3(answer.signals.mean_cosine),
            "soft_weakest": round3(answer.signals.soft_weakest),
            "soft_mean": round3(answer.signals.soft_mean),
            "type_missing": answer.signals.type_missing,
        },
    })
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// One output line per input line, in order, whatever the line holds: a
/// blank line, a line that is not UTF-8 or not JSON gets an error object
/// naming its input line, and the batch goes on.
fn ask_stdin(answerer: &Answerer, top: usize) -> Result<()> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut stdout = std::io::stdout().lock();
    let mut bytes = Vec::new();
    for number in 1usize.. {
        bytes.clear();
        let read = input
            .read_until(b'\n', &mut bytes)
            .context("reading standard input failed")?;
        if read == 0 {
            break;
        }
        let reply = stdin_reply(answerer, top, number, &bytes);
        writeln!(stdout, "{reply}")?;
        stdout.flush()?;
    }
    Ok(())
}

/// The answer to one line of `ask --stdin` (`number` counts from 1).
fn stdin_reply(answerer: &Answerer, top: usize, number: usize, bytes: &[u8]) -> serde_json::Value {
    let failed =
        |error: String| json!({"answered": false, "passages": [], "line": number, "error": error});
    let Ok(line) = std::str::from_utf8(bytes) else {
        return failed(format!("input line {number} is not UTF-8 text"));
    };
    let line = line.trim_end_matches(['\n', '\r']);
    if line.trim().is_empty() {
        return failed(format!("input line {number} is blank"));
    }
    let value = match serde_json::from_str::<serde_json::Value>(line) {
        Ok(value) => value,
        Err(error) => {
            // serde names "line 1 column N" of this one line: keep the column.
            let message = error.to_string();
            let problem = message
                .rfind(" at line ")
                .map_or(message.as_str(), |at| &message[..at]);
            return failed(format!(
                "input line {number}, column {}: not JSON: {problem}",
                error.column()
            ));
        }
    };
    let Some(question) = value.get("question").and_then(|q| q.as_str()) else {
        return failed(format!(
            "input line {number}: expected {{\"question\": \"...\"}}"
        ));
    };
    // A fault in answering one question must not lose the rest of the batch.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        answerer.answer(question, top)
    })) {
        Ok(answer) => answer_json(&answer),
        Err(_) => failed(format!(
            "input line {number}: could not be answered (internal error)"
        )),
    }
}

fn print_on_this_day(pack: Pack, date: Option<DateQuery>, json: bool) -> Result<()> {
    use chrono::Utc;
    let today = Utc::now().with_timezone(&pack.time_zone()).date_naive();
    let day = date.map_or(today, |d| d.resolve(today));
    let all_events = onthisday::all_events(&pack);
    let pick = onthisday::pick(&all_events, day);
    let framing = pick.framing;
    let events: Vec<serde_json::Value> = pick
        .events
        .iter()
        .map(|e| {
            json!({
                "date": e.date.to_string(),
                "title": e.title,
                "description": e.description,
                "source": e.source,
            })
        })
        .collect();
    // Rendered as the bot renders it, so the terminal and chat platforms agree.
    let answerer = Answerer::new(&pack.document, &pack.synonyms);
    let message = render::on_this_day_message(&pack, &all_events, &answerer, day);
    let related = pick
        .events
        .first()
        .and_then(|event| {
            render::related_passages(&answerer, event)
                .into_iter()
                .next()
        })
        .map(|hit| hit.text);
    let text = message.to_markdown();
    if json {
        outln!(
            "{}",
            json!({
                "date": day.to_string(),
                "framing": framing.name(),
                "events": events,
                "related_sentence": related,
                "text": text.trim_end(),
            })
        );
    } else {
        outln!("{}", console::render(&message, Style::detect()).trim_end());
    }
    Ok(())
}

/// `lectern db migrate`: brings the database to this version's schema.
pub fn db_migrate(location: &str) -> Result<ExitCode> {
    let database = crate::store::Database::parse(location);
    let applied = runtime()?
        .block_on(crate::store::migrate_database(&database))
        .with_context(|| format!("could not migrate the database {database}"))?;
    println!("{database}: schema up to date ({applied} migrations applied)");
    Ok(ExitCode::SUCCESS)
}

/// `lectern db copy`: every table from one database into another, verified.
pub fn db_copy(from: &str, to: &str, replace: bool) -> Result<ExitCode> {
    let (from, to) = (
        crate::store::Database::parse(from),
        crate::store::Database::parse(to),
    );
    let report = runtime()?
        .block_on(crate::store::copy_database(&from, &to, replace))
        .with_context(|| format!("could not copy {from} to {to}"))?;
    println!("copied {from} to {to}");
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

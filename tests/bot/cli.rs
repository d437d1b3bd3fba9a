//! The `lectern` binary, run as a user runs it.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

pub(crate) fn lectern() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    // Never read a developer's lectern.toml or environment.
    command
        .current_dir(std::env::temp_dir())
        .env_remove("LECTERN_DATABASE")
        .env_remove("LECTERN_PACK");
    command
}

fn run_with_input(args: &[&str], input: &str) -> (String, String, bool) {
    let mut child = lectern()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.success(),
    )
}

fn ask_json(question: &str) -> Value {
    let output = lectern()
        .args(["ask", "--json", "--top", "3", question])
        .output()
        .unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn ask_json_quotes_trotsky_for_the_power_struggle() {
    let answer = ask_json("Who did Stalin defeat in the struggle for power?");
    assert_eq!(answer["answered"], true);
    let first = answer["passages"][0]["text"].as_str().unwrap();
    assert!(first.contains("Trotsky"), "{answer}");
    assert!(answer["passages"][0]["score"].is_number());
}

#[test]
fn ask_json_refuses_what_the_document_does_not_cover() {
    let answer = ask_json("What is the capital of France?");
    assert_eq!(answer["answered"], false);
}

#[test]
fn ask_stdin_answers_one_json_line_per_question_in_order() {
    let input = "{\"question\": \"What is a kolkhoz?\"}\n\n{\"question\": \"how do I bake bread\"}\nnot json\n";
    let (stdout, _, ok) = run_with_input(&["ask", "--json", "--stdin"], input);
    assert!(ok);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0]["answered"], true);
    assert_eq!(lines[1]["error"], "input line 2 is blank");
    assert_eq!(lines[2]["answered"], false);
    assert!(
        lines[3]["error"]
            .as_str()
            .unwrap()
            .starts_with("input line 4, column 2: not JSON"),
        "{stdout}"
    );
}

#[test]
fn finding_10_ask_stdin_answers_every_line_even_after_invalid_utf8() {
    let mut child = lectern()
        .args(["ask", "--json", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input: &[u8] = b"{\"question\": \"What is a kolkhoz?\"}\n\xff\xfe broken\n\n{\"q\": 1}\n{\"question\": \"Who was Trotsky?\"}\n";
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert_eq!(lines[0]["answered"], true);
    assert_eq!(lines[1]["error"], "input line 2 is not UTF-8 text");
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[2]["error"], "input line 3 is blank");
    assert_eq!(
        lines[3]["error"],
        "input line 4: expected {\"question\": \"...\"}"
    );
    assert_eq!(lines[4]["answered"], true, "{stdout}");
}

#[test]
fn finding_9_a_closed_pipe_on_standard_output_is_a_clean_exit() {
    for args in [
        &["onthisday", "--date", "06-22"][..],
        &["quiz", "generate", "--count", "3"][..],
        &["ask", "Who was Trotsky?"][..],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = lectern()
            .args(args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(output.status.success(), "{args:?}: {stderr}");
    }
}

#[test]
fn content_check_summarises_a_good_pack_and_fails_on_a_bad_one() {
    let output = lectern().args(["content", "check"]).output().unwrap();
    assert!(output.status.success());
    let summary = String::from_utf8(output.stdout).unwrap();
    assert!(summary.contains("37 sentences"), "{summary}");
    assert!(summary.contains("98 dated events"), "{summary}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.toml"), "id = \"x\"\ntitle = \"X\"\nlanguage = \"en\"\ntime_zone = \"UTC\"\ncolour = \"red\"\n[source]\ntitle = \"X\"\n").unwrap();
    let output = lectern()
        .args(["content", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(
        errors.contains("pack.toml:5: unknown field `colour`"),
        "{errors}"
    );
}

#[test]
fn content_check_advises_on_bank_questions_a_student_could_guess() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pack.toml"),
        "id = \"mills\"\ntitle = \"Mills\"\nlanguage = \"en\"\ntime_zone = \"UTC\"\n[source]\ntitle = \"Mills\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("document.txt"),
        "The mill owners hired children because they could be paid less than adults.\n\nThe first mill opened in 1771 beside the river.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("questions.toml"),
        r#"[[question]]
id = "why-children"
question = "Why did the mill owners hire children?"
choices = ["Because they could be paid much less than the adult workers", "Luck", "Law", "Fashion"]
answer = "Because they could be paid much less than the adult workers"
source = "The mill owners hired children because they could be paid less than adults."

[[question]]
id = "first-mill"
question = "When did the first mill open?"
choices = ["In 1771", "In spring", "After the war", "At Easter"]
answer = "In 1771"
source = "The first mill opened in 1771 beside the river."
"#,
    )
    .unwrap();
    let output = lectern()
        .args(["content", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    // Advice, not an error: the pack is valid.
    assert!(output.status.success());
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(out.contains("advice on questions.toml"), "{out}");
    assert!(
        out.contains("question \"why-children\": the answer is the longest choice by far"),
        "{out}"
    );
    assert!(
        out.contains("question \"first-mill\": the answer is the only choice with a figure"),
        "{out}"
    );
    // The bundled bank gets no advice.
    let output = lectern().args(["content", "check"]).output().unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(!out.contains("advice"), "{out}");
}

#[test]
fn onthisday_json_gives_the_invasion_on_22_june() {
    let output = lectern()
        .args(["onthisday", "--date", "1941-06-22", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["framing"], "on_this_day");
    assert_eq!(value["events"][0]["date"], "1941-06-22");
    assert!(
        value["events"][0]["title"]
            .as_str()
            .unwrap()
            .contains("invades the Soviet Union"),
        "{value}"
    );
    assert!(
        value["events"][0]["source"]
            .as_str()
            .unwrap()
            .starts_with("http")
    );
    assert!(
        value["text"]
            .as_str()
            .unwrap()
            .contains("On this day in 1941")
    );

    let output = lectern()
        .args(["onthisday", "--date", "06-21", "--json"])
        .output()
        .unwrap();
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["framing"], "days_ahead");
    assert!(
        value["text"]
            .as_str()
            .unwrap()
            .contains("Tomorrow, in 1941"),
        "{value}"
    );
}

#[test]
fn chat_reads_a_script_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chat.db");
    let (stdout, stderr, ok) = run_with_input(
        &["chat", "--db", db.to_str().unwrap()],
        "/help\n/leaderboard\n/nope\n",
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("/quiz [rounds] [seconds]"), "{stdout}");
    assert!(stdout.contains("No points scored yet"), "{stdout}");
    assert!(stdout.contains("Unknown command /nope."), "{stdout}");
    assert!(db.exists());
}

#[test]
fn piped_output_is_plain_text_never_escaped_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chat.db");
    // Generated questions blank their answer with underscores; /ask bolds
    // the matched words; the leaderboard quotes player names.
    let (stdout, stderr, ok) = run_with_input(
        &["chat", "--db", db.to_str().unwrap(), "--name", "snake_case"],
        "/quiz 3 20 generated seed=4\nA\nB\nC\nwhat is a kolkhoz\n/leaderboard\n",
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Quiz over: final leaderboard"), "{stdout}");
    assert!(stdout.contains("snake_case"), "{stdout}");
    assert!(!stdout.contains("\\_"), "{stdout}");
    assert!(!stdout.contains("**"), "{stdout}");
    let output = lectern()
        .args(["ask", "what is a kolkhoz"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("kolkhoz") && !text.contains("**"), "{text}");
}

#[test]
fn a_killed_quiz_keeps_its_revealed_rounds_and_is_closed_on_restart() {
    use std::io::{BufRead, BufReader};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut child = lectern()
        .args(["chat", "--db", db.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut read_until = |needle: &str| {
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "output ended before {needle:?}:\n{seen}"
            );
            seen.push_str(&line);
            if line.contains(needle) {
                return seen;
            }
        }
    };
    writeln!(stdin, "/quiz 3 120 bank").unwrap();
    let question = read_until("seconds to answer");
    let pack = lectern::content::Pack::bundled().unwrap();
    let prompt = question.lines().nth(1).unwrap();
    let asked = pack.questions.iter().find(|q| q.prompt == prompt).unwrap();
    let letter = question
        .lines()
        .find_map(|l| {
            let (label, text) = l.trim_start().split_once(") ")?;
            (text == asked.answer()).then(|| label.to_string())
        })
        .unwrap();
    writeln!(stdin, "{letter}").unwrap();
    read_until("Question 2 of 3");
    read_until("seconds to answer");
    // kill -9 in the middle of round 2.
    child.kill().unwrap();
    child.wait().unwrap();

    let (stdout, stderr, ok) = run_with_input(&["chat", "--db", db.to_str().unwrap()], "/score\n");
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("interrupted when I restarted. Points from the 1 revealed round are kept"),
        "{stdout}"
    );
    assert!(stdout.contains("1/1 right (100%)"), "{stdout}");
}

#[test]
fn import_reads_a_gift_bank_and_adds_it_to_a_pack() {
    let dir = tempfile::tempdir().unwrap();
    let bank = dir.path().join("ussr-extra.gift");
    std::fs::write(&bank, "::rival:: Who opposed Stalin? {=Trotsky ~Lenin ~Hitler}\n\nHow many miles from Moscow? {#20}\n").unwrap();
    let output = lectern()
        .arg("import")
        .arg(&bank)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let questions: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        questions[0]["choices"],
        serde_json::json!(["Trotsky", "Lenin", "Hitler"])
    );
    assert_eq!(questions[0]["answer"], "Trotsky");
    assert_eq!(questions[1]["choices"], serde_json::json!([]));
    assert_eq!(questions[1]["answers"], serde_json::json!(["20"]));

    // Into a copy of the bundled pack: the pack loads with the new questions.
    let pack = dir.path().join("pack");
    std::fs::create_dir(&pack).unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/content/ussr")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), pack.join(entry.file_name())).unwrap();
    }
    let output = lectern()
        .arg("import")
        .arg(&bank)
        .arg("--into")
        .arg(&pack)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(pack.join("questions/ussr-extra.toml").exists());
    let output = lectern()
        .args(["content", "check"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("27 questions"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // A second import of the same bank does not clobber the first.
    let output = lectern()
        .arg("import")
        .arg(&bank)
        .arg("--into")
        .arg(&pack)
        .output()
        .unwrap();
    assert!(!output.status.success());
}

#[test]
fn import_reports_every_broken_question_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let bank = dir.path().join("bad.txt");
    std::fs::write(&bank, "Q1?\nA. x\nB. y\nANSWER: Q\n").unwrap();
    let output = lectern().arg("import").arg(&bank).output().unwrap();
    assert!(!output.status.success());
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(
        errors.contains(&format!(
            "{}:4: ANSWER: Q is not one of the choices' letters",
            bank.display()
        )),
        "{errors}"
    );
    let output = lectern()
        .arg("import")
        .arg(&bank)
        .args(["--format", "pdf"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("\"pdf\" is not a format")
    );
}

#[test]
fn quiz_generate_json_gives_distinct_questions_with_four_choices() {
    let output = lectern()
        .args(["quiz", "generate", "--count", "20", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let questions: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    // A quiz asks each fact once, and the essay's pool orders only the
    // events it covers: it fills more than ten questions, not twenty.
    assert!((10..=20).contains(&questions.len()), "{}", questions.len());
    // Some forms share a prompt ("Which of these statements ..."): a
    // question is its prompt with its choices.
    let distinct: std::collections::HashSet<String> = questions
        .iter()
        .map(|q| format!("{}{}", q["question"], q["choices"]))
        .collect();
    assert_eq!(distinct.len(), questions.len());
    for q in &questions {
        let choices = q["choices"].as_array().unwrap();
        assert_eq!(choices.len(), 4, "{q}");
        let index = q["answer_index"].as_u64().unwrap() as usize;
        assert_eq!(choices[index], q["answer"]);
        // Chronology from the dated events cites no sentence; it gives the dates.
        assert!(
            (q["source_sentence"].is_string() || q["explanation"].is_string())
                && q["kind"].is_string(),
            "{q}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_on_the_bots_database_leaves_discord_and_matrix_quizzes_and_daily_posts_alone() {
    use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
    use lectern::store::Store;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bot.db");
    let now = chrono::Utc::now();
    let store = Store::open(&db).await.unwrap();
    let mut channels = Vec::new();
    for platform in [Platform::Discord, Platform::Matrix] {
        let channel = ChannelRef::new(ScopeRef::new(platform, "school"), "lessons");
        let teacher = UserRef::new(platform, "teacher", "teacher");
        store
            .start_quiz_session(&channel, &teacher, 5, "main", now)
            .await
            .unwrap();
        // Due a minute ago: a scheduler serving this platform would post it now.
        store
            .set_daily_subscription(
                &channel,
                "08:00",
                "UTC",
                now - chrono::Duration::minutes(1),
                now,
            )
            .await
            .unwrap();
        channels.push(channel);
    }
    store.close().await;

    let db_arg = db.to_str().unwrap().to_string();
    let (stdout, stderr, ok) = tokio::task::spawn_blocking(move || {
        run_with_input(&["chat", "--db", &db_arg], "/leaderboard\n")
    })
    .await
    .unwrap();
    assert!(ok, "{stderr}");
    assert!(!stdout.contains("On this day"), "{stdout}");

    let store = Store::open(&db).await.unwrap();
    for channel in &channels {
        let subscription = store.daily_subscription(channel).await.unwrap().unwrap();
        assert!(subscription.enabled, "{subscription:?}");
        assert!(
            store.daily_posts(subscription.id).await.unwrap().is_empty(),
            "the terminal claimed {}'s post",
            channel.scope.platform
        );
    }
    let open = store
        .close_interrupted_quizzes("main", &[Platform::Discord, Platform::Matrix], now)
        .await
        .unwrap();
    assert_eq!(open.len(), 2, "the terminal closed another platform's quiz");
}

#[test]
fn finding_19_top_0_is_refused_with_the_reason() {
    let output = lectern()
        .args(["ask", "--json", "--top", "0", "Who was Trotsky?"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: --top 0 shows nothing: give how many passages to show, 1 or more\n"
    );
}

#[test]
fn finding_19_date_02_29_means_29_february_even_in_a_common_year() {
    use lectern::bot::DateQuery;
    let query = DateQuery::parse("02-29").unwrap();
    let common = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    assert_eq!(
        query.resolve(common),
        chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
    );
    let output = lectern()
        .args(["onthisday", "--json", "--date", "02-29"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        value["date"].as_str().unwrap().ends_with("-02-29"),
        "{value}"
    );
}

/// A teacher's handout as a two-page PDF: a running header, page numbers
/// and a word hyphenated across a line end.
fn handout_pdf() -> Vec<u8> {
    let page = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    lectern::content::extract::fixtures::pdf(&[
        page(&[
            "Earth Science Handout",
            "Famous Eruptions",
            "On 18 May 1980 Mount St Helens erupted after weeks of small",
            "earthquakes. The blast flattened forests and killed 57 people.",
            "In 1815 Mount Tambora produced the largest erup-",
            "tion in recorded history.",
            "1",
        ]),
        page(&[
            "Earth Science Handout",
            "Living With Volcanoes",
            "Volcanic ash breaks down into very fertile soil, so farmers",
            "grow crops on the slopes of volcanoes such as Etna in Sicily.",
            "In Iceland, heat from underground is used to heat homes.",
            "2",
        ]),
    ])
    .unwrap()
}

#[test]
fn pack_new_makes_a_pack_from_a_pdf_that_content_check_accepts_and_ask_cites() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("handout.pdf");
    std::fs::write(&file, handout_pdf()).unwrap();
    let out = dir.path().join("volcanoes");
    let output = lectern()
        .args(["pack", "new"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(["--title", "Volcanoes", "--time-zone", "Europe/London"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    );
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("(\"Volcanoes\") from a PDF file:")
            && stdout.contains("7 sentences in 4 passages, 2 sections")
            && stdout.contains("glossary entries, 1 dated event (1 sentence names only a year)")
            && stdout.contains("note: dropped 2 page numbers")
            && stdout
                .contains("note: dropped a running header or footer: \"earth science handout\""),
        "{stdout}"
    );
    let document = std::fs::read_to_string(out.join("document.txt")).unwrap();
    assert!(
        document.starts_with("Famous Eruptions\n\nOn 18 May 1980")
            && document.contains("the largest eruption in recorded history.")
            && !document.contains("Handout"),
        "{document}"
    );
    let events = std::fs::read_to_string(out.join("events.tsv")).unwrap();
    assert_eq!(
        events,
        "date\ttitle\tdescription\n1980-05-18\tOn 18 May 1980 Mount St Helens erupted after weeks of small…\tOn 18 May 1980 Mount St Helens erupted after weeks of small earthquakes.\n"
    );

    let check = lectern()
        .args(["content", "check"])
        .arg(&out)
        .output()
        .unwrap();
    let summary = String::from_utf8(check.stdout).unwrap();
    assert!(check.status.success(), "{summary}");
    assert!(summary.starts_with("Volcanoes ("), "{summary}");
    assert!(
        summary.contains("7 sentences in 4 passages, 1 dated events"),
        "{summary}"
    );

    let ask = lectern()
        .args(["ask", "--pack"])
        .arg(&out)
        .arg("Where do farmers grow crops on volcanoes?")
        .output()
        .unwrap();
    let answer = String::from_utf8(ask.stdout).unwrap();
    assert!(ask.status.success(), "{answer}");
    assert!(
        answer.contains("Etna in Sicily") && answer.contains("sentence 6 of 7"),
        "{answer}"
    );
    assert!(answer.contains("Source: Volcanoes"), "{answer}");

    // A second run refuses the folder it made, and a file it cannot read
    // is named with the reason.
    let again = lectern()
        .args(["pack", "new"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        String::from_utf8(again.stderr)
            .unwrap()
            .contains("already exists and is not an empty folder"),
    );
    let truncated = dir.path().join("cut.pdf");
    let pdf = handout_pdf();
    std::fs::write(&truncated, &pdf[..pdf.len() / 2]).unwrap();
    let cut = lectern()
        .args(["pack", "new"])
        .arg(&truncated)
        .arg("--out")
        .arg(dir.path().join("cut"))
        .output()
        .unwrap();
    assert!(!cut.status.success());
    assert_eq!(
        String::from_utf8(cut.stderr).unwrap(),
        format!(
            "{}: the PDF is truncated (it has no %%EOF end marker): the file was cut short; download or export it again\n",
            truncated.display()
        )
    );
    assert!(!dir.path().join("cut").exists());
}

//! The teacher's report: `/report` in the terminal on the manual clock and
//! on the fake Discord (refused to a non-admin, private to an admin), and
//! `lectern report` as CSV and JSON that parse back into the store's
//! figures.

use chrono::Duration;
use serde_json::{Value, json};

use lectern::bot::{Command, parse_command};
use lectern::clock::Clock;
use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
use lectern::store::{AskedItem, ItemAnswer, Report, RoundAnswer, Store};

use crate::cli::lectern;
use crate::discord::{description, start, student, teacher};
use crate::fake_discord::{CHANNEL_ID, GUILD_ID};
use crate::helpers::TestApp;
use crate::review::quiz_missing_three;

#[test]
fn report_is_one_command_on_every_text_platform_and_takes_no_words() {
    assert_eq!(parse_command("!report", '!'), Ok(Some(Command::Report)));
    assert_eq!(parse_command("/report", '/'), Ok(Some(Command::Report)));
    let error = parse_command("!report @everyone", '!')
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("!report has no \"@\u{200B}everyone\": it takes nothing after it."),
        "{error}"
    );
    let unknown = parse_command("!nope", '!').unwrap_err().to_string();
    assert!(
        unknown.contains("!report"),
        "the command list names it: {unknown}"
    );
}

#[tokio::test]
async fn report_in_the_terminal_compares_this_week_with_last_on_the_manual_clock() {
    let app = TestApp::spawn().await;
    let missed = quiz_missing_three(&app).await;
    let report = app.send("/report").await;
    assert!(report.contains("Class report"), "{report}");
    assert!(
        report.contains("This week: 40% right of 5 answers. Last week: no answers."),
        "{report}"
    );
    assert!(report.contains("1 student counted."), "{report}");
    let hardest: Vec<&str> = report
        .lines()
        .skip_while(|line| !line.starts_with("Hardest questions:"))
        .skip(1)
        .take_while(|line| line.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(hardest.len(), 5, "{report}");
    assert!(
        report.contains("lectern report --format png --output report.png draws the chart."),
        "the terminal cannot show the chart, so it is told how to draw it: {report}"
    );
    for (n, line) in hardest.iter().take(3).enumerate() {
        assert!(line.starts_with(&format!("{}. ", n + 1)), "{line}");
        assert!(
            line.contains("0% right of 1; most chosen wrong answer: "),
            "{line}"
        );
        assert!(
            missed.iter().any(|prompt| line.contains(prompt.as_str())),
            "{line} is one of the missed {missed:?}"
        );
    }
    assert!(hardest[3].contains("100% right of 1"), "{}", hardest[3]);

    app.clock.advance(Duration::days(7).to_std().unwrap());
    let later = app.send("/report").await;
    assert!(
        later.contains("This week: no answers. Last week: 40% right of 5 answers."),
        "{later}"
    );
}

/// One round in the guild: the teacher asks, sam answers wrong (Lenin),
/// kim right.
async fn one_round(store: &Store, at: chrono::DateTime<chrono::Utc>) {
    let scope = ScopeRef::new(Platform::Discord, GUILD_ID.to_string());
    let channel = ChannelRef::new(scope.clone(), CHANNEL_ID.to_string());
    let teacher = UserRef::new(Platform::Discord, "42", "teacher");
    let sam = UserRef::new(Platform::Discord, "7", "sam");
    let kim = UserRef::new(Platform::Discord, "8", "kim");
    let session = store
        .start_quiz_session(&channel, &teacher, 1, "main", at)
        .await
        .unwrap();
    let answer = |user: &UserRef, correct: bool| RoundAnswer {
        user: user.clone(),
        correct,
        points: if correct { 10 } else { 0 },
        response_ms: 2000,
        streak: u32::from(correct),
    };
    store
        .record_round(
            session,
            1,
            &scope,
            &[answer(&sam, false), answer(&kim, true)],
            at,
        )
        .await
        .unwrap();
    let pack = lectern::content::Pack::bundled().unwrap();
    let mut question = pack.questions[0].clone();
    question.prompt = "Who led the @everyone revolution?".into();
    let item = AskedItem {
        item_id: "item-1".into(),
        question,
    };
    let given = |user: &UserRef, correct: bool, choice: &str| ItemAnswer {
        user: user.clone(),
        correct,
        choice: Some(choice.into()),
    };
    store
        .record_round_items(
            session,
            1,
            &scope,
            &item,
            &[given(&sam, false, "Lenin"), given(&kim, true, "Stalin")],
            at,
        )
        .await
        .unwrap();
}

/// The interaction callback for `token` with its files, once it arrives.
async fn callback_with_files(
    app: &crate::discord::DiscordApp,
    token: &str,
) -> (Value, Vec<(String, Vec<u8>)>) {
    let suffix = format!("/{token}/callback");
    let call = app
        .fake
        .wait_for_calls(1, |c| c.path.ends_with(&suffix))
        .await
        .remove(0);
    (call.body, call.files)
}

/// A PNG's size and whether its pixels are not all one colour.
pub(crate) fn png_size_and_variety(bytes: &[u8]) -> ((u32, u32), bool) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("a frame");
    pixels.truncate(info.buffer_size());
    let step = info.color_type.samples();
    let first = pixels[..step].to_vec();
    let varied = pixels.chunks(step).any(|pixel| pixel != first.as_slice());
    ((info.width, info.height), varied)
}

#[tokio::test]
async fn report_on_discord_is_refused_to_a_student_and_private_to_a_teacher() {
    let app = start().await;
    one_round(&app.store, app.clock.now()).await;

    let (token, interaction) = app
        .fake
        .command("report", json!([]), student(7, "sam"), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let (reply, files) = callback_with_files(&app, &token).await;
    assert!(files.is_empty(), "no chart for a student");
    assert!(
        description(&reply).contains("Only an admin or teacher can see the class report"),
        "{reply:#}"
    );
    assert_eq!(reply["data"]["flags"], 64, "refused privately: {reply:#}");

    let (token, interaction) = app.fake.command("report", json!([]), teacher(), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let (reply, files) = callback_with_files(&app, &token).await;
    assert_eq!(reply["data"]["flags"], 64, "private: {reply:#}");
    // The chart is attached and shown in the embed.
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["report.png"], "{reply:#}");
    assert_eq!(
        png_size_and_variety(&files[0].1),
        ((lectern::chart::WIDTH, lectern::chart::HEIGHT), true)
    );
    assert_eq!(
        reply["data"]["embeds"][0]["image"]["url"], "attachment://report.png",
        "{reply:#}"
    );
    assert_eq!(
        reply["data"]["attachments"][0]["filename"], "report.png",
        "{reply:#}"
    );
    assert_eq!(
        reply["data"]["embeds"][0]["title"], "Class report",
        "{reply:#}"
    );
    let text = description(&reply);
    assert!(
        text.contains("This week: 50% right of 2 answers. Last week: no answers."),
        "{text}"
    );
    assert!(text.contains("2 students counted."), "{text}");
    assert!(
        text.contains(
            "1. Who led the @\u{200B}everyone revolution? — 50% right of 2; most chosen wrong answer: Lenin (1×)"
        ),
        "the prompt's mention is defused: {text}"
    );
    assert_eq!(
        reply["data"]["allowed_mentions"]["parse"],
        json!([]),
        "{reply:#}"
    );
    let _ = app.stop.send(true);
}

/// `lectern report` with `args` on `db`: standard output, or the error.
fn run_report(db: &std::path::Path, args: &[&str]) -> Result<String, String> {
    let output = lectern()
        .args(["report", "--database", db.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    if output.status.success() {
        Ok(String::from_utf8(output.stdout).unwrap())
    } else {
        Err(String::from_utf8(output.stderr).unwrap())
    }
}

/// (item id, prompt, asked, answers, right, percent right, top wrong
/// answer, its count)
type QuestionFigures = (String, String, i64, i64, i64, f64, String, i64);

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lectern_report_csv_and_json_parse_back_into_the_stores_figures() {
    let app = TestApp::spawn().await;
    quiz_missing_three(&app).await;
    let db = app.db_path.clone();
    let store = Store::open(&db).await.unwrap();
    let terminal = ScopeRef::new(Platform::Console, "terminal");
    let expected: Report = store
        .report(&terminal, None, chrono::Utc::now())
        .await
        .unwrap()
        .unwrap();
    store.close().await;
    assert_eq!(expected.questions.len(), 5);

    let (students_csv, questions_csv, sentences_csv, json_text, errors) =
        tokio::task::spawn_blocking(move || {
            let students = run_report(&db, &[]).unwrap();
            let sentences = run_report(&db, &["--table", "sentences"]).unwrap();
            let out = db.with_file_name("questions.csv");
            let written = run_report(
                &db,
                &[
                    "--scope",
                    "console:terminal",
                    "--table",
                    "questions",
                    "--output",
                    out.to_str().unwrap(),
                ],
            )
            .unwrap();
            assert_eq!(written, "", "--output leaves standard output empty");
            let questions = std::fs::read_to_string(&out).unwrap();
            let json = run_report(&db, &["--scope", "terminal", "--format", "json"]).unwrap();
            let chart = db.with_file_name("report.png");
            let written = run_report(
                &db,
                &["--format", "png", "--output", chart.to_str().unwrap()],
            )
            .unwrap();
            assert_eq!(written, "", "--output leaves standard output empty");
            let png = std::fs::read(&chart).unwrap();
            assert_eq!(
                png_size_and_variety(&png),
                ((lectern::chart::WIDTH, lectern::chart::HEIGHT), true),
                "the chart is a PNG of its size, not all one colour"
            );
            // Piped, the PNG goes to standard output as bytes.
            let piped = lectern()
                .args([
                    "report",
                    "--database",
                    db.to_str().unwrap(),
                    "--format",
                    "png",
                ])
                .output()
                .unwrap();
            assert!(piped.status.success());
            assert_eq!(piped.stdout, png, "the same picture, piped");
            let errors = [
                run_report(&db, &["--scope", "discord:nowhere"]).unwrap_err(),
                run_report(&db, &["--since", "2026-02-30"]).unwrap_err(),
                run_report(&db, &["--output", "/nonexistent-folder/report.csv"]).unwrap_err(),
                run_report(&db, &["--table", "teachers"]).unwrap_err(),
                run_report(&db.with_file_name("missing.db"), &[]).unwrap_err(),
            ];
            (students, questions, sentences, json, errors)
        })
        .await
        .unwrap();

    let (header, students) = csv_rows(&students_csv);
    assert_eq!(
        header,
        [
            "user_id",
            "name",
            "answered",
            "correct",
            "accuracy_percent",
            "best_streak",
            "reviews_due"
        ]
    );
    assert_eq!(students.len(), 1);
    let you = &expected.students[0];
    assert_eq!(
        students[0],
        [
            you.user_id.clone(),
            "you".to_string(),
            "5".into(),
            "2".into(),
            "40.0".into(),
            you.best_streak.to_string(),
            you.reviews_due.to_string()
        ]
    );
    assert_eq!((you.best_streak, you.reviews_due), (2, 3));

    // Generated questions name the sentence that teaches them: the
    // sentences table groups them there, weakest first, numbered from 1.
    let (header, sentences) = csv_rows(&sentences_csv);
    assert_eq!(
        header,
        [
            "sentence",
            "questions",
            "answers",
            "correct",
            "right_percent",
            "hardest_question"
        ]
    );
    assert!(!expected.sentences.is_empty(), "{expected:?}");
    assert_eq!(sentences.len(), expected.sentences.len());
    for (row, sentence) in sentences.iter().zip(&expected.sentences) {
        assert_eq!(row[0], (sentence.sentence + 1).to_string());
        assert_eq!(row[2], sentence.answers.to_string());
        assert_eq!(row[3], sentence.correct.to_string());
    }
    let questions_taught: i64 = expected.sentences.iter().map(|s| s.questions).sum();
    let with_sentence = expected
        .questions
        .iter()
        .filter(|q| q.source_sentence.is_some())
        .count();
    assert_eq!(questions_taught, i64::try_from(with_sentence).unwrap());

    let (header, questions) = csv_rows(&questions_csv);
    assert_eq!(header[0], "item_id");
    assert_eq!(header[7], "top_wrong_answer");
    let parsed: Vec<QuestionFigures> = questions
        .iter()
        .map(|row| {
            (
                row[0].clone(),
                row[1].clone(),
                row[3].parse().unwrap(),
                row[4].parse().unwrap(),
                row[5].parse().unwrap(),
                row[6].parse().unwrap(),
                row[7].clone(),
                row[8].parse().unwrap(),
            )
        })
        .collect();
    let wanted: Vec<QuestionFigures> = expected
        .questions
        .iter()
        .map(|q| {
            (
                q.item_id.clone(),
                q.prompt.clone(),
                q.asked,
                q.answers,
                q.correct,
                (q.share_right * 1000.0).round() / 10.0,
                q.top_wrong_answer.clone().unwrap_or_default(),
                q.top_wrong_count,
            )
        })
        .collect();
    assert_eq!(parsed, wanted);
    assert_eq!(
        parsed
            .iter()
            .filter(|q| q.4 == 0 && !q.6.is_empty())
            .count(),
        3,
        "three missed, each with its wrong choice"
    );

    let json: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(json["scope"], "console:terminal");
    assert_eq!(json["students"][0]["answered"], 5);
    assert_eq!(json["questions"].as_array().unwrap().len(), 5);
    assert_eq!(
        json["questions"][0]["item_id"],
        expected.questions[0].item_id
    );
    assert_eq!(json["weeks"][0]["week"], "this week");
    assert_eq!(json["weeks"][1]["week"], "last week");

    let [scope, since, output, table, missing] = &errors;
    assert!(
        scope.contains("unknown scope \"discord:nowhere\" in this database (scopes with answers: console:terminal)"),
        "{scope}"
    );
    assert!(
        since.contains("--since \"2026-02-30\" is not a date: write YYYY-MM-DD"),
        "{since}"
    );
    assert!(
        output.contains("cannot write the report to /nonexistent-folder/report.csv"),
        "{output}"
    );
    assert!(table.contains("teachers"), "{table}");
    assert!(missing.contains("there is no database at"), "{missing}");
}

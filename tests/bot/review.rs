//! `/review` in the terminal on the manual clock: missed questions come
//! first, FSRS intervals grow after right answers and shrink after wrong
//! ones, the leaderboard never moves, and every answer keeps its item.

use std::time::Duration;

use crate::helpers::TestApp;

/// The prompt of the last review question shown in `output`.
fn review_prompt(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .rposition(|line| line.starts_with("Review question "))
        .unwrap_or_else(|| panic!("no review question in:\n{output}"));
    lines[start + 1].to_string()
}

/// The letter of the right (or a wrong) choice of the last review question.
fn review_letter(app: &TestApp, output: &str, right: bool) -> String {
    let prompt = review_prompt(output);
    let question = app
        .bot
        .pack()
        .questions
        .iter()
        .find(|q| q.prompt == prompt)
        .unwrap_or_else(|| panic!("no bank question {prompt:?}"));
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .rposition(|line| line.starts_with("Review question "))
        .unwrap();
    lines[start..]
        .iter()
        .find_map(|line| {
            let (label, text) = line.trim_start().split_once(") ")?;
            (label.len() == 1 && (text == question.answer()) == right).then(|| label.to_string())
        })
        .expect("a choice of that kind")
}

/// "You will see it again in 10 minutes" as minutes.
fn interval_minutes(output: &str) -> i64 {
    let rest = output
        .split("You will see it again in ")
        .nth(1)
        .unwrap_or_else(|| panic!("no interval in:\n{output}"));
    let mut words = rest.split_whitespace();
    let n: i64 = words.next().unwrap().parse().unwrap();
    let unit = words.next().unwrap().trim_end_matches('.');
    match unit.trim_end_matches('s') {
        "minute" => n,
        "hour" => n * 60,
        "day" => n * 24 * 60,
        other => panic!("unit {other}"),
    }
}

/// Plays a 5-round bank quiz, missing the first three; returns their prompts.
pub(crate) async fn quiz_missing_three(app: &TestApp) -> Vec<String> {
    let mut output = app.send("/quiz 5 20 bank").await;
    let mut missed = Vec::new();
    for round in 1..=5 {
        let block = output
            .rsplit_once(&format!("Question {round} of 5"))
            .unwrap()
            .1
            .to_string();
        let prompt = block.lines().nth(1).unwrap().to_string();
        let letter = if round <= 3 {
            missed.push(prompt);
            app.wrong_letter(&output)
        } else {
            app.right_letter(&output)
        };
        output = app.send(&letter).await;
    }
    assert!(output.contains("Quiz over"), "{output}");
    missed
}

#[tokio::test]
async fn review_asks_the_three_missed_questions_first_and_never_moves_the_leaderboard() {
    let app = TestApp::spawn().await;
    let missed = quiz_missing_three(&app).await;
    let score_before = app.send("/score").await;
    assert!(score_before.contains("2/5 right"), "{score_before}");

    let status = app.send("/review status").await;
    assert!(status.contains("3 due now, of 3 questions"), "{status}");

    let mut output = app.send("/review").await;
    let mut asked = Vec::new();
    for _ in 0..3 {
        let prompt = review_prompt(&output);
        asked.push(prompt);
        output = app.send(&review_letter(&app, &output, true)).await;
        assert!(output.contains("✅ Right."), "{output}");
    }
    let mut expected = missed.clone();
    expected.sort();
    asked.sort();
    assert_eq!(asked, expected, "the missed questions come first");
    // Then questions the player has not seen.
    let fourth = review_prompt(&output);
    assert!(!missed.contains(&fourth), "{fourth}");
    assert!(output.contains("Review question 4 of 10"), "{output}");

    // A wrong review answer shows the answer and the passage to reread.
    let output = app.send(&review_letter(&app, &output, false)).await;
    assert!(output.contains("❌ The answer is"), "{output}");

    assert_eq!(
        app.send("/score").await,
        score_before,
        "review is never scored"
    );
    let board = app.send("/leaderboard").await;
    assert!(board.contains("(2/5 right)"), "{board}");
}

#[tokio::test]
async fn fsrs_intervals_grow_after_right_answers_and_shrink_after_a_wrong_one() {
    let app = TestApp::spawn().await;
    let missed = quiz_missing_three(&app).await;
    let target = missed[0].clone();

    // Reviews the due card for `target` (answering the others right, to
    // keep them out of the way) and returns its new interval.
    async fn review_target(app: &TestApp, target: &str, right: bool) -> i64 {
        let mut output = app.send("/review").await;
        loop {
            let prompt = review_prompt(&output);
            if prompt == target {
                let answered = app.send(&review_letter(app, &output, right)).await;
                return interval_minutes(&answered);
            }
            output = app.send(&review_letter(app, &output, true)).await;
            assert!(
                output.contains("Review question"),
                "{target} was not due: {output}"
            );
        }
    }

    let mut intervals = Vec::new();
    for _ in 0..3 {
        let minutes = review_target(&app, &target, true).await;
        intervals.push(minutes);
        // Not due before its time.
        let status = app.send("/review status").await;
        assert!(status.contains("The next is due in"), "{status}");
        app.clock
            .advance(Duration::from_secs(60 * u64::try_from(minutes).unwrap()));
    }
    assert!(
        intervals.windows(2).all(|w| w[1] > w[0]),
        "intervals grow after right answers: {intervals:?}"
    );
    let after_lapse = review_target(&app, &target, false).await;
    assert!(
        after_lapse < *intervals.last().unwrap(),
        "a wrong answer shrinks the interval: {after_lapse} after {intervals:?}"
    );
}

#[tokio::test]
async fn every_quiz_answer_keeps_its_item_and_the_choice_given() {
    let app = TestApp::spawn().await;
    quiz_missing_three(&app).await;
    let url = format!("sqlite://{}", app.db_path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT a.item_id, a.choice, a.correct FROM quiz_answers a ORDER BY a.round",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 5);
    for (item, choice, correct) in &rows {
        let question = app
            .bot
            .pack()
            .questions
            .iter()
            .find(|q| &q.id == item)
            .unwrap_or_else(|| panic!("{item} is a bank id"));
        assert_eq!(
            choice == question.answer(),
            *correct == 1,
            "{item}: {choice}"
        );
        assert!(question.choices.contains(choice), "{choice}");
    }
    let items: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quiz_items")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(items, 5);
}

use std::time::Duration;

use chrono::{TimeZone, Utc};

use crate::helpers::{TestApp, test_start};

async fn play_one_round_right(app: &TestApp, player: &str) {
    let question = app.send(&format!("/as {player} /quiz 1 20 bank")).await;
    let output = app
        .send(&format!("/as {player} {}", app.right_letter(&question)))
        .await;
    assert!(output.contains(&format!("✅ {player}")), "{output}");
}

#[tokio::test]
async fn scores_survive_a_restart() {
    let app = TestApp::spawn().await;
    play_one_round_right(&app, "you").await;
    let before = app.send("/score").await;
    assert!(
        before.contains("Rank 1 of 1 · 150 points · 1/1 right (100%) · best streak 1"),
        "{before}"
    );
    let path = app.db_path.clone();
    app.bot.shutdown("test").await;
    let restarted = TestApp::spawn_on(path, test_start()).await;
    assert_eq!(restarted.send("/score").await, before);
    assert!(
        restarted
            .send("/leaderboard")
            .await
            .contains("1. you — 150 points (1/1 right)")
    );
    drop(app);
}

#[tokio::test]
async fn score_of_another_player_and_of_nobody() {
    let app = TestApp::spawn().await;
    assert!(
        app.send("/score")
            .await
            .contains("You have no score here yet.")
    );
    play_one_round_right(&app, "alice").await;
    assert!(app.send("/score alice").await.contains("Score: alice"));
    assert!(
        app.send("/score zed")
            .await
            .contains("zed has no score here yet.")
    );
}

#[tokio::test]
async fn leaderboards_by_week_and_month_follow_the_calendar() {
    let app = TestApp::spawn().await;
    // Sunday 29 November 2026, 23:00 in London (UTC in winter).
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 29, 23, 0, 0).unwrap());
    play_one_round_right(&app, "alice").await;
    // Monday: a new week, the same month.
    app.clock.advance(Duration::from_secs(2 * 3600));
    play_one_round_right(&app, "bob").await;
    let week = app.send("/leaderboard week").await;
    assert!(week.contains("1. bob") && !week.contains("alice"), "{week}");
    let month = app.send("/leaderboard month").await;
    assert!(month.contains("alice") && month.contains("bob"), "{month}");
    // 1 December: a new month, still the same week.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap());
    assert!(
        app.send("/leaderboard month")
            .await
            .contains("No points scored yet")
    );
    assert!(app.send("/leaderboard week").await.contains("1. bob"));
    let all = app.send("/leaderboard all").await;
    assert!(all.contains("alice") && all.contains("bob"), "{all}");
}

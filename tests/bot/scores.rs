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

#[tokio::test]
async fn a_round_recorded_twice_counts_once() {
    use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
    use lectern::store::{RoundAnswer, Store};

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).await.unwrap();
    let scope = ScopeRef::new(Platform::Matrix, "!room:example.org");
    let channel = ChannelRef::new(scope.clone(), "!room:example.org");
    let ann = UserRef::new(Platform::Matrix, "@ann:example.org", "Ann");
    let session = store
        .start_quiz_session(&channel, &ann, 3, "test", test_start())
        .await
        .unwrap();
    let answers: Vec<RoundAnswer> = (0..700)
        .map(|i| RoundAnswer {
            user: UserRef::new(
                Platform::Matrix,
                format!("@p{i}:example.org"),
                format!("p{i}"),
            ),
            correct: i % 2 == 0,
            points: if i % 2 == 0 { 120 } else { 0 },
            response_ms: 1500,
            streak: 1,
        })
        .collect();
    store
        .record_round(session, 1, &scope, &answers, test_start())
        .await
        .unwrap();
    store
        .record_round(session, 1, &scope, &answers, test_start())
        .await
        .unwrap();
    let card = store
        .score(&scope, &answers[0].user)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (card.points, card.answered, card.correct, card.players),
        (120, 1, 1, 700)
    );
    let top = store.leaderboard(&scope, None, 10).await.unwrap();
    assert_eq!(top.len(), 10);
    assert!(top.iter().all(|row| row.points == 120));
}

#[tokio::test]
async fn rounds_committed_together_from_many_channels_all_count() {
    use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
    use lectern::store::{RoundAnswer, Store};

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("g.db")).await.unwrap();
    let scope = ScopeRef::new(Platform::Discord, "guild");
    // The same 5 players play in 20 channels of one guild at once, 3 rounds each.
    let players: Vec<UserRef> = (0..5)
        .map(|p| UserRef::new(Platform::Discord, format!("p{p}"), format!("p{p}")))
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..20 {
        let store = store.clone();
        let scope = scope.clone();
        let players = players.clone();
        tasks.spawn(async move {
            let channel = ChannelRef::new(scope.clone(), format!("c{c}"));
            let session = store
                .start_quiz_session(&channel, &players[0], 3, "test", test_start())
                .await
                .unwrap();
            for round in 1..=3 {
                let answers: Vec<RoundAnswer> = players
                    .iter()
                    .map(|user| RoundAnswer {
                        user: user.clone(),
                        correct: true,
                        points: 100,
                        response_ms: 10,
                        streak: round,
                    })
                    .collect();
                store
                    .record_round(session, round, &scope, &answers, test_start())
                    .await
                    .unwrap();
            }
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap();
    }
    for user in &players {
        let card = store.score(&scope, user).await.unwrap().unwrap();
        assert_eq!(
            (card.points, card.answered, card.best_streak),
            (20 * 3 * 100, 60, 3),
            "{user:?}"
        );
    }
}

#[tokio::test]
async fn a_new_season_resets_the_season_leaderboard_and_keeps_all_time_totals() {
    let app = TestApp::spawn().await;
    let status = app.send("/season").await;
    assert!(
        status.contains("No season has been started here"),
        "{status}"
    );
    let output = app.send("/quiz 1 20 bank").await;
    app.send(&app.right_letter(&output)).await;
    app.clock.advance(std::time::Duration::from_secs(60));

    let announced = app.send("/season new").await;
    assert!(announced.contains("Season 1 starts now"), "{announced}");
    assert!(
        announced.contains("all-time totals are kept"),
        "{announced}"
    );
    assert!(announced.contains("1. you — 150 points"), "{announced}");
    let board = app.send("/leaderboard").await;
    assert!(board.contains("Leaderboard (season 1)"), "{board}");
    assert!(board.contains("No points scored yet"), "{board}");

    app.clock.advance(std::time::Duration::from_secs(60));
    let output = app.send("/quiz 1 20 bank").await;
    app.send(&format!("/as alice {}", app.right_letter(&output)))
        .await;
    app.send(&app.wrong_letter(&output)).await;
    let board = app.send("/leaderboard").await;
    assert!(
        board.contains("1. alice — 150 points (1/1 right)"),
        "{board}"
    );
    assert!(board.contains("2. you — 0 points (0/1 right)"), "{board}");
    let all = app.send("/leaderboard all").await;
    assert!(all.contains("Leaderboard (all time)"), "{all}");
    assert!(all.contains("you — 150 points (1/2 right)"), "{all}");
    assert!(app.send("/score").await.contains("150 points"));

    let second = app.send("/season new").await;
    assert!(second.contains("Season 2 starts now"), "{second}");
    assert!(
        second.contains("Season 1 ended:\n1. alice — 150 points"),
        "{second}"
    );
    assert!(app.send("/season").await.contains("Season 2 started"));
}

//! A full disk in the middle of a quiz: the failed writes say so, and once
//! there is room again every later write is committed for real.
//!
//! The disk is filled by lowering this test process's file-size limit
//! (`prlimit`, from util-linux): SQLite's writes past it fail as they do on
//! a full disk. It runs in its own test binary, because the limit covers
//! the whole process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Duration;

use chrono::Utc;
use lectern::identity::{ChannelRef, Platform, ScopeRef};
use lectern::store::Store;
use sqlx::Connection;
use sqlx::sqlite::SqliteConnectOptions;
use tokio::signal::unix::{SignalKind, signal};

/// Sets this process's soft limit on the size of a file it writes.
fn limit_file_size(bytes: Option<u64>) {
    let soft = bytes.map_or_else(|| "unlimited".to_string(), |b| b.to_string());
    let status = Command::new("prlimit")
        .arg(format!("--pid={}", std::process::id()))
        .arg(format!("--fsize={soft}:"))
        .status()
        .expect("this test needs `prlimit` (Debian: util-linux)");
    assert!(status.success(), "prlimit failed: {status}");
}

#[tokio::test]
async fn finding_1_writes_after_a_full_disk_are_committed_or_reported_never_lost() {
    // A write past the limit raises SIGXFSZ, which would end the process;
    // listening for it turns it into the plain write error a full disk gives.
    let _xfsz = signal(SignalKind::from_raw(25)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lectern.db");
    let store = Store::open(&path).await.unwrap();
    let scope = ScopeRef::new(Platform::Discord, "guild");
    let now = Utc::now();
    let channel = |id: String| ChannelRef::new(scope.clone(), id);

    let biggest = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().metadata().unwrap().len())
        .max()
        .unwrap();
    limit_file_size(Some(biggest + 16 * 1024));
    let mut reported_saved = Vec::new();
    let mut failures = 0;
    for i in 0..400 {
        let id = format!("full-{i}-{}", "x".repeat(2000));
        match store
            .set_daily_subscription(&channel(id.clone()), "09:00", "UTC", now, now)
            .await
        {
            Ok(()) => reported_saved.push(id),
            Err(_) => failures += 1,
        }
    }
    limit_file_size(None);
    assert!(failures > 0, "the disk never filled up");

    for i in 0..3 {
        let id = format!("after-{i}");
        store
            .set_daily_subscription(&channel(id.clone()), "09:00", "UTC", now, now)
            .await
            .unwrap();
        reported_saved.push(id);
    }

    // Another connection, as another process or `sqlite3` would open one,
    // sees every write that was reported saved, and can write itself.
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .busy_timeout(Duration::from_secs(2));
    let mut other = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    let mut stored: Vec<String> = sqlx::query_scalar("SELECT channel_id FROM daily_subscriptions")
        .fetch_all(&mut other)
        .await
        .unwrap();
    stored.sort();
    reported_saved.sort();
    assert_eq!(
        stored.len(),
        reported_saved.len(),
        "{failures} writes failed; every write reported saved is in the file, and no other"
    );
    assert_eq!(stored, reported_saved);
    sqlx::query("UPDATE scopes SET platform_scope_id = platform_scope_id")
        .execute(&mut other)
        .await
        .expect("the database is not left locked");
    store.close().await;
}

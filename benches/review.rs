//! Review scheduling at scale: one player with 10,000 due cards. FSRS
//! answering all 10,000 (target: under 50 ms), reading their status and the
//! next 10 due from the store, each beside a reference: copying the cards,
//! and a raw `COUNT(*)` over the same table.
//!
//! `cargo bench --bench review` prints criterion's figures. Setup (writing
//! the cards) is not timed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group};

use lectern::bot::review::Scheduler;
use lectern::content::Pack;
use lectern::identity::{Platform, ScopeRef, UserRef};
use lectern::store::{AskedItem, ReviewCard, Store};

const CARDS: usize = 10_000;

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("review.db");
    let start: DateTime<Utc> = "2026-11-01T12:00:00Z".parse().expect("time");
    let now = start + Duration::days(30);
    let scope = ScopeRef::new(Platform::Discord, "guild");
    let user = UserRef::new(Platform::Discord, "1", "Ann");
    let scheduler = Scheduler::default();
    let question = Pack::bundled().expect("pack").questions[0].clone();

    // 10,000 cards, each answered once (right or wrong) and due by `now`.
    let cards: Vec<ReviewCard> = (0..CARDS)
        .map(|i| {
            let at = start + Duration::minutes(i as i64);
            scheduler.answer(None, i % 3 != 0, at)
        })
        .collect();
    let store = runtime.block_on(async {
        let store = Store::open(&path).await.expect("database");
        for (i, card) in cards.iter().enumerate() {
            let item = AskedItem {
                item_id: format!("item-{i}"),
                question: question.clone(),
            };
            store
                .record_review(&scope, &user, &item, card, true, card.last_review)
                .await
                .expect("card");
        }
        store
    });
    let raw = runtime.block_on(async {
        sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("raw pool")
    });

    let mut group = c.benchmark_group("review/10k due");
    group.bench_function("FSRS: answer 10,000 due cards", |b| {
        b.iter(|| {
            cards
                .iter()
                .enumerate()
                .map(|(i, card)| scheduler.answer(Some(card), i % 2 == 0, now))
                .filter(|card| card.due > now)
                .count()
        })
    });
    group.bench_function("reference: copy 10,000 cards", |b| {
        b.iter(|| black_box(cards.clone()).len())
    });
    group.bench_function("store: review status (due count, next due)", |b| {
        b.iter(|| {
            runtime
                .block_on(store.review_status(&scope, &user, now))
                .expect("status")
                .due
        })
    });
    group.bench_function("store: the next 10 due, with their questions", |b| {
        b.iter(|| {
            runtime
                .block_on(store.due_reviews(&scope, &user, now, 10))
                .expect("due")
                .len()
        })
    });
    group.bench_function("reference: raw COUNT(*) over review_cards", |b| {
        b.iter(|| {
            runtime
                .block_on(
                    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM review_cards")
                        .fetch_one(&raw),
                )
                .expect("count")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

//! One process's lifecycle. [`App::start`] opens the store (running its
//! migrations), closes the quizzes this process left open on the platforms
//! it serves, starts the one daily scheduler for those platforms and runs
//! each platform adapter; [`App::run_until`] stops everything on a signal
//! (or when a platform ends, as the terminal does at the end of its input),
//! with every revealed round's points kept.
//!
//! Adapters only connect, translate events and render messages: nothing
//! here is platform-specific, and nothing in an adapter starts background
//! work or touches other platforms' quizzes and daily posts.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::bot::{Bot, BotSettings, DailyScheduler, Outbox};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::content::Pack;
use crate::identity::Platform;
use crate::platforms::{Adapter, RoutedOutbox};
use crate::store::Store;

/// What an app is made of, besides its platforms.
pub struct AppSettings {
    pub pack: Arc<Pack>,
    /// The database: an SQLite file (created when missing), `sqlite://path`
    /// or a `postgres://` URL (see [`crate::store::Database`]).
    pub database: PathBuf,
    pub clock: Arc<dyn Clock>,
    /// The bot core's settings; `instance` names this process's quizzes.
    pub bot: BotSettings,
}

/// A running process: the bot, its store, its one scheduler and its
/// platform tasks.
pub struct App {
    bot: Bot,
    store: Store,
    platforms: Vec<Platform>,
    scheduler: Arc<DailyScheduler>,
    scheduler_task: tokio::task::JoinHandle<()>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<anyhow::Result<()>>,
}

impl App {
    /// Opens the store, recovers this process's interrupted quizzes, starts
    /// the daily scheduler and every adapter. The interrupted quizzes'
    /// channels are told once their platform is connected.
    pub async fn start(
        settings: AppSettings,
        adapters: Vec<Box<dyn Adapter>>,
    ) -> anyhow::Result<Self> {
        let location = crate::store::Database::from(&settings.database);
        let store = Store::open(&location)
            .await
            .with_context(|| format!("could not open the database {location}"))?;
        let mut routes = RoutedOutbox::new();
        let mut outboxes: Vec<(Platform, Arc<dyn Outbox>)> = Vec::new();
        for adapter in &adapters {
            let platform = adapter.platform();
            anyhow::ensure!(
                outboxes.iter().all(|(p, _)| *p != platform),
                "{platform} is configured twice"
            );
            routes = routes.route(platform, adapter.outbox());
            outboxes.push((platform, adapter.outbox()));
        }
        let platforms: Vec<Platform> = outboxes.iter().map(|(p, _)| *p).collect();
        let bot = Bot::new(
            settings.pack,
            store.clone(),
            Arc::new(routes),
            settings.clock,
            settings.bot,
        );
        let interrupted = bot
            .recover_interrupted_quizzes(&platforms)
            .await
            .context("could not close the quizzes interrupted by the last stop")?;
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for (platform, outbox) in outboxes {
            let mine: Vec<_> = interrupted
                .iter()
                .filter(|quiz| quiz.channel.scope.platform == platform)
                .cloned()
                .collect();
            if mine.is_empty() {
                continue;
            }
            let (bot, mut stopped) = (bot.clone(), stopped.clone());
            // A notice posted before the platform is connected would be lost.
            tokio::spawn(async move {
                let connected = tokio::select! {
                    () = outbox.connected() => true,
                    _ = stopped.wait_for(|stop| *stop) => false,
                };
                if connected {
                    for quiz in &mine {
                        bot.tell_interrupted(quiz).await;
                    }
                }
            });
        }
        let scheduler = DailyScheduler::new(bot.clone(), platforms.clone());
        let scheduler_task = tokio::spawn(scheduler.clone().run(stopped.clone()));
        for adapter in adapters {
            tasks.spawn(adapter.run(bot.clone(), stopped.clone()));
        }
        tracing::info!(platforms = ?platforms, interrupted = interrupted.len(), "started");
        Ok(Self {
            bot,
            store,
            platforms,
            scheduler,
            scheduler_task,
            stop,
            tasks,
        })
    }

    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The platforms this process serves.
    pub fn platforms(&self) -> &[Platform] {
        &self.platforms
    }

    /// The one daily scheduler (tests tick it by hand).
    pub fn scheduler(&self) -> &Arc<DailyScheduler> {
        &self.scheduler
    }

    /// A handle that stops the app when `true` is sent.
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }

    /// Runs until `signal` completes, a stop is sent, or a platform ends;
    /// then closes running quizzes (posting their final leaderboards,
    /// points kept), stops every platform and the scheduler, and closes the
    /// store. Returns the first platform error.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> anyhow::Result<()> {
        let mut stopped = self.stop.subscribe();
        let mut outcome = Ok(());
        let reason = tokio::select! {
            () = signal => "the bot is shutting down",
            _ = stopped.wait_for(|stop| *stop) => "the bot is shutting down",
            Some(joined) = self.tasks.join_next() => {
                outcome = flatten(joined);
                "the session ended"
            }
        };
        self.bot.shutdown(reason).await;
        let _ = self.stop.send(true);
        while let Some(joined) = self.tasks.join_next().await {
            let result = flatten(joined);
            if outcome.is_ok() {
                outcome = result;
            }
        }
        let _ = self.scheduler_task.await;
        self.store.close().await;
        outcome
    }
}

fn flatten(joined: Result<anyhow::Result<()>, tokio::task::JoinError>) -> anyhow::Result<()> {
    joined
        .context("a platform task failed")
        .and_then(|result| result)
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM (docker stop).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The bot settings a configuration asks for.
/// The instance name when none is configured: "main", or for a process
/// running a shard range "shards-FIRST-LAST", so processes sharing one
/// database on different shards own their quizzes apart by default.
fn default_instance(config: &Config) -> String {
    match config.discord.shard_range() {
        Ok(Some((range, _))) => format!("shards-{}-{}", range.start, range.end - 1),
        _ => "main".into(),
    }
}

pub fn bot_settings(config: &Config) -> BotSettings {
    BotSettings {
        matrix_prefix: config.matrix.prefix,
        pause_between_rounds: std::time::Duration::from_secs(config.quiz.pause_seconds),
        instance: config
            .instance
            .clone()
            .unwrap_or_else(|| default_instance(config)),
        ..BotSettings::default()
    }
}

/// The chat platforms a configuration turns on: Discord when a token is
/// set, Matrix when a homeserver is. Matrix logs in here, so a wrong
/// password fails at start-up. Empty when neither is configured.
pub async fn configured_platforms(
    config: &Config,
    database: &std::path::Path,
) -> anyhow::Result<Vec<Box<dyn Adapter>>> {
    use crate::platforms::discord::{self, Discord, DiscordSettings};
    use crate::platforms::matrix::{Matrix, MatrixSettings};

    let mut adapters: Vec<Box<dyn Adapter>> = Vec::new();
    if let Some(token) = config.discord.resolve_token()? {
        let settings = DiscordSettings {
            dev_guild: config.discord.dev_guild,
            teacher_role: config.discord.teacher_role,
            shards: config.discord.shard_count()?,
            shard_range: config.discord.shard_range()?,
            read_messages: config.discord.read_messages,
        };
        let http = match config.discord.proxy_url()? {
            Some(proxy) => discord::http_via(token.expose(), proxy),
            None => discord::http(token.expose()),
        };
        let discord = Discord::connect(http, settings)
            .await
            .map_err(|error| anyhow::anyhow!(error))
            .context("could not connect to Discord")?;
        adapters.push(Box::new(discord));
    }
    if let Some(homeserver) = &config.matrix.homeserver {
        let data_dir = config.matrix.store.clone().unwrap_or_else(|| {
            crate::store::Database::from(database)
                .folder()
                .map_or_else(|| PathBuf::from("matrix"), |p| p.join("matrix"))
        });
        let settings = MatrixSettings {
            homeserver: homeserver.clone(),
            user: config
                .matrix
                .user
                .clone()
                .context("[matrix] user is not set (e.g. \"@lectern:example.org\")")?,
            password: config.matrix.resolve_password()?,
            data_dir,
            admin_power_level: config.matrix.admin_power_level,
            device_name: config.matrix.device_name.clone(),
        };
        let matrix = Matrix::connect(settings)
            .await
            .map_err(|error| anyhow::anyhow!(error))
            .with_context(|| format!("could not connect to Matrix at {homeserver}"))?;
        adapters.push(Box::new(matrix));
    }
    Ok(adapters)
}

/// `lectern serve`: every configured platform until SIGINT/SIGTERM.
pub async fn serve(
    config: &Config,
    pack: Pack,
    database: PathBuf,
    platforms: Vec<Box<dyn Adapter>>,
) -> anyhow::Result<()> {
    let settings = AppSettings {
        pack: Arc::new(pack),
        database,
        clock: Arc::new(SystemClock),
        bot: bot_settings(config),
    };
    let app = App::start(settings, platforms).await?;
    app.run_until(async {
        shutdown_signal().await;
        tracing::info!("shutting down: closing quizzes, keeping scores");
    })
    .await
}

/// `lectern chat`: the terminal, reading standard input until it ends.
/// Daily posts subscribed here appear while it is open; other platforms'
/// quizzes and posts in the same database are left alone.
pub async fn chat(
    config: &Config,
    pack: Pack,
    database: PathBuf,
    name: &str,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;

    use crate::platforms::console::{Style, Terminal, shared_writer};
    let out = shared_writer(std::io::stdout());
    let interactive = std::io::stdin().is_terminal();
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    let settings = AppSettings {
        pack: Arc::new(pack),
        database,
        clock: Arc::new(SystemClock),
        bot: BotSettings {
            // The terminal does not pause between rounds.
            pause_between_rounds: std::time::Duration::ZERO,
            ..bot_settings(config)
        },
    };
    let terminal = Terminal::new(out, Style::detect(), name, input, interactive);
    let app = App::start(settings, vec![Box::new(terminal)]).await?;
    app.run_until(shutdown_signal()).await
}

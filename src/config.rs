//! Configuration: one serde [`Config`], layered defaults -> `lectern.toml`
//! (or the file given with `--config`) -> `LECTERN_*` environment variables,
//! validated once at start-up. See `lectern.example.toml`.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Everything Lectern can be configured with.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The database: an SQLite file path (or `sqlite://path`), or a
    /// PostgreSQL URL (`postgres://user@host/db`) for several processes on
    /// one database. Default: `lectern.db` in the user's data folder.
    pub database: Option<PathBuf>,
    /// Content pack folder. Default: the pack bundled in the binary.
    pub pack: Option<PathBuf>,
    /// This process's name, recorded with each quiz it runs so a restart
    /// closes only its own quizzes. Processes sharing one database need
    /// distinct names. Default: "main".
    pub instance: Option<String>,
    #[serde(default)]
    pub quiz: QuizConfig,
    #[serde(default)]
    pub discord: DiscordConfig,
    #[serde(default)]
    pub matrix: MatrixConfig,
}

/// `[matrix]`: the Matrix bot. The password comes from
/// `LECTERN_MATRIX__PASSWORD` or `password_file`, and is needed only for the
/// first login (the session is saved in the data folder).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MatrixConfig {
    /// e.g. "https://matrix.example.org"; Matrix is off when unset.
    pub homeserver: Option<String>,
    /// e.g. "@lectern:example.org"
    pub user: Option<String>,
    #[serde(skip_serializing)]
    pub password: Option<Secret>,
    pub password_file: Option<PathBuf>,
    /// Where the session and stores live (default: `matrix/` beside the database).
    pub store: Option<PathBuf>,
    /// The command character.
    pub prefix: char,
    /// The room power level that counts as admin.
    pub admin_power_level: i64,
    pub device_name: String,
}

impl Default for MatrixConfig {
    fn default() -> Self {
        Self {
            homeserver: None,
            user: None,
            password: None,
            password_file: None,
            store: None,
            prefix: '!',
            admin_power_level: 50,
            device_name: "Lectern".into(),
        }
    }
}

impl MatrixConfig {
    /// The password from the environment, the config, or `password_file`.
    pub fn resolve_password(&self) -> Result<Option<Secret>, ConfigError> {
        if let Some(password) = &self.password {
            return Ok(Some(password.clone()));
        }
        if let Some(path) = &self.password_file {
            let password = std::fs::read_to_string(path)
                .map_err(|_| ConfigError::MissingFile(path.display().to_string()))?;
            return Ok(Some(Secret::new(password.trim_end_matches(['\n', '\r']))));
        }
        Ok(None)
    }
}

/// `[discord]`: the Discord bot. The token comes from `DISCORD_TOKEN`,
/// `LECTERN_DISCORD__TOKEN` or a file named by `token_file`, never from the
/// config file itself.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordConfig {
    #[serde(skip_serializing)]
    pub token: Option<Secret>,
    /// A file holding the token (e.g. a Docker secret).
    pub token_file: Option<PathBuf>,
    /// Register commands in this guild only (instant updates while developing).
    pub dev_guild: Option<u64>,
    /// A role id whose members may run admin commands (besides Manage Server).
    pub teacher_role: Option<u64>,
    /// "auto" (ask Discord) or a number of shards.
    pub shards: Option<String>,
    /// The shards this process runs, e.g. "0-3" (inclusive), when several
    /// processes share the bot's shards; needs `total_shards`.
    pub shard_range: Option<String>,
    /// Shards across every process, with `shard_range`.
    pub total_shards: Option<u32>,
    /// Read channel messages for typed-mode quizzes (needs the MESSAGE_CONTENT
    /// privileged intent switched on in the developer portal).
    pub read_messages: bool,
    /// Send every REST call to this URL instead of https://discord.com: an
    /// HTTP proxy shared by several processes (such as twilight-http-proxy,
    /// which keeps Discord's rate limits), or a test server. Serenity's own
    /// rate limiter is off then; Lectern waits out a 429 on its posts itself.
    pub proxy: Option<String>,
}

/// A secret whose `Debug` does not show it.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl DiscordConfig {
    /// The token: `DISCORD_TOKEN`, then `[discord] token` (environment only in
    /// practice), then `token_file`. `Ok(None)` when Discord is not configured.
    pub fn resolve_token(&self) -> Result<Option<Secret>, ConfigError> {
        if let Ok(token) = std::env::var("DISCORD_TOKEN")
            && !token.trim().is_empty()
        {
            return Ok(Some(Secret::new(token.trim())));
        }
        if let Some(token) = &self.token {
            return Ok(Some(token.clone()));
        }
        if let Some(path) = &self.token_file {
            let token = std::fs::read_to_string(path)
                .map_err(|_| ConfigError::MissingFile(path.display().to_string()))?;
            return Ok(Some(Secret::new(token.trim())));
        }
        Ok(None)
    }

    /// `proxy`, checked: an `http://` or `https://` URL.
    pub fn proxy_url(&self) -> Result<Option<&str>, ConfigError> {
        match self.proxy.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(Some(url.trim_end_matches('/')))
            }
            Some(url) => Err(ConfigError::Invalid(Box::new(figment::Error::from(
                format!("discord.proxy must be an http:// or https:// URL, not {url:?}"),
            )))),
        }
    }

    /// `shard_range` and `total_shards`: the shards this process runs (a
    /// range, end exclusive) out of how many, or `None` to run them all.
    pub fn shard_range(&self) -> Result<Option<(std::ops::Range<u32>, u32)>, ConfigError> {
        let invalid =
            |message: String| ConfigError::Invalid(Box::new(figment::Error::from(message)));
        let Some(text) = self.shard_range.as_deref().map(str::trim) else {
            return match self.total_shards {
                Some(_) => Err(invalid(
                    "discord.total_shards is set without discord.shard_range (e.g. shard_range = \"0-3\")"
                        .to_string(),
                )),
                None => Ok(None),
            };
        };
        let bounds = text
            .split_once('-')
            .and_then(|(a, b)| Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?)))
            .filter(|(first, last)| first <= last);
        let Some((first, last)) = bounds else {
            return Err(invalid(format!(
                "discord.shard_range must be FIRST-LAST with FIRST <= LAST (e.g. \"0-3\"), not {text:?}"
            )));
        };
        let Some(total) = self.total_shards.filter(|n| *n > 0) else {
            return Err(invalid(
                "discord.shard_range needs discord.total_shards: how many shards all processes run together"
                    .to_string(),
            ));
        };
        if last >= total {
            return Err(invalid(format!(
                "discord.shard_range {text:?} goes past discord.total_shards = {total} (shards are numbered 0 to {})",
                total - 1
            )));
        }
        if self.shard_count()?.is_some() {
            return Err(invalid(
                "set either discord.shards or discord.shard_range with discord.total_shards, not both".to_string(),
            ));
        }
        Ok(Some((first..last + 1, total)))
    }

    /// `shards`: `None` for "auto".
    pub fn shard_count(&self) -> Result<Option<u32>, ConfigError> {
        match self.shards.as_deref().map(str::trim) {
            None | Some("auto") | Some("") => Ok(None),
            Some(n) => n
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .map(Some)
                .ok_or_else(|| {
                    ConfigError::Invalid(Box::new(figment::Error::from(format!(
                        "discord.shards must be \"auto\" or a positive number, not {n:?}"
                    ))))
                }),
        }
    }
}

/// Quiz behaviour.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuizConfig {
    /// Seconds between a reveal and the next question on chat platforms.
    pub pause_seconds: u64,
}

impl Default for QuizConfig {
    fn default() -> Self {
        Self { pause_seconds: 3 }
    }
}

/// Configuration problems, shown at start-up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("the configuration file {0} does not exist")]
    MissingFile(String),
    #[error(
        "no data folder could be found for the database; set `database` in lectern.toml or LECTERN_DATABASE"
    )]
    NoDataFolder,
}

impl Config {
    /// Loads the layers. `file` is `--config`; without it `lectern.toml` in
    /// the current folder is read when present.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError::MissingFile(path.display().to_string()));
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("lectern.toml")),
        }
        figment = figment.merge(Env::prefixed("LECTERN_").split("__"));
        Ok(figment.extract().map_err(Box::new)?)
    }

    /// The database path: configured, or `lectern.db` in the data folder.
    pub fn database_path(&self) -> Result<PathBuf, ConfigError> {
        if let Some(path) = &self.database {
            return Ok(path.clone());
        }
        directories::ProjectDirs::from("", "", "lectern")
            .map(|dirs| dirs.data_dir().join("lectern.db"))
            .ok_or(ConfigError::NoDataFolder)
    }
}

#[cfg(test)]
// figment's Jail returns its own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {

    #[test]
    fn a_shard_range_is_checked_against_the_total() {
        let discord =
            |range: Option<&str>, total: Option<u32>, shards: Option<&str>| DiscordConfig {
                shard_range: range.map(String::from),
                total_shards: total,
                shards: shards.map(String::from),
                ..DiscordConfig::default()
            };
        assert_eq!(discord(None, None, None).shard_range().unwrap(), None);
        assert_eq!(
            discord(Some("0-3"), Some(8), Some("auto"))
                .shard_range()
                .unwrap(),
            Some((0..4, 8))
        );
        assert_eq!(
            discord(Some(" 4 - 7 "), Some(8), None)
                .shard_range()
                .unwrap(),
            Some((4..8, 8))
        );
        for (range, total, shards, error) in [
            (
                Some("4-8"),
                Some(8),
                None,
                "discord.shard_range \"4-8\" goes past discord.total_shards = 8 (shards are numbered 0 to 7)",
            ),
            (
                Some("3-1"),
                Some(8),
                None,
                "discord.shard_range must be FIRST-LAST with FIRST <= LAST (e.g. \"0-3\"), not \"3-1\"",
            ),
            (
                Some("0-3"),
                None,
                None,
                "discord.shard_range needs discord.total_shards: how many shards all processes run together",
            ),
            (
                None,
                Some(8),
                None,
                "discord.total_shards is set without discord.shard_range (e.g. shard_range = \"0-3\")",
            ),
            (
                Some("0-3"),
                Some(8),
                Some("2"),
                "set either discord.shards or discord.shard_range with discord.total_shards, not both",
            ),
        ] {
            let message = discord(range, total, shards)
                .shard_range()
                .unwrap_err()
                .to_string();
            assert!(message.contains(error), "{message}");
        }
    }
    use super::*;

    #[test]
    fn layers_file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "lectern.toml",
                "database = \"from-file.db\"\n[quiz]\npause_seconds = 1\n",
            )?;
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.database, Some(PathBuf::from("from-file.db")));
            assert_eq!(config.quiz.pause_seconds, 1);
            jail.set_env("LECTERN_DATABASE", "from-env.db");
            jail.set_env("LECTERN_DISCORD__TOKEN", "secret-token");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.database, Some(PathBuf::from("from-env.db")));
            let token = config.discord.token.clone().unwrap();
            assert_eq!(token.expose(), "secret-token");
            assert!(
                !format!("{config:?}").contains("secret-token"),
                "secrets never print"
            );
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("lectern.toml", "databse = \"typo.db\"\n")?;
            let error = Config::load(None).unwrap_err().to_string();
            assert!(error.contains("databse"), "{error}");
            Ok(())
        });
    }
}

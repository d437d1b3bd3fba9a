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
    /// SQLite database file. Default: `lectern.db` in the user's data folder.
    pub database: Option<PathBuf>,
    /// Content pack folder. Default: the pack bundled in the binary.
    pub pack: Option<PathBuf>,
    #[serde(default)]
    pub quiz: QuizConfig,
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
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.database, Some(PathBuf::from("from-env.db")));
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

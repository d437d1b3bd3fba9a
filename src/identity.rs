//! Who and where: platform-neutral identities shared by the bot core and the
//! store. A user is (platform, platform user id); scores live in a scope (a
//! Discord guild, a Matrix room, the terminal); messages go to a channel.

use std::fmt;

/// The chat platform a user or channel belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Console,
    Discord,
    Matrix,
}

impl Platform {
    pub fn as_str(&self) -> &'static str {
        match self {
            Platform::Console => "console",
            Platform::Discord => "discord",
            Platform::Matrix => "matrix",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person on one platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserRef {
    pub platform: Platform,
    /// The platform's stable id (Discord snowflake, Matrix user id, ...).
    pub id: String,
    /// How to show them; never rendered as a mention.
    pub display_name: String,
}

impl UserRef {
    pub fn new(platform: Platform, id: impl Into<String>, display_name: impl Into<String>) -> Self {
        Self {
            platform,
            id: id.into(),
            display_name: display_name.into(),
        }
    }
}

/// Where scores are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopeRef {
    pub platform: Platform,
    pub id: String,
}

impl ScopeRef {
    pub fn new(platform: Platform, id: impl Into<String>) -> Self {
        Self {
            platform,
            id: id.into(),
        }
    }
}

/// Where messages are posted: a channel inside a scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelRef {
    pub scope: ScopeRef,
    pub id: String,
}

impl ChannelRef {
    pub fn new(scope: ScopeRef, id: impl Into<String>) -> Self {
        Self {
            scope,
            id: id.into(),
        }
    }
}

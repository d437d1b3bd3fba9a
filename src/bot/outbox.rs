//! The one door to the outside world that the bot core uses on its own
//! initiative (quiz rounds, reveals, daily posts). Each platform implements
//! [`Outbox`]; tests use a recording one.

use async_trait::async_trait;

use crate::identity::ChannelRef;

use super::reply::Message;

/// A platform's handle to a posted message, so it can be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedMessage(pub String);

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The channel is gone or the bot may not post there: do not retry.
    #[error("the channel is gone or forbids posting: {0}")]
    Gone(String),
    /// Anything else (network, rate limit...): may be retried.
    #[error("sending failed: {0}")]
    Failed(String),
}

/// Posts and edits messages on a platform.
#[async_trait]
pub trait Outbox: Send + Sync {
    async fn post(
        &self,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError>;

    async fn edit(
        &self,
        channel: &ChannelRef,
        posted: &PostedMessage,
        message: &Message,
    ) -> Result<(), SendError>;

    /// Returns once the platform is connected and posts can go out (a
    /// gateway or sync that is still starting); at once by default.
    async fn connected(&self) {}

    /// Whether edits are shown (the terminal cannot rewrite old lines, so it
    /// gets no countdown edits).
    fn can_edit(&self) -> bool {
        true
    }
}

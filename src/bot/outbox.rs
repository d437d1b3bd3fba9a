//! The one door to the outside world that the bot core uses on its own
//! initiative (quiz rounds, reveals, daily posts). Each platform implements
//! [`Outbox`]; tests use a recording one.

use async_trait::async_trait;

use crate::identity::{ChannelRef, UserRef};

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

    /// Posts `message` so that sending it again with the same `nonce` does
    /// not post it twice: Discord returns the first message for an
    /// enforced nonce seen in the last few minutes, and a Matrix homeserver
    /// the first event for a transaction id it has seen. Daily posts go
    /// out this way, so a retry or a re-send after a crash is dropped when
    /// the first attempt had arrived. Platforms without such a key just post.
    async fn post_once(
        &self,
        channel: &ChannelRef,
        message: &Message,
        nonce: &str,
    ) -> Result<PostedMessage, SendError> {
        let _ = nonce;
        self.post(channel, message).await
    }

    /// Posts `message` to `user` alone where the platform can (a Discord
    /// direct message, a Matrix direct-message room), else in `channel`
    /// (the terminal, which is the user's own). The daily review reminder
    /// goes out this way.
    async fn post_private(
        &self,
        user: &UserRef,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        let _ = user;
        self.post(channel, message).await
    }

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

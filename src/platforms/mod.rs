//! Platform adapters: translate a platform's events into bot commands and
//! render the bot's messages the platform's way. No business rule lives
//! here, and no background work starts here: the [`App`](crate::app::App)
//! recovers quizzes, runs the one daily scheduler and stops everything.

pub mod console;
pub mod discord;
pub mod matrix;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::watch;

use crate::bot::{Bot, Message, Outbox, PostedMessage, SendError};
use crate::identity::{ChannelRef, Platform, UserRef};

/// A chat platform as the app runs it: where the bot's own posts go, and a
/// task that connects, turns events into commands and renders replies.
#[async_trait]
pub trait Adapter: Send {
    /// The platform served.
    fn platform(&self) -> Platform;

    /// Where the bot's own posts (quiz rounds, daily posts) to this platform go.
    fn outbox(&self) -> Arc<dyn Outbox>;

    /// Serves `bot` until `shutdown` turns true (the terminal also ends
    /// when its input does). Starts no scheduler and recovers nothing.
    async fn run(self: Box<Self>, bot: Bot, shutdown: watch::Receiver<bool>) -> anyhow::Result<()>;
}

/// One outbox for a bot serving several platforms: each message goes to
/// the outbox of its channel's platform.
#[derive(Default)]
pub struct RoutedOutbox {
    routes: HashMap<Platform, Arc<dyn Outbox>>,
}

impl RoutedOutbox {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn route(mut self, platform: Platform, outbox: Arc<dyn Outbox>) -> Self {
        self.routes.insert(platform, outbox);
        self
    }

    fn outbox(&self, channel: &ChannelRef) -> Result<&Arc<dyn Outbox>, SendError> {
        self.routes.get(&channel.scope.platform).ok_or_else(|| {
            SendError::Gone(format!(
                "{} is not served by this process",
                channel.scope.platform
            ))
        })
    }
}

#[async_trait]
impl Outbox for RoutedOutbox {
    async fn post(
        &self,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        self.outbox(channel)?.post(channel, message).await
    }

    async fn post_once(
        &self,
        channel: &ChannelRef,
        message: &Message,
        nonce: &str,
    ) -> Result<PostedMessage, SendError> {
        self.outbox(channel)?
            .post_once(channel, message, nonce)
            .await
    }

    async fn post_private(
        &self,
        user: &UserRef,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        self.outbox(channel)?
            .post_private(user, channel, message)
            .await
    }

    /// Every platform is connected.
    async fn connected(&self) {
        for outbox in self.routes.values() {
            outbox.connected().await;
        }
    }

    async fn edit(
        &self,
        channel: &ChannelRef,
        posted: &PostedMessage,
        message: &Message,
    ) -> Result<(), SendError> {
        let outbox = self.outbox(channel)?;
        if outbox.can_edit() {
            outbox.edit(channel, posted, message).await
        } else {
            Ok(())
        }
    }
}

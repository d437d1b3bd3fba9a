//! Seasons: an admin starts the next one; the channel is told, with the
//! closing season's top three. The season leaderboard counts answers from
//! the season's start; `/score` and `/leaderboard all` keep all time.

use super::reply::{Message, escape};
use super::{Bot, BotError, Origin};

impl Bot {
    /// `/season new` (admins): starts the next season and announces it.
    pub(crate) async fn season_new(&self, origin: &Origin) -> Result<Vec<Message>, BotError> {
        let p = self.prefix(origin.channel.scope.platform);
        if !origin.is_admin {
            return Err(BotError::User(
                "Only an admin or teacher can start a new season.".into(),
            ));
        }
        let store = &self.inner.store;
        let scope = origin.scope();
        let closing = store.current_season(scope).await?;
        let since = closing.map(|season| season.started_at);
        let top = store.leaderboard(scope, since, 3).await?;
        let season = store
            .start_season(scope, &origin.user, self.inner.clock.now())
            .await?;
        let mut body = format!(
            "{} started season {}. The season leaderboard starts empty; all-time totals are kept ({p}leaderboard all, {p}score).",
            escape(&origin.user.display_name),
            season.number
        );
        if !top.is_empty() {
            let closing_name = closing.map_or_else(
                || "Before this season".to_string(),
                |s| format!("Season {} ended", s.number),
            );
            let podium: Vec<String> = top
                .iter()
                .enumerate()
                .map(|(rank, row)| {
                    format!(
                        "{}. {} — {} points",
                        rank + 1,
                        escape(&row.display_name),
                        row.points
                    )
                })
                .collect();
            body.push_str(&format!("\n\n{closing_name}:\n{}", podium.join("\n")));
        }
        Ok(vec![Message::titled(
            format!("Season {} starts now", season.number),
            body,
        )])
    }

    /// `/season`: the current season and when it started.
    pub(crate) async fn season_status(&self, origin: &Origin) -> Result<Vec<Message>, BotError> {
        let p = self.prefix(origin.channel.scope.platform);
        let text = match self.inner.store.current_season(origin.scope()).await? {
            Some(season) => format!(
                "Season {} started {} UTC. {p}leaderboard shows the season, {p}leaderboard all all time.",
                season.number,
                season.started_at.format("%Y-%m-%d %H:%M")
            ),
            None => format!(
                "No season has been started here, so {p}leaderboard counts all time. An admin starts one with {p}season new."
            ),
        };
        Ok(vec![Message::text(text)])
    }
}

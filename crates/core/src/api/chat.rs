//! Chat (Matrix): rooms, writing, history, joining and muting.

use super::{ApiResult, Satu};
use crate::dto;
use crate::matrix;

impl Satu {
    /// The rooms and direct chats of every Matrix account (or just `account`), most recently
    /// active first.
    pub fn chat_rooms(&self, account: Option<i64>) -> ApiResult<Vec<dto::ChatRoom>> {
        if let Some(id) = account {
            self.ctx.store().account(id)?;
        }
        Ok(self
            .ctx
            .store()
            .chat_rooms(account)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Writes `text` to `room` (number, id or name), as a reply to chat item `reply_to` when
    /// given. The message is in the timeline at once and queued with its transaction id, then
    /// sent (for at most 10 s here; offline it stays queued and the live loop or the next
    /// `satu sync` sends it, never twice).
    pub async fn chat_send(
        &self,
        room: &str,
        text: &str,
        reply_to: Option<i64>,
    ) -> ApiResult<dto::Item> {
        matrix::room::write(&self.ctx, room, text, reply_to).await
    }

    /// Sends a message that failed for good again (its transaction id stays the same).
    pub async fn chat_retry(&self, id: i64) -> ApiResult<dto::Item> {
        matrix::room::retry(&self.ctx, id).await
    }

    /// Loads up to `pages` pages (100 events each) of older history of `room`.
    pub async fn chat_history(&self, room: &str, pages: u32) -> ApiResult<dto::HistoryReport> {
        let room = matrix::room::find(self.ctx.store(), room)?;
        let account = self.ctx.store().account(room.account_id)?;
        let (stored, complete) =
            matrix::load_history(&self.ctx, &account, room.id, pages.max(1) as usize).await?;
        Ok(dto::HistoryReport {
            room: room.id,
            stored,
            complete,
        })
    }

    /// Mutes (or unmutes) the notifications of `room`.
    pub fn set_room_muted(&self, room: &str, muted: bool) -> ApiResult<dto::ChatRoom> {
        let room = matrix::room::find(self.ctx.store(), room)?;
        self.ctx
            .store()
            .write(|tx| tx.set_room_muted(room.id, muted))?;
        Ok(matrix::room::find(self.ctx.store(), &room.id.to_string())?.into())
    }

    /// Joins `room` (accepting its invitation), then syncs the account.
    pub async fn chat_join(&self, room: &str) -> ApiResult<dto::ChatRoom> {
        matrix::room::join(&self.ctx, room).await
    }
}

//! Sending: the outbox (queue, undo, send later, retry), drafts, replies and forwards.

use super::{ApiResult, Satu};
use crate::dto;
use crate::send;

impl Satu {
    /// At most `limit` addresses completing `text` (the start of an address or of a word of the
    /// name), the ones the user writes to most and most lately first.
    pub fn contacts(&self, text: &str, limit: u32) -> ApiResult<Vec<dto::Contact>> {
        crate::contacts::complete(self.ctx.store(), text, limit)
    }

    /// The addresses account `account` sends from: its own first, then its aliases, each with
    /// its name and signature.
    pub fn identities(&self, account: i64) -> ApiResult<Vec<dto::Identity>> {
        send::identity::list(self.ctx.store(), account)
    }

    /// Adds an alias to account `account` (or changes an identity's name and signature).
    /// Returns every identity.
    pub fn set_identity(
        &self,
        account: i64,
        input: &dto::IdentityInput,
    ) -> ApiResult<Vec<dto::Identity>> {
        send::identity::set(self.ctx.store(), account, input)
    }

    /// Removes an alias (the account's own address: its name and signature). Returns every
    /// identity.
    pub fn remove_identity(&self, account: i64, address: &str) -> ApiResult<Vec<dto::Identity>> {
        send::identity::remove(self.ctx.store(), account, address)
    }

    /// Queues a message and, when it is due at once, sends it (for at most PUSH_NOW_TIMEOUT;
    /// offline it stays queued and goes out when the server answers). Returns its outbox entry;
    /// a message the server refused (a recipient, the login) is an error saying why, and stays
    /// in the outbox as failed.
    pub async fn send(&self, input: &dto::SendInput) -> ApiResult<dto::OutboxEntry> {
        send::queue::queue(&self.ctx, input).await
    }

    /// Saves a draft as the user types: a new one (`draft.id` null) or a new revision. Its
    /// latest revision goes to the Drafts folder once typing has paused (and the server
    /// answers). Returns it with its id.
    pub fn save_draft(&self, draft: &dto::Draft) -> ApiResult<dto::Draft> {
        send::queue::save_draft(&self.ctx, draft)
    }

    /// The drafts being written, newest first.
    pub fn drafts(&self) -> ApiResult<Vec<dto::Draft>> {
        Ok(self
            .ctx
            .store()
            .drafts()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Discards a draft (its copy leaves the Drafts folder too).
    pub fn delete_draft(&self, id: i64) -> ApiResult<()> {
        self.ctx.store().write(|tx| tx.delete_draft(id))?;
        self.ctx.outbox_changed();
        Ok(())
    }

    /// The outbox, newest first: queued, sending, sent and failed messages.
    pub fn outbox(&self) -> ApiResult<Vec<dto::OutboxEntry>> {
        Ok(self
            .ctx
            .store()
            .outbox()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Undo send: takes back a queued message that has not started going out (or a failed
    /// one). An error when it is too late.
    pub fn cancel_send(&self, id: i64) -> ApiResult<dto::OutboxEntry> {
        send::queue::cancel(&self.ctx, id)
    }

    /// Edit: takes a message back from the outbox (like undo send; a failed one too) and
    /// returns its content as a draft to change and send again.
    pub fn edit_send(&self, id: i64) -> ApiResult<dto::Draft> {
        send::prefill::edit(&self.ctx, id)
    }

    /// Retries a failed message now. A message the server may already have is looked for in
    /// Sent first, unless `resend`: then it goes out again whatever (the user's choice).
    pub async fn retry_send(&self, id: i64, resend: bool) -> ApiResult<dto::OutboxEntry> {
        send::queue::retry(&self.ctx, id, resend).await
    }

    /// Sends every queued message that is due (offline: nothing changes). Returns the outbox.
    pub async fn flush_outbox(&self) -> ApiResult<Vec<dto::OutboxEntry>> {
        send::flush(&self.ctx, None).await?;
        self.outbox()
    }

    /// A reply to mail `id`, ready to edit: to its sender (Reply-To first), with `all` also to
    /// everyone else it was addressed to (never to the account itself), "Re:" and the quote under
    /// `header`, the attribution line in the user's language ("On DATE, NAME wrote:" in English
    /// when `None`).
    pub fn reply_draft(&self, id: i64, all: bool, header: Option<&str>) -> ApiResult<dto::Draft> {
        send::prefill::reply(self.ctx.store(), id, all, header)
    }

    /// A forward of mail `id`, ready to edit: "Fwd:", the original's headers and text; its
    /// attachments go along when sent with `forward_of`.
    pub fn forward_draft(&self, id: i64) -> ApiResult<dto::Draft> {
        send::prefill::forward(self.ctx.store(), id)
    }

    /// A new message as a `mailto:` link asks for (addresses, subject, body; nothing else a link
    /// says), from the first mail account; not saved until edited.
    pub fn mailto_draft(&self, url: &str) -> ApiResult<dto::Draft> {
        crate::send::prefill::mailto(self.ctx.store(), url)
    }
}

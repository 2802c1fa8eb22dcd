//! Mail: marking, moving, deleting (applied here at once, queued for the server), the queue of
//! server operations, folders, attachments, remote content and links.
//!
//! Each action applies locally at once, with its server operation queued in the same
//! transaction, then tries to push it (for at most [`crate::context::PUSH_NOW_TIMEOUT`]);
//! offline it simply stays queued.

use std::path::PathBuf;

use satu_store::{FolderRole, ItemKind};

use super::{ApiResult, LinkDecision, Satu};
use crate::actions::{self, Deleted, Target};
use crate::dto::{self, ActionReport};

use crate::{attachments, links, matrix, replay, settings, snooze, sync};

impl Satu {
    /// Snoozes mail `id` and its conversation: it leaves the Inbox until `until` (`later`,
    /// `tomorrow`, `next-week`, a day or an RFC 3339 time), then comes back to its top, unread.
    pub fn snooze(&self, id: i64, until: &str) -> ApiResult<dto::Item> {
        snooze::snooze(&self.ctx, id, until)?;
        Ok(self.ctx.store().item_row(id)?.into())
    }

    /// Brings a snoozed conversation back to the Inbox now, as it was.
    pub fn unsnooze(&self, id: i64) -> ApiResult<dto::Item> {
        snooze::unsnooze(&self.ctx, id)?;
        Ok(self.ctx.store().item_row(id)?.into())
    }

    /// The times offered to snooze until, from now (local time).
    pub fn snooze_times(&self) -> Vec<dto::SnoozeTime> {
        snooze::offered()
    }

    /// Wakes snoozed conversations as their time comes, until `cancel` fires (the app and
    /// `satu watch` run it; whether the sync runs or not).
    pub async fn follow_snoozes(&self, cancel: super::CancellationToken) {
        snooze::follow(self.ctx.clone(), cancel).await;
    }

    /// Leaves the mailing list mail `id` came from: one click (an HTTPS POST, RFC 8058) when a
    /// verified DKIM signature covers its unsubscribe headers, else a message through the
    /// outbox, else the list's page in the browser. `ca_file`: an extra CA for the request.
    pub async fn unsubscribe(
        &self,
        id: i64,
        ca_file: Option<&std::path::Path>,
    ) -> ApiResult<dto::Unsubscribed> {
        crate::unsubscribe::unsubscribe(&self.ctx, id, ca_file).await
    }

    /// Prints mail `id`: a page of its own (header in the words of `labels`, English when
    /// `None`), handed to the system's browser, which prints it. Returns the page's path.
    pub fn print(&self, id: i64, labels: Option<&dto::PrintLabels>) -> ApiResult<PathBuf> {
        crate::print::print(&self.ctx, id, labels)
    }

    /// The page [`Satu::print`] writes, for saving elsewhere.
    pub fn print_page(&self, id: i64, labels: Option<&dto::PrintLabels>) -> ApiResult<String> {
        crate::print::page_of(&self.ctx, id, labels)
    }

    /// Marks an item read/unread and/or flagged/unflagged.
    pub async fn mark(
        &self,
        id: i64,
        unread: Option<bool>,
        flagged: Option<bool>,
    ) -> ApiResult<ActionReport> {
        let store = self.ctx.store();
        let changed = actions::mark(store, id, unread, flagged)?;
        let row = store.item_row(id)?;
        if row.kind == ItemKind::Chat {
            // The room's read marker moved here: tell the homeserver now when it answers.
            let account = store.account(row.account_id)?;
            self.ctx.chat_wake.notify_waiters();
            matrix::room::push_now(&self.ctx, &account).await;
            let pending = store.read_markers_to_push(account.id)?.len() as u64;
            return Ok(ActionReport {
                id,
                changed,
                folder: None,
                deleted: false,
                pushed: pending == 0,
                pending,
            });
        }
        replay::report(&self.ctx, row.account_id, id, changed, None, false).await
    }

    /// Moves a mail item to the folder `folder` of its account.
    pub async fn move_item(&self, id: i64, folder: &str) -> ApiResult<ActionReport> {
        let account = self.ctx.store().item_row(id)?.account_id;
        let folder = actions::move_item(self.ctx.store(), id, &Target::Named(folder.to_owned()))?;
        replay::report(&self.ctx, account, id, true, Some(folder), false).await
    }

    /// Moves a mail item to its account's Archive folder.
    pub async fn archive(&self, id: i64) -> ApiResult<ActionReport> {
        let account = self.ctx.store().item_row(id)?.account_id;
        let target = Target::Role(FolderRole::Archive);
        let folder = actions::move_item(self.ctx.store(), id, &target)?;
        replay::report(&self.ctx, account, id, true, Some(folder), false).await
    }

    /// Deletes a mail item: to the Trash, or for good if it is in the Trash already.
    pub async fn delete(&self, id: i64) -> ApiResult<ActionReport> {
        let account = self.ctx.store().item_row(id)?.account_id;
        let (folder, deleted) = match actions::delete(self.ctx.store(), id)? {
            Deleted::ToTrash(folder) => (Some(folder), false),
            Deleted::ForGood => (None, true),
        };
        replay::report(&self.ctx, account, id, true, folder, deleted).await
    }

    /// Every queued operation (pending or wedged), oldest first.
    pub fn ops(&self) -> ApiResult<Vec<dto::PendingOp>> {
        Ok(self
            .ctx
            .store()
            .ops()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Retries a queued operation (a wedged one included) now: it is rescheduled and the
    /// account's queue pushed (for at most 10 s; offline it stays queued). Returns how many
    /// operations the server took.
    pub async fn retry_op(&self, id: i64) -> ApiResult<u64> {
        replay::retry(&self.ctx, id).await
    }

    /// The folders of one account, or of every account: INBOX first, then by name.
    pub fn folders(&self, account: Option<i64>) -> ApiResult<Vec<dto::Folder>> {
        let accounts = match account {
            Some(id) => vec![self.ctx.store().account(id)?],
            None => self.ctx.store().accounts()?,
        };
        let mut folders = Vec::new();
        for account in accounts {
            folders.extend(
                self.ctx
                    .store()
                    .folders(account.id)?
                    .into_iter()
                    .map(Into::into),
            );
        }
        Ok(folders)
    }

    /// Chooses whether the live sync pushes `folder` (IMAP IDLE on a connection of its own, so
    /// its changes arrive within about a second instead of at the next full pass), in one account
    /// or in every account that has it. INBOX is always pushed. Returns the folders changed; a
    /// running `satu watch` or app picks the choice up within about 10 s.
    pub fn set_folder_push(
        &self,
        account: Option<i64>,
        folder: &str,
        push: bool,
    ) -> ApiResult<Vec<dto::Folder>> {
        sync::set_folder_push(self.ctx.store(), account, folder, push)
    }

    /// Chooses how many days of message bodies an account keeps offline (`folder: None`), or one
    /// of its folders (`days: None`: every body; for a folder, as the account says). Older mail
    /// is kept with its header only: listed and found by subject and sender, its body downloaded
    /// on open and searched on the server. Bodies the choice no longer keeps are dropped now.
    /// Returns the account's folders.
    pub fn set_offline_days(
        &self,
        account: i64,
        folder: Option<&str>,
        days: Option<u32>,
    ) -> ApiResult<Vec<dto::Folder>> {
        crate::offline::set_days(self.ctx.store(), account, folder, days)
    }

    /// Attachment `index` (0-based, as `show` lists them) of an item: its metadata and bytes,
    /// decoded again from the original message (which is stored whole).
    pub fn attachment(&self, id: i64, index: u32) -> ApiResult<(dto::Attachment, Vec<u8>)> {
        let (info, content) = attachments::get(self.ctx.store(), id, index)?;
        // Handed out whole (the CLI writes it where it was told): a disclosure.
        crate::audit::record_now(
            self.ctx.store(),
            "attachment.save",
            None,
            Some(id),
            serde_json::json!({ "index": index, "name": info.name }),
        )?;
        Ok((info, content))
    }

    /// Opens attachment `index` of item `id` with the system's application for its type: the
    /// bytes are decoded from the original message into a private folder of the data directory
    /// (`opened/`), then handed over. Programs and scripts are refused (save them with
    /// [`Satu::attachment`] and check them first). Returns the file's path.
    pub fn open_attachment(&self, id: i64, index: u32) -> ApiResult<PathBuf> {
        attachments::open(&self.ctx, id, index)
    }

    /// Saves attachment `index` of item `id` (every attachment when `None`) into `dir` (the
    /// Downloads folder when `None`; `SATU_DOWNLOAD_DIR` changes it), never over an existing
    /// file, each marked as coming from mail. Returns the paths written.
    pub fn save_attachments(
        &self,
        id: i64,
        index: Option<u32>,
        dir: Option<&std::path::Path>,
    ) -> ApiResult<Vec<PathBuf>> {
        attachments::save(&self.ctx, id, index, dir)
    }

    /// Lets mail from `address` load remote content (images) without asking, or asks again
    /// (`allowed` false). Returns every sender allowed.
    pub fn set_remote_content(&self, address: &str, allowed: bool) -> ApiResult<Vec<String>> {
        settings::set_remote_content(self.ctx.store(), address, allowed)?;
        self.remote_content_senders()
    }

    /// The senders whose mail loads remote content without asking.
    pub fn remote_content_senders(&self) -> ApiResult<Vec<String>> {
        Ok(self.ctx.store().remote_content_senders()?)
    }

    /// A link clicked in mail: opened in the system's browser (or mail handler) when it is an
    /// ordinary `http`, `https` or `mailto` link, or a look-alike one the user `confirmed`;
    /// returned unopened when it needs confirming; refused when it is anything else. Never
    /// opened inside the app.
    pub fn open_link(&self, url: &str, confirmed: bool) -> ApiResult<LinkDecision> {
        links::open(url, confirmed)
    }
}

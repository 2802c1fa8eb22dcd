//! The timeline: pages of a view, search, one item, a conversation, counts and the change feed.

use std::time::Duration;

use super::{ApiResult, CancellationToken, Satu};
use crate::dto::{self, ChangeEvent, SearchQuery, TimelineQuery, ViewDiffs, ViewPage, ViewQuery};
use crate::error::ApiError;
use crate::timeline;
use crate::timeline::view::Views;

/// How long a view waits after a change for the rest of its burst.
const VIEW_SETTLE: Duration = Duration::from_millis(30);

impl Satu {
    /// A page of the timeline, newest first.
    pub fn timeline(&self, query: &TimelineQuery) -> ApiResult<Vec<dto::Item>> {
        timeline::page(self.ctx.store(), query)
    }

    /// Full-text search over every item, newest first.
    pub fn search(&self, query: &SearchQuery) -> ApiResult<Vec<dto::Item>> {
        timeline::search(self.ctx.store(), query)
    }

    /// The servers' search for what is not here (selective offline: mail kept with its header
    /// only): the stored items whose bodies on the server hold every word, newest first. Empty
    /// when every body is here. Local mail is found by [`Satu::search`].
    pub async fn search_server(&self, query: &SearchQuery) -> ApiResult<Vec<dto::Item>> {
        let limit = timeline::limit(query.limit);
        match tokio::time::timeout(
            crate::offline::SERVER_SEARCH_TIMEOUT,
            crate::offline::search_server(&self.ctx, &query.text, limit),
        )
        .await
        {
            Ok(found) => found,
            Err(_) => Err(ApiError::new(
                crate::error::ErrorCode::Unreachable,
                "The server did not answer the search in time",
            )),
        }
    }

    /// Downloads the body of mail `id` when only its header is here (older than its folder
    /// keeps offline), stores it, and returns the item with its content.
    pub async fn download_message(&self, id: i64) -> ApiResult<dto::ItemDetail> {
        self.download_message_with_progress(id, |_| {}).await
    }

    /// [`Satu::download_message`], saying how far it is after each part
    /// ([`dto::DownloadProgress`]; a large message comes in parts of 256 KiB).
    pub async fn download_message_with_progress(
        &self,
        id: i64,
        progress: impl Fn(dto::DownloadProgress) + Send + Sync,
    ) -> ApiResult<dto::ItemDetail> {
        crate::offline::download(&self.ctx, id, &progress).await?;
        self.show(id)
    }

    /// How many stored items wait for the full-text index (search finds them by title and
    /// sender until they are in).
    pub fn index_status(&self) -> ApiResult<dto::IndexReport> {
        crate::search_index::status(self.ctx.store())
    }

    /// Indexes every item that waits, now (`satu index --wait`); `progress` hears after each
    /// chunk. Safe beside a running app, whose indexer takes other chunks.
    pub async fn index_wait(
        &self,
        progress: impl Fn(dto::IndexReport) + Send + Sync + 'static,
    ) -> ApiResult<dto::IndexReport> {
        let store = self.ctx.store().clone();
        tokio::task::spawn_blocking(move || crate::search_index::until_done(&store, &progress))
            .await
            .map_err(|e| ApiError::internal(format!("The indexer's thread failed: {e}")))?
    }

    /// One timeline item without its content (what a change event points at).
    pub fn item(&self, id: i64) -> ApiResult<dto::Item> {
        Ok(self.ctx.store().item_row(id)?.into())
    }

    /// One item with its content.
    pub fn show(&self, id: i64) -> ApiResult<dto::ItemDetail> {
        timeline::detail(self.ctx.store(), self.ctx.store().item(id)?)
    }

    /// The conversation of item `id`: every item of its thread, oldest first, with content
    /// (just the item when it stands alone). Mail from every folder is included, the user's own
    /// replies in Sent too.
    pub fn thread(&self, id: i64) -> ApiResult<Vec<dto::ItemDetail>> {
        timeline::thread(self.ctx.store(), id)
    }

    /// Unread, flagged and open-task counts: totals over the unified timeline, per account and
    /// per folder.
    pub fn counts(&self) -> ApiResult<dto::Counts> {
        timeline::counts(self.ctx.store())
    }

    /// The newest change's position; pass it to [`Satu::changes_since`] to get later ones.
    pub fn change_cursor(&self) -> ApiResult<i64> {
        Ok(self.ctx.store().latest_change_seq()?)
    }

    /// Changes after `cursor` (made by any process), oldest first, with the new cursor.
    pub fn changes_since(&self, cursor: i64) -> ApiResult<(Vec<ChangeEvent>, i64)> {
        let changes = self.ctx.store().changes_since(cursor, 10_000)?;
        let next = changes.last().map_or(cursor, |c| c.seq);
        Ok((changes.into_iter().map(Into::into).collect(), next))
    }

    /// Calls `on_change` for every change committed from now on, by this process or any other,
    /// until `cancel` fires. In-process changes arrive at once; other processes' within `poll`.
    pub async fn follow_changes(
        &self,
        cancel: CancellationToken,
        poll: Duration,
        mut on_change: impl FnMut(ChangeEvent),
    ) -> ApiResult<()> {
        let mut cursor = self.change_cursor()?;
        let mut live = self.ctx.store().subscribe();
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                _ = live.recv() => {}
                _ = tokio::time::sleep(poll) => {}
            }
            let (changes, next) = self.changes_since(cursor)?;
            cursor = next;
            changes.into_iter().for_each(&mut on_change);
        }
    }

    /// Opens a live view of the timeline: its first page now; after that, whenever the store
    /// changes, [`Satu::follow_views`] hears the diffs that keep it right (in this process:
    /// the views are this handle's).
    pub fn open_view(&self, query: ViewQuery) -> ApiResult<ViewPage> {
        self.views()?.open(self.ctx.store(), query)
    }

    /// Loads `rows` more (older) rows of view `view`: the batch of diffs that adds them (it
    /// also says whether the view is complete now). Apply it in version order with those
    /// [`Satu::follow_views`] hears.
    pub fn view_more(&self, view: u64, rows: u32) -> ApiResult<Option<ViewDiffs>> {
        self.views()?.more(self.ctx.store(), view, rows)
    }

    /// Closes view `view` (its diffs stop).
    pub fn close_view(&self, view: u64) -> ApiResult<()> {
        self.views()?.close(view);
        Ok(())
    }

    /// Calls `on_diffs` with the diffs of every open view that a change to the store (by this
    /// process or any other) changed, until `cancel` fires. Changes of this process are seen
    /// at once, other processes' within `poll`; a burst of changes (a sync storing a batch)
    /// makes one read of each view.
    pub async fn follow_views(
        &self,
        cancel: CancellationToken,
        poll: Duration,
        mut on_diffs: impl FnMut(ViewDiffs),
    ) -> ApiResult<()> {
        let store = self.ctx.store();
        let mut seen = store.latest_change_seq()?;
        let mut live = store.subscribe();
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                _ = live.recv() => {}
                _ = tokio::time::sleep(poll) => {}
            }
            // Let the rest of a burst land first.
            tokio::time::sleep(VIEW_SETTLE).await;
            let latest = store.latest_change_seq()?;
            if latest == seen {
                continue;
            }
            seen = latest;
            let batches = self.views()?.refresh(store);
            batches.into_iter().for_each(&mut on_diffs);
        }
    }

    pub(super) fn views(&self) -> ApiResult<std::sync::MutexGuard<'_, Views>> {
        self.views
            .lock()
            .map_err(|_| ApiError::internal("The open views were left broken by a crash"))
    }
}

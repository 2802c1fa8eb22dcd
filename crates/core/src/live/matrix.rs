//! The live loop of a Matrix account: a long-poll `/sync` that is always waiting on the
//! homeserver (a message from anyone is stored as soon as the server hands it over), and beside
//! it a pusher that sends queued messages and read markers as soon as they are written here
//! (woken by [`crate::Satu`]'s `chat_wake`, and every `ops_poll` for what another process
//! queued). A failure of the sync ends the connection; the account goes offline and is tried
//! again with the same backoff as mail.

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use satu_store::{Account, Setting};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{cancellable, retrying, LiveOptions, Reporter};
use crate::context::Context;
use crate::dto::{LiveMode, LiveState};
use crate::matrix::{client, flush, sync_once};
use crate::notify;

/// How long one `/sync` waits for news on the server.
const LONG_POLL: Duration = Duration::from_secs(30);

pub(crate) struct ChatLoop {
    pub ctx: Context,
    pub account: Account,
    pub options: LiveOptions,
    pub status: Reporter,
    /// When the live sync started (Unix ms): messages sent before waited for Satu to run.
    pub started_ms: i64,
    /// How far the server's clock is ahead of ours (ms), as read after each login: the
    /// correction its delivery delays take.
    pub server_ahead_ms: Arc<AtomicI64>,
}

impl ChatLoop {
    /// Syncs, and reconnects with backoff, until `cancel` fires.
    pub(crate) async fn run(self, cancel: CancellationToken) {
        let (this, token) = (&self, &cancel);
        retrying(
            &self.status,
            &cancel,
            &self.ctx.signed_in,
            move || async move {
                let mut online = false;
                let result = this.connection(token, &mut online).await;
                (result, online)
            },
        )
        .await;
    }

    /// Sync health: each new message's delivery delay, from the server's timestamp to its
    /// row here (messages sent while the live sync ran).
    fn record_delivery(&self, added: &[i64]) {
        let store = self.ctx.store();
        let now = chrono::Utc::now().timestamp_millis();
        let arrivals: Vec<(i64, i64)> = added
            .iter()
            .filter_map(|&id| store.item_row(id).ok())
            .map(|row| (row.time_ms, now))
            .collect();
        let delays = crate::health::delivery_delays(
            &arrivals,
            self.started_ms,
            self.server_ahead_ms.load(Ordering::Relaxed),
        );
        crate::health::record_delivery(&self.ctx, self.account.id, &delays, self.options.pace());
    }

    async fn connection(
        &self,
        cancel: &CancellationToken,
        online: &mut bool,
    ) -> anyhow::Result<()> {
        let client = client(&self.ctx, &self.account)?;
        let store = self.ctx.store().clone();
        self.status
            .set(LiveState::Syncing, LiveMode::Longpoll, None, None);
        let Some(first) = cancellable(
            cancel,
            sync_once(&store, &self.account, &client, Duration::ZERO),
        )
        .await
        else {
            return Ok(());
        };
        first?;
        *online = true;
        crate::health::diagnose::measure_clock(
            &self.ctx,
            &self.account,
            self.server_ahead_ms.clone(),
        );
        // Online: what waits here goes up now, and from then on as soon as it is written.
        let pusher_token = cancel.child_token();
        let _stop_pusher = pusher_token.clone().drop_guard();
        tokio::spawn(
            pusher(
                self.ctx.clone(),
                self.account.clone(),
                client.clone(),
                pusher_token,
                self.options.ops_poll,
            )
            .instrument(tracing::info_span!(
                "chat-push",
                account_id = self.account.id
            )),
        );
        self.status
            .set(LiveState::Connected, LiveMode::Longpoll, None, None);
        loop {
            let Some(pass) =
                cancellable(cancel, sync_once(&store, &self.account, &client, LONG_POLL)).await
            else {
                return Ok(());
            };
            let (report, added) = pass?;
            if report.messages > 0 {
                tracing::debug!(messages = report.messages, "Chat messages stored.");
                self.record_delivery(&added);
            }
            if self.options.notify {
                self.announce(&added);
            }
        }
    }

    /// Shows the notifications that `added` (messages the live sync just stored) call for.
    fn announce(&self, added: &[i64]) {
        if added.is_empty() {
            return;
        }
        let store = self.ctx.store();
        let decided = (|| -> anyhow::Result<Vec<notify::Notice>> {
            let enabled = store.setting(Setting::Notify)?;
            let account = store.account(self.account.id)?;
            let muted: HashSet<i64> = store.muted_rooms(account.id)?.into_iter().collect();
            let rows: Vec<_> = added
                .iter()
                .filter_map(|&id| store.item_row(id).ok())
                .collect();
            Ok(notify::chat_notices(enabled, &account, &muted, &rows))
        })();
        match decided {
            Ok(notices) => {
                for notice in notices {
                    notify::show(notice, self.ctx.clicks());
                }
            }
            Err(e) => tracing::warn!(error = %e, "Cannot decide what to notify."),
        }
    }
}

/// Sends what is queued (messages, read markers) whenever woken and every `poll`, until
/// `cancel`. A failure is logged and tried again at the next wake-up: the sync loop is the one
/// that says whether the account is online.
async fn pusher(
    ctx: Context,
    account: Account,
    client: satu_matrix::Client,
    cancel: CancellationToken,
    poll: Duration,
) {
    // Everything queued goes at once on (re)connecting, whatever its backoff.
    let mut all = true;
    loop {
        let flushed = cancellable(&cancel, async {
            flush(ctx.store(), &account, &client, std::mem::take(&mut all))
                .await
                .context("Cannot push the chat changes")
        })
        .await;
        match flushed {
            None => return,
            Some(Ok(report)) if report.sent + report.read_markers > 0 => {
                tracing::debug!(
                    sent = report.sent,
                    read_markers = report.read_markers,
                    "Chat changes pushed."
                );
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                tracing::info!(error = %format!("{e:#}"), "Chat changes wait for the homeserver.")
            }
        }
        let wait = match ctx.store().next_chat_due(account.id) {
            Ok(Some(due)) => {
                let left = due - crate::send::now_ms();
                Duration::from_millis(left.max(0) as u64).clamp(Duration::from_millis(50), poll)
            }
            _ => poll,
        };
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = ctx.chat_wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

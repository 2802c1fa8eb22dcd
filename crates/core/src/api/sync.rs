//! Syncing: one pass over every account, the live loops, and what they report.

use std::sync::Arc;

use super::{ApiResult, CancellationToken, LiveOptions, Satu};
use crate::dto::{LiveStatus, Progress, SyncReport};
use crate::{live, pass, replay};

impl Satu {
    /// One pass over every mail account (or just `account`), then returns what it saw.
    pub async fn sync(&self, account: Option<i64>) -> ApiResult<Vec<SyncReport>> {
        self.sync_with_progress(account, &|_| {}).await
    }

    /// [`Satu::sync`], calling `progress` after every batch of messages stored (`done` of
    /// `total` messages to fetch in that folder) so a window can show how far a first sync is.
    pub async fn sync_with_progress(
        &self,
        account: Option<i64>,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> ApiResult<Vec<SyncReport>> {
        // Snoozes whose time came while nothing ran are back before the server is asked.
        crate::snooze::wake_due(self.ctx.store(), chrono::Utc::now().timestamp_millis())?;
        pass::run(&self.ctx, account, progress).await
    }

    /// Keeps every account in sync until `cancel` fires (the loops of `crate::live`): new mail
    /// pushed by the server (IDLE on INBOX and the chosen folders) is stored within about a
    /// second, the other folders are synced every `options.full_pass`, local changes are
    /// replayed as soon as they are queued, queued mail is sent as it falls due, chat and
    /// calendars follow their servers, and a lost connection is retried with backoff. `on_status` hears every change of an account's
    /// [`LiveStatus`] (connected, syncing, offline with the error and the next retry). Returns a
    /// few seconds after `cancel` at most.
    pub async fn run_live(
        &self,
        cancel: CancellationToken,
        options: LiveOptions,
        on_status: impl Fn(LiveStatus) + Send + Sync + 'static,
    ) -> ApiResult<()> {
        let latest = self.ctx.live_status.clone();
        let on_status = move |status: LiveStatus| {
            if let Ok(mut latest) = latest.lock() {
                latest.insert(status.account, status.clone());
            }
            on_status(status);
        };
        live::run(self.ctx.clone(), cancel, options, Arc::new(on_status)).await
    }

    /// Whether the background sync (the app's, `satu watch`'s) is paused.
    pub fn sync_paused(&self) -> ApiResult<bool> {
        Ok(self.ctx.store().setting(satu_store::Setting::SyncPaused)?)
    }

    /// Pauses the background sync (`true`) or resumes it, in this process and every other one
    /// running it on this data directory (each sees it within a second): no server is contacted
    /// and nothing indexed while paused; what the user does meanwhile queues and goes out on
    /// resume. The choice holds across restarts. Returns whether it is paused now.
    pub fn set_sync_paused(&self, paused: bool) -> ApiResult<bool> {
        self.ctx
            .store()
            .write(|tx| tx.set_setting(satu_store::Setting::SyncPaused, paused))?;
        self.ctx.pause_changed.notify_waiters();
        Ok(paused)
    }

    /// The items whose new-mail notification the user clicks from now on (`run_live` with
    /// [`LiveOptions::notify`] shows them), for the app to open.
    pub fn notification_clicks(&self) -> tokio::sync::broadcast::Receiver<i64> {
        self.ctx.clicks().subscribe()
    }

    /// Sync health: the five indicators (delivery delay, read status synced, calendars fresh,
    /// the latest data offline, backups), each account's login success and sync error rates,
    /// and the last 24 hours, from what the sync measured of its own traffic.
    pub fn health(&self) -> ApiResult<crate::dto::Health> {
        crate::health::report(&self.ctx)
    }

    /// The diagnostics behind the indicators, for every account or one: push or polling and
    /// why, whether its servers answer and how long each step takes, and the DNS of its mail
    /// domain (MX, SPF, DKIM, DMARC, times to live); each finding with its fix.
    pub async fn diagnose(&self, account: Option<i64>) -> ApiResult<crate::dto::Diagnosis> {
        let pace = crate::live::LiveOptions::default().pace();
        crate::health::diagnose::diagnose(&self.ctx, account, pace).await
    }

    /// The latest live-sync status of every account `run_live` has reported on, by account id
    /// (a window that subscribes to status events late starts from this).
    pub fn live_status(&self) -> Vec<LiveStatus> {
        match self.ctx.live_status.lock() {
            Ok(latest) => latest.values().cloned().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Replays the account's queued operations now (all that are not wedged, whatever their
    /// backoff). Returns how many the server took.
    pub async fn replay(&self, account_id: i64) -> ApiResult<u64> {
        replay::now(&self.ctx, account_id).await
    }
}

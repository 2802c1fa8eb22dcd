//! Staying in sync: one long-lived loop per source, each in its own file, all started and
//! stopped by [`run`] ([`crate::Satu::run_live`]).
//!
//! - [`imap`]: per mail account, a watcher in IDLE and a sync connection (push, full passes,
//!   queued changes replayed).
//! - [`matrix`]: per Matrix account, a long-poll `/sync` and a sender of queued messages.
//! - [`outbox`]: one loop sending queued mail as it falls due (woken by `outbox_wake`).
//! - [`caldav`]: one loop syncing calendars and task lists (woken by `caldav_wake`).
//! - [`crate::search_index::run`]: the indexer, writing stored mail's words into the full-text
//!   index in the background.
//! - [`crate::trust::run`]: the sender checks (DKIM, SPF, DMARC) of newly arrived mail.
//! - [`crate::rules::run`]: the user's rules on newly arrived mail, each once.
//!
//! Every loop has a cancellation token, a child of the one given to [`run`], and all of them
//! together stop within [`STOP_TIMEOUT`]. A loop that fails goes *offline* and tries again after
//! a jittered exponential backoff ([`backoff`]); what it is doing is reported through a
//! [`Reporter`].

mod caldav;
mod imap;
pub(crate) mod matrix;
mod outbox;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use satu_store::{Account, AccountKind};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::context::Context;
use crate::dto::{rfc3339, LiveMode, LiveState, LiveStatus, Progress};
use crate::error::ApiError;

/// First reconnection delay.
const MIN_BACKOFF: Duration = Duration::from_secs(1);
/// Longest reconnection delay.
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// How long all account tasks together get to stop.
const STOP_TIMEOUT: Duration = Duration::from_secs(4);

/// The timers of the live loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveOptions {
    /// Period of the full pass over every folder (INBOX itself is pushed).
    pub full_pass: Duration,
    /// How long one IDLE command lasts before it is ended and re-issued. It bounds how long a
    /// dead connection goes unnoticed (ending IDLE must be answered within 30 s), and must stay
    /// under RFC 2177's 29 minutes.
    pub idle_period: Duration,
    /// NOOP period on servers without IDLE.
    pub poll: Duration,
    /// How often the operation queue is checked for local changes to push.
    pub ops_poll: Duration,
    /// How often the account list is checked for added or removed accounts.
    pub accounts_poll: Duration,
    /// Show a desktop notification for new mail that push brings in (never for what an initial
    /// sync or a full pass stores), unless `notify.enabled` is off or the account is muted.
    pub notify: bool,
    /// How often the backup schedule looks whether a backup is due.
    pub backup_poll: Duration,
}

impl LiveOptions {
    /// How often the live sync looks, as the diagnostics report it.
    pub(crate) fn pace(&self) -> crate::health::diagnose::Pace {
        crate::health::diagnose::Pace {
            poll_s: self.poll.as_secs(),
            full_pass_s: self.full_pass.as_secs(),
        }
    }
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            full_pass: Duration::from_secs(5 * 60),
            idle_period: Duration::from_secs(4 * 60),
            poll: Duration::from_secs(60),
            ops_poll: Duration::from_secs(2),
            accounts_poll: Duration::from_secs(10),
            notify: false,
            backup_poll: Duration::from_secs(5 * 60),
        }
    }
}

/// The status callback.
pub(crate) type OnStatus = Arc<dyn Fn(LiveStatus) + Send + Sync>;

/// The delay before reconnection attempt `failures + 1`: 1 s, 2 s, 4 s, … capped at 5 minutes,
/// minus up to a quarter (`jitter` in 0..1), so that many clients do not reconnect in step.
pub(crate) fn backoff(failures: u32, jitter: f64) -> Duration {
    let base = MIN_BACKOFF
        .saturating_mul(1_u32 << failures.min(20))
        .min(MAX_BACKOFF);
    base.mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0))
        .max(MIN_BACKOFF)
}

/// How often a running live sync looks whether it was paused (`sync.paused`, set by the tray, a
/// button or `satu sync --pause` from another process), and a paused one whether it resumed.
const PAUSE_POLL: Duration = Duration::from_secs(1);

fn paused(ctx: &Context) -> bool {
    ctx.store()
        .setting(satu_store::Setting::SyncPaused)
        .unwrap_or(false)
}

/// Runs the live sync until `cancel` fires, except while it is paused: a pause stops every loop
/// (within [`PAUSE_POLL`] and [`STOP_TIMEOUT`]) as a quit would, so what the user does meanwhile
/// queues in the store, as offline; a resume starts them again from their cursors.
pub(crate) async fn run(
    ctx: Context,
    cancel: CancellationToken,
    options: LiveOptions,
    on_status: OnStatus,
) -> Result<(), ApiError> {
    // Backups are local: they go on while the sync is paused.
    let backups = tokio::spawn(
        crate::backup::run(ctx.clone(), cancel.child_token(), options.backup_poll)
            .instrument(tracing::info_span!("backup")),
    );
    let _stop_backups = AbortOnDrop(backups);
    let retention = tokio::spawn(
        crate::audit::run_retention(ctx.store().clone(), cancel.child_token())
            .instrument(tracing::info_span!("audit")),
    );
    let _stop_retention = AbortOnDrop(retention);
    loop {
        while paused(&ctx) {
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                _ = ctx.pause_changed.notified() => {}
                _ = tokio::time::sleep(PAUSE_POLL) => {}
            }
        }
        if cancel.is_cancelled() {
            return Ok(());
        }
        tracing::info!("The live sync runs.");
        let run_cancel = cancel.child_token();
        let watch = {
            let (ctx, run_cancel) = (ctx.clone(), run_cancel.clone());
            tokio::spawn(async move {
                loop {
                    // Paused here: at once; by another process: within a second.
                    tokio::select! {
                        _ = run_cancel.cancelled() => return,
                        _ = ctx.pause_changed.notified() => {}
                        _ = tokio::time::sleep(PAUSE_POLL) => {}
                    }
                    if paused(&ctx) {
                        tracing::info!("The live sync is paused.");
                        run_cancel.cancel();
                        return;
                    }
                }
            })
        };
        let result =
            run_unpaused(ctx.clone(), run_cancel.clone(), options, on_status.clone()).await;
        run_cancel.cancel();
        let _ = watch.await;
        if result.is_err() || cancel.is_cancelled() {
            return result;
        }
    }
}

/// Stops a task beside the live sync when it ends (the backup schedule, the audit trail's
/// retention; their tokens are children of the live sync's): a backup in flight is dropped
/// between two writes, its partial file cleaned by the next.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs every IMAP account's live loop until `cancel` fires; accounts added or removed meanwhile
/// are started or stopped within [`LiveOptions::accounts_poll`].
async fn run_unpaused(
    ctx: Context,
    cancel: CancellationToken,
    options: LiveOptions,
    on_status: OnStatus,
) -> Result<(), ApiError> {
    // Sync health: mail that arrived since the live sync started (or resumed) counts as
    // delivered late or not; mail that waited for Satu to run does not. One time for every
    // account loop, which may be made again meanwhile (an account changed).
    let started_ms = chrono::Utc::now().timestamp_millis();
    ctx.live_since
        .store(started_ms, std::sync::atomic::Ordering::Relaxed);
    let mut running: HashMap<i64, (CancellationToken, JoinHandle<()>)> = HashMap::new();
    let workers_token = cancel.child_token();
    let outbox = tokio::spawn(
        outbox::run(ctx.clone(), workers_token.clone(), options.ops_poll)
            .instrument(tracing::info_span!("outbox")),
    );
    let calendars = tokio::spawn(
        caldav::run(ctx.clone(), workers_token.clone()).instrument(tracing::info_span!("caldav")),
    );
    let indexer = tokio::spawn(
        crate::search_index::run(ctx.clone(), workers_token.clone())
            .instrument(tracing::info_span!("indexer")),
    );
    let senders = tokio::spawn(
        crate::trust::run(ctx.clone(), workers_token.clone())
            .instrument(tracing::info_span!("trust")),
    );
    let rules = tokio::spawn(
        crate::rules::run(ctx.clone(), workers_token.clone())
            .instrument(tracing::info_span!("rules")),
    );
    let result = loop {
        match ctx.store().accounts() {
            Ok(accounts) => {
                let accounts: Vec<Account> = accounts
                    .into_iter()
                    .filter(|a| matches!(a.kind, AccountKind::Imap | AccountKind::Matrix))
                    .collect();
                running.retain(|id, (token, _)| {
                    let keep = accounts.iter().any(|a| a.id == *id);
                    if !keep {
                        token.cancel();
                    }
                    keep
                });
                for account in accounts {
                    if running.contains_key(&account.id) {
                        continue;
                    }
                    let token = cancel.child_token();
                    let span = tracing::info_span!("live", account_id = account.id);
                    let status = Reporter::new(account.id, on_status.clone());
                    let handle = if account.kind == AccountKind::Matrix {
                        let task = matrix::ChatLoop {
                            ctx: ctx.clone(),
                            options,
                            status,
                            account: account.clone(),
                            started_ms,
                            server_ahead_ms: Default::default(),
                        };
                        tokio::spawn(task.run(token.clone()).instrument(span))
                    } else {
                        let task = imap::AccountLoop {
                            ctx: ctx.clone(),
                            options,
                            status,
                            account: account.clone(),
                            started_ms,
                            server_ahead_ms: Default::default(),
                        };
                        tokio::spawn(task.run(token.clone()).instrument(span))
                    };
                    running.insert(account.id, (token, handle));
                }
            }
            // Nothing runs yet: a database that cannot be read is worth an error.
            Err(e) if running.is_empty() => break Err(ApiError::from(e)),
            Err(e) => tracing::warn!(error = %e, "Cannot read the accounts."),
        }
        tokio::select! {
            _ = cancel.cancelled() => break Ok(()),
            _ = tokio::time::sleep(options.accounts_poll) => {}
        }
    };
    let deadline = Instant::now() + STOP_TIMEOUT;
    workers_token.cancel();
    if tokio::time::timeout_at(deadline, outbox).await.is_err() {
        tracing::warn!("The outbox did not stop in time.");
    }
    if tokio::time::timeout_at(deadline, calendars).await.is_err() {
        tracing::warn!("The CalDAV sync did not stop in time.");
    }
    if tokio::time::timeout_at(deadline, indexer).await.is_err() {
        tracing::warn!("The search indexer did not stop in time.");
    }
    if tokio::time::timeout_at(deadline, senders).await.is_err() {
        tracing::warn!("The sender checks did not stop in time.");
    }
    if tokio::time::timeout_at(deadline, rules).await.is_err() {
        tracing::warn!("The rules did not stop in time.");
    }
    for (id, (token, handle)) in running {
        token.cancel();
        if tokio::time::timeout_at(deadline, handle).await.is_err() {
            tracing::warn!(account_id = id, "The account did not stop in time.");
        }
    }
    result
}

/// Calls the status callback when the status changes.
pub(crate) struct Reporter {
    account: i64,
    on_status: OnStatus,
    last: Mutex<Option<LiveStatus>>,
}

impl Reporter {
    pub(crate) fn new(account: i64, on_status: OnStatus) -> Self {
        Reporter {
            account,
            on_status,
            last: Mutex::new(None),
        }
    }

    pub(crate) fn set(
        &self,
        state: LiveState,
        mode: LiveMode,
        error: Option<String>,
        retry_at: Option<String>,
    ) {
        let status = LiveStatus {
            account: self.account,
            state,
            mode,
            error,
            error_code: None,
            retry_at,
            progress: None,
        };
        if self.publish(status.clone()) {
            tracing::info!(state = %state, mode = %mode, error = ?status.error, "Account status.");
        }
    }

    /// Offline because of `error` until `retry_at`.
    pub(crate) fn offline(&self, error: ApiError, retry_at: String) {
        self.publish(LiveStatus {
            account: self.account,
            state: LiveState::Offline,
            mode: LiveMode::None,
            error: Some(error.message),
            error_code: Some(error.code),
            retry_at: Some(retry_at),
            progress: None,
        });
    }

    /// A full pass stored a batch: the same status with its progress.
    fn progress(&self, progress: Progress) {
        let status = match self.last.lock() {
            Ok(last) => last.clone(),
            Err(_) => None,
        };
        if let Some(status) = status {
            self.publish(LiveStatus {
                progress: Some(progress),
                ..status
            });
        }
    }

    /// Sends `status` unless it is the last one sent; returns whether it was sent.
    fn publish(&self, status: LiveStatus) -> bool {
        if let Ok(mut last) = self.last.lock() {
            if last.as_ref() == Some(&status) {
                return false;
            }
            *last = Some(status.clone());
        }
        (self.on_status)(status);
        true
    }
}

/// Runs `fut` unless `cancel` fires first.
pub(crate) async fn cancellable<T>(
    cancel: &CancellationToken,
    fut: impl Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => None,
        value = fut => Some(value),
    }
}

/// Runs `connection` again and again until it returns `Ok` (it was cancelled) or `cancel`
/// fires: after a failure the account is *offline* (with the error and the time of the next
/// try) for a jittered exponential backoff, reset when the connection got online (the `bool`
/// it returns beside its result).
pub(crate) async fn retrying<F>(
    status: &Reporter,
    cancel: &CancellationToken,
    again_now: &Notify,
    mut connection: impl FnMut() -> F,
) where
    F: Future<Output = (anyhow::Result<()>, bool)>,
{
    let mut failures = 0_u32;
    while !cancel.is_cancelled() {
        status.set(LiveState::Connecting, LiveMode::None, None, None);
        let (result, online) = connection().await;
        let error = match result {
            Ok(()) => break,
            Err(error) => error,
        };
        if online {
            failures = 0;
        }
        let delay = backoff(failures, fastrand::f64());
        failures = failures.saturating_add(1);
        let error = ApiError::from(error);
        tracing::warn!(error = %error.message, retry_in = ?delay, "Account offline.");
        let retry_at = chrono::Utc::now()
            + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::zero());
        status.offline(error, rfc3339(retry_at.timestamp_millis()));
        // Waits out the backoff, or less when woken (e.g. the account just signed in again).
        let wait = async {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = again_now.notified() => failures = 0,
            }
        };
        if cancellable(cancel, wait).await.is_none() {
            break;
        }
    }
    status.set(LiveState::Stopped, LiveMode::None, None, None);
}

#[cfg(test)]
mod tests {
    use super::{backoff, MAX_BACKOFF};
    use std::time::Duration;

    #[tokio::test]
    async fn a_loop_in_backoff_tries_again_at_once_when_woken() {
        use std::sync::atomic::{AtomicU32, Ordering};
        use std::sync::Arc;
        let status = super::Reporter::new(1, Arc::new(|_| {}));
        let cancel = tokio_util::sync::CancellationToken::new();
        let wake = Arc::new(tokio::sync::Notify::new());
        let attempts = Arc::new(AtomicU32::new(0));
        let started = std::time::Instant::now();
        let waker = {
            let wake = wake.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                wake.notify_waiters();
            })
        };
        let counted = attempts.clone();
        super::retrying(&status, &cancel, &wake, || {
            let counted = counted.clone();
            async move {
                // The first attempt fails (a backoff of at least 0.75 s follows); the second
                // ends the loop.
                if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                    (Err(anyhow::anyhow!("offline")), false)
                } else {
                    (Ok(()), true)
                }
            }
        })
        .await;
        let _ = waker.await;
        assert_eq!(attempts.load(Ordering::SeqCst), 2);
        assert!(
            started.elapsed() < Duration::from_millis(600),
            "woken, not after the backoff: {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn backoff_doubles_from_one_second_to_five_minutes() {
        let secs = |failures, jitter| backoff(failures, jitter).as_secs_f64();
        let plain: Vec<f64> = (0..11).map(|f| secs(f, 0.0)).collect();
        assert_eq!(
            plain,
            [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 300.0, 300.0]
        );
        assert_eq!(backoff(u32::MAX, 0.0), MAX_BACKOFF);
        // Jitter takes off at most a quarter, never below one second.
        assert_eq!(secs(3, 1.0), 6.0);
        assert_eq!(secs(0, 1.0), 1.0);
        assert_eq!(secs(20, 1.0), 225.0);
        for failures in 0..40 {
            for jitter in [0.0, 0.3, 0.99, 1.0, -1.0, 2.0] {
                let d = backoff(failures, jitter);
                assert!(d >= Duration::from_secs(1) && d <= MAX_BACKOFF, "{d:?}");
            }
        }
    }
}

//! Staying in sync: one long-lived loop per IMAP account ([`crate::Satu::run_live`]).
//!
//! Per account, two connections. The *watcher* selects INBOX and stays in IDLE (or, on a server
//! without IDLE, sends NOOP every [`LiveOptions::poll`]); every change it hears of wakes the *sync*
//! connection, which then brings INBOX alone up to date (one SELECT with QRESYNC, then a fetch of
//! what is new), so new mail is in the store about as soon as the server tells. The sync
//! connection also runs a full pass (every folder, the orphan sweep) on connecting and every
//! [`LiveOptions::full_pass`], and pushes queued local changes (from this process or another
//! one, e.g. `satu mark`) within [`LiveOptions::ops_poll`]. Both connections prove themselves
//! alive every [`LiveOptions::idle_period`] (the watcher by ending IDLE, the sync connection by
//! NOOP), so a dead one is found within that period plus 30 s.
//!
//! Any failure of either connection ends both; the account goes *offline* and reconnects after
//! a jittered exponential backoff (1 s … 5 min, reset once a connection got through its first
//! full pass). After connecting, INBOX is synced first — after the watcher has selected it, so
//! nothing that arrives in between is missed — then the full pass runs.
//!
//! Every task stops on its `CancellationToken` within a few seconds: IDLE is ended with DONE
//! and a short timeout, logouts are bounded, a sync pass in flight is dropped (its transactions
//! and cursors make that safe, as for a killed process).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use satu_mail::imap::{idle, IdleEnd, ImapConfig, ImapError, ImapSession};
use satu_store::{Account, AccountKind};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::api::Satu;
use crate::dto::{rfc3339, LiveStatus, Progress};
use crate::error::ApiError;
use crate::{replay, secrets, sync};

/// First reconnection delay.
const MIN_BACKOFF: Duration = Duration::from_secs(1);
/// Longest reconnection delay.
const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// How long a polite logout may take when stopping.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(1);
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
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            full_pass: Duration::from_secs(5 * 60),
            idle_period: Duration::from_secs(4 * 60),
            poll: Duration::from_secs(60),
            ops_poll: Duration::from_secs(2),
            accounts_poll: Duration::from_secs(10),
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

/// Runs every IMAP account's live loop until `cancel` fires; accounts added or removed meanwhile
/// are started or stopped within [`LiveOptions::accounts_poll`].
pub(crate) async fn run(
    satu: Satu,
    cancel: CancellationToken,
    options: LiveOptions,
    on_status: OnStatus,
) -> Result<(), ApiError> {
    let mut running: HashMap<i64, (CancellationToken, JoinHandle<()>)> = HashMap::new();
    let result = loop {
        match satu.store().accounts() {
            Ok(accounts) => {
                let accounts: Vec<Account> = accounts
                    .into_iter()
                    .filter(|a| a.kind == AccountKind::Imap)
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
                    let task = AccountLoop {
                        satu: satu.clone(),
                        options,
                        status: Reporter::new(account.id, on_status.clone()),
                        account: account.clone(),
                    };
                    let handle = tokio::spawn(task.run(token.clone()).instrument(span));
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
    for (id, (token, handle)) in running {
        token.cancel();
        if tokio::time::timeout_at(deadline, handle).await.is_err() {
            tracing::warn!(account_id = id, "The account did not stop in time.");
        }
    }
    result
}

/// Calls the status callback when the status changes.
struct Reporter {
    account: i64,
    on_status: OnStatus,
    last: Mutex<Option<LiveStatus>>,
}

impl Reporter {
    fn new(account: i64, on_status: OnStatus) -> Self {
        Reporter {
            account,
            on_status,
            last: Mutex::new(None),
        }
    }

    fn set(&self, state: &str, mode: &str, error: Option<String>, retry_at: Option<String>) {
        let status = LiveStatus {
            account: self.account,
            state: state.to_owned(),
            mode: mode.to_owned(),
            error,
            retry_at,
            progress: None,
        };
        if self.publish(status.clone()) {
            tracing::info!(state, mode, error = ?status.error, "Account status.");
        }
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
async fn cancellable<T>(cancel: &CancellationToken, fut: impl Future<Output = T>) -> Option<T> {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => None,
        value = fut => Some(value),
    }
}

struct AccountLoop {
    satu: Satu,
    account: Account,
    options: LiveOptions,
    status: Reporter,
}

impl AccountLoop {
    /// Connects, serves, and reconnects with backoff until `cancel` fires.
    async fn run(self, cancel: CancellationToken) {
        let mut failures = 0_u32;
        while !cancel.is_cancelled() {
            self.status.set("connecting", "", None, None);
            let mut online = false;
            let error = match self.connection(&cancel, &mut online).await {
                Ok(()) => break,
                Err(error) => error,
            };
            if online {
                failures = 0;
            }
            let delay = backoff(failures, fastrand::f64());
            failures = failures.saturating_add(1);
            let message = ApiError::from(error).message;
            tracing::warn!(error = %message, retry_in = ?delay, "Account offline.");
            let retry_at = chrono::Utc::now()
                + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::zero());
            self.status.set(
                "offline",
                "",
                Some(message),
                Some(rfc3339(retry_at.timestamp_millis())),
            );
            if cancellable(&cancel, tokio::time::sleep(delay))
                .await
                .is_none()
            {
                break;
            }
        }
        self.status.set("stopped", "", None, None);
    }

    /// One connection's life: returns `Ok` when cancelled, the failure otherwise. `online` says
    /// whether it got through its first full pass (then the backoff starts over).
    async fn connection(
        &self,
        cancel: &CancellationToken,
        online: &mut bool,
    ) -> anyhow::Result<()> {
        let password = secrets::password(&self.satu.secret_key(self.account.id))?;
        let config = sync::imap_config(&self.account, password);
        let Some(session) = cancellable(cancel, ImapSession::connect(&config)).await else {
            return Ok(());
        };
        let mut session = session?;
        let result = self.serve(&config, &mut session, cancel, online).await;
        let _ = tokio::time::timeout(LOGOUT_TIMEOUT, session.logout()).await;
        result
    }

    async fn serve(
        &self,
        config: &ImapConfig,
        session: &mut ImapSession,
        cancel: &CancellationToken,
        online: &mut bool,
    ) -> anyhow::Result<()> {
        let store = self.satu.store();
        let account = &self.account;
        let mode = if session.has("IDLE") { "idle" } else { "poll" };
        let wake = Arc::new(Notify::new());
        let watcher_cancel = cancel.child_token();
        let _stop_watcher = watcher_cancel.clone().drop_guard();
        let (selected_tx, selected) = tokio::sync::oneshot::channel();
        let mut watcher = tokio::spawn(
            watch_inbox(
                config.clone(),
                self.options,
                wake.clone(),
                selected_tx,
                watcher_cancel.clone(),
            )
            .instrument(tracing::info_span!("watch", folder = "INBOX")),
        );

        self.status.set("syncing", "", None, None);
        // INBOX first, once the watcher listens: what arrived while offline is in at once, and
        // nothing can arrive unseen between this sync and the first IDLE.
        let ready = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Ok(()),
            done = &mut watcher => return Err(watcher_ended(done)),
            ready = selected => ready.is_ok(),
        };
        if !ready {
            return Err(anyhow!("The INBOX watcher stopped before selecting INBOX"));
        }
        let Some(inbox) = cancellable(cancel, sync::sync_inbox(store, account, session)).await
        else {
            return Ok(());
        };
        inbox.context("Cannot sync INBOX")?;
        let Some(pass) = cancellable(
            cancel,
            sync::sync_session(store, account, session, &|p| self.status.progress(p)),
        )
        .await
        else {
            return Ok(());
        };
        pass?;
        *online = true;
        self.status.set("connected", mode, None, None);

        let mut full = tokio::time::interval_at(
            Instant::now() + self.options.full_pass,
            self.options.full_pass,
        );
        full.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ops = tokio::time::interval(self.options.ops_poll);
        ops.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The sync connection may sit unused between full passes: a NOOP as often as the
        // watcher re-issues IDLE finds it dead before a wake-up would (and keeps it logged in).
        let mut keepalive = tokio::time::interval_at(
            Instant::now() + self.options.idle_period,
            self.options.idle_period,
        );
        keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                done = &mut watcher => return Err(watcher_ended(done)),
                _ = wake.notified() => {
                    let Some(outcome) =
                        cancellable(cancel, sync::sync_inbox(store, account, session)).await
                    else {
                        break;
                    };
                    outcome.context("Cannot sync INBOX after a change")?;
                }
                _ = ops.tick() => {
                    let now = chrono::Utc::now().timestamp();
                    if store.due_ops(account.id, now)?.is_empty() {
                        continue;
                    }
                    let Some(replayed) =
                        cancellable(cancel, replay::replay_imap(store, account, session, now)).await
                    else {
                        break;
                    };
                    replayed?;
                }
                _ = keepalive.tick() => {
                    let Some(noop) = cancellable(cancel, session.noop_changes()).await else {
                        break;
                    };
                    noop.context("The sync connection did not answer NOOP")?;
                }
                _ = full.tick() => {
                    self.status.set("syncing", "", None, None);
                    let Some(pass) = cancellable(
                        cancel,
                        sync::sync_session(store, account, session, &|p| self.status.progress(p)),
                    )
                    .await
                    else {
                        break;
                    };
                    pass?;
                    self.status.set("connected", mode, None, None);
                }
            }
        }
        watcher_cancel.cancel();
        let stop = idle::STOP_TIMEOUT + LOGOUT_TIMEOUT;
        if tokio::time::timeout(stop, watcher).await.is_err() {
            tracing::debug!("The INBOX watcher did not stop in time.");
        }
        Ok(())
    }
}

fn watcher_ended(done: Result<Result<(), ImapError>, tokio::task::JoinError>) -> anyhow::Error {
    match done {
        Ok(Ok(())) => anyhow!("The INBOX watcher stopped"),
        Ok(Err(e)) => anyhow::Error::from(e).context("Watching INBOX failed"),
        Err(e) => anyhow!("The INBOX watcher crashed: {e}"),
    }
}

/// The watcher connection: selects INBOX (then says so on `selected`) and idles on it, or polls
/// it with NOOP when the server has no IDLE, notifying `wake` for every change. Returns `Ok`
/// only when cancelled.
async fn watch_inbox(
    config: ImapConfig,
    options: LiveOptions,
    wake: Arc<Notify>,
    selected: tokio::sync::oneshot::Sender<()>,
    cancel: CancellationToken,
) -> Result<(), ImapError> {
    let Some(session) = cancellable(&cancel, ImapSession::connect(&config)).await else {
        return Ok(());
    };
    let mut session = session?;
    let result = async {
        session.select_folder("INBOX", None).await?;
        let _ = selected.send(());
        loop {
            if session.has("IDLE") {
                match session
                    .idle(options.idle_period, &cancel, |_| wake.notify_one())
                    .await?
                {
                    IdleEnd::Cancelled => return Ok(()),
                    IdleEnd::Period | IdleEnd::ServerEnded => {
                        tracing::trace!("IDLE re-issued.");
                    }
                }
            } else {
                if cancellable(&cancel, tokio::time::sleep(options.poll))
                    .await
                    .is_none()
                {
                    return Ok(());
                }
                if !session.noop_changes().await?.is_empty() {
                    wake.notify_one();
                }
            }
        }
    }
    .await;
    let _ = tokio::time::timeout(LOGOUT_TIMEOUT, session.logout()).await;
    result
}

#[cfg(test)]
mod tests {
    use super::{backoff, MAX_BACKOFF};
    use std::time::Duration;

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

//! The live loop of a mail account (IMAP).
//!
//! Per account, one *watcher* connection per pushed folder (INBOX always, and the folders chosen
//! with `satu folders --push`, picked up within [`LiveOptions::accounts_poll`]), and one *sync*
//! connection. A watcher selects its folder and stays in IDLE (or, on a server without IDLE,
//! sends NOOP every [`LiveOptions::poll`]); every change it hears of wakes the sync connection,
//! which then brings that folder alone up to date (one SELECT with QRESYNC, then a fetch of
//! what is new), so new mail is in the store about as soon as the server tells. The sync
//! connection also runs a full pass (every folder, the orphan sweep) on connecting and every
//! [`LiveOptions::full_pass`], and pushes queued local changes (from this process or another
//! one, e.g. `satu mark`) within [`LiveOptions::ops_poll`]. Both connections prove themselves
//! alive every [`LiveOptions::idle_period`] (the watcher by ending IDLE, the sync connection by
//! NOOP), so a dead one is found within that period plus 30 s.
//!
//! Any failure of a connection ends them all; the account goes *offline* and reconnects after
//! a jittered exponential backoff (1 s … 5 min, reset once a connection got through its first
//! full pass). After connecting, INBOX is synced first — after the watcher has selected it, so
//! nothing that arrives in between is missed — then the full pass runs.
//!
//! Every task stops on its `CancellationToken` within a few seconds: IDLE is ended with DONE
//! and a short timeout, logouts are bounded, a sync pass in flight is dropped (its transactions
//! and cursors make that safe, as for a killed process).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use satu_mail::imap::{idle, IdleEnd, ImapConfig, ImapError, ImapSession};
use satu_store::{Account, FolderRole, Setting};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{cancellable, retrying, LiveOptions, Reporter};
use crate::context::Context;
use crate::dto::{LiveMode, LiveState};

use crate::{notify, replay, sync};

/// How long a polite logout may take when stopping.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(1);

pub(super) struct AccountLoop {
    pub ctx: Context,
    pub account: Account,
    pub options: LiveOptions,
    pub status: Reporter,
    /// When the live sync started or resumed (Unix ms): mail that arrived before waited for
    /// Satu to run, and is no delivery delay of it.
    pub started_ms: i64,
    /// How far the server's clock is ahead of ours (ms), as read after each login: the
    /// correction its delivery delays take.
    pub server_ahead_ms: Arc<AtomicI64>,
}

impl AccountLoop {
    /// Connects, serves, and reconnects with backoff until `cancel` fires.
    pub(super) async fn run(self, cancel: CancellationToken) {
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

    /// One connection's life: returns `Ok` when cancelled, the failure otherwise. `online` says
    /// whether it got through its first full pass (then the backoff starts over).
    async fn connection(
        &self,
        cancel: &CancellationToken,
        online: &mut bool,
    ) -> anyhow::Result<()> {
        let auth = crate::oauth::auth(&self.ctx, &self.account)?;
        let config = crate::accounts::imap_config(&self.account, auth);
        let Some(session) = cancellable(cancel, ImapSession::connect(&config)).await else {
            return Ok(());
        };
        let session = session.map_err(anyhow::Error::from);
        let login = session
            .as_ref()
            .map(drop)
            .map_err(crate::error::ApiError::from);
        crate::health::record_login(self.ctx.store(), self.account.id, login.as_ref().copied());
        let mut session = session?;
        crate::health::diagnose::measure_clock(
            &self.ctx,
            &self.account,
            self.server_ahead_ms.clone(),
        );
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
        let store = self.ctx.store();
        let account = &self.account;
        let mode = if session.has("IDLE") {
            LiveMode::Idle
        } else {
            LiveMode::Poll
        };
        let mut watchers = Watchers::new(config.clone(), self.options, cancel.child_token());
        let dirty = watchers.dirty.clone();
        watchers.update(pushed_folders(store, account.id)?);

        self.status
            .set(LiveState::Syncing, LiveMode::None, None, None);
        // INBOX first, once its watcher listens: what arrived while offline is in at once, and
        // nothing can arrive unseen between this sync and the first IDLE. (Every other watcher
        // marks its folder dirty once it listens, so each is synced after its watcher starts.)
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return Ok(()),
            failed = watchers.failed() => return Err(failed),
            () = dirty.wait_for(INBOX) => {}
        }
        dirty.remove(INBOX);
        let Some(inbox) =
            cancellable(cancel, sync::sync_named(store, account, session, INBOX)).await
        else {
            return Ok(());
        };
        let inbox = inbox.context("Cannot sync INBOX")?;
        // Mail that arrived while the live sync ran but could not reach the server (an outage
        // between two connections) is delivered now: its delay counts.
        if let Some(outcome) = &inbox {
            let delays = crate::health::delivery_delays(
                &outcome.arrivals,
                self.started_ms,
                self.server_ahead_ms.load(Ordering::Relaxed),
            );
            crate::health::record_delivery(&self.ctx, account.id, &delays, self.options.pace());
        }
        if self
            .full_pass(session, cancel, &mut watchers)
            .await?
            .is_none()
        {
            return Ok(());
        }
        *online = true;
        self.status.set(LiveState::Connected, mode, None, None);
        // The server answers again: mail waiting for it in the outbox goes now, not when its
        // backoff ends.
        match store.write(|tx| tx.outgoing_due_now(account.id, crate::send::now_ms())) {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(messages = n, "Back online: sending the outbox.");
                self.ctx.outbox_changed();
            }
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "Cannot wake the outbox."),
        }

        let mut full = tokio::time::interval_at(
            Instant::now() + self.options.full_pass,
            self.options.full_pass,
        );
        full.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut full_ticks = 0u64;
        let mut ops = tokio::time::interval(self.options.ops_poll);
        ops.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The sync connection may sit unused between full passes: a NOOP as often as the
        // watchers re-issue IDLE finds it dead before a wake-up would (and keeps it logged in).
        let mut keepalive = tokio::time::interval_at(
            Instant::now() + self.options.idle_period,
            self.options.idle_period,
        );
        keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The user may choose other folders to push meanwhile (`satu folders --push`).
        let mut choices = tokio::time::interval(self.options.accounts_poll);
        choices.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                failed = watchers.failed() => return Err(failed),
                () = dirty.notified() => {
                    let mut left_folders = false;
                    for (name, woke) in dirty.take() {
                        let Some(outcome) =
                            cancellable(cancel, sync::sync_named(store, account, session, &name)).await
                        else {
                            return Ok(());
                        };
                        let outcome = outcome
                            .with_context(|| format!("Cannot sync {name} after a change"))?;
                        if let Some(outcome) = outcome {
                            self.record_wake(woke, &outcome);
                            left_folders |= outcome.removed > 0;
                            if self.options.notify {
                                self.announce(&outcome.added);
                            }
                        }
                    }
                    // Messages left a folder: moved to another one (keep the item, with its id)
                    // or expunged for good (remove it). Only a pass over every folder tells, so
                    // one runs now rather than at the next period.
                    if left_folders && self.full_pass(session, cancel, &mut watchers).await?.is_none() {
                        break;
                    }
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
                _ = choices.tick() => watchers.update(pushed_folders(store, account.id)?),
                _ = full.tick() => {
                    // On battery or a metered connection: one periodic pass in four (push goes on).
                    full_ticks += 1;
                    if !crate::thrift::full_pass_due(crate::thrift::conditions(), full_ticks) {
                        continue;
                    }
                    self.status.set(LiveState::Syncing, LiveMode::None, None, None);
                    if self.full_pass(session, cancel, &mut watchers).await?.is_none() {
                        break;
                    }
                    self.status.set(LiveState::Connected, mode, None, None);
                }
            }
        }
        watchers.stop().await;
        Ok(())
    }

    /// Sync health of a wake-up's pass: the delivery delay of the new mail that arrived while
    /// the live sync ran, the push delay (the watcher's wake-up to the rows), and for a change
    /// of flags alone the read status down (the wake-up to the change here).
    fn record_wake(&self, woke: Instant, outcome: &sync::FolderOutcome) {
        let store = self.ctx.store();
        let since = woke.elapsed().as_millis() as u64;
        let delays = crate::health::delivery_delays(
            &outcome.arrivals,
            self.started_ms,
            self.server_ahead_ms.load(Ordering::Relaxed),
        );
        crate::health::record_delivery(&self.ctx, self.account.id, &delays, self.options.pace());
        if !outcome.added.is_empty() {
            crate::health::record_timings(store, self.account.id, "push_delay", &[since]);
        } else if outcome.updated > 0 {
            crate::health::record_timings(store, self.account.id, "read_down", &[since]);
        }
    }

    /// Shows the notifications that `added` (items a wake-up just stored) call for.
    fn announce(&self, added: &[i64]) {
        if added.is_empty() {
            return;
        }
        let store = self.ctx.store();
        let decided = (|| -> anyhow::Result<Vec<notify::Notice>> {
            let enabled = store.setting(Setting::Notify)?;
            let account = store.account(self.account.id)?;
            let mut rows = Vec::new();
            for &id in added {
                // An item removed meanwhile is not announced.
                if let Ok(row) = store.item_row(id) {
                    rows.push(row);
                }
            }
            Ok(notify::notices(enabled, &account, &rows))
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

    /// A pass over every folder, then the watchers follow the (possibly new) folder list.
    /// `None` when cancelled.
    async fn full_pass(
        &self,
        session: &mut ImapSession,
        cancel: &CancellationToken,
        watchers: &mut Watchers,
    ) -> anyhow::Result<Option<()>> {
        let store = self.ctx.store();
        let Some(pass) = cancellable(
            cancel,
            sync::sync_session(store, &self.account, session, &|p| self.status.progress(p)),
        )
        .await
        else {
            return Ok(None);
        };
        crate::health::record_pass(store, self.account.id, pass.as_ref().map(drop));
        pass?;
        watchers.update(pushed_folders(store, self.account.id)?);
        Ok(Some(()))
    }
}

/// The name of the folder that is always pushed.
const INBOX: &str = "INBOX";

/// The folders of an account that the live sync watches: INBOX, and those the user chose (only
/// INBOX before the first pass has stored the folder list).
fn pushed_folders(store: &satu_store::Store, account_id: i64) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = store
        .folders(account_id)?
        .into_iter()
        .filter(|f| f.pushed())
        .map(|f| {
            if f.role == FolderRole::Inbox {
                INBOX.to_owned()
            } else {
                f.name
            }
        })
        .collect();
    if !names.iter().any(|n| n == INBOX) {
        names.insert(0, INBOX.to_owned());
    }
    Ok(names)
}

/// Folders whose watcher heard of a change (or has just started listening), waiting for the
/// sync connection to bring them up to date.
#[derive(Default)]
struct Dirty {
    /// Each dirty folder, with when it was first marked since it was last taken (sync health:
    /// the push delay runs from there).
    folders: Mutex<BTreeMap<String, Instant>>,
    notify: Notify,
}

impl Dirty {
    fn mark(&self, folder: &str) {
        if let Ok(mut folders) = self.folders.lock() {
            folders
                .entry(folder.to_owned())
                .or_insert_with(Instant::now);
        }
        self.notify.notify_one();
    }

    /// Every dirty folder (with when it was marked), now clean.
    fn take(&self) -> BTreeMap<String, Instant> {
        self.folders
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }

    fn remove(&self, folder: &str) {
        if let Ok(mut folders) = self.folders.lock() {
            folders.remove(folder);
        }
    }

    fn contains(&self, folder: &str) -> bool {
        self.folders.lock().is_ok_and(|f| f.contains_key(folder))
    }

    /// Returns once some folder is marked (at once if one was marked since the last return).
    async fn notified(&self) {
        self.notify.notified().await;
    }

    /// Returns once `folder` is dirty.
    async fn wait_for(&self, folder: &str) {
        // A mark between the check and the wait leaves a permit: no wake-up is lost.
        while !self.contains(folder) {
            self.notify.notified().await;
        }
    }
}

/// The watcher connections of one account: one per pushed folder, each idling on its folder.
struct Watchers {
    config: ImapConfig,
    options: LiveOptions,
    dirty: Arc<Dirty>,
    cancel: CancellationToken,
    /// Folder name → (watcher number, its token).
    running: HashMap<String, (u64, CancellationToken)>,
    tasks: JoinSet<(u64, String, Result<(), ImapError>)>,
    next: u64,
}

impl Watchers {
    fn new(config: ImapConfig, options: LiveOptions, cancel: CancellationToken) -> Self {
        Watchers {
            config,
            options,
            dirty: Arc::new(Dirty::default()),
            cancel,
            running: HashMap::new(),
            tasks: JoinSet::new(),
            next: 0,
        }
    }

    /// Watches exactly `folders`: stops the watchers of the others, starts the missing ones.
    fn update(&mut self, folders: Vec<String>) {
        self.running.retain(|name, (_, token)| {
            let keep = folders.contains(name);
            if !keep {
                tracing::info!(folder = %name, "Folder no longer pushed.");
                token.cancel();
            }
            keep
        });
        for folder in folders {
            if self.running.contains_key(&folder) {
                continue;
            }
            self.next += 1;
            let number = self.next;
            let token = self.cancel.child_token();
            let span = tracing::info_span!("watch", folder = %folder);
            let watch = watch_folder(
                self.config.clone(),
                folder.clone(),
                self.options,
                self.dirty.clone(),
                token.clone(),
            );
            let name = folder.clone();
            self.tasks
                .spawn(async move { (number, name, watch.await) }.instrument(span));
            self.running.insert(folder, (number, token));
        }
    }

    /// Returns the failure of the first watcher that ends without having been stopped (never,
    /// while all of them run).
    async fn failed(&mut self) -> anyhow::Error {
        loop {
            let Some(done) = self.tasks.join_next().await else {
                std::future::pending::<()>().await;
                continue;
            };
            let (number, folder, result) = match done {
                Ok(done) => done,
                Err(e) => return anyhow!("A folder watcher crashed: {e}"),
            };
            let current = self.running.get(&folder).is_some_and(|(n, _)| *n == number);
            if !current {
                // Stopped on purpose: the folder is no longer pushed.
                continue;
            }
            return match result {
                Ok(()) => anyhow!("The watcher of {folder} stopped"),
                // A chosen folder the server refuses (deleted or renamed by another client):
                // not a reason to drop the account. It is tried again with the next look at the
                // choices, and the next full pass takes it off the folder list.
                Err(ImapError::Server { .. }) if folder != INBOX => {
                    tracing::warn!(folder = %folder, "The server refuses to watch this folder.");
                    self.running.remove(&folder);
                    continue;
                }
                Err(e) => anyhow::Error::from(e).context(format!("Watching {folder} failed")),
            };
        }
    }

    /// Stops every watcher, within a bounded time.
    async fn stop(mut self) {
        self.cancel.cancel();
        let stop = idle::STOP_TIMEOUT + LOGOUT_TIMEOUT;
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(stop, all).await.is_err() {
            tracing::debug!("The folder watchers did not stop in time.");
        }
    }
}

impl Drop for Watchers {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A watcher connection: selects `folder`, marks it dirty (it listens from then on) and idles on
/// it, or polls it with NOOP when the server has no IDLE, marking it dirty for every change.
/// Returns `Ok` only when cancelled.
async fn watch_folder(
    config: ImapConfig,
    folder: String,
    options: LiveOptions,
    dirty: Arc<Dirty>,
    cancel: CancellationToken,
) -> Result<(), ImapError> {
    let Some(session) = cancellable(&cancel, ImapSession::connect(&config)).await else {
        return Ok(());
    };
    let mut session = session?;
    let result = async {
        session.select_folder(&folder, None).await?;
        tracing::info!("Watching the folder for changes.");
        dirty.mark(&folder);
        loop {
            if session.has("IDLE") {
                match session
                    .idle(options.idle_period, &cancel, |_| dirty.mark(&folder))
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
                    dirty.mark(&folder);
                }
            }
        }
    }
    .await;
    let _ = tokio::time::timeout(LOGOUT_TIMEOUT, session.logout()).await;
    result
}

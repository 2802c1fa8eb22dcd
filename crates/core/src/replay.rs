//! Replaying queued mail operations ([`crate::actions`]) to the IMAP server.
//!
//! Operations go oldest first. A stored UID is used only under the same UIDVALIDITY, else the
//! message is found by Message-ID. Each due operation is applied and then completed (its row
//! deleted); a failure reschedules it with backoff and, after too many, leaves it *wedged* for the
//! user to retry — never dropped. Every operation is idempotent on the server, so replaying one
//! whose completion was lost (a crash right after the server acted) does no harm. A broken
//! connection stops the replay; one refused operation does not.
//!
//! Who replays: every IMAP sync pass first, before it downloads (so the download sees the server
//! with the local changes applied); the live loop every `ops_poll` (2 s) and at once after each
//! reconnect; and an action itself: [`report`] tries now for at most `PUSH_NOW_TIMEOUT` and says
//! what is still pending, [`now`] replays everything not wedged whatever its backoff (`satu ops
//! retry`, `Satu::replay`), [`now_bounded`] is that within the same bound.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use satu_mail::imap::{Flag, ImapError, ImapSession};
use satu_store::{Account, AccountKind, Store};

use crate::actions::{MailOp, Place};
use crate::context::{Context, PUSH_NOW_TIMEOUT};
use crate::dto::ActionReport;
use crate::error::ApiResult;

/// What a replay pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Replayed {
    /// Operations the server now has.
    pub done: u64,
    /// Operations that failed this time (still queued).
    pub failed: u64,
}

/// Whether the connection itself is gone (stop the pass) rather than one operation refused.
fn connection_broken(error: &anyhow::Error) -> bool {
    error.chain().any(|c| {
        matches!(
            c.downcast_ref::<ImapError>(),
            Some(ImapError::ConnectionLost { .. } | ImapError::Timeout { .. })
        )
    })
}

/// Pushes every operation of `account` due at `now` (unix seconds; `i64::MAX` ignores backoff)
/// over `session`, oldest first.
#[tracing::instrument(skip_all, fields(account_id = account.id, source = "imap"))]
pub(crate) async fn replay_imap(
    store: &Store,
    account: &Account,
    session: &mut ImapSession,
    now: i64,
) -> Result<Replayed> {
    let mut replayed = Replayed::default();
    for op in store.due_ops(account.id, now)? {
        let result = match serde_json::from_str::<MailOp>(&op.payload) {
            Ok(mail_op) => apply(store, session, op.item_id, &mail_op).await,
            Err(e) => Err(anyhow::anyhow!("The queued operation cannot be read: {e}")),
        };
        match result {
            Ok(()) => {
                store.write(|tx| tx.complete_op(op.id))?;
                replayed.done += 1;
                tracing::debug!(op_id = op.id, kind = %op.kind, "Operation pushed.");
            }
            Err(e) => {
                let message = format!("{e:#}");
                let state = store.write(|tx| tx.fail_op(op.id, &message))?;
                replayed.failed += 1;
                tracing::warn!(op_id = op.id, kind = %op.kind, ?state, error = %message, "Operation failed.");
                if connection_broken(&e) {
                    return Err(e.context("The connection broke while pushing local changes"));
                }
            }
        }
    }
    if replayed != Replayed::default() {
        tracing::info!(
            done = replayed.done,
            failed = replayed.failed,
            "Local changes pushed."
        );
    }
    Ok(replayed)
}

/// The UIDs in the selected `folder` (UIDVALIDITY `uidvalidity`) of the message at `place`.
async fn find(
    session: &mut ImapSession,
    place: &Place,
    uidvalidity: u32,
    message_id: &str,
) -> Result<Vec<u32>, ImapError> {
    if place.uid != 0 && place.uidvalidity == uidvalidity {
        Ok(vec![place.uid])
    } else {
        session.uids_by_message_id(message_id).await
    }
}

async fn apply(
    store: &Store,
    session: &mut ImapSession,
    item_id: Option<i64>,
    op: &MailOp,
) -> Result<()> {
    match op {
        MailOp::SetFlags {
            message_id,
            seen,
            flagged,
            answered,
        } => {
            // Wherever the message is now (it may have moved since).
            let places: Vec<Place> = match item_id {
                Some(id) => store.locations(id)?.iter().map(Place::from).collect(),
                None => Vec::new(),
            };
            let mut add = Vec::new();
            let mut remove = Vec::new();
            for (flag, value) in [
                (Flag::Seen, seen),
                (Flag::Flagged, flagged),
                (Flag::Answered, answered),
            ] {
                match value {
                    Some(true) => add.push(flag),
                    Some(false) => remove.push(flag),
                    None => {}
                }
            }
            for (folder, places) in by_folder(&places) {
                let uidvalidity = session.select_for_update(folder).await?;
                let mut uids = Vec::new();
                for place in places {
                    uids.extend(find(session, place, uidvalidity, message_id).await?);
                }
                session.store_flags(&uids, &add, true).await?;
                session.store_flags(&uids, &remove, false).await?;
            }
        }
        MailOp::Move {
            message_id,
            from,
            to,
        } => {
            for (folder, places) in by_folder(from) {
                let uidvalidity = session
                    .select_for_update(folder)
                    .await
                    .with_context(|| format!("Cannot open {folder:?} to move a message out"))?;
                let mut uids = Vec::new();
                for place in places {
                    uids.extend(find(session, place, uidvalidity, message_id).await?);
                }
                // Empty: someone moved or deleted it already; nothing left to do.
                session.move_uids(&uids, to).await?;
            }
        }
        MailOp::Expunge { message_id, from } => {
            for (folder, places) in by_folder(from) {
                let uidvalidity = session.select_for_update(folder).await?;
                let mut uids = Vec::new();
                for place in places {
                    uids.extend(find(session, place, uidvalidity, message_id).await?);
                }
                session.expunge_uids(&uids).await?;
            }
        }
    }
    Ok(())
}

fn by_folder(places: &[Place]) -> BTreeMap<&str, Vec<&Place>> {
    let mut map: BTreeMap<&str, Vec<&Place>> = BTreeMap::new();
    for place in places {
        map.entry(place.folder.as_str()).or_default().push(place);
    }
    map
}

/// Replays the account's queued operations now (all that are not wedged, whatever their
/// backoff). Returns how many the server took.
pub(crate) async fn now(ctx: &Context, account_id: i64) -> ApiResult<u64> {
    let account = ctx.store().account(account_id)?;
    if account.kind != AccountKind::Imap {
        return Ok(0);
    }
    let auth = crate::oauth::auth(ctx, &account)?;
    let mut session = ImapSession::connect(&crate::accounts::imap_config(&account, auth))
        .await
        .map_err(anyhow::Error::from)?;
    let replayed = replay_imap(ctx.store(), &account, &mut session, i64::MAX).await;
    session.logout().await;
    Ok(replayed?.done)
}

/// Retries queued operation `id` (a wedged one included) now: rescheduled, then its account's
/// queue pushed as [`now_bounded`] does.
pub(crate) async fn retry(ctx: &Context, id: i64) -> ApiResult<u64> {
    let Some(op) = ctx.store().ops()?.into_iter().find(|op| op.id == id) else {
        return Err(crate::error::ApiError::new(
            crate::error::ErrorCode::NotFound,
            format!("No queued operation with id {id} (see `satu ops`)"),
        ));
    };
    ctx.store().write(|tx| tx.retry_op(id))?;
    now_bounded(ctx, op.account_id, id).await
}

/// Replays the account's queue for at most [`PUSH_NOW_TIMEOUT`] after operation `id` was
/// rescheduled; offline it stays queued. Returns how many operations the server took.
pub(crate) async fn now_bounded(ctx: &Context, account_id: i64, id: i64) -> ApiResult<u64> {
    match tokio::time::timeout(PUSH_NOW_TIMEOUT, now(ctx, account_id)).await {
        Ok(Ok(pushed)) => Ok(pushed),
        Ok(Err(e)) => {
            tracing::info!(op_id = id, error = %e.message, "Retry queued: the server is not reachable now.");
            Ok(0)
        }
        Err(_) => Ok(0),
    }
}

/// Tries to push the account's queue now (unless the sync is paused), then says what happened.
pub(crate) async fn report(
    ctx: &Context,
    account: i64,
    id: i64,
    changed: bool,
    folder: Option<String>,
    deleted: bool,
) -> ApiResult<ActionReport> {
    let queued = || -> ApiResult<u64> {
        let ops = ctx.store().ops()?;
        Ok(ops.iter().filter(|op| op.account_id == account).count() as u64)
    };
    // While the sync is paused nothing contacts a server: the change waits for the resume.
    let paused = ctx.store().setting(satu_store::Setting::SyncPaused)?;
    if queued()? > 0 && !paused {
        match tokio::time::timeout(PUSH_NOW_TIMEOUT, now(ctx, account)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::info!(account_id = account, error = %e.message, "Change queued: the server is not reachable now.");
            }
            Err(_) => {
                tracing::info!(
                    account_id = account,
                    "Change queued: the server is slow to answer."
                );
            }
        }
    }
    let pending = queued()?;
    Ok(ActionReport {
        id,
        changed,
        folder,
        deleted,
        pushed: pending == 0,
        pending,
    })
}

//! Pushing queued mail operations ([`crate::actions`]) to the IMAP server.
//!
//! Each due operation is applied and then completed (its row deleted); a failure reschedules it
//! with backoff and, after too many, leaves it *wedged* for the user to retry — never dropped.
//! Every operation is idempotent on the server, so replaying one whose completion was lost (a
//! crash right after the server acted) does no harm.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use satu_mail::imap::{Flag, ImapError, ImapSession};
use satu_store::{Account, Store};

use crate::actions::{MailOp, Place};

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

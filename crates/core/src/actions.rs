//! The user's mail actions — mark, move, archive, delete — in two phases: the local change and
//! the queued server operation commit in one transaction (so the timeline changes at once and
//! the server is told as soon as it can be, even after a crash), then [`crate::replay`] replays
//! the operation: the API tries at once (`replay::report`, for at most `PUSH_NOW_TIMEOUT`), and
//! what is left waits for the live loop or the next `satu sync`.
//!
//! An operation ([`MailOp`], JSON in `ops.payload`) names messages by Message-ID and the (folder,
//! UID, UIDVALIDITY) places they had when it was queued: replayed after a UIDVALIDITY change it
//! finds them again by Message-ID and never acts on a stale UID.
//!
//! The `_in` functions work inside a caller's transaction: [`mark_in`] for a completed task
//! unflagging its mail, [`answered_in`] for a sent reply marking the mail it answers `\Answered`
//! (in the transaction that records the send). Marking a chat item read reads its room up to it;
//! that read marker goes to the server with `matrix::flush`, not through `ops`.

use anyhow::{Context as _, Result};
use satu_store::{
    AccountKind, Folder, FolderRole, ItemKind, ItemRow, Location, Store, StoreError, Tx,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};

/// Where a message was when an operation was queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Place {
    /// Folder name (UTF-8).
    pub folder: String,
    /// UID under `uidvalidity`; 0 when not known.
    pub uid: u32,
    /// UIDVALIDITY of the folder when the UID was seen.
    pub uidvalidity: u32,
}

impl From<&Location> for Place {
    fn from(l: &Location) -> Self {
        Place {
            folder: l.folder.clone(),
            uid: l.uid,
            uidvalidity: l.uidvalidity,
        }
    }
}

/// A queued mail operation: the `ops.payload` JSON; `ops.kind` is its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum MailOp {
    /// Set `\Seen` / `\Flagged` / `\Answered` wherever the message is (its places are read
    /// when replayed).
    SetFlags {
        message_id: String,
        seen: Option<bool>,
        flagged: Option<bool>,
        /// Absent in operations queued before replies set it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answered: Option<bool>,
    },
    /// Move the message from `from` to the folder `to`.
    Move {
        message_id: String,
        from: Vec<Place>,
        to: String,
    },
    /// Delete the message for good from `from`.
    Expunge {
        message_id: String,
        from: Vec<Place>,
    },
}

impl MailOp {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            MailOp::SetFlags { .. } => "set_flags",
            MailOp::Move { .. } => "move",
            MailOp::Expunge { .. } => "expunge",
        }
    }

    /// Queues the operation. `item_id` is `None` when the item is gone locally (the queue's
    /// reference to it would dangle).
    fn enqueue(&self, tx: &mut Tx<'_>, account_id: i64, item_id: Option<i64>) -> Result<i64> {
        let payload = serde_json::to_string(self).context("Cannot encode the operation")?;
        tx.enqueue_op(account_id, item_id, self.kind(), &payload)
    }
}

/// Where a move goes.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A folder by name.
    Named(String),
    /// The folder with this special use.
    Role(FolderRole),
}

/// A mail item and whether its account lives on a server (so changes must be pushed).
fn mail_item(tx: &Tx<'_>, store: &Store, id: i64) -> Result<(ItemRow, bool)> {
    let row = tx.item_row(id)?;
    if row.kind != ItemKind::Mail {
        return Err(ApiError::invalid(
            "id",
            format!("Item {id} is a {}, not mail", row.kind.as_str()),
        )
        .into());
    }
    let remote = store.account(row.account_id)?.kind == AccountKind::Imap;
    Ok((row, remote))
}

/// Marks an item read/unread and/or flagged/unflagged (at least one of them). Returns whether
/// anything changed.
pub(crate) fn mark(
    store: &Store,
    id: i64,
    unread: Option<bool>,
    flagged: Option<bool>,
) -> Result<bool> {
    if unread.is_none() && flagged.is_none() {
        return Err(ApiError::invalid(
            "mark",
            "Say what to mark: read, unread, flagged or unflagged",
        )
        .into());
    }
    store.write(|tx| mark_in(tx, store, id, unread, flagged))
}

/// [`mark`] inside a transaction of the caller's (the change and its queued operation commit
/// with whatever else the caller does).
pub(crate) fn mark_in(
    tx: &mut Tx<'_>,
    store: &Store,
    id: i64,
    unread: Option<bool>,
    flagged: Option<bool>,
) -> Result<bool> {
    let row = tx.item_row(id)?;
    if row.kind == ItemKind::Chat && unread == Some(false) && row.unread {
        // Reading a chat message reads the room up to it; the marker is pushed after.
        let read = tx.chat_mark_read(id)?;
        let flag_changed = match flagged {
            Some(_) => tx.set_item_state(id, None, flagged)?,
            None => false,
        };
        return Ok(!read.is_empty() || flag_changed);
    }
    let changed = tx.set_user_state(id, unread, flagged)?;
    if changed {
        for (kind, on) in [
            (
                if unread == Some(true) {
                    "mail.unread"
                } else {
                    "mail.read"
                },
                unread.is_some(),
            ),
            (
                if flagged == Some(true) {
                    "mail.flag"
                } else {
                    "mail.unflag"
                },
                flagged.is_some(),
            ),
        ] {
            if on {
                crate::audit::record(
                    tx,
                    kind,
                    Some(row.account_id),
                    Some(id),
                    serde_json::json!({ "message_id": row.message_id, "subject": row.title }),
                )?;
            }
        }
    }
    let remote =
        row.kind == ItemKind::Mail && store.account(row.account_id)?.kind == AccountKind::Imap;
    if let (true, true, Some(message_id)) = (changed, remote, row.message_id) {
        MailOp::SetFlags {
            message_id,
            seen: unread.map(|u| !u),
            flagged,
            answered: None,
        }
        .enqueue(tx, row.account_id, Some(id))?;
    }
    Ok(changed)
}

/// A reply to mail `id` was sent: the message is marked answered here and `\Answered` is
/// queued for its server, in the caller's transaction (the one that records the send). Nothing
/// for an item that is gone or is not mail.
pub(crate) fn answered_in(tx: &mut Tx<'_>, store: &Store, id: i64) -> Result<()> {
    let row = match tx.item_row(id) {
        Ok(row) => row,
        Err(e) if matches!(e.downcast_ref(), Some(StoreError::NoSuchItem(_))) => return Ok(()),
        Err(e) => return Err(e),
    };
    if row.kind != ItemKind::Mail || !tx.set_answered(id)? {
        return Ok(());
    }
    let remote = store.account(row.account_id)?.kind == AccountKind::Imap;
    if let (true, Some(message_id)) = (remote, row.message_id) {
        MailOp::SetFlags {
            message_id,
            seen: None,
            flagged: None,
            answered: Some(true),
        }
        .enqueue(tx, row.account_id, Some(id))?;
    }
    Ok(())
}

fn find_target<'f>(folders: &'f [Folder], target: &Target) -> Result<&'f Folder> {
    let found = match target {
        Target::Named(name) => folders.iter().find(|f| {
            f.name == *name || (f.role == FolderRole::Inbox && name.eq_ignore_ascii_case("inbox"))
        }),
        Target::Role(role) => folders.iter().find(|f| f.role == *role),
    };
    found.filter(|f| f.selectable).ok_or_else(|| {
        let names: Vec<&str> = folders.iter().map(|f| f.name.as_str()).collect();
        let what = match target {
            Target::Named(name) => format!("no folder named {name:?}"),
            Target::Role(role) => format!("no {} folder", role.as_str()),
        };
        ApiError::new(
            ErrorCode::NotFound,
            format!(
                "This account has {what} (its folders: {}). Run `satu sync` if it was just created",
                names.join(", ")
            ),
        )
        .with_field("folder")
        .into()
    })
}

/// Moves a mail item to a folder of its account. Returns the folder's name.
pub(crate) fn move_item(store: &Store, id: i64, target: &Target) -> Result<String> {
    store.write(|tx| move_in(tx, store, id, target))
}

/// [`move_item`] inside a transaction of the caller's (a rule's actions commit together).
pub(crate) fn move_in(tx: &mut Tx<'_>, store: &Store, id: i64, target: &Target) -> Result<String> {
    let (row, remote) = mail_item(tx, store, id)?;
    let folders = tx.folders(row.account_id)?;
    let target = find_target(&folders, target)?;
    let from: Vec<Location> = tx
        .locations(id)?
        .into_iter()
        .filter(|l| l.folder_id != target.id && l.role != FolderRole::All)
        .collect();
    if from.is_empty() {
        return Ok(target.name.clone());
    }
    let from_ids: Vec<i64> = from.iter().map(|l| l.folder_id).collect();
    tx.relocate_item(id, &from_ids, target.id)?;
    let kind = if target.role == FolderRole::Trash {
        "mail.delete"
    } else {
        "mail.move"
    };
    crate::audit::record(
        tx,
        kind,
        Some(row.account_id),
        Some(id),
        serde_json::json!({
            "message_id": row.message_id,
            "subject": row.title,
            "from": from.iter().map(|l| l.folder.clone()).collect::<Vec<_>>(),
            "to": target.name,
        }),
    )?;
    if let (true, Some(message_id)) = (remote, row.message_id) {
        MailOp::Move {
            message_id,
            from: from.iter().map(Place::from).collect(),
            to: target.name.clone(),
        }
        .enqueue(tx, row.account_id, Some(id))?;
    }
    Ok(target.name.clone())
}

/// What [`delete`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deleted {
    /// Moved to this Trash folder.
    ToTrash(String),
    /// It was in the Trash already: deleted for good.
    ForGood,
}

/// Deletes a mail item: to the Trash, or for good when it is only in the Trash (or is a local
/// message).
pub(crate) fn delete(store: &Store, id: i64) -> Result<Deleted> {
    let (row, remote) = store.write(|tx| mail_item(tx, store, id))?;
    if remote {
        let locations = store.locations(id)?;
        let only_in_trash = !locations.is_empty()
            && locations
                .iter()
                .all(|l| matches!(l.role, FolderRole::Trash | FolderRole::All));
        if !only_in_trash {
            return move_item(store, id, &Target::Role(FolderRole::Trash)).map(Deleted::ToTrash);
        }
    }
    store.write(|tx| {
        let from: Vec<Place> = tx.locations(id)?.iter().map(Place::from).collect();
        tx.delete_item(id)?;
        crate::audit::record(
            tx,
            "mail.delete",
            Some(row.account_id),
            Some(id),
            serde_json::json!({
                "message_id": row.message_id,
                "subject": row.title,
                "from": from.iter().map(|p| p.folder.clone()).collect::<Vec<_>>(),
                "for_good": true,
            }),
        )?;
        if let (true, Some(message_id)) = (remote, row.message_id.clone()) {
            MailOp::Expunge { message_id, from }.enqueue(tx, row.account_id, None)?;
        }
        Ok(Deleted::ForGood)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_round_trip_through_json() {
        let op = MailOp::Move {
            message_id: "a@x".into(),
            from: vec![Place {
                folder: "INBOX".into(),
                uid: 7,
                uidvalidity: 99,
            }],
            to: "Archive".into(),
        };
        let json = serde_json::to_string(&op).expect("encode");
        assert!(json.contains("\"op\":\"move\""), "{json}");
        assert_eq!(serde_json::from_str::<MailOp>(&json).expect("decode"), op);
        assert_eq!(op.kind(), "move");
    }
}

//! Sync passes over accounts.
//!
//! An IMAP pass logs in, stores the folder list (INBOX first) and brings every folder up to date
//! (server → local): the decisions are pure functions in [`imap_plan`], the I/O is in `imap`.
//! Local changes waiting in the operation queue are replayed first ([`crate::replay`]), so the
//! download sees the server with them applied. Folders go in the listed order (INBOX, then
//! special use, then the rest); a folder the server refuses is reported and the pass goes on, a
//! lost connection ends it. After every stored
//! batch `Progress {account, folder, done, total}` is reported (`satu sync --progress` prints it).
//!
//! Cursors (`imap_sync`: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ per folder) are saved only after the
//! data they cover has committed, so a pass killed at any moment is redone on restart: messages
//! already stored are recognised by UID (not fetched again) or by Message-ID (not duplicated).
//! Items that left every folder are deleted only at the end of a pass that saw every folder
//! (`remove_orphan_mail`), so a move between folders keeps the item's id.
//!
//! [`sync_named`] syncs one folder alone over an open session: the push fast path of the live
//! loop (one SELECT, then a fetch of what changed). [`set_folder_push`] chooses which folders the
//! live loop watches.

mod imap;
pub(crate) mod imap_plan;

use std::sync::Arc;

pub(crate) use imap::FolderOutcome;

use satu_mail::imap::{ImapError, ImapSession, SpecialUse};
use satu_store::{Account, FolderRole, NewFolder, Store};

use crate::dto::{self, FolderInfo, Progress, SyncReport};
use crate::error::{ApiError, ApiResult, ErrorCode};

fn role(special_use: Option<SpecialUse>) -> FolderRole {
    match special_use {
        None => FolderRole::None,
        Some(SpecialUse::Inbox) => FolderRole::Inbox,
        Some(SpecialUse::Sent) => FolderRole::Sent,
        Some(SpecialUse::Drafts) => FolderRole::Drafts,
        Some(SpecialUse::Trash) => FolderRole::Trash,
        Some(SpecialUse::Junk) => FolderRole::Junk,
        Some(SpecialUse::Archive) => FolderRole::Archive,
        Some(SpecialUse::All) => FolderRole::All,
        Some(SpecialUse::Flagged) => FolderRole::Flagged,
    }
}

/// One pass over an IMAP account: the folder list, then every selectable folder (INBOX first)
/// brought up to date, then the messages that left every folder are removed.
///
/// A folder the server refuses (e.g. SELECT fails) is reported in its `FolderInfo::error` and
/// the pass goes on; a lost connection or a timeout ends the pass with an error. Messages that
/// left a folder are deleted only after a pass that saw every folder, so a message moved to a
/// folder synced later keeps its item (and its id).
#[tracing::instrument(skip_all, fields(account_id = account.id, source = "imap"))]
pub(crate) async fn sync_imap(
    store: &Arc<Store>,
    account: &Account,
    auth: satu_mail::auth::Auth,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<SyncReport, ApiError> {
    let config = crate::accounts::imap_config(account, auth);
    let connected = ImapSession::connect(&config)
        .await
        .map_err(|e| ApiError::from(anyhow::Error::from(e)));
    crate::health::record_login(store, account.id, connected.as_ref().map(drop));
    let mut session = match connected {
        Ok(session) => session,
        Err(e) => {
            crate::health::record_pass(store, account.id, Err(&e));
            return Err(e);
        }
    };
    let result = sync_session(store, account, &mut session, progress).await;
    session.logout().await;
    crate::health::record_pass(store, account.id, result.as_ref().map(drop));
    result
}

/// [`sync_imap`] over an open session (the live loop keeps its connection between passes).
pub(crate) async fn sync_session(
    store: &Arc<Store>,
    account: &Account,
    session: &mut ImapSession,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<SyncReport, ApiError> {
    let listed = session.list_folders().await.map_err(anyhow::Error::from)?;
    let capabilities = session.capabilities().to_vec();
    let folders: Vec<NewFolder> = listed
        .iter()
        .map(|f| NewFolder {
            name: f.name.clone(),
            delimiter: f.delimiter.clone(),
            role: role(f.special_use),
            selectable: f.selectable,
        })
        .collect();
    let mut stored = store.write(|tx| tx.replace_folders(account.id, &folders))?;
    tracing::info!(folders = folders.len(), "Folder list synced.");
    // A new account: how much it keeps offline, from its size, before any body comes.
    if !store.account(account.id)?.offline_chosen {
        let names: Vec<String> = folders
            .iter()
            .filter(|f| f.selectable)
            .map(|f| f.name.clone())
            .collect();
        crate::offline::choose_by_size(store, account.id, session, &names).await?;
        stored = store.folders(account.id)?;
    }
    session
        .enable_qresync()
        .await
        .map_err(anyhow::Error::from)?;

    let replayed = crate::replay::replay_imap(store, account, session, i64::MAX).await?;
    let mut report = SyncReport {
        account: account.id,
        capabilities,
        folders: Vec::new(),
        fetched: 0,
        linked: 0,
        updated: 0,
        removed: 0,
        deleted: 0,
        pushed: replayed.done,
        pending: store
            .ops()?
            .iter()
            .filter(|op| op.account_id == account.id)
            .count() as u64,
        tasks: None,
        events: None,
        chat: None,
    };
    let mut complete = true;
    // The server's order: INBOX, then special use, then the rest.
    for new in folders {
        let mut info = FolderInfo {
            name: new.name.clone(),
            role: new.role.as_str().to_owned(),
            selectable: new.selectable,
            total: 0,
            fetched: 0,
            linked: 0,
            updated: 0,
            removed: 0,
            error: None,
        };
        let folder = stored.iter().find(|f| f.name == new.name);
        if let (true, Some(folder)) = (new.selectable, folder) {
            match imap::sync_folder(store, session, account.id, folder, progress).await {
                Ok(outcome) => {
                    info.total = outcome.total;
                    info.fetched = outcome.fetched;
                    info.linked = outcome.linked;
                    info.updated = outcome.updated;
                    info.removed = outcome.removed;
                }
                Err(error) => {
                    let fatal = match error.downcast_ref::<ImapError>() {
                        Some(ImapError::Server { .. }) => false,
                        Some(_) => true,
                        // Store errors end the pass: they will not be better in the next folder.
                        None => true,
                    };
                    if fatal {
                        return Err(error
                            .context(format!("Cannot sync the folder {}", new.name))
                            .into());
                    }
                    tracing::warn!(folder = %new.name, error = %error, "Folder not synced.");
                    info.error = Some(format!("{error:#}"));
                    complete = false;
                }
            }
        }
        report.fetched += info.fetched;
        report.linked += info.linked;
        report.updated += info.updated;
        report.removed += info.removed;
        report.folders.push(info);
    }
    if complete {
        let deleted = store.write(|tx| {
            let deleted = tx.remove_orphan_mail(account.id)?;
            for item in &deleted {
                crate::audit::record_from_server(
                    tx,
                    "mail.delete",
                    account.id,
                    Some(*item),
                    serde_json::json!({ "reason": "gone from every folder on the server" }),
                )?;
            }
            Ok(deleted)
        })?;
        report.deleted = deleted.len() as u64;
    }
    tracing::info!(
        fetched = report.fetched,
        updated = report.updated,
        removed = report.removed,
        deleted = report.deleted,
        "Account synced."
    );
    Ok(report)
}

/// Brings one folder of the account (`INBOX` in any case, or a name as the server spells it) up
/// to date over an open session: what a push wake-up needs (one SELECT, then a fetch of what
/// changed). `None` when the folder is not in the stored folder list (yet: a full pass will
/// store it).
#[tracing::instrument(skip_all, fields(account_id = account.id, source = "imap", folder = %name))]
pub(crate) async fn sync_named(
    store: &Arc<Store>,
    account: &Account,
    session: &mut ImapSession,
    name: &str,
) -> anyhow::Result<Option<FolderOutcome>> {
    let folders = store.folders(account.id)?;
    let inbox = name.eq_ignore_ascii_case("INBOX");
    let Some(folder) = folders
        .iter()
        .find(|f| f.selectable && inbox && f.role == FolderRole::Inbox)
        .or_else(|| {
            folders.iter().find(|f| {
                f.selectable && (f.name == name || (inbox && f.name.eq_ignore_ascii_case(name)))
            })
        })
    else {
        return Ok(None);
    };
    session.enable_qresync().await?;
    let outcome = imap::sync_folder(store, session, account.id, folder, &|_| {}).await?;
    tracing::debug!(?outcome, "Folder synced.");
    Ok(Some(outcome))
}

/// Chooses whether the live sync pushes `folder` (IMAP IDLE on a connection of its own, so
/// its changes arrive within about a second instead of at the next full pass), in one account
/// or in every account that has it. INBOX is always pushed. Returns the folders changed; a
/// running `satu watch` or app picks the choice up within about 10 s.
pub(crate) fn set_folder_push(
    store: &Store,
    account: Option<i64>,
    folder: &str,
    push: bool,
) -> ApiResult<Vec<dto::Folder>> {
    let accounts = match account {
        Some(id) => vec![store.account(id)?],
        None => store.accounts()?,
    };
    let mut changed = Vec::new();
    for account in accounts {
        let Some(found) = store.folders(account.id)?.into_iter().find(|f| {
            f.name == folder
                || (f.role == FolderRole::Inbox && folder.eq_ignore_ascii_case("inbox"))
        }) else {
            continue;
        };
        if found.role == FolderRole::Inbox && !push {
            return Err(ApiError::invalid(
                "folder",
                "INBOX is always pushed: new mail arrives there",
            ));
        }
        if !found.selectable {
            return Err(ApiError::invalid(
                "folder",
                format!(
                    "The folder {:?} holds no messages, so there is nothing to push",
                    found.name
                ),
            ));
        }
        if let Some(folder) = store.write(|tx| tx.set_folder_push(account.id, &found.name, push))? {
            changed.push(folder.into());
        }
    }
    if changed.is_empty() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("No folder named {folder:?} (see `satu folders`; run `satu sync` first for a new account)"),
        ));
    }
    Ok(changed)
}

//! Sync passes over accounts.
//!
//! Walking skeleton: a pass logs in, lists the folders with their special use and stores them
//! (INBOX first). Fetching messages, flags and push are the IMAP engine's work (issue #3).

use anyhow::Result;
use satu_mail::imap::{ImapConfig, ImapSession, Security, SpecialUse};
use satu_store::{Account, FolderRole, NewFolder, Store};

use crate::dto::{FolderInfo, SyncReport};
use crate::error::ApiError;

/// The IMAP settings of an account, with its password.
pub(crate) fn imap_config(account: &Account, password: String) -> ImapConfig {
    ImapConfig {
        host: account.imap.0.clone(),
        port: account.imap.1,
        security: match account.security {
            satu_store::Security::Tls => Security::Tls,
            satu_store::Security::StartTls => Security::StartTls,
            satu_store::Security::Plain => Security::Plain,
        },
        username: account.username.clone(),
        password,
        ca_file: account.ca_file.as_ref().map(Into::into),
    }
}

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

/// One pass over an IMAP account.
#[tracing::instrument(skip_all, fields(account_id = account.id, source = "imap"))]
pub(crate) async fn sync_imap(
    store: &Store,
    account: &Account,
    password: String,
) -> Result<SyncReport, ApiError> {
    let config = imap_config(account, password);
    let mut session = ImapSession::connect(&config)
        .await
        .map_err(anyhow::Error::from)?;
    let listed = session.list_folders().await.map_err(anyhow::Error::from)?;
    let capabilities = session.capabilities().to_vec();
    session.logout().await;
    let folders: Vec<NewFolder> = listed
        .iter()
        .map(|f| NewFolder {
            name: f.name.clone(),
            delimiter: f.delimiter.clone(),
            role: role(f.special_use),
            selectable: f.selectable,
        })
        .collect();
    store.write(|tx| tx.replace_folders(account.id, &folders))?;
    tracing::info!(folders = folders.len(), "Folder list synced.");
    Ok(SyncReport {
        account: account.id,
        capabilities,
        folders: folders
            .into_iter()
            .map(|f| FolderInfo {
                name: f.name,
                role: f.role.as_str().to_owned(),
                selectable: f.selectable,
            })
            .collect(),
    })
}

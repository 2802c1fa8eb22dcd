//! Selective offline: how much of a big mailbox keeps its bodies here. An account, or one of
//! its folders, keeps the bodies of mail received in the last N days; the sync fetches older
//! mail header-only (`sync::imap`, `imap_plan::copies`) and drops bodies that age out
//! (`Tx::drop_remote_bodies`). Such mail is listed, threaded and found by subject and sender
//! like any other; [`download`] brings one message's body when the user opens it, and
//! [`search_server`] asks the server's `SEARCH` for words in the bodies that are not here.

use std::time::Duration;

use satu_mail::imap::ImapSession;
use satu_store::{AccountKind, Store};

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// How long a search waits for the servers' answers.
pub(crate) const SERVER_SEARCH_TIMEOUT: Duration = Duration::from_secs(15);

/// What a new mail account keeps offline, from its mailbox's size (`bytes`, every folder) and
/// the user's settings: every body (`None`) when it is at most `all_under_mb` MB, else the
/// bodies of the last `days_when_larger` days. `all_under_mb` 0: always the days.
pub(crate) fn days_for_size(bytes: u64, all_under_mb: i64, days_when_larger: i64) -> Option<u32> {
    let limit = u64::try_from(all_under_mb)
        .unwrap_or(0)
        .saturating_mul(1 << 20);
    if limit > 0 && bytes <= limit {
        None
    } else {
        Some(u32::try_from(days_when_larger.max(1)).unwrap_or(u32::MAX))
    }
}

/// A new mail account's first sync, before any body comes: adds up the sizes of its folders'
/// messages and chooses what it keeps offline ([`days_for_size`]), unless the user chose
/// already. A folder the server refuses counts as empty; a lost connection ends the pass.
pub(crate) async fn choose_by_size(
    store: &Store,
    account: i64,
    session: &mut ImapSession,
    folders: &[String],
) -> anyhow::Result<()> {
    let mut bytes = 0u64;
    for folder in folders {
        match session.folder_bytes(folder).await {
            Ok(size) => bytes += size,
            Err(satu_mail::imap::ImapError::Server { detail, .. }) => {
                tracing::info!(%folder, %detail, "A folder's size unknown: counted as empty.");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let under = store.number_setting(satu_store::NumberSetting::OfflineAllUnderMb)?;
    let larger = store.number_setting(satu_store::NumberSetting::OfflineDaysWhenLarger)?;
    let days = days_for_size(bytes, under, larger);
    if store.write(|tx| tx.choose_offline_by_size(account, days))? {
        tracing::info!(
            account,
            bytes,
            ?days,
            "Offline copy chosen from the mailbox's size."
        );
    }
    Ok(())
}

/// Chooses how many days of bodies an account keeps (`folder: None`) or one of its folders
/// (`days: None`: every body; for a folder, as the account says). Bodies the new choice no
/// longer keeps are dropped at once (their headers stay); bodies it keeps again come back as
/// their messages are opened. Returns the account's folders.
pub(crate) fn set_days(
    store: &Store,
    account: i64,
    folder: Option<&str>,
    days: Option<u32>,
) -> ApiResult<Vec<dto::Folder>> {
    let found = store.account(account)?;
    if found.kind != AccountKind::Imap {
        return Err(ApiError::invalid(
            "account",
            format!("Account {account} is not a mail account on a server: all of it is here"),
        ));
    }
    if days == Some(0) {
        return Err(ApiError::invalid(
            "days",
            "Keep at least one day of mail offline (or all of it)",
        ));
    }
    match store.write(|tx| tx.set_offline_days(account, folder, days))? {
        Some(folders) => Ok(folders.into_iter().map(Into::into).collect()),
        None => Err(ApiError::new(
            ErrorCode::NotFound,
            format!(
                "No folder named {:?} in account {account} (see `satu folders`)",
                folder.unwrap_or_default()
            ),
        )),
    }
}

/// The parts a message opened on demand is downloaded in (each one `UID FETCH`): small enough
/// that the progress moves on a slow line, large enough that a big attachment is not a
/// thousand round trips.
const DOWNLOAD_PART: u32 = 256 << 10;

/// Downloads the body of mail `id` when only its header is here, and stores it (`UID FETCH`es
/// of [`DOWNLOAD_PART`] from the folder it is in, `progress` told after each). Returns whether
/// there was anything to download.
#[tracing::instrument(skip(ctx, progress), fields(source = "imap"))]
pub(crate) async fn download(
    ctx: &Context,
    id: i64,
    progress: &(dyn Fn(dto::DownloadProgress) + Send + Sync),
) -> ApiResult<bool> {
    let store = ctx.store();
    let Some(copy) = store.remote_copy(id)? else {
        return Ok(false);
    };
    let account = store.account(copy.account_id)?;
    let auth = crate::oauth::auth(ctx, &account)?;
    let mut session = ImapSession::connect(&crate::accounts::imap_config(&account, auth))
        .await
        .map_err(anyhow::Error::from)?;
    let fetched = async {
        let selected = session.select_folder(&copy.folder, None).await?;
        if selected.uidvalidity != copy.uidvalidity {
            return Ok(None);
        }
        session
            .fetch_message_in_parts(copy.uid, DOWNLOAD_PART, |done, total| {
                progress(dto::DownloadProgress { id, done, total })
            })
            .await
    }
    .await;
    session.logout().await;
    let Some(message) = fetched.map_err(anyhow::Error::from)? else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!(
                "The message is no longer in {:?} on the server (moved or deleted elsewhere): \
                 the next sync brings the change",
                copy.folder
            ),
        ));
    };
    let account_id = account.id;
    let mail = tokio::task::spawn_blocking(move || {
        let parsed = satu_mail::parse_message(&message.raw);
        let fallback = message
            .internal_date_ms
            .unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
        crate::import::new_mail(parsed, message.raw, account_id, None, fallback, true, false)
    })
    .await
    .map_err(|e| ApiError::internal(format!("Parsing the downloaded message failed: {e}")))?;
    let filled = store.write(|tx| tx.fill_body(id, &mail))?;
    tracing::info!(
        item = id,
        bytes = mail.raw.len(),
        "Downloaded a message's body on open."
    );
    Ok(filled)
}

/// Asks the servers' `SEARCH` for `text` in the folders holding mail whose body is not here,
/// and returns the stored items it found, newest first (at most `limit`). Local mail is found
/// by the local index; this adds what only the servers can see.
pub(crate) async fn search_server(
    ctx: &Context,
    text: &str,
    limit: u32,
) -> ApiResult<Vec<dto::Item>> {
    let words: Vec<String> = text.split_whitespace().map(str::to_owned).take(8).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let store = ctx.store();
    let mut found: Vec<satu_store::ItemRow> = Vec::new();
    for account in store.accounts()? {
        if account.kind != AccountKind::Imap {
            continue;
        }
        let folders = store.folders_with_remote_mail(account.id)?;
        if folders.is_empty() {
            continue;
        }
        let auth = crate::oauth::auth(ctx, &account)?;
        let mut session = ImapSession::connect(&crate::accounts::imap_config(&account, auth))
            .await
            .map_err(anyhow::Error::from)?;
        let mut result = Ok(());
        for (folder_id, name) in folders {
            let uids = async {
                session.select_folder(&name, None).await?;
                session.search_text(&words).await
            }
            .await;
            match uids {
                Ok(uids) => found.extend(store.items_of_uids(folder_id, &uids)?),
                Err(e) => {
                    result = Err(anyhow::Error::from(e));
                    break;
                }
            }
        }
        session.logout().await;
        result?;
    }
    found.sort_by_key(|row| std::cmp::Reverse((row.time_ms, row.id)));
    found.dedup_by_key(|row| row.id);
    found.truncate(limit as usize);
    Ok(found.into_iter().map(Into::into).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_under_the_size_keeps_everything_a_larger_one_its_last_days() {
        const MB: u64 = 1 << 20;
        assert_eq!(days_for_size(0, 4096, 365), None);
        assert_eq!(days_for_size(4096 * MB, 4096, 365), None);
        assert_eq!(days_for_size(4096 * MB + 1, 4096, 365), Some(365));
        assert_eq!(days_for_size(10, 0, 30), Some(30), "0 MB: always the days");
        assert_eq!(days_for_size(u64::MAX, 1 << 20, 90), Some(90));
        assert_eq!(days_for_size(5 * MB, 4, 0), Some(1), "at least a day");
    }
}

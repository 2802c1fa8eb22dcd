//! One sync pass over every source, for `satu sync` and the window's "Sync now"; the long-lived
//! loops are in [`crate::live`].

use satu_store::AccountKind;

use crate::context::Context;
use crate::dto::{self, Progress, SyncReport};
use crate::error::ApiResult;
use crate::{caldav, matrix, send, sync};

/// One pass over every account (or just `account`): CalDAV, Matrix, then mail (the outbox
/// and drafts first). `progress` is called after every batch of messages stored (`done` of
/// `total` messages to fetch in that folder) so a window can show how far a first sync is.
pub(crate) async fn run(
    ctx: &Context,
    account: Option<i64>,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> ApiResult<Vec<SyncReport>> {
    let accounts = match account {
        Some(id) => vec![ctx.store().account(id)?],
        None => ctx.store().accounts()?,
    };
    let mut reports = Vec::new();
    for account in accounts.iter().filter(|a| a.kind == AccountKind::Caldav) {
        let pass = caldav::sync_account(ctx, account).await?;
        reports.push(SyncReport {
            account: account.id,
            capabilities: Vec::new(),
            folders: Vec::new(),
            fetched: 0,
            linked: 0,
            updated: 0,
            removed: 0,
            deleted: 0,
            pushed: 0,
            pending: 0,
            tasks: Some(pass.tasks),
            events: Some(pass.events),
            chat: None,
        });
    }
    for account in accounts.iter().filter(|a| a.kind == AccountKind::Matrix) {
        let pass = matrix::sync_account(ctx, account).await?;
        reports.push(SyncReport {
            account: account.id,
            capabilities: Vec::new(),
            folders: Vec::new(),
            fetched: 0,
            linked: 0,
            updated: 0,
            removed: 0,
            deleted: 0,
            pushed: pass.sent + pass.read_markers,
            pending: 0,
            tasks: None,
            events: None,
            chat: Some(dto::ChatSyncCounts {
                rooms: pass.rooms,
                messages: pass.messages,
                updated: pass.updated,
                sent: pass.sent,
                read_markers: pass.read_markers,
            }),
        });
    }
    for account in accounts.into_iter().filter(|a| a.kind == AccountKind::Imap) {
        // Mail waiting in the outbox and drafts for the Drafts folder go first; a failure
        // there (SMTP down) does not stop the sync.
        if let Err(e) = send::flush(ctx, Some(account.id)).await {
            tracing::warn!(account_id = account.id, error = %format!("{e:#}"), "The outbox could not be sent.");
        }
        let auth = crate::oauth::auth(ctx, &account)?;
        reports.push(sync::sync_imap(ctx.store(), &account, auth, progress).await?);
    }
    Ok(reports)
}

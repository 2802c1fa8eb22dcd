//! Drafts in the Drafts folder: the latest revision of each draft is uploaded (`\Draft \Seen`)
//! once typing has paused for 3 s, then the copy before it is removed (`UID EXPUNGE` of that
//! Message-ID's UIDs); a sent or discarded draft's copy is removed and the row forgotten. A copy's
//! Message-ID is recorded before its APPEND, so a crash in between leaves no stray copy behind
//! (the next pass finds and removes it). It runs with the outbox ([`super::flush`]: the live loop,
//! `satu sync`, `satu outbox flush`).

use anyhow::{Context as _, Result};
use satu_mail::imap::ImapSession;
use satu_store::{Account, Draft, FolderRole, Store};

use super::compose;
use crate::context::Context;

/// Drafts saved within this long are still being typed: uploaded on a later pass.
const SETTLE_MS: i64 = 3000;

/// The name of the account's Drafts folder (as the server marks it, else "Drafts").
fn drafts_folder(store: &Store, account: &Account) -> Result<String> {
    Ok(store
        .folders(account.id)?
        .into_iter()
        .find(|f| f.role == FolderRole::Drafts)
        .map(|f| f.name)
        .unwrap_or_else(|| "Drafts".to_owned()))
}

/// Brings the account's Drafts folder up to date with its drafts. Returns how many changed.
pub(crate) async fn sync(ctx: &Context, account: &Account, now_ms: i64) -> Result<u32> {
    let store = ctx.store();
    let due: Vec<Draft> = store
        .drafts_to_sync(account.id)?
        .into_iter()
        .filter(|d| d.deleted || d.updated_ms + SETTLE_MS <= now_ms)
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let folder = drafts_folder(store, account)?;
    let mut session = super::imap(ctx, account).await?;
    let result = async {
        session.select_for_update(&folder).await?;
        let mut changed = 0;
        for draft in due {
            one(store, account, &mut session, &folder, &draft)
                .await
                .with_context(|| format!("Cannot keep draft {} in {folder}", draft.id))?;
            changed += 1;
        }
        Ok::<_, anyhow::Error>(changed)
    }
    .await;
    session.logout().await;
    result
}

async fn one(
    store: &Store,
    account: &Account,
    session: &mut ImapSession,
    folder: &str,
    draft: &Draft,
) -> Result<()> {
    // The copies on the server that are not the one to keep: the last uploaded one, and one a
    // crash may have left half-recorded.
    let mut stale = Vec::new();
    for id in [&draft.server_message_id, &draft.pending_message_id] {
        if !id.is_empty() {
            stale.extend(session.uids_by_message_id(id).await?);
        }
    }
    if draft.deleted {
        session.expunge_uids(&stale).await?;
        store.write(|tx| tx.forget_draft(draft.id))?;
        return Ok(());
    }
    let c = &draft.content;
    // Written from an alias that was removed since: from the account's own address.
    let from = super::identity::resolve(store, account, Some(&c.from))
        .unwrap_or_else(|_| super::identity::Sender::of(account));
    let built = compose::build(&compose::Outline {
        from_name: from.name,
        from_address: from.address,
        to: c.to.clone(),
        cc: c.cc.clone(),
        bcc: c.bcc.clone(),
        subject: c.subject.clone(),
        text: c.body.clone(),
        html: None,
        attachments: Vec::new(),
        reply: match c.reply_to_item {
            Some(id) => store.mail_references(id).ok().flatten(),
            None => None,
        },
        draft: true,
        calendar: None,
    })?;
    store.write(|tx| tx.begin_draft_upload(draft.id, &built.message_id))?;
    session.append_draft(folder, &built.raw).await?;
    session.expunge_uids(&stale).await?;
    store.write(|tx| tx.draft_uploaded(draft.id, draft.revision, &built.message_id))?;
    tracing::debug!(
        draft_id = draft.id,
        revision = draft.revision,
        "Draft saved in Drafts."
    );
    Ok(())
}

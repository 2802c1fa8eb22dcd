//! Sending mail through the outbox, exactly once wherever SMTP allows it.
//!
//! A message is built once ([`compose`]: its Message-ID and bytes never change) and queued in the
//! store ([`queue`]: after the undo delay `send.undo_seconds`, 10 s by default, or at a time to
//! send later); [`flush`] sends what is due. Each attempt records how far it got *before* taking
//! the step (`Stage`): while only the envelope is out, the server has nothing, so a retry after
//! any failure or crash is safe; once the message itself is being handed over, the server may
//! have it, so the next attempt looks for its Message-ID in the Sent folder first ([`decide`]) and
//! sends again only when that folder is known to hold whatever the server sends. Otherwise the
//! message is left, failed with the reason, for the user: never sent twice behind their back,
//! never dropped. A break before the final "." is certain (the server discards an unfinished
//! message) and retried with backoff.
//!
//! [`flush`] claims each due message with a lease (`sending`, 5 min: two processes never send the
//! same message; a dead process's lease runs out), marks it sent after the server's 250, puts it
//! in the timeline at once (read, threaded with the mail it answers, which is marked `\Answered`;
//! the orphan sweep spares it until Sent is synced) and appends it to Sent with `\Seen` unless it
//! is there already (the server saved it, or an earlier append got through before a crash). Then
//! it brings the Drafts folder up to date ([`drafts`]). It runs from the live loop's outbox worker
//! as messages fall due, from `satu sync` and `satu outbox flush`, and on the next start for
//! whatever a closed app left.
//!
//! Fault injection for the crash tests: `SATU_FAULT=after-reply` aborts the process right after
//! the server took a message, before that is committed.

pub(crate) mod compose;
pub(crate) mod decide;
mod drafts;
pub(crate) mod identity;
pub(crate) mod mailto;
pub(crate) mod prefill;
pub(crate) mod queue;

use std::time::Duration;

use anyhow::{Context as _, Result};
use satu_mail::imap::ImapSession;
use satu_mail::imap::Security;
use satu_mail::smtp::{self, SmtpConfig, SmtpError, Submission};
use satu_store::{Account, AccountKind, FolderRole, Outgoing, Stage, Store};

use crate::context::Context;
use crate::error::{from_smtp, ApiError, ErrorCode};
use crate::import;
use decide::{AfterFailure, AfterLook, Plan};

/// How long an attempt holds a message before another process may take it over (it died).
const LEASE_MS: i64 = 5 * 60 * 1000;

/// What a flush did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flushed {
    /// Messages the server took (or that were found already sent).
    pub sent: u64,
    /// Messages now failed, waiting for the user.
    pub failed: u64,
    /// Messages queued again for a later attempt.
    pub retrying: u64,
    /// Why each message that did not go out this time did not: (outbox id, error).
    pub errors: Vec<(i64, ApiError)>,
}

/// Unix milliseconds now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The retry delays' scale: `SATU_OUTBOX_BACKOFF_SCALE` (tests make it small), else 1.
fn backoff_scale() -> f64 {
    std::env::var("SATU_OUTBOX_BACKOFF_SCALE")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .unwrap_or(1.0)
}

/// The SMTP settings of an account.
pub(crate) fn smtp_config(account: &Account, auth: satu_mail::auth::Auth) -> SmtpConfig {
    SmtpConfig {
        host: account.smtp.0.clone(),
        port: account.smtp.1,
        security: match account.smtp_security {
            satu_store::Security::Tls => Security::Tls,
            satu_store::Security::StartTls => Security::StartTls,
            satu_store::Security::Plain => Security::Plain,
        },
        username: account.username.clone(),
        auth,
        ca_file: account.ca_file.as_ref().map(Into::into),
    }
}

/// Sends everything due now (of `account` only, if given): messages whose time has come, and
/// sent ones whose copy in Sent is missing.
pub(crate) async fn flush(ctx: &Context, account: Option<i64>) -> Result<Flushed> {
    let store = ctx.store();
    let mut flushed = Flushed::default();
    for outgoing in store.due_outgoing(now_ms(), account)? {
        let account = store.account(outgoing.account_id)?;
        if account.kind != AccountKind::Imap {
            let reason = "This account is local: it has no server to send through";
            store.write(|tx| tx.fail_outgoing(outgoing.id, reason))?;
            flushed.failed += 1;
            flushed
                .errors
                .push((outgoing.id, ApiError::invalid("account", reason)));
            continue;
        }
        let span = tracing::info_span!(
            "send",
            account_id = account.id,
            outbox_id = outgoing.id,
            source = "smtp"
        );
        let _enter = span.enter();
        match one(ctx, &account, &outgoing).await? {
            Outcome::Sent => flushed.sent += 1,
            Outcome::Failed(error) => {
                flushed.failed += 1;
                flushed.errors.push((outgoing.id, error));
            }
            Outcome::Retrying(error) => {
                flushed.retrying += 1;
                flushed.errors.push((outgoing.id, error));
            }
            Outcome::Skipped => {}
        }
    }
    // Copies in Sent that a crash or an outage left out, and drafts for the Drafts folder.
    let accounts: Vec<i64> = match account {
        Some(id) => vec![id],
        None => store
            .accounts()?
            .into_iter()
            .filter(|a| a.kind == AccountKind::Imap)
            .map(|a| a.id)
            .collect(),
    };
    for &id in &accounts {
        let account = store.account(id)?;
        if let Err(e) = drafts::sync(ctx, &account, now_ms()).await {
            tracing::warn!(account_id = id, error = %format!("{e:#}"), "Cannot update the Drafts folder yet.");
        }
    }
    for id in accounts {
        let missing = store.sent_not_in_sent(id)?;
        if missing.is_empty() {
            continue;
        }
        let account = store.account(id)?;
        for outgoing in missing {
            if let Err(e) = save_to_sent(ctx, &account, &outgoing).await {
                tracing::warn!(account_id = id, outbox_id = outgoing.id, error = %format!("{e:#}"), "Cannot put a sent message in Sent yet.");
                break;
            }
        }
    }
    Ok(flushed)
}

enum Outcome {
    Sent,
    /// Left to the user, with why.
    Failed(ApiError),
    /// Queued again, with why this attempt did not get through.
    Retrying(ApiError),
    /// Not due any more (another process has it, or it was cancelled).
    Skipped,
}

async fn one(ctx: &Context, account: &Account, outgoing: &Outgoing) -> Result<Outcome> {
    let store = ctx.store();
    match decide::plan(outgoing.stage) {
        Plan::Send => {}
        Plan::LookInSent => {
            let now = now_ms();
            if !store.write(|tx| tx.begin_attempt(outgoing.id, Stage::Data, now, now + LEASE_MS))? {
                return Ok(Outcome::Skipped);
            }
            // Looking is not sending: a failure to look backs off like the last send.
            let attempts = outgoing.attempts.max(1);
            let found = match in_sent(ctx, account, &outgoing.message_id).await {
                Ok(found) => found,
                Err(e) => {
                    let error = ApiError::from(e.context(
                        "Cannot look in Sent for the message the server may already have",
                    ));
                    // It stays uncertain (and visible with the error) until Sent can be read.
                    let delay = decide::backoff_ms(attempts + 1, backoff_scale());
                    store.write(|tx| {
                        tx.requeue(outgoing.id, Stage::Data, now_ms() + delay, &error.message)
                    })?;
                    return Ok(Outcome::Retrying(error));
                }
            };
            match decide::after_look(found, account.smtp_saves_sent) {
                AfterLook::Sent => {
                    tracing::info!("Found in Sent: it was sent.");
                    store.write(|tx| {
                        tx.mark_sent(outgoing.id, true)?;
                        audit_sent(tx, outgoing, "found in Sent")?;
                        answered(tx, store, outgoing)?;
                        tx.set_smtp_saves_sent(account.id, true)
                    })?;
                    record_in_timeline(ctx, account, outgoing.id);
                    return Ok(Outcome::Sent);
                }
                AfterLook::AskUser => {
                    tracing::warn!(
                        "Not in Sent, and this server may not save sent mail: left to the user."
                    );
                    store.write(|tx| tx.fail_outgoing(outgoing.id, decide::UNCERTAIN))?;
                    return Ok(Outcome::Failed(ApiError::new(
                        ErrorCode::Server,
                        decide::UNCERTAIN,
                    )));
                }
                AfterLook::Resend => {
                    tracing::info!(
                        "Not in Sent, where this server saves what it sends: sending again."
                    );
                    store.write(|tx| tx.requeue(outgoing.id, Stage::None, 0, ""))?;
                }
            }
        }
    }
    let now = now_ms();
    if !store.write(|tx| tx.begin_attempt(outgoing.id, Stage::Envelope, now, now + LEASE_MS))? {
        return Ok(Outcome::Skipped);
    }
    let attempts = store.outgoing(outgoing.id)?.attempts;
    let raw = store.outgoing_raw(outgoing.id)?;
    let auth = match crate::oauth::auth(ctx, account) {
        Ok(auth) => auth,
        Err(e) => {
            store.write(|tx| tx.fail_outgoing(outgoing.id, &e.message))?;
            return Ok(Outcome::Failed(e));
        }
    };
    let config = smtp_config(account, auth);
    let submission = Submission {
        from: &outgoing.mail_from,
        to: &outgoing.rcpt,
        raw: &raw,
    };
    let id = outgoing.id;
    let result = smtp::submit(&config, &submission, || {
        store
            .write(|tx| tx.begin_data(id))
            .map_err(|e| format!("{e:#}"))
    })
    .await;
    match result {
        Ok(answer) => {
            crate::fault::abort_at("after-reply");
            tracing::info!(%answer, "Sent.");
            store.write(|tx| {
                tx.mark_sent(id, false)?;
                audit_sent(tx, outgoing, &answer)?;
                answered(tx, store, outgoing)
            })?;
            record_in_timeline(ctx, account, id);
            if let Err(e) = save_to_sent(ctx, account, &store.outgoing(id)?).await {
                tracing::warn!(error = %format!("{e:#}"), "Sent, but not in Sent yet (retried later).");
            }
            Ok(Outcome::Sent)
        }
        Err(SmtpError::Stopped(reason)) => {
            anyhow::bail!("Cannot record that message {id} is being handed over: {reason}")
        }
        Err(e) => {
            tracing::warn!(error = %e, "Not sent this time.");
            failed(store, id, attempts, e.delivery(), from_smtp(&e))
        }
    }
}

fn failed(
    store: &Store,
    id: i64,
    attempts: i64,
    delivery: satu_mail::smtp::Delivery,
    error: ApiError,
) -> Result<Outcome> {
    match decide::after_failure(delivery, attempts, &error.message, backoff_scale()) {
        AfterFailure::Retry { stage, delay_ms } => {
            store.write(|tx| tx.requeue(id, stage, now_ms() + delay_ms, &error.message))?;
            Ok(Outcome::Retrying(error))
        }
        AfterFailure::Fail(reason) => {
            store.write(|tx| tx.fail_outgoing(id, &reason))?;
            Ok(Outcome::Failed(ApiError {
                message: reason,
                ..error
            }))
        }
    }
}

/// The name of the account's Sent folder (as the server marks it, else "Sent").
fn sent_folder(store: &Store, account: &Account) -> Result<String> {
    Ok(store
        .folders(account.id)?
        .into_iter()
        .find(|f| f.role == FolderRole::Sent)
        .map(|f| f.name)
        .unwrap_or_else(|| "Sent".to_owned()))
}

async fn imap(ctx: &Context, account: &Account) -> Result<ImapSession> {
    let auth = crate::oauth::auth(ctx, account)?;
    Ok(ImapSession::connect(&crate::accounts::imap_config(account, auth)).await?)
}

/// Whether the account's Sent folder holds a message with this Message-ID.
async fn in_sent(ctx: &Context, account: &Account, message_id: &str) -> Result<bool> {
    let folder = sent_folder(ctx.store(), account)?;
    let mut session = imap(ctx, account).await?;
    let result = async {
        session.select_for_update(&folder).await?;
        Ok::<_, anyhow::Error>(!session.uids_by_message_id(message_id).await?.is_empty())
    }
    .await;
    session.logout().await;
    result.with_context(|| format!("Cannot search {folder}"))
}

/// Puts a sent message in Sent, unless it is there already (the server saved it, or an earlier
/// append got through before a crash). The first send of an account finds out whether the
/// server saves sent mail itself.
async fn save_to_sent(ctx: &Context, account: &Account, outgoing: &Outgoing) -> Result<()> {
    let store = ctx.store();
    let folder = sent_folder(store, account)?;
    let mut session = imap(ctx, account).await?;
    let result = async {
        session.select_for_update(&folder).await?;
        let mut found = !session
            .uids_by_message_id(&outgoing.message_id)
            .await?
            .is_empty();
        if !found && account.smtp_saves_sent != Some(false) {
            // A server that saves sent mail may take a moment.
            tokio::time::sleep(Duration::from_millis(300)).await;
            session.noop_changes().await?;
            found = !session
                .uids_by_message_id(&outgoing.message_id)
                .await?
                .is_empty();
        }
        if found {
            store.write(|tx| {
                tx.mark_in_sent(outgoing.id)?;
                if account.smtp_saves_sent.is_none() {
                    tx.set_smtp_saves_sent(account.id, true)?;
                }
                Ok(())
            })?;
            return Ok::<_, anyhow::Error>(());
        }
        let raw = store.outgoing_raw(outgoing.id)?;
        session.append_message(&folder, &raw, true).await?;
        store.write(|tx| {
            tx.mark_in_sent(outgoing.id)?;
            if account.smtp_saves_sent.is_none() {
                tx.set_smtp_saves_sent(account.id, false)?;
            }
            Ok(())
        })?;
        tracing::debug!(%folder, "Appended to Sent.");
        Ok(())
    }
    .await;
    session.logout().await;
    result.with_context(|| format!("Cannot put the sent message in {folder}"))
}

/// The message was sent: the mail it answers (if any) is marked answered, in the same
/// transaction.
fn answered(tx: &mut satu_store::Tx<'_>, store: &Store, outgoing: &Outgoing) -> Result<()> {
    match outgoing.reply_to_item {
        Some(original) => crate::actions::answered_in(tx, store, original),
        None => Ok(()),
    }
}

/// Stores a sent message in the timeline (read, in its thread) at once; the Sent folder's sync
/// later adds where it lives. A failure here loses nothing (the sync brings it).
fn record_in_timeline(ctx: &Context, account: &Account, id: i64) {
    let result = (|| -> Result<()> {
        let store = ctx.store();
        let raw = store.outgoing_raw(id)?;
        let parsed = satu_mail::parse_message(&raw);
        let mail = import::new_mail(parsed, raw, account.id, None, now_ms(), true, false);
        store.write(|tx| match tx.insert_mail(&mail)? {
            satu_store::Inserted::Added(id) => tx.index_now(&[id]).map(|_| ()),
            satu_store::Inserted::Existing(_) => Ok(()),
        })
    })();
    if let Err(e) = result {
        tracing::warn!(outbox_id = id, error = %format!("{e:#}"), "Cannot show the sent message in the timeline yet.");
    }
}

/// The audit entry of a message the server took: its Message-ID, envelope and the server's
/// answer.
fn audit_sent(tx: &mut satu_store::Tx<'_>, outgoing: &Outgoing, answer: &str) -> Result<()> {
    crate::audit::record(
        tx,
        "mail.sent",
        Some(outgoing.account_id),
        None,
        serde_json::json!({
            "outbox": outgoing.id,
            "message_id": outgoing.message_id,
            "from": outgoing.mail_from,
            "recipients": outgoing.rcpt,
            "answer": answer,
        }),
    )
}

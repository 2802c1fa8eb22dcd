//! Queuing a message in the outbox (and taking it back, retrying it), and saving drafts as the
//! user types. Sending itself is [`super::flush`].

use std::path::Path;

use satu_store::{AccountKind, NumberSetting};

use crate::context::{Context, PUSH_NOW_TIMEOUT};
use crate::dto;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Queues a message and, when it is due at once, sends it (for at most PUSH_NOW_TIMEOUT;
/// offline it stays queued and goes out when the server answers). Returns its outbox entry;
/// a message the server refused (a recipient, the login) is an error saying why, and stays
/// in the outbox as failed.
pub(crate) async fn queue(ctx: &Context, input: &dto::SendInput) -> ApiResult<dto::OutboxEntry> {
    let account = ctx.store().account(input.account)?;
    if account.kind != AccountKind::Imap || account.smtp.0.is_empty() {
        return Err(ApiError::invalid(
            "account",
            format!("Account {} has no SMTP server to send through", account.id),
        ));
    }
    let reply = match input.reply_to_item {
        Some(id) => Some(ctx.store().mail_references(id)?.ok_or_else(|| {
            ApiError::invalid("reply_to_item", format!("Item {id} is not a mail"))
        })?),
        None => None,
    };
    let mut attachments = Vec::new();
    for path in &input.attachments {
        let path = Path::new(path);
        let content = std::fs::read(path).map_err(|e| {
            let code = if e.kind() == std::io::ErrorKind::NotFound {
                ErrorCode::NotFound
            } else {
                ErrorCode::InvalidInput
            };
            ApiError::new(code, format!("Cannot attach {}: {e}", path.display()))
                .with_field("attach")
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attachment".to_owned());
        attachments.push(super::compose::Attached {
            mime_type: super::compose::mime_type_of(&name).to_owned(),
            name,
            content,
        });
    }
    for file in &input.files {
        use base64::Engine as _;
        let content = base64::engine::general_purpose::STANDARD
            .decode(file.data.as_bytes())
            .map_err(|e| {
                ApiError::invalid("attach", format!("{:?} is not readable ({e})", file.name))
            })?;
        let name = if file.name.trim().is_empty() {
            "attachment".to_owned()
        } else {
            file.name.trim().to_owned()
        };
        attachments.push(super::compose::Attached {
            mime_type: if file.mime_type.is_empty() {
                super::compose::mime_type_of(&name).to_owned()
            } else {
                file.mime_type.clone()
            },
            name,
            content,
        });
    }
    if let Some(original) = input.forward_of {
        let count = ctx.store().item(original)?.attachments.len();
        for index in 0..count {
            let (info, content) = crate::attachments::get(ctx.store(), original, index as u32)?;
            attachments.push(super::compose::Attached {
                name: info.name,
                mime_type: info.mime_type,
                content,
            });
        }
    }
    let from = super::identity::resolve(ctx.store(), &account, input.from.as_deref())?;
    let built = super::compose::build(&super::compose::Outline {
        from_name: from.name,
        from_address: from.address,
        to: input.to.clone(),
        cc: input.cc.clone(),
        bcc: input.bcc.clone(),
        subject: input.subject.clone(),
        text: input.body.clone(),
        html: input.html.clone(),
        attachments,
        reply,
        draft: false,
        calendar: None,
    })?;
    let now = super::now_ms();
    let not_before = match &input.at {
        Some(at) => chrono::DateTime::parse_from_rfc3339(at.trim())
            .map_err(|_| {
                ApiError::invalid(
                    "at",
                    format!("{at:?} is not a time: use RFC 3339, e.g. 2026-12-24T09:00:00+08:00"),
                )
            })?
            .timestamp_millis(),
        None => {
            let undo = match input.undo_seconds {
                Some(seconds) => i64::from(seconds),
                None => ctx.store().number_setting(NumberSetting::UndoSendSeconds)?,
            };
            now + undo * 1000
        }
    };
    if let Some(draft) = input.draft {
        ctx.store().draft(draft)?;
    }
    let id = ctx.store().write(|tx| {
        if let Some(draft) = input.draft {
            tx.delete_draft(draft)?;
        }
        let id = tx.queue_outgoing(&satu_store::NewOutgoing {
            account_id: account.id,
            message_id: built.message_id.clone(),
            mail_from: built.envelope_from.clone(),
            rcpt: built.rcpt.clone(),
            raw: built.raw.clone(),
            subject: input.subject.trim().to_owned(),
            recipients: built.recipients.clone(),
            reply_to_item: input.reply_to_item,
            not_before_ms: not_before,
        })?;
        crate::audit::record(
            tx,
            "mail.send",
            Some(account.id),
            input.reply_to_item,
            serde_json::json!({
                "outbox": id,
                "message_id": built.message_id,
                "from": built.envelope_from,
                "recipients": built.rcpt,
                "subject": input.subject.trim(),
            }),
        )?;
        Ok(id)
    })?;
    tracing::info!(account_id = account.id, outbox_id = id, message_id = %built.message_id, "Queued.");
    ctx.outbox_changed();
    if not_before <= now {
        match tokio::time::timeout(PUSH_NOW_TIMEOUT, super::flush(ctx, Some(account.id))).await {
            Ok(Ok(flushed)) => {
                if let Some((_, error)) = flushed.errors.into_iter().find(|(o, _)| *o == id) {
                    let entry = ctx.store().outgoing(id)?;
                    if entry.state == satu_store::OutboxState::Failed {
                        return Err(ApiError {
                            message: format!(
                                "Message {id} was not sent (it stays in the outbox): {}",
                                error.message
                            ),
                            ..error
                        });
                    }
                }
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %format!("{e:#}"), "Sending now failed; it stays queued.")
            }
            Err(_) => tracing::warn!("The server is slow; the message stays queued."),
        }
    }
    Ok(ctx.store().outgoing(id)?.into())
}

/// Saves a draft as the user types: a new one (`draft.id` null) or a new revision. Its
/// latest revision goes to the Drafts folder once typing has paused (and the server
/// answers). Returns it with its id.
pub(crate) fn save_draft(ctx: &Context, draft: &dto::Draft) -> ApiResult<dto::Draft> {
    let account = ctx.store().account(draft.account)?;
    let content = satu_store::DraftContent {
        account_id: account.id,
        to: draft.to.clone(),
        cc: draft.cc.clone(),
        bcc: draft.bcc.clone(),
        subject: draft.subject.clone(),
        body: draft.body.clone(),
        reply_to_item: draft.reply_to_item,
        forward_of: draft.forward_of,
        from: match draft
            .from
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            Some(from) => super::identity::resolve(ctx.store(), &account, Some(from))?.address,
            None => String::new(),
        },
    };
    let id = ctx
        .store()
        .write(|tx| tx.save_draft(draft.id, &content, super::now_ms()))?;
    ctx.outbox_changed();
    Ok(ctx.store().draft(id)?.into())
}

/// Undo send: takes back a queued message that has not started going out (or a failed
/// one). An error when it is too late.
pub(crate) fn cancel(ctx: &Context, id: i64) -> ApiResult<dto::OutboxEntry> {
    if !ctx.store().write(|tx| tx.cancel_outgoing(id))? {
        let entry = ctx.store().outgoing(id)?;
        return Err(ApiError::invalid(
            "id",
            format!(
                "Too late to take message {id} back: it is {}",
                entry.state.as_str()
            ),
        ));
    }
    ctx.outbox_changed();
    Ok(ctx.store().outgoing(id)?.into())
}

/// Retries a failed message now. A message the server may already have is looked for in
/// Sent first, unless `resend`: then it goes out again whatever (the user's choice).
pub(crate) async fn retry(ctx: &Context, id: i64, resend: bool) -> ApiResult<dto::OutboxEntry> {
    if !ctx.store().write(|tx| tx.retry_outgoing(id, resend))? {
        let entry = ctx.store().outgoing(id)?;
        return Err(ApiError::invalid(
            "id",
            format!("Message {id} is {}: nothing to retry", entry.state.as_str()),
        ));
    }
    let account = ctx.store().outgoing(id)?.account_id;
    if let Ok(Err(e)) =
        tokio::time::timeout(PUSH_NOW_TIMEOUT, super::flush(ctx, Some(account))).await
    {
        tracing::warn!(error = %format!("{e:#}"), "Retrying failed; it stays queued.");
    }
    Ok(ctx.store().outgoing(id)?.into())
}

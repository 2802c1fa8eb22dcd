//! `satu domain test`: the external delivery test. A test mail goes out through the account's
//! own SMTP server to the account itself (or an address given); Satu watches the INBOX by push
//! (IMAP IDLE; every second on a server without it) until the mail is there, then reads what
//! the receiving provider judged (its trusted `Authentication-Results`, see [`super::received`])
//! and how long delivery took.

use std::time::Duration;

use satu_mail::imap::session::ImapSession;
use satu_store::AccountKind;
use tokio_util::sync::CancellationToken;

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult};

/// How long an IDLE lasts before the INBOX is synced anyway.
const IDLE_SLICE: Duration = Duration::from_secs(5);

fn failed(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::from(anyhow::anyhow!("{what}: {e}"))
}

/// Runs the test (see the module): at most `timeout` for the mail to arrive.
pub(crate) async fn test(
    ctx: &Context,
    account_id: i64,
    to: Option<&str>,
    timeout: Duration,
) -> ApiResult<dto::DeliveryTest> {
    let store = ctx.store();
    let account = store.account(account_id)?;
    if account.kind != AccountKind::Imap {
        return Err(ApiError::invalid(
            "account",
            format!("Account {account_id} is not a mail account: only mail can be delivered"),
        ));
    }
    let to = to
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(&account.email)
        .to_owned();
    // Watch the INBOX before the mail leaves, so that its arrival is seen as it happens.
    let auth = crate::oauth::auth(ctx, &account)?;
    let config = crate::accounts::imap_config(&account, auth);
    let mut session = ImapSession::connect(&config)
        .await
        .map_err(|e| failed("Cannot log in to see the test mail arrive", e))?;
    if crate::sync::sync_named(store, &account, &mut session, "INBOX")
        .await
        .map_err(|e| failed("Cannot read the INBOX", format!("{e:#}")))?
        .is_none()
    {
        // Folders not known yet: one whole pass first.
        crate::sync::sync_session(store, &account, &mut session, &|_| {}).await?;
    }
    let token = format!("{:016x}", fastrand::u64(..));
    let input = dto::SendInput {
        account: account_id,
        to: vec![to.clone()],
        subject: format!("Satu delivery test {token}"),
        body: format!(
            "This mail tests how mail from {} is delivered and judged (SPF, DKIM, DMARC). \
             It can be deleted.\n\nTest {token}\n",
            account.email
        ),
        undo_seconds: Some(0),
        ..dto::SendInput::default()
    };
    let sent = crate::send::queue::queue(ctx, &input).await?;
    if sent.state != dto::OutboxState::Sent {
        return Err(ApiError::from(anyhow::anyhow!(
            "The test mail was not sent ({}): {}",
            serde_json::to_value(sent.state).unwrap_or_default(),
            sent.error.unwrap_or_default()
        )));
    }
    let sent_ms = chrono::Utc::now().timestamp_millis();
    let message_id = sent.message_id.trim_matches(['<', '>']).to_owned();
    let deadline = tokio::time::Instant::now() + timeout;
    let has_idle = session.has("IDLE");
    let (found, uid) = loop {
        if let Some(copy) = store.inbox_copy(account_id, &message_id)? {
            break copy;
        }
        if tokio::time::Instant::now() >= deadline {
            session.logout().await;
            return Err(ApiError::from(anyhow::anyhow!(
                "The test mail {message_id} sent to {to} did not arrive within {} s",
                timeout.as_secs()
            )));
        }
        if has_idle {
            let cancel = CancellationToken::new();
            let slice =
                IDLE_SLICE.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
            session
                .idle(slice, &cancel, |_| {})
                .await
                .map_err(|e| failed("The INBOX could not be watched", e))?;
        } else {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        crate::sync::sync_named(store, &account, &mut session, "INBOX")
            .await
            .map_err(|e| failed("Cannot read the INBOX", format!("{e:#}")))?;
    };
    let arrived_ms = chrono::Utc::now().timestamp_millis();
    // The INBOX copy as the provider delivered it (the item's stored bytes may be the copy in
    // Sent, which has no provider headers): its results are read, not kept.
    let raw = session
        .fetch_messages(&[uid], false, false)
        .await
        .map_err(|e| failed("Cannot fetch the test mail", e))?
        .into_iter()
        .next()
        .map(|m| m.raw)
        .ok_or_else(|| failed("The test mail left the INBOX meanwhile", &message_id))?;
    session.logout().await;
    let (authentication, _) = super::check(
        &raw,
        &account.imap.0,
        |address, name| super::known(store, address, name),
        arrived_ms,
    )
    .await?;
    Ok(dto::DeliveryTest {
        account: account_id,
        to,
        message_id,
        item: found,
        sent_at: dto::rfc3339(sent_ms),
        arrived_at: dto::rfc3339(arrived_ms),
        delay_ms: u64::try_from(arrived_ms - sent_ms).unwrap_or(0),
        push: has_idle,
        judged_by_provider: authentication.source == "provider",
        authentication,
    })
}

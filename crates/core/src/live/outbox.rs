//! The outbox loop: sends queued mail as it falls due.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::context::Context;

/// Sends queued mail as it falls due (undo delay over, send-later time reached, backoff done):
/// wakes when a message is queued or taken back (`outbox_wake`), when the next one falls due,
/// and every `poll` (for messages queued by another process, or a server that came back). A
/// send in flight when `cancel` fires is dropped: the outbox's stages make that as safe as a
/// killed process.
pub(super) async fn run(ctx: Context, cancel: CancellationToken, poll: Duration) {
    loop {
        if let Err(e) = crate::send::flush(&ctx, None).await {
            tracing::warn!(error = %format!("{e:#}"), "The outbox could not be sent.");
        }
        let now = crate::send::now_ms();
        let wait = match ctx.store().next_outgoing_due() {
            Ok(Some(due)) if due > now => Duration::from_millis((due - now) as u64).min(poll),
            Ok(Some(_)) => poll.min(Duration::from_millis(500)),
            _ => poll,
        };
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = ctx.outbox_wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

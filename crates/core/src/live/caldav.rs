//! The CalDAV loop: keeps every CalDAV account's calendars and task lists in sync.

use std::time::Duration;

use satu_store::AccountKind;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::context::Context;

/// How often CalDAV calendars and task lists are synced when nothing changed here.
const PERIOD: Duration = Duration::from_secs(30);
/// The first retry of a pass that failed (doubled up to the period).
const RETRY: Duration = Duration::from_secs(5);

/// Syncs every CalDAV account every [`PERIOD`], at once after a local change or the window's
/// focus (`caldav_wake`), and, while a server does not answer, again after 5 s, 10 s, … up to
/// the period, so changes made offline go up soon after it is back. A pass in flight when
/// `cancel` fires is dropped: its transactions and sync tokens make that safe.
pub(super) async fn run(ctx: Context, cancel: CancellationToken) {
    let mut failures: u32 = 0;
    loop {
        let accounts = ctx.store().accounts().unwrap_or_default();
        let mut failed = false;
        for account in accounts.iter().filter(|a| a.kind == AccountKind::Caldav) {
            if let Err(e) = crate::caldav::sync_account(&ctx, account).await {
                failed = true;
                tracing::warn!(account_id = account.id, error = %format!("{e:#}"), "The calendars and task lists could not be synced.");
            }
        }
        failures = if failed {
            failures.saturating_add(1)
        } else {
            0
        };
        let wait = if failed {
            (RETRY * 2u32.saturating_pow(failures - 1)).min(PERIOD)
        } else {
            PERIOD
        };
        let next = Instant::now() + wait;
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = ctx.caldav_wake.notified() => {}
            _ = tokio::time::sleep_until(next) => {}
        }
    }
}

//! The background indexer: writes the words of stored mail into the full-text index after the
//! sync has stored it (`satu_store`'s `search_index.rs` says why and how the queue works).
//!
//! The live loop runs [`run`] beside the sync: it indexes a chunk whenever mail waits, lets the
//! sync's transactions in between, and sleeps until the store records a change (or
//! [`OTHER_PROCESS_POLL`] passes: another process may have stored mail). `satu index --wait`
//! runs [`until_done`]. Both may run at once in different processes: each chunk reads the queue
//! inside its own write transaction, so no item is indexed twice.

use std::time::Duration;

use satu_store::Store;
use tokio_util::sync::CancellationToken;

use crate::context::Context;
use crate::dto::IndexReport;
use crate::error::ApiResult;

/// Items indexed per transaction: long enough to amortise the commit, short enough (about
/// 100 ms) that a sync waiting for the writer is not held up.
pub(crate) const CHUNK: usize = 1000;

/// How often the indexer looks for mail stored by another process when nothing happens here.
const OTHER_PROCESS_POLL: Duration = Duration::from_secs(30);

/// How many items wait for the index.
pub(crate) fn status(store: &Store) -> ApiResult<IndexReport> {
    Ok(IndexReport {
        indexed: 0,
        pending: store.index_pending()?,
    })
}

/// Indexes until nothing waits; `progress` hears after every chunk how many were indexed so far
/// and how many still wait.
pub(crate) fn until_done(
    store: &Store,
    progress: &(dyn Fn(IndexReport) + Send + Sync),
) -> ApiResult<IndexReport> {
    let mut report = status(store)?;
    while report.pending > 0 {
        let (indexed, pending) = store.index_step(CHUNK)?;
        report.indexed += indexed;
        // Nothing indexed yet something pending would loop for ever: the queue only shrinks.
        if indexed == 0 && pending >= report.pending {
            break;
        }
        report.pending = pending;
        progress(report.clone());
    }
    Ok(report)
}

/// The live indexer: indexes whatever waits, chunk by chunk, until `cancel` fires.
pub(crate) async fn run(ctx: Context, cancel: CancellationToken) {
    let mut changes = ctx.store().subscribe();
    loop {
        let store = ctx.store().clone();
        let step = match crate::thrift::background("index", move || store.index_step(CHUNK)) {
            Ok(step) => step.await.map_err(|e| e.to_string()),
            Err(e) => Err(format!("{e:#}")),
        };
        let pending = match step {
            Ok(Ok((indexed, pending))) => {
                if indexed > 0 {
                    tracing::debug!(indexed, pending, "Indexed mail for search.");
                }
                pending
            }
            Ok(Err(error)) => {
                tracing::warn!(error = %format!("{error:#}"), "Cannot index mail for search.");
                0
            }
            Err(error) => {
                tracing::warn!(%error, "The indexer's thread failed.");
                0
            }
        };
        if cancel.is_cancelled() {
            return;
        }
        if pending > 0 {
            // Let the sync's writer in between two chunks; on battery, spread the work out.
            if crate::thrift::conditions().on_battery {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(crate::thrift::INDEX_PAUSE) => {}
                }
            } else {
                tokio::task::yield_now().await;
            }
            continue;
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = changes.recv() => {}
            _ = tokio::time::sleep(OTHER_PROCESS_POLL) => {}
        }
    }
}

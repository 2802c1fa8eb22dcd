//! The queue of pending remote operations (the second phase of a two-phase user action).
//!
//! A user action applies its local change and calls [`Tx::enqueue_op`] in the same transaction, so
//! either both happen or neither. A worker takes due operations, replays them to the server, and
//! either completes them (the row is deleted) or reschedules them with backoff (2 s, 4 s, … 15 min:
//! [`backoff_secs`]). After [`MAX_ATTEMPTS`] failures an operation is *wedged*: kept and shown to
//! the user (`satu ops`, `satu ops retry ID`), never dropped. The payload is the core's JSON; the
//! store only keeps it.

use anyhow::{Context as _, Result};
use rusqlite::OptionalExtension as _;
use rusqlite::{params, Row};

use crate::Tx;

/// Failures after which an operation waits for the user instead of retrying by itself.
pub const MAX_ATTEMPTS: i64 = 8;

/// State of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpState {
    /// Waiting for its next attempt.
    Pending,
    /// Failed too often; waits for the user to retry.
    Wedged,
}

/// A queued remote operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// Operation id.
    pub id: i64,
    /// Account to push it to.
    pub account_id: i64,
    /// The item acted on, if any.
    pub item_id: Option<i64>,
    /// What to do, e.g. `set_flags`.
    pub kind: String,
    /// Arguments as JSON.
    pub payload: String,
    /// Pending or wedged.
    pub state: OpState,
    /// Failed attempts so far.
    pub attempts: i64,
    /// Unix seconds before which it is not retried.
    pub next_attempt_at: i64,
    /// The last failure, for the user.
    pub last_error: String,
}

fn op_from_row(row: &Row<'_>) -> rusqlite::Result<Op> {
    let state: String = row.get(5)?;
    Ok(Op {
        id: row.get(0)?,
        account_id: row.get(1)?,
        item_id: row.get(2)?,
        kind: row.get(3)?,
        payload: row.get(4)?,
        state: if state == "wedged" {
            OpState::Wedged
        } else {
            OpState::Pending
        },
        attempts: row.get(6)?,
        next_attempt_at: row.get(7)?,
        last_error: row.get(8)?,
    })
}

const OP_COLUMNS: &str =
    "id, account_id, item_id, kind, payload, state, attempts, next_attempt_at, last_error";

/// Seconds to wait after the `attempts`-th failure: 2, 4, 8, … capped at 15 minutes.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 10) as u32;
    (1_i64 << exp).min(900)
}

impl Tx<'_> {
    /// Queues a remote operation; call it in the transaction that applies the local change.
    pub fn enqueue_op(
        &mut self,
        account_id: i64,
        item_id: Option<i64>,
        kind: &str,
        payload: &str,
    ) -> Result<i64> {
        let now = self.now();
        self.conn()
            .execute(
                "INSERT INTO ops (account_id, item_id, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![account_id, item_id, kind, payload, now],
            )
            .context("Cannot queue the operation")?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The server has the operation: forget it.
    pub fn complete_op(&mut self, id: i64) -> Result<()> {
        let done: Option<(i64, i64, String)> = self
            .conn()
            .query_row(
                "DELETE FROM ops WHERE id = ?1 RETURNING account_id, created_at, kind",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .context("Cannot complete the operation")?;
        // Sync health: how long a read or flag change made here took to reach the server.
        if let Some((account, created_at, kind)) = done {
            if kind == "set_flags" {
                let now = self.now();
                let waited = u64::try_from(now - created_at).unwrap_or(0) * 1000;
                self.record_timings(account, now * 1000, "read_up", &[waited])?;
            }
        }
        Ok(())
    }

    /// The operation failed: retry later with backoff, or wedge it after [`MAX_ATTEMPTS`].
    pub fn fail_op(&mut self, id: i64, error: &str) -> Result<OpState> {
        let attempts: i64 = self
            .conn()
            .query_row("SELECT attempts + 1 FROM ops WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .context("Cannot read the operation")?;
        let state = if attempts >= MAX_ATTEMPTS {
            OpState::Wedged
        } else {
            OpState::Pending
        };
        let next = self.now() + backoff_secs(attempts);
        self.conn()
            .execute(
                "UPDATE ops SET attempts = ?2, next_attempt_at = ?3, last_error = ?4, state = ?5 WHERE id = ?1",
                params![id, attempts, next, error, if state == OpState::Wedged { "wedged" } else { "pending" }],
            )
            .context("Cannot record the operation's failure")?;
        Ok(state)
    }

    /// The user asks to retry a wedged (or waiting) operation now.
    pub fn retry_op(&mut self, id: i64) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE ops SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE id = ?1",
                [id],
            )
            .context("Cannot reschedule the operation")?;
        Ok(())
    }
}

impl crate::Store {
    /// Pending operations of an account that are due at `now`, oldest first.
    pub fn due_ops(&self, account_id: i64, now: i64) -> Result<Vec<Op>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {OP_COLUMNS} FROM ops WHERE account_id = ?1 AND state = 'pending' AND next_attempt_at <= ?2 ORDER BY id"
            ))?;
            let rows = stmt.query_map(params![account_id, now], op_from_row)?;
            rows.collect::<rusqlite::Result<_>>().context("Cannot read the operation queue")
        })
    }

    /// Every queued operation, oldest first (for the user's list of pending and failed work).
    pub fn ops(&self) -> Result<Vec<Op>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {OP_COLUMNS} FROM ops ORDER BY id"))?;
            let rows = stmt.query_map([], op_from_row)?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the operation queue")
        })
    }
}

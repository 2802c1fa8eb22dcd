//! Connection set-up: every pragma is set here and nowhere else. The writer: WAL,
//! `synchronous = NORMAL`, foreign keys on. Readers: read-only and `query_only`. Both: a busy
//! timeout, and query plans that never depend on bound values (SQLite's query planner stability
//! guarantee), so that a cached statement over a table with a partial index is not compiled again
//! on every use; queries reach partial indexes through the literal conditions they state (e.g.
//! `AND e.href != ''`), never through a parameter.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};
use rusqlite::{Connection, OpenFlags};

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Statements each connection keeps compiled. rusqlite's default of 16 is fewer than storing one
/// message uses (the item, its details, folder, contacts, thread, task links, change log, search
/// queue): the cache evicted its own statements in turn and every message compiled each of them
/// again, 28 % of an IMAP sync's CPU (`perf`, 10 000 messages).
const STATEMENT_CACHE: usize = 256;

/// Query plans that never depend on the values bound to a statement (SQLite's query planner
/// stability guarantee). Without it, a statement whose parameter the planner compared with a
/// partial index's condition (`events_href … WHERE href != ''`, `items_unread_sort … WHERE
/// unread = 1`: every query over those tables) is marked to be planned again whenever its
/// bindings change, and rusqlite's statement cache clears the bindings of every statement it
/// takes back: each cached statement was compiled anew on each use (a fifth of the CPU of a
/// 10 000-event CalDAV sync). The plans are the same: the partial indexes are used through
/// the literal conditions the queries state (`AND e.href != ''`), never through a parameter.
fn plan_independent_of_bindings(conn: &Connection) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .context("Cannot make query plans independent of bound values")?;
    Ok(())
}

/// Opens the one writer connection.
pub(crate) fn open_writer(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)
        .with_context(|| format!("Cannot open the database {}", path.display()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    plan_independent_of_bindings(&conn)?;
    // WAL: readers never block the writer; NORMAL is durable across application crashes
    // (only an OS crash may lose the last commits, never corrupt the file).
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .context("Cannot switch the database to WAL")?;
    if !mode.eq_ignore_ascii_case("wal") {
        anyhow::bail!(
            "The database {} cannot use WAL (journal mode is {mode})",
            path.display()
        );
    }
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32000;",
    )
    .context("Cannot set the writer's pragmas")?;
    Ok(conn)
}

/// Opens a read-only connection.
pub(crate) fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .with_context(|| format!("Cannot open the database {} for reading", path.display()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    plan_independent_of_bindings(&conn)?;
    conn.execute_batch(
        "PRAGMA query_only = ON;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;",
    )
    .context("Cannot set a reader's pragmas")?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use rusqlite::{params, StatementStatus};

    /// A cached statement over a table with partial indexes is compiled once, not on every use.
    #[test]
    fn cached_statements_are_not_compiled_again_on_each_use() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("satu.db");
        let _store = crate::Store::open(&path)?;
        for conn in [super::open_writer(&path)?, super::open_reader(&path)?] {
            let sql = "SELECT e.item_id FROM events e JOIN items i ON i.id = e.item_id
                       WHERE e.calendar_id = ?1 AND e.href = ?2 AND e.href != ''";
            for i in 0..20 {
                let mut stmt = conn.prepare_cached(sql)?;
                let found =
                    stmt.query_map(params![1, format!("/cal/{i}.ics")], |r| r.get::<_, i64>(0))?;
                assert_eq!(found.count(), 0);
            }
            let stmt = conn.prepare_cached(sql)?;
            assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
            let plan: String =
                conn.query_row(&format!("EXPLAIN QUERY PLAN {sql}"), params![1, "x"], |r| {
                    r.get(3)
                })?;
            assert!(
                plan.contains("events_href"),
                "the partial index is still used: {plan}"
            );
        }
        Ok(())
    }
}

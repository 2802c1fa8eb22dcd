//! The audit trail (`audit`, `audit_anchor`): every action that changes or discloses data,
//! appended by [`Tx::audit`] in the transaction of the change itself, so that an action and its
//! entry commit or roll back together. Entries are hash-chained (SHA-256 over the fields and the
//! previous entry's hash): editing or deleting an entry breaks the chain there, and
//! [`chain_break`] names the first broken entry. Removing entries from the end cannot be seen
//! from inside; the head ([`Store::audit_head`]) goes into every backup and can be written
//! outside the store to catch that.
//!
//! Who and from where (the OS user and device; the window, the CLI, a rule, the server) are the
//! process's ([`Store::set_audit_source`]); a change brought by the sync is written with
//! [`Tx::audit_as`] and origin `server`.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use rusqlite::{params, OptionalExtension as _};
use sha2::{Digest as _, Sha256};

use crate::{Store, Tx};

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Row id (increasing).
    pub id: i64,
    /// Unix ms.
    pub at_ms: i64,
    /// The OS user and device.
    pub actor: String,
    /// `window`, `cli`, `rule`, `server`, `schedule`.
    pub origin: String,
    /// The account.
    pub account_id: Option<i64>,
    /// The item.
    pub item_id: Option<i64>,
    /// What.
    pub kind: String,
    /// Particulars (JSON).
    pub detail: String,
    /// The previous entry's hash.
    pub prev: String,
    /// This entry's hash.
    pub hash: String,
}

/// Who writes the entries of this process, and from where.
#[derive(Debug, Clone)]
pub(crate) struct AuditSource {
    pub actor: Arc<str>,
    pub origin: Arc<str>,
}

impl Default for AuditSource {
    fn default() -> Self {
        AuditSource {
            actor: Arc::from("unknown"),
            origin: Arc::from("cli"),
        }
    }
}

/// An entry's hash: SHA-256 over its fields (each length-prefixed, so no two field lists
/// hash alike) and the previous entry's hash, hex.
pub fn audit_hash(entry: &AuditEntry) -> String {
    let mut hasher = Sha256::new();
    let id = entry.id.to_string();
    let at = entry.at_ms.to_string();
    let account = entry.account_id.map(|a| a.to_string()).unwrap_or_default();
    let item = entry.item_id.map(|i| i.to_string()).unwrap_or_default();
    for field in [
        entry.prev.as_str(),
        &id,
        &at,
        &entry.actor,
        &entry.origin,
        &account,
        &item,
        &entry.kind,
        &entry.detail,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first entry of `entries` (in id order, the whole trail from its start) where the chain
/// breaks, and why: its hash does not match its fields, or its `prev` is not the hash of the
/// entry before (or of `anchor` for the first). `None`: intact.
pub fn chain_break(entries: &[AuditEntry], anchor: &str) -> Option<(i64, String)> {
    let mut prev = anchor.to_owned();
    let mut last_id = None;
    for entry in entries {
        if entry.prev != prev {
            let why = match last_id {
                Some(before) => format!(
                    "it does not follow entry {before}: an entry between them was removed or changed"
                ),
                None => "it does not follow the start of the trail: entries before it were removed"
                    .to_owned(),
            };
            return Some((entry.id, why));
        }
        if audit_hash(entry) != entry.hash {
            return Some((
                entry.id,
                "its content does not match its hash: it was changed".to_owned(),
            ));
        }
        prev = entry.hash.clone();
        last_id = Some(entry.id);
    }
    None
}

/// What to read of the trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// From (Unix ms, inclusive).
    pub from_ms: Option<i64>,
    /// To (Unix ms, exclusive).
    pub to_ms: Option<i64>,
    /// Only this account.
    pub account_id: Option<i64>,
    /// Only these kinds (a kind, or a prefix ending in `.`: `mail.`).
    pub kinds: Vec<String>,
    /// At most this many, newest first (`None`: all, oldest first).
    pub limit: Option<u32>,
}

fn entry_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        actor: r.get(2)?,
        origin: r.get(3)?,
        account_id: r.get(4)?,
        item_id: r.get(5)?,
        kind: r.get(6)?,
        detail: r.get(7)?,
        prev: r.get(8)?,
        hash: r.get(9)?,
    })
}

const COLUMNS: &str = "id, at_ms, actor, origin, account_id, item_id, kind, detail, prev, hash";

impl Tx<'_> {
    /// Appends an entry written by this process's user and origin.
    pub fn audit(
        &mut self,
        kind: &str,
        account_id: Option<i64>,
        item_id: Option<i64>,
        detail: &str,
    ) -> Result<()> {
        let origin = self.audit_source.origin.clone();
        self.audit_as(&origin, kind, account_id, item_id, detail)
    }

    /// Appends an entry from `origin` (`server` for a change the sync brought).
    pub fn audit_as(
        &mut self,
        origin: &str,
        kind: &str,
        account_id: Option<i64>,
        item_id: Option<i64>,
        detail: &str,
    ) -> Result<()> {
        let last: Option<(i64, String)> = self
            .conn()
            .prepare_cached("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .context("Cannot read the audit trail's head")?;
        let (id, prev) = match last {
            Some((id, hash)) => (id + 1, hash),
            // The first entry, or the first after everything was pruned: on from the anchor.
            None => self
                .conn()
                .prepare_cached("SELECT last_id + 1, prev FROM audit_anchor WHERE id = 1")?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .context("Cannot read the audit trail's anchor")?
                .unwrap_or((1, String::new())),
        };
        let mut entry = AuditEntry {
            id,
            at_ms: now_ms(),
            actor: self.audit_source.actor.to_string(),
            origin: origin.to_owned(),
            account_id,
            item_id,
            kind: kind.to_owned(),
            detail: detail.to_owned(),
            prev,
            hash: String::new(),
        };
        entry.hash = audit_hash(&entry);
        self.conn()
            .prepare_cached(
                "INSERT INTO audit (id, at_ms, actor, origin, account_id, item_id, kind, detail, prev, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                entry.id,
                entry.at_ms,
                entry.actor,
                entry.origin,
                entry.account_id,
                entry.item_id,
                entry.kind,
                entry.detail,
                entry.prev,
                entry.hash
            ])
            .context("Cannot append to the audit trail")?;
        Ok(())
    }

    /// Forgets the entries before `before_ms` (a day's start: whole days only) and keeps the
    /// last one's hash as the chain's anchor; records the pruning itself. Returns how many went.
    pub fn prune_audit(&mut self, before_ms: i64) -> Result<u64> {
        let last: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT id, hash FROM audit WHERE at_ms < ?1 ORDER BY id DESC LIMIT 1",
                [before_ms],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .context("Cannot read the audit trail")?;
        let Some((last_id, hash)) = last else {
            return Ok(0);
        };
        let gone = self
            .conn()
            .execute("DELETE FROM audit WHERE id <= ?1", [last_id])
            .context("Cannot prune the audit trail")? as u64;
        self.conn()
            .execute(
                "INSERT INTO audit_anchor (id, prev, last_id, pruned, pruned_before_ms)
                 VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET prev = excluded.prev, last_id = excluded.last_id,
                   pruned = pruned + excluded.pruned, pruned_before_ms = excluded.pruned_before_ms",
                params![hash, last_id, gone as i64, before_ms],
            )
            .context("Cannot keep the audit trail's anchor")?;
        let detail = format!("{{\"entries\":{gone},\"before_ms\":{before_ms}}}");
        self.audit("audit.prune", None, None, &detail)?;
        Ok(gone)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Sets who writes this process's audit entries (the OS user and device) and from where
    /// (`window`, `cli`).
    pub fn set_audit_source(&self, actor: &str, origin: &str) {
        if let Ok(mut source) = self.audit_source.write() {
            *source = AuditSource {
                actor: Arc::from(actor),
                origin: Arc::from(origin),
            };
        }
    }

    /// The entries matching `filter`.
    pub fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.read(|conn| {
            let mut sql = format!("SELECT {COLUMNS} FROM audit WHERE 1 = 1");
            let mut values: Vec<rusqlite::types::Value> = Vec::new();
            if let Some(from) = filter.from_ms {
                values.push(from.into());
                sql.push_str(&format!(" AND at_ms >= ?{}", values.len()));
            }
            if let Some(to) = filter.to_ms {
                values.push(to.into());
                sql.push_str(&format!(" AND at_ms < ?{}", values.len()));
            }
            if let Some(account) = filter.account_id {
                values.push(account.into());
                sql.push_str(&format!(" AND account_id = ?{}", values.len()));
            }
            if !filter.kinds.is_empty() {
                let mut any = Vec::new();
                for kind in &filter.kinds {
                    if let Some(prefix) = kind.strip_suffix('.') {
                        values.push(format!("{prefix}.%").into());
                        any.push(format!("kind LIKE ?{}", values.len()));
                    } else {
                        values.push(kind.clone().into());
                        any.push(format!("kind = ?{}", values.len()));
                    }
                }
                sql.push_str(&format!(" AND ({})", any.join(" OR ")));
            }
            match filter.limit {
                Some(limit) => sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}")),
                None => sql.push_str(" ORDER BY id"),
            }
            let mut statement = conn.prepare(&sql)?;
            let rows = statement
                .query_map(rusqlite::params_from_iter(values), entry_of)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot read the audit trail")?;
            Ok(rows)
        })
    }

    /// The hash of the trail's last entry ('' when empty), and how many entries it holds.
    pub fn audit_head(&self) -> Result<(String, u64)> {
        self.read(|conn| {
            let head: Option<String> = conn
                .query_row("SELECT hash FROM audit ORDER BY id DESC LIMIT 1", [], |r| {
                    r.get(0)
                })
                .optional()
                .context("Cannot read the audit trail's head")?;
            let count: i64 = conn
                .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
                .context("Cannot count the audit trail")?;
            Ok((head.unwrap_or_default(), count as u64))
        })
    }

    /// Whether an entry with this hash is in the trail (or was its last pruned one).
    pub fn audit_holds(&self, hash: &str) -> Result<bool> {
        self.read(|conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM audit WHERE hash = ?1)
                   OR EXISTS (SELECT 1 FROM audit_anchor WHERE prev = ?1)",
                [hash],
                |r| r.get(0),
            )
            .context("Cannot look for an audit entry")
        })
    }

    /// Checks the whole chain: `None` when intact, else the first broken entry and why.
    pub fn audit_verify(&self) -> Result<Option<(i64, String)>> {
        let anchor: String = self.read(|conn| {
            conn.query_row("SELECT prev FROM audit_anchor WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()
            .map(Option::unwrap_or_default)
            .context("Cannot read the audit trail's anchor")
        })?;
        let entries = self.audit_entries(&AuditFilter::default())?;
        Ok(chain_break(&entries, &anchor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = String::new();
        (1..=n)
            .map(|id| {
                let mut e = AuditEntry {
                    id,
                    at_ms: 1_000 * id,
                    actor: "ana@laptop".into(),
                    origin: "window".into(),
                    account_id: Some(1),
                    item_id: Some(id * 10),
                    kind: "mail.flag".into(),
                    detail: "{}".into(),
                    prev: prev.clone(),
                    hash: String::new(),
                };
                e.hash = audit_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_any_change_or_removal_names_the_entry() {
        let entries = chain(5);
        assert_eq!(chain_break(&entries, ""), None);
        // A field changed.
        let mut changed = entries.clone();
        changed[2].detail = "{\"folder\":\"Trash\"}".into();
        assert_eq!(chain_break(&changed, "").map(|(id, _)| id), Some(3));
        // Its hash recomputed too: the next one no longer follows it.
        changed[2].hash = audit_hash(&changed[2]);
        let (id, why) = chain_break(&changed, "").expect("broken");
        assert_eq!(id, 4);
        assert!(why.contains("does not follow entry 3"), "{why}");
        // One removed.
        let mut removed = entries.clone();
        removed.remove(1);
        let (id, why) = chain_break(&removed, "").expect("broken");
        assert_eq!(id, 3);
        assert!(why.contains("removed"), "{why}");
        // The first removed: the start no longer fits.
        assert_eq!(chain_break(&entries[1..], "").map(|(id, _)| id), Some(2));
        // After pruning, the anchor is where it starts.
        assert_eq!(chain_break(&entries[2..], &entries[1].hash), None);
    }

    #[test]
    fn no_two_field_lists_hash_alike() {
        let mut a = chain(1).remove(0);
        let mut b = a.clone();
        a.actor = "ana@lap".into();
        a.origin = "topwindow".into();
        b.actor = "ana@laptop".into();
        b.origin = "window".into();
        assert_ne!(audit_hash(&a), audit_hash(&b));
    }
}

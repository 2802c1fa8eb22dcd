//! Sender checks (`sender_checks`): the verdict on who sent a mail, kept once computed, and what
//! the store knows about the people the user corresponds with (for look-alike warnings). How a
//! verdict is reached is the core's (`core/src/trust`).

use std::collections::BTreeSet;

use anyhow::{Context as _, Result};
use rusqlite::{params, OptionalExtension as _};

use crate::{Store, Tx};

/// A stored check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderCheck {
    pub item_id: i64,
    /// `verified`, `unverified` or `failed`.
    pub verdict: String,
    /// The reading pane guards the mail.
    pub guard: bool,
    /// Look-alike and impersonation warnings.
    pub warnings: i64,
    /// The whole check (JSON, the core's).
    pub details: String,
    /// Unix ms.
    pub checked_at: i64,
}

/// A mail waiting for its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unchecked {
    pub item_id: i64,
    pub account_id: i64,
}

/// What the store knows about a sender and the user's correspondents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderKnowledge {
    /// The domains of the addresses the user wrote to (lower case, as stored).
    pub domains: BTreeSet<String>,
    /// Addresses the user wrote to (or that wrote at least three times) under exactly this
    /// display name (case aside), lower case.
    pub same_name: Vec<String>,
    /// The sender wrote before (mail other than this one) or the user wrote to them.
    pub known_sender: bool,
}

impl Tx<'_> {
    /// Keeps the check of mail `item_id` (replacing an older one).
    pub fn put_sender_check(&mut self, check: &SenderCheck) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO sender_checks (item_id, verdict, guard, warnings, details, checked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (item_id) DO UPDATE SET verdict = excluded.verdict,
                   guard = excluded.guard, warnings = excluded.warnings,
                   details = excluded.details, checked_at = excluded.checked_at",
            )?
            .execute(params![
                check.item_id,
                check.verdict,
                check.guard,
                check.warnings,
                check.details,
                check.checked_at
            ])
            .with_context(|| format!("Cannot keep the sender check of item {}", check.item_id))?;
        Ok(())
    }
}

impl Store {
    /// The stored check of mail `item_id`, if it was checked.
    pub fn sender_check(&self, item_id: i64) -> Result<Option<SenderCheck>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT item_id, verdict, guard, warnings, details, checked_at
                 FROM sender_checks WHERE item_id = ?1",
            )?
            .query_row([item_id], |row| {
                Ok(SenderCheck {
                    item_id: row.get(0)?,
                    verdict: row.get(1)?,
                    guard: row.get(2)?,
                    warnings: row.get(3)?,
                    details: row.get(4)?,
                    checked_at: row.get(5)?,
                })
            })
            .optional()
            .context("Cannot read a sender check")
        })
    }

    /// Mail not checked yet that arrived at or after `since_ms` (its date), newest first, at
    /// most `limit`; header-only mail included (its check reads what the header holds).
    pub fn unchecked_mail(&self, since_ms: i64, limit: u32) -> Result<Vec<Unchecked>> {
        self.read(|conn| {
            conn.prepare_cached(
                // The sort key is the time shifted left by 20 bits: a range of the
                // (kind, sort_key) index, walked newest first, that ends at `since_ms` (not a
                // walk of every mail when few wait).
                "SELECT i.id, i.account_id FROM items i
                 WHERE i.kind = 'mail' AND i.sort_key >= ?1
                   AND NOT EXISTS (SELECT 1 FROM sender_checks c WHERE c.item_id = i.id)
                   AND EXISTS (SELECT 1 FROM mail_raw r WHERE r.item_id = i.id)
                 ORDER BY i.sort_key DESC LIMIT ?2",
            )?
            .query_map(params![since_ms.max(0) << 20, limit], |row| {
                Ok(Unchecked {
                    item_id: row.get(0)?,
                    account_id: row.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("Cannot list the mail waiting for a sender check")
        })
    }

    /// What the store knows for the check of a mail from `address` named `name` (see
    /// [`SenderKnowledge`]).
    pub fn sender_knowledge(&self, address: &str, name: &str) -> Result<SenderKnowledge> {
        self.read(|conn| {
            let domains = conn
                .prepare_cached(
                    "SELECT DISTINCT lower(substr(address, instr(address, '@') + 1))
                     FROM contacts WHERE written > 0 AND instr(address, '@') > 0",
                )?
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<BTreeSet<_>>>()
                .context("Cannot read the domains written to")?;
            let same_name = if name.trim().is_empty() {
                Vec::new()
            } else {
                conn.prepare_cached(
                    "SELECT lower(address) FROM contacts
                     WHERE name = ?1 COLLATE NOCASE AND (written > 0 OR seen >= 3)
                     ORDER BY address",
                )?
                .query_map([name.trim()], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot read the contacts of that name")?
            };
            // `seen` counts this mail too (it was counted when stored).
            let (written, seen): (i64, i64) = conn
                .prepare_cached("SELECT written, seen FROM contacts WHERE address = ?1")?
                .query_row([address], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
                .context("Cannot read whether the sender is known")?
                .unwrap_or((0, 0));
            Ok(SenderKnowledge {
                domains,
                same_name,
                known_sender: written > 0 || seen >= 2,
            })
        })
    }

    /// The copy of mail `message_id` (without angle brackets) in the account's INBOX: its item
    /// and UID there, once it is stored (`satu domain test`).
    pub fn inbox_copy(&self, account_id: i64, message_id: &str) -> Result<Option<(i64, u32)>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT m.item_id, mf.uid FROM mail m
                 JOIN mail_folders mf ON mf.item_id = m.item_id
                 JOIN folders f ON f.id = mf.folder_id
                 WHERE m.account_id = ?1 AND m.message_id = ?2 AND f.role = 'inbox'
                 LIMIT 1",
            )?
            .query_row(params![account_id, message_id], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
            .context("Cannot look for a mail in the INBOX")
        })
    }

    /// How many checks say each verdict (for `satu health` and the benchmark).
    pub fn sender_check_counts(&self) -> Result<Vec<(String, i64)>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT verdict, count(*) FROM sender_checks GROUP BY verdict ORDER BY verdict",
            )?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("Cannot count the sender checks")
        })
    }
}

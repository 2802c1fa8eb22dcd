//! Rules (`rules`, `rule_runs`, `rule_cursor`): what the user wrote, in order, and which mail
//! each rule acted on. Reading the words and acting on mail is the core's (`core/src/rules`).

use anyhow::{Context as _, Result};
use rusqlite::{params, OptionalExtension as _, Row};

use crate::{Store, StoreError, Tx};

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub enabled: bool,
    /// The conditions as written.
    pub conditions: String,
    /// The actions as written, one each.
    pub actions: Vec<String>,
    pub created_ms: i64,
    /// Mail it acted on so far.
    pub runs: i64,
}

const COLUMNS: &str = "r.id, r.name, r.position, r.enabled, r.conditions, r.actions, r.created_ms,
    (SELECT count(*) FROM rule_runs rr WHERE rr.rule_id = r.id AND rr.done != '')";

fn rule_from(row: &Row<'_>) -> rusqlite::Result<RuleRow> {
    let actions: String = row.get(5)?;
    Ok(RuleRow {
        id: row.get(0)?,
        name: row.get(1)?,
        position: row.get(2)?,
        enabled: row.get(3)?,
        conditions: row.get(4)?,
        actions: actions.lines().map(str::to_owned).collect(),
        created_ms: row.get(6)?,
        runs: row.get(7)?,
    })
}

impl Tx<'_> {
    /// Adds a rule after the others; its id.
    pub fn add_rule(
        &mut self,
        name: &str,
        conditions: &str,
        actions: &[String],
        now_ms: i64,
    ) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO rules (name, position, conditions, actions, created_ms)
                 VALUES (?1, (SELECT coalesce(max(position), 0) + 1 FROM rules), ?2, ?3, ?4)",
            )?
            .execute(params![name, conditions, actions.join("\n"), now_ms])
            .context("Cannot add the rule")?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Removes rule `id` (its runs go with it); false when there is none.
    pub fn remove_rule(&mut self, id: i64) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached("DELETE FROM rules WHERE id = ?1")?
            .execute([id])
            .context("Cannot remove the rule")?
            > 0)
    }

    /// Turns rule `id` on or off; false when there is none.
    pub fn set_rule_enabled(&mut self, id: i64, enabled: bool) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached("UPDATE rules SET enabled = ?2 WHERE id = ?1")?
            .execute(params![id, enabled])
            .context("Cannot change the rule")?
            > 0)
    }

    /// Notes that rule `rule_id` looked at mail `item_id` and did `done` (one action per line,
    /// '' for nothing). False when it had already: a rule acts on a mail once.
    pub fn note_rule_run(
        &mut self,
        rule_id: i64,
        item_id: i64,
        done: &[String],
        run: i64,
        now_ms: i64,
    ) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached(
                "INSERT INTO rule_runs (rule_id, item_id, at_ms, done, run) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (rule_id, item_id) DO NOTHING",
            )?
            .execute(params![rule_id, item_id, now_ms, done.join("\n"), run])
            .context("Cannot note what a rule did")?
            > 0)
    }

    /// Moves the new-mail cursor to `item_id` (never back).
    pub fn set_rule_cursor(&mut self, item_id: i64) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO rule_cursor (id, item_id) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET item_id = max(item_id, excluded.item_id)",
            )?
            .execute([item_id])
            .context("Cannot note how far the rules looked")?;
        Ok(())
    }

    /// Whether rule `rule_id` already looked at mail `item_id`.
    pub fn rule_ran(&self, rule_id: i64, item_id: i64) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached("SELECT 1 FROM rule_runs WHERE rule_id = ?1 AND item_id = ?2")?
            .query_row(params![rule_id, item_id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The task made from another mail of mail `id`'s conversation, if one was.
    pub fn thread_task(&self, id: i64) -> Result<Option<i64>> {
        self.conn()
            .prepare_cached(
                "SELECT src.task_id FROM items me
                 JOIN items src ON src.thread_id = me.thread_id AND src.task_id IS NOT NULL
                 WHERE me.id = ?1 AND me.thread_id IS NOT NULL AND src.id != me.id LIMIT 1",
            )?
            .query_row([id], |row| row.get(0))
            .optional()
            .context("Cannot look for the conversation's task")
    }

    /// Sets the audit trail's origin for the rest of this transaction (`rule` for what a rule
    /// does).
    pub fn set_audit_origin(&mut self, origin: &str) {
        self.audit_source.origin = std::sync::Arc::from(origin);
    }
}

impl Store {
    /// Every rule, in order.
    pub fn rules(&self) -> Result<Vec<RuleRow>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM rules r ORDER BY r.position, r.id"
            ))?
            .query_map([], rule_from)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("Cannot read the rules")
        })
    }

    /// Rule `id`.
    pub fn rule(&self, id: i64) -> Result<RuleRow> {
        self.read(|conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM rules r WHERE r.id = ?1"))?
                .query_row([id], rule_from)
                .optional()
                .context("Cannot read a rule")?
                .ok_or_else(|| StoreError::NoSuchRule(id).into())
        })
    }

    /// The new-mail cursor (see [`Tx::set_rule_cursor`]); `None` before the first look.
    pub fn rule_cursor(&self) -> Result<Option<i64>> {
        self.read(|conn| {
            conn.prepare_cached("SELECT item_id FROM rule_cursor WHERE id = 1")?
                .query_row([], |row| row.get(0))
                .optional()
                .context("Cannot read how far the rules looked")
        })
    }

    /// Mail stored after `after` (items.id) in an INBOX (or a local account's folder), oldest
    /// first, at most `limit`: what new-mail rules look at. With the newest mail id of all.
    pub fn mail_for_rules(&self, after: i64, limit: u32) -> Result<(Vec<i64>, i64)> {
        self.read(|conn| {
            // The newest first, then the mail up to it: one stored meanwhile waits for the next
            // look instead of being passed over.
            let newest: i64 = conn
                .prepare_cached("SELECT coalesce(max(id), 0) FROM items")?
                .query_row([], |row| row.get(0))?;
            let ids = conn
                .prepare_cached(
                    "SELECT i.id FROM items i
                     WHERE i.id > ?1 AND i.id <= ?3 AND i.kind = 'mail' AND EXISTS (
                         SELECT 1 FROM mail_folders mf JOIN folders f ON f.id = mf.folder_id
                         JOIN accounts a ON a.id = f.account_id
                         WHERE mf.item_id = i.id AND (f.role = 'inbox' OR (a.kind = 'local' AND f.role = '')))
                     ORDER BY i.id LIMIT ?2",
                )?
                .query_map(params![after, limit, newest], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()
                .context("Cannot list the new mail for the rules")?;
            Ok((ids, newest))
        })
    }

    /// Whether mail `message_id` (without angle brackets) of account `account_id` was sent by
    /// the account (its own address or an identity): `is:reply` asks it of a mail's parent.
    pub fn sent_by_account(&self, account_id: i64, message_id: &str) -> Result<bool> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT 1 FROM mail m JOIN items i ON i.id = m.item_id
                 WHERE m.account_id = ?1 AND m.message_id = ?2
                   AND (EXISTS (SELECT 1 FROM accounts a WHERE a.id = ?1
                                AND lower(a.email) = lower(i.sender_address))
                     OR EXISTS (SELECT 1 FROM identities d WHERE d.account_id = ?1
                                AND lower(d.address) = lower(i.sender_address)))",
            )?
            .query_row(params![account_id, message_id], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .context("Cannot look for the user's own mail")
        })
    }

    /// The newest mail of the timeline, newest first (ids), at most `limit`: what `satu rule
    /// run` and the live match count look at.
    pub fn recent_mail(&self, limit: u32) -> Result<Vec<i64>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT id FROM items WHERE kind = 'mail' ORDER BY sort_key DESC LIMIT ?1",
            )?
            .query_map([limit], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()
            .context("Cannot list the newest mail")
        })
    }
}

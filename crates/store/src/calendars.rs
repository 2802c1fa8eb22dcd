//! Calendars and task lists of CalDAV accounts, each with its sync cursor.

use anyhow::{Context as _, Result};
use rusqlite::params;

use crate::Tx;

/// A calendar as the server lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCalendar {
    /// Its path on the server.
    pub href: String,
    /// Display name.
    pub name: String,
    /// Color ('' when none).
    pub color: String,
    /// `VEVENT`, `VTODO`, …
    pub components: Vec<String>,
}

/// A stored calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    /// Calendar id.
    pub id: i64,
    /// Its account.
    pub account_id: i64,
    /// Its path on the server.
    pub href: String,
    /// Display name.
    pub name: String,
    /// Color.
    pub color: String,
    /// What it holds.
    pub components: Vec<String>,
    /// RFC 6578 sync token of the last sync ('' before the first, or without sync-collection).
    pub sync_token: String,
    /// The ctag of the last sync of a server without sync-collection ('' otherwise).
    pub ctag: String,
    /// Where tasks made from mail go (one calendar over every account).
    pub task_default: bool,
}

impl Tx<'_> {
    /// Makes the account's calendars what the server lists: new ones added, changed names and
    /// colors updated, gone ones removed (their cursors kept for the others). The first task
    /// list becomes where tasks go when none is chosen yet.
    pub fn replace_calendars(&mut self, account_id: i64, calendars: &[NewCalendar]) -> Result<()> {
        let hrefs: Vec<&str> = calendars.iter().map(|c| c.href.as_str()).collect();
        let existing: Vec<(i64, String)> = {
            let mut stmt = self
                .conn()
                .prepare("SELECT id, href FROM calendars WHERE account_id = ?1")?;
            let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (id, href) in existing {
            if !hrefs.contains(&href.as_str()) {
                // Its events go with it (its tasks stay, to be pushed to another list).
                let events: Vec<i64> = {
                    let mut stmt = self
                        .conn()
                        .prepare("SELECT item_id FROM events WHERE calendar_id = ?1")?;
                    let rows = stmt.query_map([id], |r| r.get(0))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                for event in events {
                    self.delete_item(event)?;
                }
                self.conn()
                    .execute("DELETE FROM calendars WHERE id = ?1", [id])?;
            }
        }
        for c in calendars {
            self.conn()
                .execute(
                    "INSERT INTO calendars (account_id, href, name, color, components) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (account_id, href) DO UPDATE SET name = excluded.name, color = excluded.color,
                         components = excluded.components",
                    params![account_id, c.href, c.name, c.color, c.components.join(" ")],
                )
                .context("Cannot store the calendar")?;
        }
        // One task list, over every account, takes the tasks made from mail.
        let has_default: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM calendars WHERE task_default = 1)",
            [],
            |r| r.get(0),
        )?;
        if !has_default {
            self.conn().execute(
                // A list for tasks only, else one named for tasks (servers that let every
                // calendar hold everything), else the first that takes tasks.
                "UPDATE calendars SET task_default = 1 WHERE id = (
                     SELECT id FROM calendars WHERE account_id = ?1 AND (' ' || components || ' ') LIKE '% VTODO %'
                     ORDER BY (' ' || components || ' ') LIKE '% VEVENT %', lower(name || href) NOT LIKE '%task%', id
                     LIMIT 1)",
                [account_id],
            )?;
        }
        Ok(())
    }
}

impl Tx<'_> {
    /// Makes `calendar_id` the list where tasks made from mail go (one over every account).
    pub fn set_task_calendar(&mut self, calendar_id: i64) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE calendars SET task_default = (id = ?1)",
                params![calendar_id],
            )
            .context("Cannot choose the task list")?;
        Ok(())
    }
}

impl crate::Store {
    /// The calendars of `account` (of every CalDAV account when `None`), by account and name.
    pub fn calendars(&self, account: Option<i64>) -> Result<Vec<CalendarRow>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, account_id, href, name, color, components, sync_token, task_default, ctag FROM calendars
                 WHERE ?1 IS NULL OR account_id = ?1 ORDER BY account_id, name, id",
            )?;
            let rows = stmt.query_map([account], |r| {
                let components: String = r.get(5)?;
                Ok(CalendarRow {
                    id: r.get(0)?,
                    account_id: r.get(1)?,
                    href: r.get(2)?,
                    name: r.get(3)?,
                    color: r.get(4)?,
                    components: components.split_whitespace().map(str::to_owned).collect(),
                    sync_token: r.get(6)?,
                    task_default: r.get(7)?,
                    ctag: r.get(8)?,
                })
            })?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the calendars")
        })
    }
}

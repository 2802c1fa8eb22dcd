//! Accounts: the sources of the timeline. Passwords and access tokens are never stored here (they
//! live in the OS keyring, see the core's `secrets` module).
//!
//! An account is of one [`AccountKind`]: IMAP/SMTP mail (servers, security, an optional CA file,
//! and `smtp_saves_sent`, learned on the first send), local mail (imports, the sample mailbox),
//! CalDAV (`url`, `principal`, `home`; its calendars are in `calendars`) or Matrix (`url` of the
//! homeserver, `device_id` of its access token). Every account has `in_timeline` (shown in the
//! unified views and their counts) and `notify` (not muted).

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _, Row};

use crate::{ChangeKind, ItemKind, StoreError, Tx};

/// What kind of source an account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// An IMAP/SMTP mail account.
    Imap,
    /// Local mail only (imports, the sample mailbox).
    Local,
    /// A CalDAV server: calendars and task lists.
    Caldav,
    /// A Matrix homeserver: chat.
    Matrix,
}

impl AccountKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Imap => "imap",
            AccountKind::Local => "local",
            AccountKind::Caldav => "caldav",
            AccountKind::Matrix => "matrix",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "imap" => Ok(AccountKind::Imap),
            "local" => Ok(AccountKind::Local),
            "caldav" => Ok(AccountKind::Caldav),
            "matrix" => Ok(AccountKind::Matrix),
            other => anyhow::bail!("Unknown account kind {other:?} in the database"),
        }
    }
}

/// Transport security of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Implicit TLS (IMAPS 993, SMTPS 465).
    Tls,
    /// Plain connection upgraded with STARTTLS.
    StartTls,
    /// No TLS; allowed on loopback only.
    Plain,
}

impl Security {
    /// The name stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::StartTls => "starttls",
            Security::Plain => "plain",
        }
    }

    /// Parses `tls`, `starttls` or `plain`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "tls" => Ok(Security::Tls),
            "starttls" => Ok(Security::StartTls),
            "plain" => Ok(Security::Plain),
            other => anyhow::bail!("Unknown security {other:?}: use tls, starttls or plain"),
        }
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Kind of account.
    pub kind: AccountKind,
    /// Display name.
    pub name: String,
    /// Email address ('' for local accounts).
    pub email: String,
    /// IMAP host and port.
    pub imap: (String, u16),
    /// SMTP host and port.
    pub smtp: (String, u16),
    /// Transport security.
    pub security: Security,
    /// Login name.
    pub username: String,
    /// Extra trusted certificate (PEM path), if any.
    pub ca_file: Option<String>,
    /// SMTP security when it differs from what the port implies (see [`smtp_security_for`]).
    pub smtp_security: Option<Security>,
    /// CalDAV / Matrix: the server URL ('' for mail accounts).
    pub url: String,
}

/// The SMTP security an account uses when none was chosen: none on a plain (loopback) account,
/// implicit TLS on port 465, STARTTLS otherwise (587, 25).
pub fn smtp_security_for(security: Security, smtp_port: u16) -> Security {
    match (security, smtp_port) {
        (Security::Plain, _) => Security::Plain,
        (_, 465) => Security::Tls,
        _ => Security::StartTls,
    }
}

/// A stored account.
#[derive(Debug, Clone)]
pub struct Account {
    /// Account id.
    pub id: i64,
    /// Kind of account.
    pub kind: AccountKind,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// IMAP host and port.
    pub imap: (String, u16),
    /// SMTP host and port.
    pub smtp: (String, u16),
    /// Transport security.
    pub security: Security,
    /// Login name.
    pub username: String,
    /// Extra trusted certificate (PEM path), if any.
    pub ca_file: Option<String>,
    /// Whether its new mail raises a desktop notification (false: muted).
    pub notify: bool,
    /// Whether its items show in the unified views (false: only in its own view).
    pub in_timeline: bool,
    /// SMTP security (chosen, or as the port implies).
    pub smtp_security: Security,
    /// Whether the submission server saves what it sends in the Sent folder itself; `None`
    /// until the first send finds out.
    pub smtp_saves_sent: Option<bool>,
    /// CalDAV / Matrix: the server URL as given.
    pub url: String,
    /// CalDAV: the principal and calendar home discovery found ('' before).
    pub principal: String,
    /// CalDAV: the calendar home.
    pub home: String,
    /// Matrix: the device of the access token ('' before login and for other accounts).
    pub device_id: String,
    /// Days of message bodies kept offline (`None`: every body; selective offline, `offline.rs`).
    pub offline_days: Option<u32>,
    /// Whether `offline_days` is chosen: false for a new mail account until its first sync
    /// looked at the mailbox's size ([`Tx::choose_offline_by_size`]).
    pub offline_chosen: bool,
}

const COLUMNS: &str =
    "id, kind, name, email, imap_host, imap_port, smtp_host, smtp_port, security, username, ca_file, notify, in_timeline,
     smtp_security, smtp_saves_sent, url, principal, home, device_id, offline_days, offline_chosen";

fn from_row(row: &Row<'_>) -> rusqlite::Result<RawAccount> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
        row.get(11)?,
        row.get(12)?,
        row.get(13)?,
        row.get(14)?,
        (
            row.get(15)?,
            row.get(16)?,
            row.get(17)?,
            row.get(18)?,
            row.get(19)?,
            row.get(20)?,
        ),
    ))
}

type RawAccount = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    String,
    String,
    String,
    bool,
    bool,
    String,
    Option<bool>,
    (String, String, String, String, Option<u32>, bool),
);

fn build(
    (
        id,
        kind,
        name,
        email,
        imap_host,
        imap_port,
        smtp_host,
        smtp_port,
        security,
        username,
        ca_file,
        notify,
        in_timeline,
        smtp_security,
        smtp_saves_sent,
        (url, principal, home, device_id, offline_days, offline_chosen),
    ): RawAccount,
) -> Result<Account> {
    let security = Security::parse(&security)?;
    let smtp_port = u16::try_from(smtp_port).unwrap_or(0);
    let smtp_security = if smtp_security.is_empty() {
        smtp_security_for(security, smtp_port)
    } else {
        Security::parse(&smtp_security)?
    };
    Ok(Account {
        id,
        kind: AccountKind::parse(&kind)?,
        name,
        email,
        imap: (imap_host, u16::try_from(imap_port).unwrap_or(0)),
        smtp: (smtp_host, smtp_port),
        security,
        username,
        ca_file: (!ca_file.is_empty()).then_some(ca_file),
        notify,
        in_timeline,
        smtp_security,
        smtp_saves_sent,
        url,
        principal,
        home,
        device_id,
        offline_days,
        offline_chosen,
    })
}

impl Tx<'_> {
    /// Creates an account and returns its id.
    pub fn add_account(&mut self, account: &NewAccount) -> Result<i64> {
        self.conn()
            .execute(
                "INSERT INTO accounts (kind, name, email, imap_host, imap_port, smtp_host, smtp_port, security, username, ca_file, created_at, smtp_security, url, offline_chosen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    account.kind.as_str(),
                    account.name,
                    account.email,
                    account.imap.0,
                    account.imap.1,
                    account.smtp.0,
                    account.smtp.1,
                    account.security.as_str(),
                    account.username,
                    account.ca_file.clone().unwrap_or_default(),
                    self.now(),
                    account.smtp_security.map(Security::as_str).unwrap_or_default(),
                    account.url,
                    // A mail account's offline copy waits for its first sync's look at the
                    // mailbox's size (`Tx::choose_offline_by_size`).
                    account.kind != AccountKind::Imap,
                ],
            )
            .context("Cannot store the account")?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Records what CalDAV discovery found for an account.
    pub fn set_caldav_home(&mut self, id: i64, principal: &str, home: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE accounts SET principal = ?2, home = ?3 WHERE id = ?1",
                params![id, principal, home],
            )
            .context("Cannot store the calendar home")?;
        Ok(())
    }

    /// Remembers whether the account's submission server saves sent mail in Sent itself.
    pub fn set_smtp_saves_sent(&mut self, id: i64, saves: bool) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE accounts SET smtp_saves_sent = ?2 WHERE id = ?1",
                params![id, saves],
            )
            .context("Cannot store what the submission server does with sent mail")?;
        Ok(())
    }

    /// Mutes (or unmutes) the desktop notifications of an account's new mail.
    pub fn set_account_notify(&mut self, id: i64, notify: bool) -> Result<()> {
        let changed = self
            .conn()
            .execute(
                "UPDATE accounts SET notify = ?2 WHERE id = ?1",
                params![id, notify],
            )
            .context("Cannot change the account's notifications")?;
        if changed == 0 {
            return Err(StoreError::NoSuchAccount(id).into());
        }
        Ok(())
    }

    /// Shows (or hides) the account's items in the unified views.
    pub fn set_account_in_timeline(&mut self, id: i64, shown: bool) -> Result<()> {
        let changed = self
            .conn()
            .execute(
                "UPDATE accounts SET in_timeline = ?2 WHERE id = ?1",
                params![id, shown],
            )
            .context("Cannot change whether the account shows in the timeline")?;
        if changed == 0 {
            return Err(StoreError::NoSuchAccount(id).into());
        }
        Ok(())
    }

    /// Removes an account with everything that came from it. Each removed item is recorded on
    /// the change feed.
    pub fn remove_account(&mut self, id: i64) -> Result<()> {
        account(self.conn(), id)?;
        let items: Vec<(i64, String, String)> = {
            let mut stmt = self
                .conn()
                .prepare("SELECT id, kind, title FROM items WHERE account_id = ?1")?;
            let rows = stmt.query_map([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        self.conn()
            .execute(
                "DELETE FROM items_fts WHERE rowid IN (SELECT sort_key FROM items WHERE account_id = ?1
                 AND id NOT IN (SELECT item_id FROM index_queue))",
                [id],
            )
            .context("Cannot remove the account's items from the search index")?;
        self.conn()
            .execute("DELETE FROM accounts WHERE id = ?1", [id])
            .context("Cannot remove the account")?;
        for (item_id, kind, title) in items {
            self.record(
                ChangeKind::Removed,
                item_id,
                ItemKind::parse(&kind)?,
                &title,
            )?;
        }
        Ok(())
    }

    /// The local account named `name`, created if missing.
    pub fn local_account(&mut self, name: &str) -> Result<i64> {
        let existing: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM accounts WHERE kind = 'local' AND name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()?;
        match existing {
            Some(id) => Ok(id),
            None => self.add_account(&NewAccount {
                kind: AccountKind::Local,
                name: name.to_owned(),
                email: String::new(),
                imap: (String::new(), 0),
                smtp: (String::new(), 0),
                security: Security::Tls,
                username: String::new(),
                ca_file: None,
                smtp_security: None,
                url: String::new(),
            }),
        }
    }
}

/// All accounts, oldest first.
pub(crate) fn list(conn: &Connection) -> Result<Vec<Account>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM accounts ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|row| build(row?)).collect()
}

/// One account.
pub(crate) fn account(conn: &Connection, id: i64) -> Result<Account> {
    let raw = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()
        .context("Cannot read the account")?;
    match raw {
        Some(raw) => build(raw),
        None => Err(StoreError::NoSuchAccount(id).into()),
    }
}

impl crate::Store {
    /// All accounts, oldest first.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.read(list)
    }

    /// One account, or [`StoreError::NoSuchAccount`].
    pub fn account(&self, id: i64) -> Result<Account> {
        self.read(|conn| account(conn, id))
    }
}

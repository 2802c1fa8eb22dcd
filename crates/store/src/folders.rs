//! Folders of mail accounts and their IMAP sync cursors.

use anyhow::{Context as _, Result};
use rusqlite::{params, OptionalExtension as _};

use crate::Tx;

/// The role of a folder (INBOX or a special use from RFC 6154).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderRole {
    /// An ordinary folder.
    None,
    /// INBOX.
    Inbox,
    /// \Sent.
    Sent,
    /// \Drafts.
    Drafts,
    /// \Trash.
    Trash,
    /// \Junk.
    Junk,
    /// \Archive.
    Archive,
    /// \All.
    All,
    /// \Flagged.
    Flagged,
}

impl FolderRole {
    /// The name stored in the database ('' for none).
    pub fn as_str(self) -> &'static str {
        match self {
            FolderRole::None => "",
            FolderRole::Inbox => "inbox",
            FolderRole::Sent => "sent",
            FolderRole::Drafts => "drafts",
            FolderRole::Trash => "trash",
            FolderRole::Junk => "junk",
            FolderRole::Archive => "archive",
            FolderRole::All => "all",
            FolderRole::Flagged => "flagged",
        }
    }

    /// Parses a stored role; unknown names are an ordinary folder.
    pub fn parse(s: &str) -> Self {
        match s {
            "inbox" => FolderRole::Inbox,
            "sent" => FolderRole::Sent,
            "drafts" => FolderRole::Drafts,
            "trash" => FolderRole::Trash,
            "junk" => FolderRole::Junk,
            "archive" => FolderRole::Archive,
            "all" => FolderRole::All,
            "flagged" => FolderRole::Flagged,
            _ => FolderRole::None,
        }
    }
}

/// A folder as a server (or an import) describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFolder {
    /// Full name.
    pub name: String,
    /// Hierarchy delimiter.
    pub delimiter: String,
    /// INBOX or special use.
    pub role: FolderRole,
    /// Whether it can hold messages (not \Noselect).
    pub selectable: bool,
}

/// A stored folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Folder id.
    pub id: i64,
    /// Account id.
    pub account_id: i64,
    /// Full name.
    pub name: String,
    /// Hierarchy delimiter.
    pub delimiter: String,
    /// INBOX or special use.
    pub role: FolderRole,
    /// Whether it can hold messages.
    pub selectable: bool,
    /// Whether the user chose to have it pushed (IMAP IDLE). INBOX is pushed whatever this says:
    /// see [`Folder::pushed`].
    pub push: bool,
    /// The folder's own choice of how many days of message bodies to keep (`None`: as the
    /// account says).
    pub offline_days: Option<u32>,
    /// What holds for it: its own choice, else the account's (`None`: every body).
    pub keep_days: Option<u32>,
}

impl Folder {
    /// Whether the live sync watches this folder for changes (IDLE): INBOX always, any other
    /// selectable folder when the user chose it.
    pub fn pushed(&self) -> bool {
        self.selectable && (self.role == FolderRole::Inbox || self.push)
    }
}

/// IMAP sync cursor of one folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImapCursor {
    /// UIDVALIDITY the UIDs below belong to.
    pub uidvalidity: u32,
    /// UIDNEXT seen at the last completed pass.
    pub uid_next: u32,
    /// HIGHESTMODSEQ seen at the last completed pass (0 without CONDSTORE).
    pub highest_modseq: u64,
}

impl Tx<'_> {
    /// An account's folders, INBOX first (as [`Store::folders`](crate::Store::folders)).
    pub fn folders(&self, account_id: i64) -> Result<Vec<Folder>> {
        folders_of(self.conn(), account_id)
    }

    /// Makes the account's folder list equal to `folders`: adds new ones, updates roles, removes
    /// folders the server no longer has (their messages stay if another folder holds them).
    /// Returns the folders in their stored form.
    pub fn replace_folders(
        &mut self,
        account_id: i64,
        folders: &[NewFolder],
    ) -> Result<Vec<Folder>> {
        for folder in folders {
            self.conn()
                .execute(
                    "INSERT INTO folders (account_id, name, delimiter, role, selectable) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (account_id, name) DO UPDATE SET delimiter = excluded.delimiter,
                         role = excluded.role, selectable = excluded.selectable",
                    params![account_id, folder.name, folder.delimiter, folder.role.as_str(), folder.selectable],
                )
                .with_context(|| format!("Cannot store the folder {:?}", folder.name))?;
        }
        let stored = folders_of(self.conn(), account_id)?;
        for old in stored
            .iter()
            .filter(|f| !folders.iter().any(|n| n.name == f.name))
        {
            self.conn()
                .execute("DELETE FROM folders WHERE id = ?1", [old.id])
                .with_context(|| format!("Cannot remove the folder {:?}", old.name))?;
        }
        folders_of(self.conn(), account_id)
    }

    /// The local folder `name` of an account, created if missing.
    pub fn local_folder(&mut self, account_id: i64, name: &str) -> Result<i64> {
        let role = if name.eq_ignore_ascii_case("inbox") {
            FolderRole::Inbox
        } else {
            FolderRole::None
        };
        self.conn()
            .execute(
                "INSERT INTO folders (account_id, name, role) VALUES (?1, ?2, ?3) ON CONFLICT (account_id, name) DO NOTHING",
                params![account_id, name, role.as_str()],
            )
            .context("Cannot create the local folder")?;
        self.conn()
            .query_row(
                "SELECT id FROM folders WHERE account_id = ?1 AND name = ?2",
                params![account_id, name],
                |row| row.get(0),
            )
            .context("Cannot read the local folder")
    }

    /// Chooses whether the live sync pushes the folder `name` of an account (see
    /// [`Folder::pushed`]). Returns the folder, or `None` when the account has no such folder.
    pub fn set_folder_push(
        &mut self,
        account_id: i64,
        name: &str,
        push: bool,
    ) -> Result<Option<Folder>> {
        let changed = self
            .conn()
            .execute(
                "UPDATE folders SET push = ?3 WHERE account_id = ?1 AND name = ?2",
                params![account_id, name, push],
            )
            .with_context(|| format!("Cannot change whether the folder {name:?} is pushed"))?;
        if changed == 0 {
            return Ok(None);
        }
        Ok(folders_of(self.conn(), account_id)?
            .into_iter()
            .find(|f| f.name == name))
    }

    /// The choice a new mail account's first sync makes from the mailbox's size (see
    /// `offline_chosen`): `days` as [`Tx::set_offline_days`] takes them, unless the user chose
    /// meanwhile. Returns whether it was taken.
    pub fn choose_offline_by_size(&mut self, account_id: i64, days: Option<u32>) -> Result<bool> {
        let changed = self
            .conn()
            .execute(
                "UPDATE accounts SET offline_days = ?2, offline_chosen = 1
                 WHERE id = ?1 AND offline_chosen = 0",
                params![account_id, days],
            )
            .context("Cannot store how much mail the account keeps offline")?;
        if changed > 0 && days.is_some() {
            let now_ms = self.now().saturating_mul(1000);
            for f in folders_of(self.conn(), account_id)? {
                self.drop_remote_bodies(f.id, now_ms)?;
            }
        }
        Ok(changed > 0)
    }

    /// Chooses how many days of message bodies an account keeps (`folder: None`) or one of its
    /// folders (`days: None`: every body; for a folder, as the account says), and drops the
    /// bodies the new choice no longer keeps ([`Tx::drop_remote_bodies`]). Returns the account's
    /// folders, or `None` when it has no folder `name`.
    pub fn set_offline_days(
        &mut self,
        account_id: i64,
        folder: Option<&str>,
        days: Option<u32>,
    ) -> Result<Option<Vec<Folder>>> {
        let changed = match folder {
            None => self
                .conn()
                .execute(
                    "UPDATE accounts SET offline_days = ?2, offline_chosen = 1 WHERE id = ?1",
                    params![account_id, days],
                )
                .context("Cannot change how much mail the account keeps offline")?,
            Some(name) => self
                .conn()
                .execute(
                    "UPDATE folders SET offline_days = ?3 WHERE account_id = ?1 AND name = ?2",
                    params![account_id, name, days],
                )
                .with_context(|| format!("Cannot change how much of {name:?} is kept offline"))?,
        };
        if changed == 0 {
            return Ok(None);
        }
        let now_ms = self.now().saturating_mul(1000);
        for f in folders_of(self.conn(), account_id)? {
            self.drop_remote_bodies(f.id, now_ms)?;
        }
        Ok(Some(folders_of(self.conn(), account_id)?))
    }

    /// Stores the IMAP cursor of a folder.
    pub fn set_imap_cursor(&mut self, folder_id: i64, cursor: ImapCursor) -> Result<()> {
        let now = self.now();
        self.conn()
            .execute(
                "INSERT INTO imap_sync (folder_id, uidvalidity, uid_next, highest_modseq, synced_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (folder_id) DO UPDATE SET uidvalidity = excluded.uidvalidity, uid_next = excluded.uid_next,
                     highest_modseq = excluded.highest_modseq, synced_at = excluded.synced_at",
                params![folder_id, cursor.uidvalidity, cursor.uid_next, cursor.highest_modseq as i64, now],
            )
            .context("Cannot store the folder's sync cursor")?;
        Ok(())
    }
}

fn folders_of(conn: &rusqlite::Connection, account_id: i64) -> Result<Vec<Folder>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.account_id, f.name, f.delimiter, f.role, f.selectable, f.push, f.offline_days,
             coalesce(f.offline_days, a.offline_days)
         FROM folders f JOIN accounts a ON a.id = f.account_id WHERE f.account_id = ?1
         ORDER BY f.role = 'inbox' DESC, f.name",
    )?;
    let rows = stmt.query_map([account_id], |row| {
        Ok(Folder {
            id: row.get(0)?,
            account_id: row.get(1)?,
            name: row.get(2)?,
            delimiter: row.get(3)?,
            role: FolderRole::parse(&row.get::<_, String>(4)?),
            selectable: row.get(5)?,
            push: row.get(6)?,
            offline_days: row.get(7)?,
            keep_days: row.get(8)?,
        })
    })?;
    rows.collect::<rusqlite::Result<_>>()
        .context("Cannot read the folders")
}

impl crate::Store {
    /// One folder by id, `None` when there is no such folder.
    pub fn folder(&self, id: i64) -> Result<Option<Folder>> {
        self.read(|conn| {
            let account: Option<i64> = conn
                .query_row(
                    "SELECT account_id FROM folders WHERE id = ?1",
                    [id],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(match account {
                Some(account) => folders_of(conn, account)?.into_iter().find(|f| f.id == id),
                None => None,
            })
        })
    }

    /// The folders of an account, INBOX first.
    pub fn folders(&self, account_id: i64) -> Result<Vec<Folder>> {
        self.read(|conn| folders_of(conn, account_id))
    }

    /// The IMAP cursor of a folder, if it was ever synced.
    pub fn imap_cursor(&self, folder_id: i64) -> Result<Option<ImapCursor>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT uidvalidity, uid_next, highest_modseq FROM imap_sync WHERE folder_id = ?1",
                [folder_id],
                |row| {
                    Ok(ImapCursor {
                        uidvalidity: row.get(0)?,
                        uid_next: row.get(1)?,
                        highest_modseq: row.get::<_, i64>(2)? as u64,
                    })
                },
            )
            .optional()
            .context("Cannot read the folder's sync cursor")
        })
    }
}

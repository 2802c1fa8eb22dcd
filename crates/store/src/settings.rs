//! The user's settings (`settings`: key → text value; a key with no row has its default) and
//! the senders whose mail loads remote content without asking (`remote_content_senders`).
//! Settings the store itself acts on (a flag that makes a task, a reply that moves one) are read
//! inside the transaction that acts on them (`Tx::setting`).

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _};

use crate::Tx;

/// The settings the store acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// `tasks.from_flagged`: flagging a mail (here or on another device) makes its task.
    TaskFromFlagged,
    /// `tasks.unflag_on_done`: completing a task made from a mail unflags the mail.
    UnflagOnDone,
    /// `notify.enabled`: new mail raises desktop notifications (off: do not disturb).
    Notify,
    /// `timeline.threads`: the timeline shows one row per conversation (its newest message).
    Threads,
    /// `tasks.progress_from_replies`: a reply in the conversation of a task's mail moves the
    /// task from "needs action" to "in process".
    ProgressFromReplies,
    /// `app.keep_running`: closing the window keeps Satu running in the notification area,
    /// syncing and notifying; off: closing the window quits.
    KeepRunning,
    /// `sync.paused`: the background sync (the app's, `satu watch`'s) is paused: no server is
    /// contacted and nothing is indexed until it resumes; what the user does meanwhile queues.
    SyncPaused,
}

impl Setting {
    /// Every setting.
    pub const ALL: [Setting; 7] = [
        Setting::TaskFromFlagged,
        Setting::UnflagOnDone,
        Setting::Notify,
        Setting::Threads,
        Setting::ProgressFromReplies,
        Setting::KeepRunning,
        Setting::SyncPaused,
    ];

    /// The key, e.g. `tasks.from_flagged`.
    pub fn key(self) -> &'static str {
        match self {
            Setting::TaskFromFlagged => "tasks.from_flagged",
            Setting::UnflagOnDone => "tasks.unflag_on_done",
            Setting::Notify => "notify.enabled",
            Setting::Threads => "timeline.threads",
            Setting::ProgressFromReplies => "tasks.progress_from_replies",
            Setting::KeepRunning => "app.keep_running",
            Setting::SyncPaused => "sync.paused",
        }
    }

    /// The setting of a key.
    pub fn parse(key: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The value when the user has not chosen one.
    pub fn default_value(self) -> bool {
        match self {
            Setting::TaskFromFlagged
            | Setting::UnflagOnDone
            | Setting::Notify
            | Setting::ProgressFromReplies
            | Setting::KeepRunning => true,
            // Like Thunderbird: one row per message until the user groups them.
            Setting::Threads | Setting::SyncPaused => false,
        }
    }
}

/// A setting whose value is a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberSetting {
    /// `send.undo_seconds`: how long a sent message waits in the outbox, so that it can be taken
    /// back (0: it goes out at once).
    UndoSendSeconds,
    /// `offline.all_under_mb`: a new mail account whose mailbox is at most this many MB keeps
    /// every message body offline (0: none does, each keeps `offline.days_when_larger`).
    OfflineAllUnderMb,
    /// `offline.days_when_larger`: the days of bodies a new mail account keeps when its
    /// mailbox is larger than `offline.all_under_mb`.
    OfflineDaysWhenLarger,
    /// `backup.every_hours`: a backup is made by itself every so many hours into `backup.dir`
    /// (0: no scheduled backups).
    BackupEveryHours,
    /// `backup.keep`: how many scheduled backups are kept (older ones are deleted once a new
    /// one verified).
    BackupKeep,
    /// `audit.keep_days`: the audit trail keeps this many whole days (0: forever, the
    /// default); older days are pruned, and the pruning itself is an entry.
    AuditKeepDays,
}

impl NumberSetting {
    /// Every numeric setting.
    pub const ALL: [NumberSetting; 6] = [
        NumberSetting::UndoSendSeconds,
        NumberSetting::OfflineAllUnderMb,
        NumberSetting::OfflineDaysWhenLarger,
        NumberSetting::BackupEveryHours,
        NumberSetting::BackupKeep,
        NumberSetting::AuditKeepDays,
    ];

    /// The key, e.g. `send.undo_seconds`.
    pub fn key(self) -> &'static str {
        match self {
            NumberSetting::UndoSendSeconds => "send.undo_seconds",
            NumberSetting::OfflineAllUnderMb => "offline.all_under_mb",
            NumberSetting::OfflineDaysWhenLarger => "offline.days_when_larger",
            NumberSetting::BackupEveryHours => "backup.every_hours",
            NumberSetting::BackupKeep => "backup.keep",
            NumberSetting::AuditKeepDays => "audit.keep_days",
        }
    }

    /// The setting of a key.
    pub fn parse(key: &str) -> Option<NumberSetting> {
        NumberSetting::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The value when the user has not chosen one.
    pub fn default_value(self) -> i64 {
        match self {
            NumberSetting::UndoSendSeconds => 10,
            // Most personal mailboxes, and a laptop's disk can hold it twice over.
            NumberSetting::OfflineAllUnderMb => 4096,
            NumberSetting::OfflineDaysWhenLarger => 365,
            NumberSetting::BackupEveryHours => 0,
            NumberSetting::BackupKeep => 7,
            NumberSetting::AuditKeepDays => 0,
        }
    }

    /// The values allowed (inclusive).
    pub fn range(self) -> (i64, i64) {
        match self {
            NumberSetting::UndoSendSeconds => (0, 120),
            NumberSetting::OfflineAllUnderMb => (0, 1 << 20),
            NumberSetting::OfflineDaysWhenLarger => (1, 36_500),
            NumberSetting::BackupEveryHours => (0, 24 * 30),
            NumberSetting::BackupKeep => (1, 1_000),
            NumberSetting::AuditKeepDays => (0, 36_500),
        }
    }
}

/// A setting whose value is text ('' when not chosen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextSetting {
    /// `oauth.microsoft.client_id`: the client id for signing in with Microsoft (instead of
    /// the one this build has).
    MicrosoftClientId,
    /// `oauth.google.client_id`: the same for Google.
    GoogleClientId,
    /// `oauth.oidc.client_id`: the client id registered for Satu at the organisation's own
    /// OpenID Connect provider (default `satu`).
    OidcClientId,
    /// `backup.dir`: the folder scheduled backups go into.
    BackupDir,
}

impl TextSetting {
    /// Every text setting.
    pub const ALL: [TextSetting; 4] = [
        TextSetting::MicrosoftClientId,
        TextSetting::GoogleClientId,
        TextSetting::OidcClientId,
        TextSetting::BackupDir,
    ];

    /// The key, e.g. `oauth.microsoft.client_id`.
    pub fn key(self) -> &'static str {
        match self {
            TextSetting::MicrosoftClientId => "oauth.microsoft.client_id",
            TextSetting::GoogleClientId => "oauth.google.client_id",
            TextSetting::OidcClientId => "oauth.oidc.client_id",
            TextSetting::BackupDir => "backup.dir",
        }
    }

    /// The text setting of a key.
    pub fn parse(key: &str) -> Option<TextSetting> {
        TextSetting::ALL.into_iter().find(|s| s.key() == key)
    }
}

impl Tx<'_> {
    /// Chooses the value of a text setting ('' forgets it).
    pub fn set_text_setting(&mut self, setting: TextSetting, value: &str) -> Result<()> {
        let value = value.trim();
        let sql = if value.is_empty() {
            "DELETE FROM settings WHERE key = ?1 AND ?2 = ''"
        } else {
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        };
        self.conn()
            .execute(sql, params![setting.key(), value])
            .with_context(|| format!("Cannot store the setting {}", setting.key()))?;
        Ok(())
    }
}

impl crate::Store {
    /// The value of a text setting, `None` when not chosen.
    pub fn text_setting(&self, setting: TextSetting) -> Result<Option<String>> {
        self.read(|conn| {
            conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
                .query_row([setting.key()], |row| row.get(0))
                .optional()
                .with_context(|| format!("Cannot read the setting {}", setting.key()))
        })
    }
}

impl Tx<'_> {
    /// Chooses the value of a numeric setting (clamped to its range).
    pub fn set_number_setting(&mut self, setting: NumberSetting, value: i64) -> Result<i64> {
        let (low, high) = setting.range();
        let value = value.clamp(low, high);
        self.conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![setting.key(), value.to_string()],
            )
            .with_context(|| format!("Cannot store the setting {}", setting.key()))?;
        Ok(value)
    }
}

impl crate::Store {
    /// The value of a numeric setting (its default when the user has not chosen one).
    pub fn number_setting(&self, setting: NumberSetting) -> Result<i64> {
        self.read(|conn| {
            let value: Option<String> = conn
                .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
                .query_row([setting.key()], |row| row.get(0))
                .optional()
                .with_context(|| format!("Cannot read the setting {}", setting.key()))?;
            Ok(value
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| setting.default_value()))
        })
    }
}

impl Tx<'_> {
    /// The value of a setting (its default when the user has not chosen one).
    pub fn setting(&self, setting: Setting) -> Result<bool> {
        setting_of(self.conn(), setting)
    }

    /// Chooses the value of a setting.
    pub fn set_setting(&mut self, setting: Setting, value: bool) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![setting.key(), if value { "true" } else { "false" }],
            )
            .with_context(|| format!("Cannot store the setting {}", setting.key()))?;
        Ok(())
    }
}

fn setting_of(conn: &Connection, setting: Setting) -> Result<bool> {
    let value: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([setting.key()], |row| row.get(0))
        .optional()
        .with_context(|| format!("Cannot read the setting {}", setting.key()))?;
    Ok(match value.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => setting.default_value(),
    })
}

impl crate::Store {
    /// The value of a setting.
    pub fn setting(&self, setting: Setting) -> Result<bool> {
        self.read(|conn| setting_of(conn, setting))
    }
}

impl Tx<'_> {
    /// Lets mail from `address` load remote content without asking (or asks again).
    pub fn set_remote_content(&mut self, address: &str, allowed: bool) -> Result<()> {
        let address = address.trim().to_lowercase();
        let sql = if allowed {
            "INSERT INTO remote_content_senders (address) VALUES (?1) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM remote_content_senders WHERE address = ?1"
        };
        self.conn()
            .execute(sql, [&address])
            .with_context(|| format!("Cannot store the remote content choice for {address}"))?;
        Ok(())
    }
}

impl crate::Store {
    /// Whether mail from `address` loads remote content without asking.
    pub fn remote_content_allowed(&self, address: &str) -> Result<bool> {
        let address = address.trim().to_lowercase();
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM remote_content_senders WHERE address = ?1)",
            )?
            .query_row([&address], |row| row.get(0))
            .context("Cannot read the remote content choices")
        })
    }

    /// The senders whose mail loads remote content without asking.
    pub fn remote_content_senders(&self) -> Result<Vec<String>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT address FROM remote_content_senders ORDER BY address")?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the remote content choices")
        })
    }
}

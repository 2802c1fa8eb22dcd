//! The outbox: every message from the moment it is queued until it is sent or has failed with a
//! reason. Its state moves only forward through these functions, each in the caller's
//! transaction; what to do next is the core's decision (`satu_core::send`).
//!
//! A row keeps the message as it will go out (its Message-ID and bytes fixed when queued, the SMTP
//! envelope), its [`OutboxState`], the [`Stage`] the last attempt reached (recorded before each
//! step, so a crash leaves what the server may have), attempts, the next attempt's time and the
//! reason of the last failure. An attempt holds the message with a lease (`sending`): two
//! processes never send the same message, and a dead process's lease runs out.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _, Row};

use crate::{StoreError, Tx};

/// Where a queued message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting: for its time (undo delay, send later), for the network, or for a retry.
    Queued,
    /// An attempt is under way (or was, when a process died during it).
    Sending,
    /// The server took it.
    Sent,
    /// It will not be sent without the user: the server refused it, or it is not known
    /// whether the server has it. `last_error` says why.
    Failed,
    /// The user took it back before it went out (undo send).
    Cancelled,
}

impl OutboxState {
    /// The name stored and shown (`queued`, `sending`, `sent`, `failed`, `cancelled`).
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "queued" => OutboxState::Queued,
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            "failed" => OutboxState::Failed,
            "cancelled" => OutboxState::Cancelled,
            other => anyhow::bail!("Unknown outbox state {other:?} in the database"),
        })
    }
}

/// How far the current or last attempt got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Nothing was handed to the server.
    None,
    /// The envelope (MAIL FROM, RCPT TO) is being sent: the server has no message yet.
    Envelope,
    /// The message itself is being or was handed over: the server may have it.
    Data,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::None => "",
            Stage::Envelope => "smtp",
            Stage::Data => "data",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "" => Stage::None,
            "smtp" => Stage::Envelope,
            "data" => Stage::Data,
            other => anyhow::bail!("Unknown outbox stage {other:?} in the database"),
        })
    }
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewOutgoing {
    /// The sending account.
    pub account_id: i64,
    /// Message-ID without angle brackets (in `raw` too).
    pub message_id: String,
    /// Envelope sender.
    pub mail_from: String,
    /// Envelope recipients: To, Cc and Bcc.
    pub rcpt: Vec<String>,
    /// The message as it goes out.
    pub raw: Vec<u8>,
    /// Subject, for the list.
    pub subject: String,
    /// To and Cc, for the list.
    pub recipients: String,
    /// The mail it answers (a reply, or the answer to an invitation).
    pub reply_to_item: Option<i64>,
    /// Unix milliseconds: not before then.
    pub not_before_ms: i64,
}

/// A message in the outbox (without its bytes; [`Store::outgoing_raw`] has them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Outbox id.
    pub id: i64,
    /// The sending account.
    pub account_id: i64,
    /// Message-ID without angle brackets.
    pub message_id: String,
    /// Envelope sender.
    pub mail_from: String,
    /// Envelope recipients.
    pub rcpt: Vec<String>,
    /// Subject.
    pub subject: String,
    /// To and Cc as shown.
    pub recipients: String,
    /// The mail it answers (a reply, or the answer to an invitation).
    pub reply_to_item: Option<i64>,
    /// State.
    pub state: OutboxState,
    /// How far the last attempt got.
    pub stage: Stage,
    /// Attempts so far.
    pub attempts: i64,
    /// Unix milliseconds: not before then (for `sending`: when the attempt's lease ends).
    pub not_before_ms: i64,
    /// Why the last attempt failed; '' when none did.
    pub last_error: String,
    /// Unix milliseconds.
    pub created_ms: i64,
    /// Unix milliseconds, once sent.
    pub sent_ms: Option<i64>,
    /// Whether the sent message is in the Sent folder.
    pub in_sent: bool,
}

const COLUMNS: &str =
    "id, account_id, message_id, mail_from, rcpt, subject, recipients, reply_to_item, state,
    stage, attempts, not_before, last_error, created_at, sent_at, in_sent";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(Outgoing, String, String)> {
    let rcpt: String = row.get(4)?;
    let state: String = row.get(8)?;
    let stage: String = row.get(9)?;
    Ok((
        Outgoing {
            id: row.get(0)?,
            account_id: row.get(1)?,
            message_id: row.get(2)?,
            mail_from: row.get(3)?,
            rcpt: rcpt.lines().map(str::to_owned).collect(),
            subject: row.get(5)?,
            recipients: row.get(6)?,
            reply_to_item: row.get(7)?,
            state: OutboxState::Queued,
            stage: Stage::None,
            attempts: row.get(10)?,
            not_before_ms: row.get(11)?,
            last_error: row.get(12)?,
            created_ms: row.get(13)?,
            sent_ms: row.get(14)?,
            in_sent: row.get(15)?,
        },
        state,
        stage,
    ))
}

fn finish((mut outgoing, state, stage): (Outgoing, String, String)) -> Result<Outgoing> {
    outgoing.state = OutboxState::parse(&state)?;
    outgoing.stage = Stage::parse(&stage)?;
    Ok(outgoing)
}

fn outgoing(conn: &Connection, id: i64) -> Result<Outgoing> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
        .context("Cannot read the outbox")?
        .ok_or(StoreError::NoSuchOutgoing(id))?;
    finish(row)
}

fn list(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Outgoing>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(args, from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("Cannot read the outbox")?;
    rows.into_iter().map(finish).collect()
}

impl Tx<'_> {
    /// Queues a message; returns its outbox id.
    pub fn queue_outgoing(&mut self, new: &NewOutgoing) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO outbox (account_id, message_id, mail_from, rcpt, raw, subject, recipients,
                     reply_to_item, not_before, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                new.account_id,
                new.message_id,
                new.mail_from,
                new.rcpt.join("\n"),
                new.raw,
                new.subject,
                new.recipients,
                new.reply_to_item,
                new.not_before_ms,
                self.now_ms(),
            ])
            .context("Cannot queue the message")?;
        Ok(self.conn().last_insert_rowid())
    }

    /// One outbox entry, read inside this transaction.
    pub fn outgoing(&self, id: i64) -> Result<Outgoing> {
        outgoing(self.conn(), id)
    }

    /// Claims a due message for an attempt: `sending` (one more attempt, unless it only looks
    /// in Sent), leased until
    /// `lease_until_ms` (other processes leave it alone until then; if this one dies, the next
    /// takes it over after). Returns false when it is not due (any more): another process has
    /// it, or it was cancelled or sent. `stage` is where the attempt starts: [`Stage::Envelope`]
    /// for a send, [`Stage::Data`] to keep an uncertain message uncertain while Sent is searched.
    pub fn begin_attempt(
        &mut self,
        id: i64,
        stage: Stage,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> Result<bool> {
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE outbox SET state = 'sending', stage = ?2, not_before = ?4,
                     attempts = attempts + (?2 != 'data')
                 WHERE id = ?1 AND state IN ('queued', 'sending') AND not_before <= ?3",
            )?
            .execute(params![id, stage.as_str(), now_ms, lease_until_ms])
            .context("Cannot start sending the message")?;
        Ok(changed > 0)
    }

    /// The account's server answers again: its queued messages (not those still inside their
    /// undo delay or send-later time, nor ones already due) are due now. Returns how many.
    pub fn outgoing_due_now(&mut self, account: i64, now_ms: i64) -> Result<usize> {
        self.conn()
            .execute(
                "UPDATE outbox SET not_before = ?2
                 WHERE account_id = ?1 AND state = 'queued' AND attempts > 0 AND not_before > ?2",
                params![account, now_ms],
            )
            .context("Cannot wake the outbox")
    }

    /// The envelope was accepted: the message itself is about to be handed over.
    pub fn begin_data(&mut self, id: i64) -> Result<()> {
        self.update(
            id,
            "UPDATE outbox SET stage = 'data' WHERE id = ?1 AND state = 'sending'",
            params![id],
        )
    }

    /// The server took the message (or it was found in the Sent folder).
    pub fn mark_sent(&mut self, id: i64, in_sent: bool) -> Result<()> {
        let now = self.now_ms();
        self.update(
            id,
            "UPDATE outbox SET state = 'sent', stage = '', sent_at = coalesce(sent_at, ?2),
                 in_sent = max(in_sent, ?3), last_error = ''
             WHERE id = ?1 AND state IN ('queued', 'sending', 'sent')",
            params![id, now, in_sent],
        )
    }

    /// The sent message is now in the Sent folder.
    pub fn mark_in_sent(&mut self, id: i64) -> Result<()> {
        self.update(
            id,
            "UPDATE outbox SET in_sent = 1 WHERE id = ?1 AND state = 'sent'",
            params![id],
        )
    }

    /// Back to the queue until `not_before_ms`, with why this attempt failed. `stage` says what
    /// the server may have: [`Stage::None`] when it certainly has nothing, [`Stage::Data`] when
    /// it may have the message (the next attempt searches Sent first).
    pub fn requeue(
        &mut self,
        id: i64,
        stage: Stage,
        not_before_ms: i64,
        error: &str,
    ) -> Result<()> {
        self.update(
            id,
            "UPDATE outbox SET state = 'queued', stage = ?2, not_before = ?3, last_error = ?4
             WHERE id = ?1 AND state IN ('queued', 'sending')",
            params![id, stage.as_str(), not_before_ms, error],
        )
    }

    /// It will not go out without the user; `error` says why.
    pub fn fail_outgoing(&mut self, id: i64, error: &str) -> Result<()> {
        self.update(
            id,
            "UPDATE outbox SET state = 'failed', last_error = ?2
             WHERE id = ?1 AND state IN ('queued', 'sending')",
            params![id, error],
        )
    }

    /// Undo send: takes back a message that has not started going out. Returns false when it
    /// is too late (an attempt started, or it is sent).
    pub fn cancel_outgoing(&mut self, id: i64) -> Result<bool> {
        outgoing(self.conn(), id)?;
        let changed = self
            .conn()
            .execute(
                "UPDATE outbox SET state = 'cancelled'
                 WHERE id = ?1 AND (state = 'failed' OR (state = 'queued' AND stage = ''))",
                [id],
            )
            .context("Cannot cancel the message")?;
        Ok(changed > 0)
    }

    /// The user's retry of a failed message: queued again, due now, with fresh attempts. With
    /// `resend`, a message the server may already have is sent again anyway (the user chose).
    pub fn retry_outgoing(&mut self, id: i64, resend: bool) -> Result<bool> {
        outgoing(self.conn(), id)?;
        let now = self.now_ms();
        let changed = self
            .conn()
            .execute(
                "UPDATE outbox SET state = 'queued', attempts = 0, not_before = ?2,
                     stage = CASE WHEN ?3 THEN '' ELSE stage END
                 WHERE id = ?1 AND state IN ('failed', 'queued')",
                params![id, now, resend],
            )
            .context("Cannot retry the message")?;
        Ok(changed > 0)
    }

    fn update(&mut self, id: i64, sql: &str, args: impl rusqlite::Params) -> Result<()> {
        let changed = self
            .conn()
            .prepare_cached(sql)?
            .execute(args)
            .context("Cannot update the outbox")?;
        if changed == 0 {
            let now = outgoing(self.conn(), id)?;
            anyhow::bail!(
                "Outbox message {id} is {} and cannot change that way",
                now.state.as_str()
            );
        }
        Ok(())
    }

    fn now_ms(&self) -> i64 {
        self.now() * 1000
    }
}

impl crate::Store {
    /// Every message in the outbox, newest first (cancelled ones left out).
    pub fn outbox(&self) -> Result<Vec<Outgoing>> {
        self.read(|conn| {
            list(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE state != 'cancelled' ORDER BY id DESC"
                ),
                [],
            )
        })
    }

    /// One outbox entry.
    pub fn outgoing(&self, id: i64) -> Result<Outgoing> {
        self.read(|conn| outgoing(conn, id))
    }

    /// The bytes of an outbox message.
    pub fn outgoing_raw(&self, id: i64) -> Result<Vec<u8>> {
        self.read(|conn| {
            conn.query_row("SELECT raw FROM outbox WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NoSuchOutgoing(id).into())
        })
    }

    /// What is due at `now_ms`, oldest first: queued messages whose time has come, and attempts
    /// whose lease ran out (their process died). Of `account` only, if given.
    pub fn due_outgoing(&self, now_ms: i64, account: Option<i64>) -> Result<Vec<Outgoing>> {
        self.read(|conn| {
            list(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE state IN ('queued', 'sending') AND not_before <= ?1
                     AND (?2 IS NULL OR account_id = ?2) ORDER BY id"
                ),
                params![now_ms, account],
            )
        })
    }

    /// When the next queued message falls due (Unix milliseconds), if any is waiting.
    pub fn next_outgoing_due(&self) -> Result<Option<i64>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT min(not_before) FROM outbox WHERE state IN ('queued', 'sending')",
                [],
                |row| row.get(0),
            )
            .context("Cannot read the outbox")
        })
    }

    /// Sent messages not yet in the Sent folder (the append was cut short).
    pub fn sent_not_in_sent(&self, account: i64) -> Result<Vec<Outgoing>> {
        self.read(|conn| {
            list(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE state = 'sent' AND in_sent = 0 AND account_id = ?1
                     ORDER BY id"
                ),
                [account],
            )
        })
    }
}

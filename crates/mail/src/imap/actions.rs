//! Changing mail on the server: flags, moves and expunges, by UID in a selected folder.
//!
//! Every action is idempotent (adding a flag twice, moving a message that is already gone), so a
//! queued operation can be replayed after a crash or a lost connection without harm. Messages are
//! found by their stored UID when the folder's UIDVALIDITY still matches, else by Message-ID
//! (after a UIDVALIDITY change the old UIDs mean nothing).

use std::time::Duration;

use futures::TryStreamExt as _;

use super::session::protocol_error;
use super::{utf7, ImapError, ImapSession};

/// How long one command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// A message flag Satu changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// `\Seen`.
    Seen,
    /// `\Flagged`.
    Flagged,
    /// `\Answered`.
    Answered,
    /// `\Deleted`.
    Deleted,
}

impl Flag {
    /// The flag as IMAP spells it.
    pub fn as_imap(self) -> &'static str {
        match self {
            Flag::Seen => "\\Seen",
            Flag::Flagged => "\\Flagged",
            Flag::Answered => "\\Answered",
            Flag::Deleted => "\\Deleted",
        }
    }
}

/// A UID set in IMAP syntax (`1,3:5,9`), from UIDs in any order.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut iter = sorted.into_iter().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end += 1;
            iter.next();
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        });
    }
    parts.join(",")
}

/// `text` as an IMAP quoted string, or `None` when it cannot be one (CR, LF, NUL or non-ASCII).
pub fn quoted(text: &str) -> Option<String> {
    if text
        .chars()
        .any(|c| !c.is_ascii() || matches!(c, '\r' | '\n' | '\0'))
    {
        return None;
    }
    Some(format!(
        "\"{}\"",
        text.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

impl ImapSession {
    async fn timed<T>(
        &mut self,
        what: &'static str,
        run: impl AsyncFnOnce(&mut Self) -> Result<T, async_imap::error::Error>,
    ) -> Result<T, ImapError> {
        let (host, port) = (self.host.clone(), self.port);
        match tokio::time::timeout(COMMAND_TIMEOUT, run(self)).await {
            Ok(result) => result.map_err(|e| protocol_error(&host, e)),
            Err(_) => Err(ImapError::Timeout { host, port, what }),
        }
    }

    /// Selects `folder` (UTF-8 name) read-write and returns its UIDVALIDITY.
    pub async fn select_for_update(&mut self, folder: &str) -> Result<u32, ImapError> {
        let name = utf7::encode(folder);
        let mailbox = self
            .timed("SELECT", async |s| s.session.select(&name).await)
            .await?;
        Ok(mailbox.uid_validity.unwrap_or(0))
    }

    /// UIDs in the selected folder of messages whose Message-ID header is `message_id` (without
    /// angle brackets).
    pub async fn uids_by_message_id(&mut self, message_id: &str) -> Result<Vec<u32>, ImapError> {
        let Some(needle) = quoted(&format!("<{message_id}>")) else {
            return Ok(Vec::new());
        };
        let query = format!("HEADER Message-ID {needle}");
        let found = self
            .timed("UID SEARCH", async |s| s.session.uid_search(&query).await)
            .await?;
        let mut uids: Vec<u32> = found.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Adds (`add`) or removes `flags` on `uids` of the selected folder. UIDs that no longer
    /// exist are ignored by the server, so this is safe to repeat.
    pub async fn store_flags(
        &mut self,
        uids: &[u32],
        flags: &[Flag],
        add: bool,
    ) -> Result<(), ImapError> {
        if uids.is_empty() || flags.is_empty() {
            return Ok(());
        }
        let set = uid_set(uids);
        let list: Vec<&str> = flags.iter().map(|f| f.as_imap()).collect();
        let query = format!(
            "{}FLAGS.SILENT ({})",
            if add { "+" } else { "-" },
            list.join(" ")
        );
        self.timed("UID STORE", async |s| {
            let stream = s.session.uid_store(&set, &query).await?;
            stream.try_collect::<Vec<_>>().await
        })
        .await?;
        Ok(())
    }

    /// Moves `uids` of the selected folder to `target` (UTF-8 name): MOVE (RFC 6851) when the
    /// server has it, else COPY, then `\Deleted` and UID EXPUNGE (RFC 4315) of just those UIDs.
    pub async fn move_uids(&mut self, uids: &[u32], target: &str) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let set = uid_set(uids);
        let name = utf7::encode(target);
        if self.has("MOVE") {
            return self
                .timed("UID MOVE", async |s| s.session.uid_mv(&set, &name).await)
                .await;
        }
        self.timed("UID COPY", async |s| s.session.uid_copy(&set, &name).await)
            .await?;
        self.expunge_uids(uids).await
    }

    /// Deletes `uids` of the selected folder for good: `\Deleted`, then UID EXPUNGE of just those
    /// UIDs. Without UIDPLUS a plain EXPUNGE would also remove other messages someone marked
    /// `\Deleted`, so Satu refuses rather than destroy what it was not asked to.
    pub async fn expunge_uids(&mut self, uids: &[u32]) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        if !self.has("UIDPLUS") {
            return Err(ImapError::Server {
                host: self.host.clone(),
                detail: "the server lacks UIDPLUS, so Satu cannot delete single messages safely"
                    .into(),
            });
        }
        self.store_flags(uids, &[Flag::Deleted], true).await?;
        let set = uid_set(uids);
        self.timed("UID EXPUNGE", async |s| {
            let stream = s.session.uid_expunge(&set).await?;
            stream.try_collect::<Vec<_>>().await
        })
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_compress_runs() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 9, 10, 3]), "1:3,5,9:10");
        assert_eq!(uid_set(&[7]), "7");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn quoting_escapes_or_refuses() {
        assert_eq!(
            quoted("<a\"b\\c@x>").as_deref(),
            Some("\"<a\\\"b\\\\c@x>\"")
        );
        assert_eq!(quoted("<a\r\nb@x>"), None);
        assert_eq!(quoted("<ü@x>"), None);
    }
}

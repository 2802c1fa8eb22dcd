//! Changing mail on the server: flags, moves and expunges, by UID in a selected folder.
//!
//! Every action is idempotent (adding a flag twice, moving a message that is already gone), so a
//! queued operation can be replayed after a crash or a lost connection without harm. Messages are
//! found by their stored UID when the folder's UIDVALIDITY still matches, else by Message-ID
//! (after a UIDVALIDITY change the old UIDs mean nothing).
//!
//! The commands: `UID STORE ±FLAGS.SILENT`; `UID MOVE` (RFC 6851), else `UID COPY`, `\Deleted`
//! and `UID EXPUNGE` of just those UIDs; `UID EXPUNGE` of given UIDs only (RFC 4315), refused on a
//! server without UIDPLUS rather than expunging what others marked; `UID SEARCH HEADER
//! Message-ID` to find a message; APPEND to Sent and Drafts.

use async_imap::imap_proto::{MailboxDatum, Response};

use super::command::{quote, uid_set};
use super::session::protocol_error;
use super::{utf7, ImapError, ImapSession};

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

/// `text` as an IMAP quoted string, or `None` when it cannot be one (CR, LF, NUL or non-ASCII).
fn quoted_header(text: &str) -> Option<String> {
    if text
        .chars()
        .any(|c| !c.is_ascii() || matches!(c, '\r' | '\n' | '\0'))
    {
        return None;
    }
    Some(quote(text))
}

impl ImapSession {
    /// Selects `folder` (UTF-8 name) read-write and returns its UIDVALIDITY.
    pub async fn select_for_update(&mut self, folder: &str) -> Result<u32, ImapError> {
        Ok(self.select_folder(folder, None).await?.uidvalidity)
    }

    /// UIDs in the selected folder of messages whose Message-ID header is `message_id` (without
    /// angle brackets), sorted.
    pub async fn uids_by_message_id(&mut self, message_id: &str) -> Result<Vec<u32>, ImapError> {
        let Some(needle) = quoted_header(&format!("<{message_id}>")) else {
            return Ok(Vec::new());
        };
        let mut uids = Vec::new();
        let command = format!("UID SEARCH HEADER Message-ID {needle}");
        self.command("UID SEARCH", &command, |response| {
            if let Response::MailboxData(MailboxDatum::Search(found)) = response {
                uids.extend_from_slice(found);
            }
        })
        .await?;
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Appends a message to `folder` (UTF-8 name), marked `\Seen` when `seen`.
    pub async fn append_message(
        &mut self,
        folder: &str,
        raw: &[u8],
        seen: bool,
    ) -> Result<(), ImapError> {
        let name = utf7::encode(folder);
        let flags = seen.then_some("(\\Seen)");
        self.session
            .append(&name, flags, None, raw)
            .await
            .map_err(|e| protocol_error(&self.host, e))
    }

    /// Appends a draft to `folder` (UTF-8 name), marked `\Draft` and `\Seen`.
    pub async fn append_draft(&mut self, folder: &str, raw: &[u8]) -> Result<(), ImapError> {
        let name = utf7::encode(folder);
        self.session
            .append(&name, Some("(\\Draft \\Seen)"), None, raw)
            .await
            .map_err(|e| protocol_error(&self.host, e))
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
        let list: Vec<&str> = flags.iter().map(|f| f.as_imap()).collect();
        let command = format!(
            "UID STORE {} {}FLAGS.SILENT ({})",
            uid_set(uids),
            if add { "+" } else { "-" },
            list.join(" ")
        );
        self.command("UID STORE", &command, |_| {}).await
    }

    /// Moves `uids` of the selected folder to `target` (UTF-8 name): MOVE (RFC 6851) when the
    /// server has it, else COPY, then `\Deleted` and UID EXPUNGE (RFC 4315) of just those UIDs.
    pub async fn move_uids(&mut self, uids: &[u32], target: &str) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let set = uid_set(uids);
        let name = quote(&utf7::encode(target));
        if self.has("MOVE") {
            return self
                .command("UID MOVE", &format!("UID MOVE {set} {name}"), |_| {})
                .await;
        }
        self.command("UID COPY", &format!("UID COPY {set} {name}"), |_| {})
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
        let command = format!("UID EXPUNGE {}", uid_set(uids));
        self.command("UID EXPUNGE", &command, |_| {}).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_quoted_or_refused() {
        assert_eq!(
            quoted_header("<a\"b\\c@x>").as_deref(),
            Some("\"<a\\\"b\\\\c@x>\"")
        );
        assert_eq!(quoted_header("<a\r\nb@x>"), None);
        assert_eq!(quoted_header("<ü@x>"), None);
    }
}

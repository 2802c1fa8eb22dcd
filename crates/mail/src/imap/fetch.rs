//! Reading messages, their flags and the UIDs of the selected folder: `UID SEARCH` (all UIDs, or
//! those from a UID on), `UID FETCH (FLAGS)` (all, or `CHANGEDSINCE` a mod-sequence with
//! CONDSTORE) and batched `UID FETCH (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])`, which does
//! not set `\Seen`. All of them through `command.rs`, so a failed command is never read as an
//! empty folder.

use std::borrow::Cow;

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response};

use super::command::uid_set;
use super::{ImapError, ImapSession};

/// The system flags a sync keeps, as a bit set (the bits `satu-store` stores per folder).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MessageFlags(u32);

impl MessageFlags {
    /// `\Seen`.
    pub const SEEN: MessageFlags = MessageFlags(1);
    /// `\Flagged`.
    pub const FLAGGED: MessageFlags = MessageFlags(2);
    /// `\Answered`.
    pub const ANSWERED: MessageFlags = MessageFlags(4);
    /// `\Draft`.
    pub const DRAFT: MessageFlags = MessageFlags(8);
    /// `\Deleted`.
    pub const DELETED: MessageFlags = MessageFlags(16);

    /// The flags named in a FLAGS list; keywords and `\Recent` are ignored.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> MessageFlags {
        let mut bits = 0;
        for name in names {
            let flag = match name.to_ascii_lowercase().as_str() {
                "\\seen" => Self::SEEN,
                "\\flagged" => Self::FLAGGED,
                "\\answered" => Self::ANSWERED,
                "\\draft" => Self::DRAFT,
                "\\deleted" => Self::DELETED,
                _ => continue,
            };
            bits |= flag.0;
        }
        MessageFlags(bits)
    }

    /// The bit set.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// From a stored bit set (unknown bits dropped).
    pub fn from_bits(bits: u32) -> MessageFlags {
        Self::from_bits_const(bits)
    }

    /// [`MessageFlags::from_bits`] for constants.
    pub const fn from_bits_const(bits: u32) -> MessageFlags {
        MessageFlags(bits & 31)
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: MessageFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Union.
    pub fn with(self, other: MessageFlags) -> MessageFlags {
        MessageFlags(self.0 | other.0)
    }
}

/// A message fetched for storing.
#[derive(Debug, Clone)]
pub struct FetchedMessage {
    /// UID in the selected folder.
    pub uid: u32,
    /// Flags.
    pub flags: MessageFlags,
    /// INTERNALDATE in Unix ms (the fallback when the message has no usable Date).
    pub internal_date_ms: Option<i64>,
    /// RFC822.SIZE.
    pub size: u32,
    /// The whole message.
    pub raw: Vec<u8>,
}

/// UID, FLAGS and MODSEQ of one FETCH response (`None` without a UID).
pub(crate) fn uid_and_flags(attributes: &[AttributeValue<'_>]) -> Option<(u32, MessageFlags)> {
    let mut uid = None;
    let mut flags = MessageFlags::default();
    for attribute in attributes {
        match attribute {
            AttributeValue::Uid(u) => uid = Some(*u),
            AttributeValue::Flags(names) => {
                flags = MessageFlags::from_names(names.iter().map(Cow::as_ref))
            }
            _ => {}
        }
    }
    uid.map(|uid| (uid, flags))
}

/// Parses an INTERNALDATE (`17-Jul-1996 02:44:25 -0700`) to Unix ms.
pub(crate) fn internal_date_ms(date: &str) -> Option<i64> {
    chrono::DateTime::parse_from_str(date.trim(), "%d-%b-%Y %H:%M:%S %z")
        .ok()
        .map(|d| d.timestamp_millis())
}

impl ImapSession {
    /// UIDs of the selected folder: all of them, or those at or above `from` (`UID SEARCH UID
    /// from:*`, whose `*` quirk is filtered out). Sorted.
    pub async fn search_uids(&mut self, from: Option<u32>) -> Result<Vec<u32>, ImapError> {
        let command = match from {
            None => "UID SEARCH ALL".to_owned(),
            Some(from) => format!("UID SEARCH UID {}:*", from.max(1)),
        };
        let mut uids = Vec::new();
        self.command("UID SEARCH", &command, |response| {
            if let Response::MailboxData(MailboxDatum::Search(found)) = response {
                uids.extend_from_slice(found);
            }
        })
        .await?;
        if let Some(from) = from {
            uids.retain(|&uid| uid >= from);
        }
        uids.sort_unstable();
        uids.dedup();
        Ok(uids)
    }

    /// Flags of the selected folder's messages: all of them, or only those changed since a
    /// modification sequence (`CHANGEDSINCE`, RFC 7162; needs CONDSTORE).
    pub async fn fetch_flags(
        &mut self,
        changed_since: Option<u64>,
    ) -> Result<Vec<(u32, MessageFlags)>, ImapError> {
        let command = match changed_since {
            None => "UID FETCH 1:* (UID FLAGS)".to_owned(),
            Some(modseq) => format!("UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE {modseq})"),
        };
        let mut flags = Vec::new();
        self.command("UID FETCH FLAGS", &command, |response| {
            if let Response::Fetch(_, attributes) = response {
                flags.extend(uid_and_flags(attributes));
            }
        })
        .await?;
        Ok(flags)
    }

    /// The sizes (RFC822.SIZE, bytes) of messages by UID, so that fetches can be batched by
    /// bytes. UIDs expunged meanwhile are missing; a server that leaves a size out leaves it
    /// out here too.
    pub async fn fetch_sizes(&mut self, uids: &[u32]) -> Result<Vec<(u32, u32)>, ImapError> {
        let mut sizes = Vec::with_capacity(uids.len());
        // A bounded command line, whatever the gaps between the UIDs.
        for chunk in uids.chunks(5_000) {
            let command = format!("UID FETCH {} (UID RFC822.SIZE)", uid_set(chunk));
            self.command("UID FETCH RFC822.SIZE", &command, |response| {
                let Response::Fetch(_, attributes) = response else {
                    return;
                };
                let mut uid = None;
                let mut size = None;
                for attribute in attributes {
                    match attribute {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::Rfc822Size(s) => size = Some(*s),
                        _ => {}
                    }
                }
                if let (Some(uid), Some(size)) = (uid, size) {
                    sizes.push((uid, size));
                }
            })
            .await?;
        }
        Ok(sizes)
    }

    /// Fetches whole messages by UID (without setting `\Seen`). UIDs expunged meanwhile are
    /// simply missing from the result.
    pub async fn fetch_messages(&mut self, uids: &[u32]) -> Result<Vec<FetchedMessage>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let command = format!(
            "UID FETCH {} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])",
            uid_set(uids)
        );
        let mut messages = Vec::with_capacity(uids.len());
        self.command("UID FETCH", &command, |response| {
            let Response::Fetch(_, attributes) = response else {
                return;
            };
            let mut raw = None;
            let mut internal_date = None;
            let mut size = 0;
            for attribute in attributes {
                match attribute {
                    AttributeValue::BodySection { data, .. } => {
                        raw = Some(data.as_deref().unwrap_or_default().to_vec())
                    }
                    AttributeValue::Rfc822(data) => {
                        raw = Some(data.as_deref().unwrap_or_default().to_vec())
                    }
                    AttributeValue::InternalDate(date) => internal_date = internal_date_ms(date),
                    AttributeValue::Rfc822Size(s) => size = *s,
                    _ => {}
                }
            }
            // A FETCH without a body is an unsolicited flag update, not an answer.
            if let (Some((uid, flags)), Some(raw)) = (uid_and_flags(attributes), raw) {
                messages.push(FetchedMessage {
                    uid,
                    flags,
                    internal_date_ms: internal_date,
                    size,
                    raw,
                });
            }
        })
        .await?;
        Ok(messages)
    }
}

#[cfg(test)]
mod tests {
    use super::{internal_date_ms, MessageFlags};

    #[test]
    fn flags_are_read_case_insensitively_and_keywords_ignored() {
        let flags = MessageFlags::from_names(["\\Seen", "\\FLAGGED", "$Junk", "\\Recent"]);
        assert!(flags.contains(MessageFlags::SEEN));
        assert!(flags.contains(MessageFlags::FLAGGED));
        assert!(!flags.contains(MessageFlags::ANSWERED));
        assert_eq!(flags.bits(), 3);
        assert_eq!(MessageFlags::from_bits(255).bits(), 31);
    }

    #[test]
    fn internal_dates_parse() {
        assert_eq!(
            internal_date_ms("17-Jul-1996 02:44:25 -0700"),
            Some(837_596_665_000)
        );
        assert_eq!(
            internal_date_ms(" 1-Jan-2024 00:00:00 +0000"),
            Some(1_704_067_200_000)
        );
        assert_eq!(internal_date_ms("garbage"), None);
    }
}

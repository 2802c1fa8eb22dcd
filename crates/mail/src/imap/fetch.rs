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
    /// Gmail's id of the message (`X-GM-MSGID`), when asked for.
    pub gm_msgid: Option<u64>,
}

/// A message seen without its body ([`ImapSession::fetch_envelopes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// UID in the selected folder.
    pub uid: u32,
    /// Flags.
    pub flags: MessageFlags,
    /// INTERNALDATE in Unix ms (when the server received it).
    pub internal_date_ms: Option<i64>,
    /// Its Date header in Unix ms, when valid.
    pub date_ms: Option<i64>,
    /// RFC822.SIZE (`None` when the server left it out).
    pub size: Option<u32>,
    /// The Message-ID it is stored under (`None`: it has none; only its whole text names it).
    pub message_id: Option<String>,
    /// Gmail's id of the message, the same in every label (`X-GM-MSGID`).
    pub gm_msgid: Option<u64>,
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

    /// UIDs of the selected folder's messages whose text (header or body) holds every word
    /// (`UID SEARCH CHARSET UTF-8 TEXT …`): the server's search, for mail whose body is not
    /// here. Words in other scripts go as non-synchronizing literals when the server offers
    /// LITERAL+ (RFC 7888); without it only the ASCII words are asked for. Newest first.
    pub async fn search_text(&mut self, words: &[String]) -> Result<Vec<u32>, ImapError> {
        let literal_plus = self.has("LITERAL+") || self.has("LITERAL-");
        let mut command = String::from("UID SEARCH CHARSET UTF-8");
        let mut asked = 0;
        for word in words {
            if word.is_ascii() && !word.contains(['\r', '\n']) {
                let quoted = word.replace('\\', "\\\\").replace('"', "\\\"");
                command.push_str(&format!(" TEXT \"{quoted}\""));
            } else if literal_plus && !word.contains(['\r', '\n']) {
                command.push_str(&format!(" TEXT {{{}+}}\r\n{word}", word.len()));
            } else {
                continue;
            }
            asked += 1;
        }
        if asked == 0 {
            return Ok(Vec::new());
        }
        let mut uids = Vec::new();
        self.command("UID SEARCH TEXT", &command, |response| {
            if let Response::MailboxData(MailboxDatum::Search(found)) = response {
                uids.extend_from_slice(found);
            }
        })
        .await?;
        uids.sort_unstable_by(|a, b| b.cmp(a));
        uids.dedup();
        Ok(uids)
    }

    /// The bytes of all of `folder`'s messages together (each one's RFC822.SIZE; the folder is
    /// selected). Servers that offer STATUS=SIZE (RFC 8438) would say it in one line, but the
    /// parser here does not read it, and a FETCH of sizes alone is a few bytes per message.
    pub async fn folder_bytes(&mut self, folder: &str) -> Result<u64, ImapError> {
        let selected = self.select_folder(folder, None).await?;
        if selected.exists == 0 {
            return Ok(0);
        }
        let mut total = 0u64;
        self.command("FETCH RFC822.SIZE", "FETCH 1:* (RFC822.SIZE)", |response| {
            if let Response::Fetch(_, attributes) = response {
                for attribute in attributes {
                    if let AttributeValue::Rfc822Size(size) = attribute {
                        total += u64::from(*size);
                    }
                }
            }
        })
        .await?;
        Ok(total)
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

    /// A look at messages without their bodies (UID, FLAGS, RFC822.SIZE, the Message-ID header
    /// and, with `gmail` on a server that offers `X-GM-EXT-1`, `X-GM-MSGID`): enough to batch
    /// the fetch by bytes and to recognise a copy of a message already stored, so that its body
    /// is not downloaded again. UIDs expunged meanwhile are missing.
    pub async fn fetch_envelopes(
        &mut self,
        uids: &[u32],
        gmail: bool,
    ) -> Result<Vec<Envelope>, ImapError> {
        let mut envelopes = Vec::with_capacity(uids.len());
        let gm = if gmail { " X-GM-MSGID" } else { "" };
        // A bounded command line, whatever the gaps between the UIDs.
        for chunk in uids.chunks(5_000) {
            let command = format!(
                "UID FETCH {} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE)]{gm})",
                uid_set(chunk)
            );
            self.command("UID FETCH HEADER.FIELDS", &command, |response| {
                let Response::Fetch(_, attributes) = response else {
                    return;
                };
                let Some((uid, flags)) = uid_and_flags(attributes) else {
                    return;
                };
                let mut envelope = Envelope {
                    uid,
                    flags,
                    internal_date_ms: None,
                    date_ms: None,
                    size: None,
                    message_id: None,
                    gm_msgid: None,
                };
                for attribute in attributes {
                    match attribute {
                        AttributeValue::Rfc822Size(s) => envelope.size = Some(*s),
                        AttributeValue::InternalDate(date) => {
                            envelope.internal_date_ms = internal_date_ms(date)
                        }
                        AttributeValue::BodySection { data, .. } => {
                            if let Some(header) = data.as_deref() {
                                let (id, date) = crate::parse::header_fields(header);
                                envelope.message_id = id;
                                envelope.date_ms = date;
                            }
                        }
                        AttributeValue::GmailMsgId(id) => envelope.gm_msgid = Some(*id),
                        _ => {}
                    }
                }
                envelopes.push(envelope);
            })
            .await?;
        }
        Ok(envelopes)
    }

    /// Fetches one message by UID (without setting `\Seen`) in parts of `part` bytes
    /// (`BODY.PEEK[]<offset.part>`), calling `progress(done, total)` after each, so that a large
    /// message opened on demand shows how far it is. `None` when the UID is gone.
    pub async fn fetch_message_in_parts(
        &mut self,
        uid: u32,
        part: u32,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> Result<Option<FetchedMessage>, ImapError> {
        let part = part.max(1024);
        let command =
            format!("UID FETCH {uid} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[]<0.{part}>)");
        let mut first: Option<FetchedMessage> = None;
        self.command("UID FETCH", &command, |response| {
            let Response::Fetch(_, attributes) = response else {
                return;
            };
            let Some((got, flags)) = uid_and_flags(attributes) else {
                return;
            };
            let mut message = FetchedMessage {
                uid: got,
                flags,
                internal_date_ms: None,
                size: 0,
                raw: Vec::new(),
                gm_msgid: None,
            };
            let mut body = false;
            for attribute in attributes {
                match attribute {
                    AttributeValue::BodySection { data, .. } => {
                        body = true;
                        message.raw = data.as_deref().unwrap_or_default().to_vec();
                    }
                    AttributeValue::InternalDate(date) => {
                        message.internal_date_ms = internal_date_ms(date)
                    }
                    AttributeValue::Rfc822Size(s) => message.size = *s,
                    _ => {}
                }
            }
            // A FETCH without a body is an unsolicited flag update, not the answer.
            if got == uid && body {
                first = Some(message);
            }
        })
        .await?;
        let Some(mut message) = first else {
            return Ok(None);
        };
        let total = u64::from(message.size);
        progress(message.raw.len() as u64, total);
        while (message.raw.len() as u64) < total {
            let more = self
                .fetch_body(uid, &format!("<{}.{part}>", message.raw.len()))
                .await?;
            match more {
                Some(more) if !more.is_empty() => message.raw.extend_from_slice(&more),
                // Gone meanwhile (moved or deleted elsewhere).
                None => return Ok(None),
                // An empty part before the size it announced: it counted differently, or it
                // cannot give the rest. Only the whole message, asked once, tells which;
                // a part is never stored as the message.
                Some(_) => {
                    let Some(whole) = self.fetch_body(uid, "").await? else {
                        return Ok(None);
                    };
                    if whole.len() < message.raw.len() || !whole.starts_with(&message.raw) {
                        return Err(ImapError::Server {
                            host: self.host.clone(),
                            detail: format!(
                                "message UID {uid}: it announced {total} bytes, sent {} in \
                                 parts, then {} whole that do not agree; nothing was stored",
                                message.raw.len(),
                                whole.len()
                            ),
                        });
                    }
                    tracing::warn!(
                        uid,
                        announced = total,
                        bytes = whole.len(),
                        "The server's RFC822.SIZE differs from the message it sends."
                    );
                    message.raw = whole;
                    progress(message.raw.len() as u64, message.raw.len() as u64);
                    break;
                }
            }
            progress(message.raw.len() as u64, total);
        }
        Ok(Some(message))
    }

    /// Message `uid`'s bytes in `range` (`<start.length>`, or empty for all of it) in one
    /// `UID FETCH`, or `None` when it is gone.
    async fn fetch_body(&mut self, uid: u32, range: &str) -> Result<Option<Vec<u8>>, ImapError> {
        let command = format!("UID FETCH {uid} (UID BODY.PEEK[]{range})");
        let mut body: Option<Vec<u8>> = None;
        self.command("UID FETCH", &command, |response| {
            let Response::Fetch(_, attributes) = response else {
                return;
            };
            if uid_and_flags(attributes).is_none_or(|(got, _)| got != uid) {
                return;
            }
            for attribute in attributes {
                if let AttributeValue::BodySection { data, .. } = attribute {
                    body = Some(data.as_deref().unwrap_or_default().to_vec());
                }
            }
        })
        .await?;
        Ok(body)
    }

    /// Fetches whole messages by UID (without setting `\Seen`). UIDs expunged meanwhile are
    /// simply missing from the result.
    /// With `gmail` (a server offering `X-GM-EXT-1`), each carries its `X-GM-MSGID`; with
    /// `header_only`, `raw` is the message's header alone (its body stays on the server).
    pub async fn fetch_messages(
        &mut self,
        uids: &[u32],
        gmail: bool,
        header_only: bool,
    ) -> Result<Vec<FetchedMessage>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let gm = if gmail { " X-GM-MSGID" } else { "" };
        let part = if header_only { "HEADER" } else { "" };
        let command = format!(
            "UID FETCH {} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[{part}]{gm})",
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
            let mut gm_msgid = None;
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
                    AttributeValue::GmailMsgId(id) => gm_msgid = Some(*id),
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
                    gm_msgid,
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
    use crate::imap::{ImapConfig, ImapError, ImapSession, Security};
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

    /// A scripted IMAP server on loopback that holds one message (UID 7) and announces
    /// `announced` bytes for it: parts are cut from `partial` (what it gives when asked for a
    /// range), the whole from `whole` (when asked for all of it).
    async fn server(announced: usize, partial: Vec<u8>, whole: Vec<u8>) -> ImapConfig {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        tokio::spawn(async move {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let _ = write
                .write_all(b"* OK [CAPABILITY IMAP4rev1] ready\r\n")
                .await;
            while let Ok(Some(line)) = lines.next_line().await {
                let (tag, command) = line.split_once(' ').unwrap_or((&line, ""));
                let mut answer = Vec::new();
                if command.starts_with("CAPABILITY") {
                    answer.extend_from_slice(b"* CAPABILITY IMAP4rev1\r\n");
                } else if let Some(items) = command.strip_prefix("UID FETCH 7 ") {
                    let (body, origin) = match items.rsplit_once("BODY.PEEK[]<") {
                        Some((_, range)) => {
                            let (start, length) = range
                                .trim_end_matches(">)")
                                .split_once('.')
                                .expect("a range");
                            let start: usize = start.parse().expect("start");
                            let end = (start + length.parse::<usize>().expect("length"))
                                .min(partial.len());
                            (partial[start.min(end)..end].to_vec(), format!("<{start}>"))
                        }
                        None => (whole.clone(), String::new()),
                    };
                    answer.extend_from_slice(
                        format!(
                            "* 1 FETCH (UID 7 FLAGS () INTERNALDATE \"01-Jan-2024 00:00:00 \
                             +0000\" RFC822.SIZE {announced} BODY[]{origin} {{{}}}\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    );
                    answer.extend_from_slice(&body);
                    answer.extend_from_slice(b")\r\n");
                }
                answer.extend_from_slice(format!("{tag} OK done\r\n").as_bytes());
                if write.write_all(&answer).await.is_err() {
                    return;
                }
            }
        });
        ImapConfig {
            host: "127.0.0.1".to_owned(),
            port,
            security: Security::Plain,
            username: "alice".to_owned(),
            auth: crate::auth::Auth::Password("secret".to_owned()),
            ca_file: None,
        }
    }

    fn message(len: usize) -> Vec<u8> {
        let mut raw = b"Subject: parts\r\n\r\n".to_vec();
        raw.resize(len, b'x');
        raw
    }

    async fn download(config: &ImapConfig) -> Result<Option<Vec<u8>>, ImapError> {
        let mut session = ImapSession::connect(config).await?;
        let mut steps = Vec::new();
        let fetched = session
            .fetch_message_in_parts(7, 1024, |done, total| steps.push((done, total)))
            .await?;
        assert!(steps.windows(2).all(|w| w[0].0 <= w[1].0), "{steps:?}");
        Ok(fetched.map(|m| m.raw))
    }

    #[tokio::test]
    async fn a_message_comes_whole_in_parts() {
        let raw = message(3000);
        let config = server(3000, raw.clone(), raw.clone()).await;
        assert_eq!(download(&config).await.expect("download"), Some(raw));
    }

    #[tokio::test]
    async fn a_size_announced_too_large_is_checked_against_the_whole_message() {
        // Counted differently: the whole message is what was sent in parts.
        let raw = message(2500);
        let config = server(3000, raw.clone(), raw.clone()).await;
        assert_eq!(download(&config).await.expect("download"), Some(raw));
    }

    #[tokio::test]
    async fn a_server_that_stops_giving_parts_still_gives_the_whole_message() {
        let raw = message(3000);
        let config = server(3000, raw[..1024].to_vec(), raw.clone()).await;
        assert_eq!(download(&config).await.expect("download"), Some(raw));
    }

    #[tokio::test]
    async fn a_message_cut_short_is_an_error_never_stored() {
        let raw = message(3000);
        let config = server(3000, raw[..2048].to_vec(), raw[..1500].to_vec()).await;
        let error = download(&config).await.expect_err("a cut message");
        assert!(
            error.to_string().contains("announced 3000 bytes"),
            "{error}"
        );
    }

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

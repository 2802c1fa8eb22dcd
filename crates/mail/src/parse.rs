//! Parsing an RFC 5322 message into what the timeline needs.
//!
//! Parsing never fails: a message that cannot be parsed at all is still returned, with the raw
//! text as its body, so nothing a server holds is ever dropped. A panic inside the parser is caught
//! and reported as [`ParsedMail::quarantined`].

use std::borrow::Cow;

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders as _};
use sha2::{Digest as _, Sha256};

use crate::sanitize::sanitize_html;

/// Characters of text shown in the timeline row.
const SNIPPET_CHARS: usize = 160;
/// Parts beyond this many are ignored (resource bombs).
const MAX_ATTACHMENTS: usize = 256;

/// An attachment of a parsed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAttachment {
    /// File name ('' when it has none).
    pub name: String,
    /// MIME type, e.g. `application/pdf`.
    pub mime_type: String,
    /// Decoded content.
    pub content: Vec<u8>,
}

/// A parsed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// Decoded subject ('' when absent).
    pub subject: String,
    /// Subject without reply/forward prefixes, lower case.
    pub subject_key: String,
    /// Whether the subject had a reply or forward prefix.
    pub subject_is_reply: bool,
    /// From: display name and address.
    pub from: Option<(Option<String>, String)>,
    /// To and Cc, for display.
    pub recipients: String,
    /// Date header as Unix milliseconds, if present and valid.
    pub date_ms: Option<i64>,
    /// Message-ID without angle brackets; synthesized from a hash of the message when absent.
    pub message_id: String,
    /// Whether `message_id` was synthesized.
    pub message_id_synthesized: bool,
    /// In-Reply-To ('' when none).
    pub in_reply_to: String,
    /// References, oldest first.
    pub references: Vec<String>,
    /// Text body.
    pub body_text: Option<String>,
    /// Sanitized HTML body.
    pub body_html: Option<String>,
    /// Start of the text.
    pub snippet: String,
    /// Attachments.
    pub attachments: Vec<ParsedAttachment>,
    /// Set when the parser failed on this message; the fields then hold what could be recovered.
    pub quarantined: Option<String>,
}

/// Parses a message. Never fails and never panics.
pub fn parse_message(raw: &[u8]) -> ParsedMail {
    match std::panic::catch_unwind(|| parse_inner(raw)) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => fallback(
            raw,
            "The message has no headers or body that could be parsed".into(),
        ),
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            tracing::warn!(%why, "The MIME parser panicked; the message is quarantined.");
            fallback(raw, format!("The MIME parser failed: {why}"))
        }
    }
}

fn parse_inner(raw: &[u8]) -> Option<ParsedMail> {
    let message = MessageParser::default().parse(raw)?;
    let subject = message.subject().map(clean_header).unwrap_or_default();
    let (subject_key, subject_is_reply) = subject_key(&subject);
    let from = message.from().and_then(first_address);
    let mut recipients = Vec::new();
    for address in [message.to(), message.cc()].into_iter().flatten() {
        recipients.extend(address.iter().map(|a| display_addr(a.name(), a.address())));
    }
    let date_ms = message
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp().saturating_mul(1000));
    let (message_id, message_id_synthesized) = match message
        .message_id()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(id) => (id.trim_matches(|c| c == '<' || c == '>').to_owned(), false),
        None => (synthesize_message_id(raw), true),
    };
    let in_reply_to = text_list(message.in_reply_to())
        .into_iter()
        .next()
        .unwrap_or_default();
    let references = text_list(message.references());

    let body_text = message.body_text(0).map(Cow::into_owned);
    let body_html = message.body_html(0).and_then(|html| {
        // A text/plain-only message yields generated HTML; keep only real HTML parts.
        (message.html_body_count() > 0 && message.html_bodies().any(|p| p.is_text_html()))
            .then(|| sanitize_html(&html))
    });
    let snippet = snippet(body_text.as_deref().unwrap_or(""));
    let attachments = message
        .attachments()
        .take(MAX_ATTACHMENTS)
        .map(|part| ParsedAttachment {
            name: part.attachment_name().map(clean_header).unwrap_or_default(),
            mime_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_ascii_lowercase(),
            content: part.contents().to_vec(),
        })
        .collect();
    Some(ParsedMail {
        subject,
        subject_key,
        subject_is_reply,
        from,
        recipients: recipients.join(", "),
        date_ms,
        message_id,
        message_id_synthesized,
        in_reply_to,
        references,
        body_text,
        body_html,
        snippet,
        attachments,
        quarantined: None,
    })
}

/// What is kept of a message the parser could not handle: the raw text as the body.
fn fallback(raw: &[u8], why: String) -> ParsedMail {
    let text = String::from_utf8_lossy(raw).into_owned();
    ParsedMail {
        subject: String::new(),
        subject_key: String::new(),
        subject_is_reply: false,
        from: None,
        recipients: String::new(),
        date_ms: None,
        message_id: synthesize_message_id(raw),
        message_id_synthesized: true,
        in_reply_to: String::new(),
        references: Vec::new(),
        snippet: snippet(&text),
        body_text: Some(text),
        body_html: None,
        attachments: Vec::new(),
        quarantined: Some(why),
    }
}

/// A stable Message-ID for a message without one: the same bytes always give the same id, so a
/// re-import or re-sync does not duplicate it.
fn synthesize_message_id(raw: &[u8]) -> String {
    let digest = Sha256::digest(raw);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("satu-{hex}@local.invalid")
}

fn first_address(address: &Address<'_>) -> Option<(Option<String>, String)> {
    let addr = address.first()?;
    let email = addr.address().unwrap_or("").trim().to_owned();
    let name = addr
        .name()
        .map(clean_header)
        .filter(|n| !n.is_empty() && *n != email);
    if email.is_empty() && name.is_none() {
        return None;
    }
    Some((name, email))
}

fn display_addr(name: Option<&str>, address: Option<&str>) -> String {
    match (name.map(clean_header).filter(|n| !n.is_empty()), address) {
        (Some(name), Some(address)) => format!("{name} <{address}>"),
        (Some(name), None) => name,
        (None, Some(address)) => address.to_owned(),
        (None, None) => String::new(),
    }
}

fn text_list(value: &HeaderValue<'_>) -> Vec<String> {
    let items: Vec<String> = match value {
        HeaderValue::Text(text) => vec![text.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .map(|s| s.trim().trim_matches(|c| c == '<' || c == '>').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Header text without control characters or runs of white space.
fn clean_header(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The thread key of a subject: without Re:/Fwd:/Aw:/Balas:/回复: prefixes and `[list]` tags,
/// lower case; and whether a prefix was there.
pub fn subject_key(subject: &str) -> (String, bool) {
    const PREFIXES: &[&str] = &[
        "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "balas", "tr", "回复", "答复", "转发",
    ];
    let mut rest = subject.trim();
    let mut had_prefix = false;
    loop {
        let before = rest;
        if rest.starts_with('[') {
            if let Some(end) = rest.find(']') {
                rest = rest[end + 1..].trim_start();
            }
        }
        if let Some(colon) = rest.find([':', '：']) {
            let head = rest[..colon].trim();
            // "Re[2]" and "Re(2)" count too.
            let word = head
                .split(['[', '('])
                .next()
                .unwrap_or("")
                .trim()
                .to_lowercase();
            if PREFIXES.contains(&word.as_str()) {
                had_prefix = true;
                let width = rest[colon..].chars().next().map_or(1, char::len_utf8);
                rest = rest[colon + width..].trim_start();
            }
        }
        if rest == before {
            break;
        }
    }
    (clean_header(rest).to_lowercase(), had_prefix)
}

fn snippet(text: &str) -> String {
    let words: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim_start().starts_with('>'))
        .flat_map(str::split_whitespace)
        .collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

#[cfg(test)]
mod tests;

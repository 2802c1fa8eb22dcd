//! Parsing an RFC 5322 message into what the timeline needs.
//!
//! Parsing never fails: a message that cannot be parsed at all is still returned, with the raw
//! text as its body, so nothing a server holds is ever dropped. A panic inside the parser is caught
//! and reported as [`ParsedMail::quarantined`].
//!
//! Parsing is bounded by the constants in [`limits`] (bytes parsed, header section, nesting depth,
//! parts, attachments, addresses, header and body text, HTML handed to the sanitizer): beyond a
//! limit it keeps what lies within and sets `quarantined` to the reasons; the raw message is
//! always stored whole. Nested embedded messages are dropped iteratively, because the parser's own
//! `Drop` recurses and overflowed the stack. `tests/bombs.rs` holds it to that.
//!
//! Also made here: a stable Message-ID for a message without one (a hash of its bytes, so a
//! re-import recognizes it) and the subject key that threading falls back on.

use std::borrow::Cow;

use mail_parser::{
    Address, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders as _, PartType,
};
use sha2::{Digest as _, Sha256};

use crate::sanitize::sanitize_html;

/// Characters of text shown in the timeline row.
const SNIPPET_CHARS: usize = 160;

/// Limits that bound the time and memory one message can take, whatever its bytes. Within them
/// a message parses in well under a second; beyond them, what lies within the limits is kept and
/// the message is quarantined with the reason (the raw message is always stored whole, so
/// nothing is lost: a later version with other limits can parse it again).
pub mod limits {
    /// Bytes handed to the MIME parser; the rest of a larger message is not parsed.
    pub const MAX_PARSE_BYTES: usize = 64 << 20;
    /// Bytes of the message's own header section; the header lines beyond are dropped.
    pub const MAX_HEADER_BYTES: usize = 1 << 20;
    /// Parts (all levels). The parser's work is linear in the input, so more parts cost only
    /// time proportional to the bytes; the message is quarantined.
    pub const MAX_PARTS: usize = 10_000;
    /// Levels of multipart and embedded-message nesting (deeper parts are parsed, without
    /// recursion, but the message is quarantined).
    pub const MAX_DEPTH: usize = 100;
    /// Attachments kept.
    pub const MAX_ATTACHMENTS: usize = 256;
    /// To and Cc addresses listed.
    pub const MAX_ADDRESSES: usize = 1_000;
    /// Characters of one decoded header (subject, a name).
    pub const MAX_HEADER_CHARS: usize = 16 << 10;
    /// Bytes of text body kept (and indexed for search).
    pub const MAX_TEXT_BYTES: usize = 8 << 20;
    /// Bytes of HTML handed to the sanitizer.
    pub const MAX_HTML_BYTES: usize = 4 << 20;
    /// Element nesting of HTML handed to the sanitizer (html5ever's tree building is quadratic
    /// in the depth: 100 000 nested `<div>` take minutes).
    pub const MAX_HTML_DEPTH: usize = 256;
    /// Elements of HTML sanitized (the parser and the sanitizer take time in their count).
    pub const MAX_HTML_ELEMENTS: usize = 100_000;
}
use limits::*;

/// An attachment of a parsed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAttachment {
    /// File name ('' when it has none).
    pub name: String,
    /// MIME type, e.g. `application/pdf`.
    pub mime_type: String,
    /// Decoded content.
    pub content: Vec<u8>,
    /// The part's Content-ID, without its angle brackets (what `cid:` URLs in the HTML name).
    pub content_id: Option<String>,
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

/// Parses a message. Never fails and never panics; takes bounded time and memory ([`limits`]).
pub fn parse_message(raw: &[u8]) -> ParsedMail {
    match std::panic::catch_unwind(|| parse_bounded(raw, Html::Sanitize)) {
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

/// The attachments of a message, as [`parse_message`] lists them (same order, same names), without
/// the work of reading its HTML: what saving or opening one needs. Never fails; empty when the
/// message cannot be parsed.
pub fn parse_attachments(raw: &[u8]) -> Vec<ParsedAttachment> {
    match std::panic::catch_unwind(|| parse_bounded(raw, Html::Skip)) {
        Ok(Some(parsed)) => parsed.attachments,
        Ok(None) => Vec::new(),
        Err(_) => {
            tracing::warn!("The MIME parser panicked on a message's attachments.");
            Vec::new()
        }
    }
}

/// Whether a parse sanitizes the HTML body (to show it) or skips it (to list attachments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Html {
    Sanitize,
    Skip,
}

/// Why a message is quarantined: every limit it crossed, in order.
#[derive(Default)]
struct Reasons(Vec<String>);

impl Reasons {
    fn add(&mut self, why: String) {
        tracing::debug!(%why, "Message over a limit.");
        self.0.push(why);
    }

    fn into_option(self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.join("; "))
    }
}

fn parse_bounded(raw: &[u8], html: Html) -> Option<ParsedMail> {
    let mut reasons = Reasons::default();
    let input = bound_input(raw, &mut reasons);
    let message = MessageParser::default().parse(input.as_ref())?;
    let parsed = from_message(raw, &message, &mut reasons, html);
    drop_iteratively(message);
    Some(ParsedMail {
        quarantined: reasons.into_option(),
        ..parsed
    })
}

/// What the MIME parser gets of `raw`: at most [`MAX_PARSE_BYTES`], with a header section of at
/// most [`MAX_HEADER_BYTES`] (the header lines beyond are cut out, the body kept).
fn bound_input<'a>(raw: &'a [u8], reasons: &mut Reasons) -> Cow<'a, [u8]> {
    let mut input = Cow::Borrowed(raw);
    if raw.len() > MAX_PARSE_BYTES {
        let cut = line_start_before(raw, MAX_PARSE_BYTES);
        reasons.add(format!(
            "The message is {} bytes; only the first {cut} were parsed",
            raw.len()
        ));
        input = Cow::Borrowed(&raw[..cut]);
    }
    match header_end(&input) {
        Some(end) if end > MAX_HEADER_BYTES => {
            let cut = line_start_before(&input, MAX_HEADER_BYTES);
            reasons.add(format!(
                "The header section is {end} bytes (limit {MAX_HEADER_BYTES}); the header lines \
                 beyond the limit were not parsed"
            ));
            let mut kept = Vec::with_capacity(cut + input.len() - end);
            kept.extend_from_slice(&input[..cut]);
            kept.extend_from_slice(&input[end..]);
            input = Cow::Owned(kept);
        }
        None if input.len() > MAX_HEADER_BYTES => {
            let cut = line_start_before(&input, MAX_HEADER_BYTES);
            reasons.add(format!(
                "The header section does not end within {MAX_HEADER_BYTES} bytes; the rest of \
                 the message was not parsed"
            ));
            input = match input {
                Cow::Borrowed(b) => Cow::Borrowed(&b[..cut]),
                Cow::Owned(mut v) => {
                    v.truncate(cut);
                    Cow::Owned(v)
                }
            };
        }
        _ => {}
    }
    input
}

/// The offset just after the last line feed before `limit`, or `limit` when there is none.
fn line_start_before(data: &[u8], limit: usize) -> usize {
    let limit = limit.min(data.len());
    match data[..limit].iter().rposition(|&b| b == b'\n') {
        Some(lf) if lf > 0 => lf + 1,
        _ => limit,
    }
}

/// Where the blank line that ends the header section starts.
fn header_end(data: &[u8]) -> Option<usize> {
    let mut offset = 0;
    for line in data.split(|&b| b == b'\n') {
        if line.is_empty() || line == b"\r" {
            // The last piece of `split` has no line feed after it: not a blank line.
            return (offset + line.len() < data.len()).then_some(offset);
        }
        offset += line.len() + 1;
    }
    None
}

/// Drops a parsed message without recursing: the parser's `Message` nests one level per
/// embedded message and its `Drop` recurses, which overflows the stack (and aborts the process)
/// on a message nesting a few hundred thousand `message/rfc822` parts.
fn drop_iteratively(message: Message<'_>) {
    let mut pending = vec![message];
    while let Some(mut message) = pending.pop() {
        for part in &mut message.parts {
            if matches!(part.body, PartType::Message(_)) {
                if let PartType::Message(inner) = std::mem::take(&mut part.body) {
                    pending.push(inner);
                }
            }
        }
    }
}

/// The deepest nesting (multipart or embedded message levels) and the number of parts of a
/// parsed message, counted without recursing.
fn structure(message: &Message<'_>) -> (usize, usize) {
    let (mut deepest, mut parts) = (0, 0);
    let mut pending: Vec<(&Message<'_>, usize)> = vec![(message, 1)];
    while let Some((message, depth)) = pending.pop() {
        parts += message.parts.len();
        let mut walk: Vec<(u32, usize)> = vec![(0, depth)];
        let mut steps = 0;
        while let Some((id, depth)) = walk.pop() {
            steps += 1;
            if steps > message.parts.len() {
                // A part listed twice (not a tree): stop rather than loop.
                break;
            }
            deepest = deepest.max(depth);
            match message.parts.get(id as usize).map(|p| &p.body) {
                Some(PartType::Multipart(children)) => {
                    walk.extend(children.iter().map(|&c| (c, depth + 1)));
                }
                Some(PartType::Message(inner)) => pending.push((inner, depth + 1)),
                _ => {}
            }
        }
    }
    (deepest, parts)
}

fn from_message(
    raw: &[u8],
    message: &Message<'_>,
    reasons: &mut Reasons,
    html: Html,
) -> ParsedMail {
    let (depth, parts) = structure(message);
    if depth > MAX_DEPTH {
        reasons.add(format!(
            "The message nests {depth} levels of parts (limit {MAX_DEPTH}); only the outer \
             levels are shown"
        ));
    }
    if parts > MAX_PARTS {
        reasons.add(format!(
            "The message has {parts} parts (limit {MAX_PARTS}); not all are shown"
        ));
    }
    let subject = message
        .subject()
        .map(|s| clean_header_bounded(s, "subject", reasons))
        .unwrap_or_default();
    let (subject_key, subject_is_reply) = subject_key(&subject);
    let from = message.from().and_then(first_address);
    let mut recipients = Vec::new();
    let mut addresses = 0usize;
    for address in [message.to(), message.cc()].into_iter().flatten() {
        for a in address.iter() {
            addresses += 1;
            if addresses <= MAX_ADDRESSES {
                recipients.push(display_addr(a.name(), a.address()));
            }
        }
    }
    if addresses > MAX_ADDRESSES {
        reasons.add(format!(
            "The message has {addresses} To and Cc addresses (limit {MAX_ADDRESSES}); only the \
             first {MAX_ADDRESSES} are listed"
        ));
    }
    let date_ms = date_ms_of(message);
    let (message_id, message_id_synthesized) = match message_id_of(message) {
        Some(id) => (id, false),
        None => (synthesize_message_id(raw), true),
    };
    let in_reply_to = text_list(message.in_reply_to())
        .into_iter()
        .next()
        .unwrap_or_default();
    let references = text_list(message.references());

    let body_text = message.body_text(0).map(|text| {
        if text.len() > MAX_TEXT_BYTES {
            reasons.add(format!(
                "The text is {} bytes (limit {MAX_TEXT_BYTES}); only its start is kept",
                text.len()
            ));
            truncate_bytes(&text, MAX_TEXT_BYTES).to_owned()
        } else {
            text.into_owned()
        }
    });
    let body_html = message.body_html(0).and_then(|body| {
        // A text/plain-only message yields generated HTML; keep only real HTML parts.
        (message.html_body_count() > 0 && message.html_bodies().any(|p| p.is_text_html())).then(
            || match html {
                Html::Sanitize => sanitize_bounded(&body, reasons),
                // Only that there is one matters (for what counts as an attachment below).
                Html::Skip => String::new(),
            },
        )
    });
    // A multipart whose declared boundary never appears has no parts: the parser keeps its
    // body as one text attachment. Show that text rather than an empty message.
    let mut body_text = body_text;
    let mut unsplit_multipart = None;
    if body_text.is_none() && body_html.is_none() {
        if let Some(root) = message.parts.first() {
            if let (Some(true), PartType::Text(text)) = (
                root.content_type()
                    .map(|ct| ct.ctype().eq_ignore_ascii_case("multipart")),
                &root.body,
            ) {
                reasons.add(
                    "The message is multipart but its declared boundary never appears; its body \
                     is shown as plain text"
                        .into(),
                );
                body_text = Some(truncate_bytes(text, MAX_TEXT_BYTES).to_owned());
                unsplit_multipart = Some(0u32);
            }
        }
        if body_text.is_none() && message.parts.iter().any(|p| p.is_encoding_problem) {
            reasons.add("No readable body was found; the raw message is shown as text".into());
            body_text =
                Some(String::from_utf8_lossy(&raw[..raw.len().min(MAX_TEXT_BYTES)]).into_owned());
        }
    }
    if message.parts.iter().any(|p| p.is_encoding_problem) {
        reasons.add(
            "A MIME part is malformed (e.g. its closing boundary is missing); its content was \
             recovered as found"
                .into(),
        );
    }
    let snippet = snippet(body_text.as_deref().unwrap_or(""));
    let count = message.attachments().count();
    if count > MAX_ATTACHMENTS {
        reasons.add(format!(
            "The message has {count} attachments (limit {MAX_ATTACHMENTS}); only the first \
             {MAX_ATTACHMENTS} are kept"
        ));
    }
    let attachments = message
        .attachments
        .iter()
        .filter(|&&id| Some(id) != unsplit_multipart)
        .filter_map(|&id| message.parts.get(id as usize))
        .take(MAX_ATTACHMENTS)
        .map(|part| ParsedAttachment {
            name: part
                .attachment_name()
                .map(|n| clean_header_bounded(n, "attachment name", reasons))
                .unwrap_or_default(),
            mime_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .map(|t| truncate_chars(&t, 255).to_owned())
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_ascii_lowercase(),
            content: attachment_content(part),
            content_id: part
                .content_id()
                .map(|id| {
                    id.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_owned()
                })
                .filter(|id| !id.is_empty() && id.len() <= 998),
        })
        .collect();
    ParsedMail {
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
    }
}

/// The decoded content of an attachment. The parser keeps the undecoded bytes of a part it
/// could not delimit (a missing closing boundary); base64 is decoded here then.
fn attachment_content(part: &MessagePart<'_>) -> Vec<u8> {
    let base64 = part
        .content_transfer_encoding()
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("base64"));
    if part.is_encoding_problem && base64 {
        if let Some(decoded) = decode_base64_lenient(part.contents()) {
            return decoded;
        }
    }
    part.contents().to_vec()
}

/// Base64 ignoring white space, stopping at padding; `None` on any other character.
fn decode_base64_lenient(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in data {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b if b.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Sanitizes at most [`MAX_HTML_BYTES`] of HTML nested at most [`MAX_HTML_DEPTH`] deep: the
/// HTML is cut where it crosses a limit (the sanitizer closes what is left open).
fn sanitize_bounded(html: &str, reasons: &mut Reasons) -> String {
    let mut kept = html;
    if kept.len() > MAX_HTML_BYTES {
        reasons.add(format!(
            "The HTML is {} bytes (limit {MAX_HTML_BYTES}); only its start is shown",
            html.len()
        ));
        kept = truncate_bytes(kept, MAX_HTML_BYTES);
    }
    match html_depth_cut(kept, MAX_HTML_DEPTH, MAX_HTML_ELEMENTS) {
        Some((cut, HtmlLimit::Depth)) => {
            reasons.add(format!(
                "The HTML nests elements more than {MAX_HTML_DEPTH} deep; only its start is shown"
            ));
            kept = &kept[..cut];
        }
        Some((cut, HtmlLimit::Elements)) => {
            reasons.add(format!(
                "The HTML has more than {MAX_HTML_ELEMENTS} elements; only its start is shown"
            ));
            kept = &kept[..cut];
        }
        None => {}
    }
    sanitize_html(kept)
}

/// Where HTML first nests elements deeper than `depth_limit`, or holds more than
/// `element_limit` elements, or `None`; with which limit it crossed. The count is
/// conservative, so that no input takes an HTML parser (quadratic in depth) longer than the
/// limits allow: every start tag of an element that is not void counts (`<div/>` opens a
/// `div` in HTML, the slash is ignored), and an end tag lowers the depth only when it closes an
/// element that is open (down to it, as a parser does); an end tag of nothing open changes
/// nothing. Elements that a parser closes implicitly (`p`, `li`, `td`, …) are not counted in
/// the depth.
fn html_depth_cut(
    html: &str,
    depth_limit: usize,
    element_limit: usize,
) -> Option<(usize, HtmlLimit)> {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "keygen", "frame", "basefont", "bgsound", "image",
    ];
    const IMPLIED_END: &[&str] = &[
        "p", "li", "dt", "dd", "option", "optgroup", "rp", "rt", "tr", "td", "th", "tbody",
        "thead", "tfoot", "colgroup", "caption",
    ];
    let bytes = html.as_bytes();
    let mut open: Vec<String> = Vec::new();
    let mut elements = 0usize;
    let mut i = 0;
    while let Some(lt) = bytes[i..].iter().position(|&b| b == b'<') {
        let at = i + lt;
        let closing = bytes.get(at + 1) == Some(&b'/');
        let name_start = at + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b':')
            .count();
        i = name_start + name_len;
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        if closing {
            if let Some(pos) = open.iter().rposition(|o| *o == name) {
                open.truncate(pos);
            }
            continue;
        }
        elements += 1;
        if elements > element_limit {
            return Some((at, HtmlLimit::Elements));
        }
        if VOID.contains(&name.as_str()) || IMPLIED_END.contains(&name.as_str()) {
            continue;
        }
        open.push(name);
        if open.len() > depth_limit {
            return Some((at, HtmlLimit::Depth));
        }
    }
    None
}

/// Which bound of [`html_depth_cut`] HTML crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HtmlLimit {
    Depth,
    Elements,
}

fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

/// The Message-ID a parsed message is stored under (without angle brackets), if it has one.
fn message_id_of(message: &Message<'_>) -> Option<String> {
    message
        .message_id()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|id| {
            truncate_chars(id.trim_matches(|c| c == '<' || c == '>'), MAX_HEADER_CHARS).to_owned()
        })
}

/// The Message-ID a message is stored under, read from its header alone (e.g. the answer to
/// `BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]`), exactly as [`parse_message`] reads it from the whole
/// message; `None` when it has none (the whole message is needed to name it then).
pub fn header_message_id(header: &[u8]) -> Option<String> {
    header_fields(header).0
}

/// The Message-ID and the Date (Unix ms) of a message read from its header alone, exactly as
/// [`parse_message`] reads them from the whole message (`None` where it has none, or an
/// invalid one).
pub fn header_fields(header: &[u8]) -> (Option<String>, Option<i64>) {
    let input = &header[..header.len().min(MAX_HEADER_CHARS * 4)];
    let Some(message) = MessageParser::default().parse_headers(input) else {
        return (None, None);
    };
    (message_id_of(&message), date_ms_of(&message))
}

fn date_ms_of(message: &Message<'_>) -> Option<i64> {
    message
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp().saturating_mul(1000))
}

fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((cut, _)) => &s[..cut],
        None => s,
    }
}

/// What is kept of a message the parser could not handle: the raw text as the body.
fn fallback(raw: &[u8], why: String) -> ParsedMail {
    let text = String::from_utf8_lossy(&raw[..raw.len().min(MAX_TEXT_BYTES)]).into_owned();
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
    clean_header_capped(s).0
}

/// [`clean_header`] of at most [`MAX_HEADER_CHARS`] characters, and whether it was cut.
fn clean_header_capped(s: &str) -> (String, bool) {
    let mut out = String::with_capacity(s.len().min(MAX_HEADER_CHARS));
    let mut chars = 0;
    for word in s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        let space = !out.is_empty();
        for c in space
            .then_some(' ')
            .into_iter()
            .chain(word.chars().filter(|c| !is_bidi_control(*c)))
        {
            if chars >= MAX_HEADER_CHARS {
                return (out, true);
            }
            out.push(c);
            chars += 1;
        }
    }
    (out, false)
}

/// Whether `c` reorders the text around it (`U+202E` shows `gpj.exe` as `exe.jpg`): never kept in
/// a subject, a name or an attachment's name.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// [`clean_header_capped`], recording a cut as a reason to quarantine.
fn clean_header_bounded(s: &str, what: &str, reasons: &mut Reasons) -> String {
    let (clean, cut) = clean_header_capped(s);
    if cut {
        reasons.add(format!(
            "The {what} is longer than {MAX_HEADER_CHARS} characters; only its start is kept"
        ));
    }
    clean
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
    // Stops after SNIPPET_CHARS: the text may be megabytes long.
    let mut out = String::new();
    let mut chars = 0;
    for word in text
        .lines()
        .filter(|line| !line.trim_start().starts_with('>'))
        .flat_map(str::split_whitespace)
    {
        let space = !out.is_empty();
        for c in space.then_some(' ').into_iter().chain(word.chars()) {
            if chars >= SNIPPET_CHARS {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests;

/// The addresses a reply needs: who to answer (Reply-To, else From) and who else was addressed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyAddresses {
    /// Reply-To, else From: `(name, address)`.
    pub reply_to: Vec<(Option<String>, String)>,
    /// To.
    pub to: Vec<(Option<String>, String)>,
    /// Cc.
    pub cc: Vec<(Option<String>, String)>,
}

/// The iCalendar parts of a message (`text/calendar` or `application/ics`, at any depth;
/// an iMIP invitation carries one): their text, in order. Never fails; a message that cannot be
/// parsed has none.
pub fn calendar_parts(raw: &[u8]) -> Vec<String> {
    let run = || {
        let mut reasons = Reasons::default();
        let input = bound_input(raw, &mut reasons);
        let Some(message) = MessageParser::default().parse(input.as_ref()) else {
            return Vec::new();
        };
        let parts = message
            .parts
            .iter()
            .take(limits::MAX_PARTS)
            .filter(|part| {
                part.content_type().is_some_and(|ct| {
                    let kind = (ct.c_type.as_ref(), ct.c_subtype.as_deref().unwrap_or(""));
                    kind.0.eq_ignore_ascii_case("text") && kind.1.eq_ignore_ascii_case("calendar")
                        || kind.0.eq_ignore_ascii_case("application")
                            && kind.1.eq_ignore_ascii_case("ics")
                })
            })
            .map(|part| match &part.body {
                PartType::Text(text) => text.to_string(),
                _ => String::from_utf8_lossy(&attachment_content(part)).into_owned(),
            })
            .collect();
        drop_iteratively(message);
        parts
    };
    std::panic::catch_unwind(run).unwrap_or_default()
}

/// The reply addresses of a message (at most [`limits::MAX_ADDRESSES`] of each kind).
pub fn reply_addresses(raw: &[u8]) -> ReplyAddresses {
    let Some(message) = MessageParser::default().parse(raw) else {
        return ReplyAddresses::default();
    };
    let list = |address: Option<&Address<'_>>| -> Vec<(Option<String>, String)> {
        address
            .map(|a| {
                a.iter()
                    .take(MAX_ADDRESSES)
                    .filter_map(|a| {
                        let email = a.address().unwrap_or("").trim().to_owned();
                        (!email.is_empty()).then(|| {
                            let name = a.name().map(clean_header).filter(|n| !n.is_empty());
                            (name, email)
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let reply_to = list(message.reply_to());
    ReplyAddresses {
        reply_to: if reply_to.is_empty() {
            list(message.from())
        } else {
            reply_to
        },
        to: list(message.to()),
        cc: list(message.cc()),
    }
}

#[cfg(test)]
mod reply_tests {
    use super::*;

    #[test]
    fn reply_addresses_prefer_reply_to_and_list_the_others() {
        let raw = b"From: Alice <alice@example.com>\r\nReply-To: list@example.org\r\nTo: Bob <bob@example.com>, carol@example.com\r\nCc: Dan <dan@example.com>\r\nSubject: x\r\n\r\nbody\r\n";
        let a = reply_addresses(raw);
        assert_eq!(a.reply_to, vec![(None, "list@example.org".to_owned())]);
        assert_eq!(a.to.len(), 2);
        assert_eq!(
            a.cc,
            vec![(Some("Dan".to_owned()), "dan@example.com".to_owned())]
        );
        let plain = reply_addresses(b"From: alice@example.com\r\n\r\nx");
        assert_eq!(plain.reply_to, vec![(None, "alice@example.com".to_owned())]);
        assert_eq!(reply_addresses(b""), ReplyAddresses::default());
    }
}

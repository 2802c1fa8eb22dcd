//! Building the message that goes out (with `lettre`'s MIME builder): From, To and Cc (Bcc only in
//! the envelope), In-Reply-To and References from the answered mail, a text part and an optional
//! HTML alternative (or an iMIP `text/calendar` one), attachments with RFC 2231 names, and a
//! Message-ID and Date fixed once, when the message is queued. Also the pieces of a reply or
//! forward draft (the subject, the quoted text) that `prefill` puts together.

use std::time::SystemTime;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use sha2::{Digest as _, Sha256};

use crate::error::ApiError;

/// A file to attach.
#[derive(Debug, Clone)]
pub(crate) struct Attached {
    pub name: String,
    pub mime_type: String,
    pub content: Vec<u8>,
}

/// What to build.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outline {
    pub from_name: String,
    pub from_address: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attached>,
    /// The Message-ID answered (without angle brackets) and its References, oldest first.
    pub reply: Option<(String, Vec<String>)>,
    /// A draft for the Drafts folder: recipients may be missing (it is never submitted).
    pub draft: bool,
    /// An iMIP part (RFC 6047): its METHOD and iCalendar text, the alternative to the text.
    pub calendar: Option<(String, String)>,
}

/// The built message.
#[derive(Debug, Clone)]
pub(crate) struct Built {
    pub raw: Vec<u8>,
    pub message_id: String,
    pub envelope_from: String,
    pub rcpt: Vec<String>,
    /// To and Cc as shown.
    pub recipients: String,
}

/// A fresh Message-ID for mail from `address`: random left part, the sender's domain.
pub(crate) fn new_message_id(address: &str) -> String {
    let domain = address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or("satu.invalid");
    let mut hash = Sha256::new();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    hash.update(now.as_nanos().to_le_bytes());
    hash.update(std::process::id().to_le_bytes());
    hash.update(address.as_bytes());
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    hash.update(
        COUNTER
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_le_bytes(),
    );
    let digest = hash.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("satu.{hex}@{domain}")
}

fn mailboxes(field: &'static str, list: &[String]) -> Result<Vec<Mailbox>, ApiError> {
    list.iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .map(|a| {
            a.parse::<Mailbox>().map_err(|e| {
                ApiError::invalid(field, format!("{a:?} is not an email address ({e})"))
            })
        })
        .collect()
}

/// Builds the message.
pub(crate) fn build(outline: &Outline) -> Result<Built, ApiError> {
    let from_address = outline.from_address.parse().map_err(|e| {
        ApiError::invalid(
            "account",
            format!(
                "The account's address {:?} cannot send mail ({e})",
                outline.from_address
            ),
        )
    })?;
    let from = Mailbox::new(
        (!outline.from_name.is_empty() && outline.from_name != outline.from_address)
            .then(|| outline.from_name.clone()),
        from_address,
    );
    let to = mailboxes("to", &outline.to)?;
    let cc = mailboxes("cc", &outline.cc)?;
    let bcc = mailboxes("bcc", &outline.bcc)?;
    let nobody = to.is_empty() && cc.is_empty() && bcc.is_empty();
    if nobody && !outline.draft {
        return Err(ApiError::invalid(
            "to",
            "Add at least one recipient (To, Cc or Bcc)",
        ));
    }
    let message_id = new_message_id(&outline.from_address);
    let mut builder = Message::builder()
        .from(from)
        .subject(outline.subject.trim())
        .message_id(Some(format!("<{message_id}>")))
        .date(SystemTime::now())
        .user_agent(format!("Satu {}", env!("CARGO_PKG_VERSION")));
    for mailbox in &to {
        builder = builder.to(mailbox.clone());
    }
    for mailbox in &cc {
        builder = builder.cc(mailbox.clone());
    }
    for mailbox in &bcc {
        builder = builder.bcc(mailbox.clone());
    }
    if nobody {
        // A draft to nobody yet: lettre wants an envelope recipient; it is never submitted.
        let me: lettre::Address = outline.from_address.parse().map_err(|e| {
            ApiError::invalid(
                "account",
                format!("The account's address cannot be used ({e})"),
            )
        })?;
        let envelope = lettre::address::Envelope::new(Some(me.clone()), vec![me])
            .map_err(|e| ApiError::invalid("to", format!("{e}")))?;
        builder = builder.envelope(envelope);
    }
    if let Some((parent, references)) = &outline.reply {
        builder = builder.in_reply_to(format!("<{parent}>"));
        let mut chain: Vec<String> = references.iter().map(|r| format!("<{r}>")).collect();
        chain.push(format!("<{parent}>"));
        builder = builder.references(chain.join(" "));
    }
    let text = || SinglePart::plain(normalize_newlines(&outline.text));
    let calendar_part = |(method, ics): &(String, String)| -> Result<SinglePart, ApiError> {
        let content_type =
            ContentType::parse(&format!("text/calendar; method={method}; charset=utf-8"))
                .map_err(|e| ApiError::invalid("message", format!("Bad iMIP method: {e}")))?;
        Ok(SinglePart::builder().header(content_type).body(ics.clone()))
    };
    let alternative = |html: Option<&String>| -> Result<MultiPart, ApiError> {
        let mut alt = MultiPart::alternative().singlepart(text());
        if let Some(html) = html {
            alt = alt.singlepart(SinglePart::html(html.clone()));
        }
        if let Some(calendar) = &outline.calendar {
            alt = alt.singlepart(calendar_part(calendar)?);
        }
        Ok(alt)
    };
    let plain_only = outline.html.is_none() && outline.calendar.is_none();
    let message = if outline.attachments.is_empty() {
        if plain_only {
            builder.singlepart(text())
        } else {
            builder.multipart(alternative(outline.html.as_ref())?)
        }
    } else {
        let mut mixed = if plain_only {
            MultiPart::mixed().singlepart(text())
        } else {
            MultiPart::mixed().multipart(alternative(outline.html.as_ref())?)
        };
        for file in &outline.attachments {
            let content_type = ContentType::parse(&file.mime_type)
                .or_else(|_| ContentType::parse("application/octet-stream"))
                .map_err(|e| ApiError::invalid("attach", format!("Bad content type: {e}")))?;
            mixed = mixed.singlepart(
                Attachment::new(file.name.clone()).body(file.content.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    }
    .map_err(|e| ApiError::invalid("message", format!("The message cannot be built: {e}")))?;
    let envelope = message.envelope();
    let rcpt: Vec<String> = envelope.to().iter().map(ToString::to_string).collect();
    let envelope_from = envelope
        .from()
        .map(ToString::to_string)
        .unwrap_or_else(|| outline.from_address.clone());
    let recipients = to
        .iter()
        .chain(&cc)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Built {
        raw: message.formatted(),
        message_id,
        envelope_from,
        rcpt,
        recipients,
    })
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// A MIME type for a file name (what mail clients guess from the extension).
pub(crate) fn mime_type_of(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "zip" => "application/zip",
        "ics" => "text/calendar",
        "eml" => "message/rfc822",
        "json" => "application/json",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    }
}

/// "Re: " before a subject that does not have it yet.
pub(crate) fn reply_subject(subject: &str) -> String {
    let trimmed = subject.trim();
    if trimmed.len() >= 3 && trimmed[..3].eq_ignore_ascii_case("re:") {
        trimmed.to_owned()
    } else {
        format!("Re: {trimmed}")
    }
}

/// "Fwd: " before a subject.
pub(crate) fn forward_subject(subject: &str) -> String {
    let trimmed = subject.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("fwd:") || lower.starts_with("fw:") {
        trimmed.to_owned()
    } else {
        format!("Fwd: {trimmed}")
    }
}

/// A time as a quote's attribution line shows it, in local time: `Tue, 1 Dec 2026 at 23:25`.
pub(crate) fn human_time(time_ms: i64) -> String {
    use chrono::TimeZone as _;
    match chrono::Local.timestamp_millis_opt(time_ms) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.format("%a, %-d %b %Y at %H:%M").to_string()
        }
        chrono::LocalResult::None => String::new(),
    }
}

/// The attribution line of a quote, in English (the window sends its own, in the user's
/// language: [`quote_with`]).
pub(crate) fn attribution(date: &str, sender: &str) -> String {
    format!("On {date}, {sender} wrote:")
}

/// The quoted text of a reply: the attribution line `header`, then every line of `text` after
/// "> ".
pub(crate) fn quote_with(text: &str, header: &str) -> String {
    let mut out = format!("\n\n{header}\n");
    for line in text.replace("\r\n", "\n").trim_end().lines() {
        if line.is_empty() || line.starts_with('>') {
            out.push('>');
        } else {
            out.push_str("> ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The text of a forward: the original's headers and text after a separator.
pub(crate) fn forwarded(
    text: &str,
    from: &str,
    date: &str,
    subject: &str,
    recipients: &str,
) -> String {
    let mut out = String::from("\n\n---------- Forwarded message ----------\n");
    out.push_str(&format!("From: {from}\nDate: {date}\nSubject: {subject}\n"));
    if !recipients.is_empty() {
        out.push_str(&format!("To: {recipients}\n"));
    }
    out.push('\n');
    out.push_str(text.replace("\r\n", "\n").trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline() -> Outline {
        Outline {
            from_name: "Aisha Rahman".into(),
            from_address: "aisha@example.com".into(),
            to: vec!["Bob <bob@example.com>".into()],
            cc: vec!["carol@example.com".into()],
            bcc: vec!["secret@example.com".into()],
            subject: "Plan".into(),
            text: "Line one\nLine two".into(),
            ..Outline::default()
        }
    }

    #[test]
    fn builds_headers_envelope_and_leaves_bcc_out_of_the_message() {
        let built = build(&outline()).expect("build");
        let text = String::from_utf8(built.raw.clone()).expect("utf8");
        assert!(
            text.contains("From: \"Aisha Rahman\" <aisha@example.com>"),
            "{text}"
        );
        assert!(text.contains("To: Bob <bob@example.com>"), "{text}");
        assert!(text.contains("Cc: carol@example.com"), "{text}");
        assert!(!text.to_ascii_lowercase().contains("secret@"), "{text}");
        assert!(
            text.contains(&format!("Message-ID: <{}>", built.message_id)),
            "{text}"
        );
        assert!(built.message_id.ends_with("@example.com"));
        assert!(text.contains("Date: "), "{text}");
        assert_eq!(built.envelope_from, "aisha@example.com");
        assert_eq!(
            built.rcpt,
            vec!["bob@example.com", "carol@example.com", "secret@example.com"]
        );
        let parsed = satu_mail::parse_message(&built.raw);
        assert_eq!(parsed.subject, "Plan");
        assert_eq!(
            parsed
                .body_text
                .map(|t| t.replace("\r\n", "\n").trim().to_owned()),
            Some("Line one\nLine two".to_owned())
        );
    }

    #[test]
    fn a_reply_threads_and_attachments_get_rfc2231_names() {
        let mut o = outline();
        o.reply = Some(("b@x".into(), vec!["a@x".into()]));
        o.html = Some("<p>Hi</p>".into());
        o.attachments = vec![Attached {
            name: "Résumé 2026.pdf".into(),
            mime_type: "application/pdf".into(),
            content: b"%PDF-1.4".to_vec(),
        }];
        let built = build(&o).expect("build");
        let text = String::from_utf8_lossy(&built.raw).into_owned();
        assert!(text.contains("In-Reply-To: <b@x>"), "{text}");
        assert!(text.contains("References: <a@x> <b@x>"), "{text}");
        assert!(text.contains("filename*"), "RFC 2231 name: {text}");
        let parsed = satu_mail::parse_message(&built.raw);
        assert_eq!(parsed.in_reply_to, "b@x");
        assert_eq!(parsed.attachments.len(), 1);
        assert_eq!(parsed.attachments[0].name, "Résumé 2026.pdf");
        assert!(parsed.body_html.is_some());
        // Two messages never share a Message-ID.
        assert_ne!(build(&o).expect("again").message_id, built.message_id);
    }

    #[test]
    fn bad_addresses_name_their_field() {
        let mut o = outline();
        o.to = vec!["not an address".into()];
        let e = build(&o).expect_err("bad to");
        assert_eq!(e.field.as_deref(), Some("to"));
        let mut o = outline();
        o.to.clear();
        o.cc.clear();
        o.bcc.clear();
        assert_eq!(build(&o).expect_err("none").field.as_deref(), Some("to"));
    }

    #[test]
    fn replies_quote_and_subjects_get_one_prefix() {
        assert_eq!(reply_subject("Plan"), "Re: Plan");
        assert_eq!(reply_subject("RE: Plan"), "RE: Plan");
        assert_eq!(forward_subject("Plan"), "Fwd: Plan");
        assert_eq!(forward_subject("Fw: Plan"), "Fw: Plan");
        let q = quote_with("Hello\n\n> earlier\nBye", &attribution("2026-12-01", "Bob"));
        assert_eq!(
            q,
            "\n\nOn 2026-12-01, Bob wrote:\n> Hello\n>\n>> earlier\n> Bye\n"
        );
        assert!(forwarded("Body", "Bob", "d", "S", "me")
            .contains("From: Bob\nDate: d\nSubject: S\nTo: me\n\nBody\n"));
        assert_eq!(mime_type_of("a.PDF"), "application/pdf");
        assert!(human_time(1_700_000_000_000).contains("2023 at "));
        assert_eq!(mime_type_of("noext"), "application/octet-stream");
    }
}

//! Reading and writing message content: text, formatted bodies, replies, threads, edits. Reading
//! removes reply fallbacks from the text and the HTML (the quoted lines and `<mx-reply>`), takes an
//! edit's text from its `m.new_content`, and names a file by its name; writing makes a text
//! message or a reply (with its fallback, for clients that show it).

use serde_json::{json, Value};

/// The longest formatted (HTML) message body shown as HTML.
const MAX_FORMATTED_BYTES: usize = 256 << 10;

/// What a message's content says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Content {
    pub msgtype: String,
    /// The text as shown: an edit's new text, the reply fallback removed, a file's name.
    pub body: String,
    /// The formatted body (not sanitized yet), the reply fallback removed.
    pub html: Option<String>,
    pub reply_to: String,
    pub thread_root: String,
    /// For an edit: the event it replaces.
    pub replaces: Option<String>,
    pub encrypted: bool,
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Reads the content of an event of type `kind` (`m.room.message`, `m.sticker`,
/// `m.room.encrypted`). Never fails: odd content gives empty text.
pub(crate) fn read(kind: &str, content: &Value) -> Content {
    if kind == "m.room.encrypted" {
        return Content {
            msgtype: "m.encrypted".into(),
            encrypted: true,
            ..Content::default()
        };
    }
    let relates = content.get("m.relates_to");
    let rel_type = relates.map(|r| text(r, "rel_type")).unwrap_or_default();
    let replaces = (rel_type == "m.replace")
        .then(|| relates.map(|r| text(r, "event_id")))
        .flatten()
        .filter(|id| !id.is_empty());
    // An edit's text is its m.new_content (the body beside it is a "* …" fallback).
    let shown = match (&replaces, content.get("m.new_content")) {
        (Some(_), Some(new)) => new,
        _ => content,
    };
    let thread_root = if rel_type == "m.thread" {
        relates.map(|r| text(r, "event_id")).unwrap_or_default()
    } else {
        String::new()
    };
    let falling_back = relates
        .and_then(|r| r.get("is_falling_back"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let reply_to = relates
        .and_then(|r| r.pointer("/m.in_reply_to/event_id"))
        .and_then(Value::as_str)
        .filter(|_| !falling_back)
        .unwrap_or_default()
        .to_owned();
    let mut msgtype = text(shown, "msgtype");
    if kind == "m.sticker" {
        msgtype = "m.sticker".into();
    }
    let mut body = text(shown, "body");
    if !reply_to.is_empty() {
        body = strip_reply_fallback(&body);
    }
    // Formatted text longer than any message a person writes is shown as its plain body (the
    // sanitizer's time grows with it).
    let html = (text(shown, "format") == "org.matrix.custom.html")
        .then(|| text(shown, "formatted_body"))
        .filter(|h| !h.is_empty() && h.len() <= MAX_FORMATTED_BYTES)
        .map(|h| strip_mx_reply(&h));
    let body = match msgtype.as_str() {
        "m.image" | "m.file" | "m.video" | "m.audio" | "m.sticker" => {
            let what = msgtype.trim_start_matches("m.");
            if body.is_empty() {
                format!("[{what}]")
            } else {
                format!("[{what}] {body}")
            }
        }
        "m.emote" => body,
        _ => body,
    };
    Content {
        msgtype: if msgtype.is_empty() {
            "m.text".into()
        } else {
            msgtype
        },
        body,
        html,
        reply_to,
        thread_root,
        replaces,
        encrypted: false,
    }
}

/// Removes the quoted lines a reply starts with (the fallback, "> <@sender:server> …"), up
/// to the blank line after them; a text that quotes something itself keeps its quote.
fn strip_reply_fallback(body: &str) -> String {
    if !body.starts_with("> <") {
        return body.to_owned();
    }
    let mut lines = body.lines().peekable();
    while lines.peek().is_some_and(|l| l.starts_with('>')) {
        lines.next();
    }
    if lines.peek().is_some_and(|l| l.trim().is_empty()) {
        lines.next();
    }
    lines.collect::<Vec<_>>().join("\n")
}

/// Removes the `<mx-reply>…</mx-reply>` quote a formatted reply starts with.
fn strip_mx_reply(html: &str) -> String {
    match (html.find("<mx-reply>"), html.find("</mx-reply>")) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{}", &html[..start], &html[end + "</mx-reply>".len()..])
        }
        _ => html.to_owned(),
    }
}

/// The content of a text message written here; a reply names `reply_to` (with the sender and
/// text it quotes, for clients that show the fallback).
pub(crate) fn text_message(body: &str, reply_to: Option<(&str, &str, &str)>) -> Value {
    match reply_to {
        None => json!({"msgtype": "m.text", "body": body}),
        Some((event_id, _, quoted)) if quoted.trim().is_empty() => json!({
            "msgtype": "m.text",
            "body": body,
            "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
        }),
        Some((event_id, sender, quoted)) => {
            let quote: Vec<String> = quoted.lines().map(|l| format!("> {l}")).collect();
            let mut quote = quote.join("\n");
            if let Some(first) = quote.get(2..) {
                quote = format!("> <{sender}> {first}");
            }
            json!({
                "msgtype": "m.text",
                "body": format!("{quote}\n\n{body}"),
                "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_formatted_body_shows_as_its_plain_text() {
        let content = json!({
            "msgtype": "m.text",
            "body": "plain",
            "format": "org.matrix.custom.html",
            "formatted_body": "<b>x</b>".repeat(40_000),
        });
        let read = read("m.room.message", &content);
        assert_eq!(read.html, None);
        assert_eq!(read.body, "plain");
    }

    #[test]
    fn a_reply_loses_its_fallback_and_names_what_it_answers() {
        let content = json!({
            "msgtype": "m.text",
            "body": "> <@bob:x> first line\n> second\n\nmy answer",
            "format": "org.matrix.custom.html",
            "formatted_body": "<mx-reply><blockquote>first</blockquote></mx-reply><b>my</b> answer",
            "m.relates_to": {"m.in_reply_to": {"event_id": "$1"}}
        });
        let read = read("m.room.message", &content);
        assert_eq!(read.body, "my answer");
        assert_eq!(read.html.as_deref(), Some("<b>my</b> answer"));
        assert_eq!(read.reply_to, "$1");
    }

    #[test]
    fn threads_edits_files_and_encrypted_content() {
        let thread = read(
            "m.room.message",
            &json!({"msgtype": "m.text", "body": "in thread", "m.relates_to": {"rel_type": "m.thread",
                "event_id": "$root", "is_falling_back": true, "m.in_reply_to": {"event_id": "$prev"}}}),
        );
        assert_eq!(
            (thread.thread_root.as_str(), thread.reply_to.as_str()),
            ("$root", "")
        );
        let edit = read(
            "m.room.message",
            &json!({"msgtype": "m.text", "body": "* new", "m.new_content": {"msgtype": "m.text", "body": "new"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$1"}}),
        );
        assert_eq!(
            (edit.replaces.as_deref(), edit.body.as_str()),
            (Some("$1"), "new")
        );
        let file = read(
            "m.room.message",
            &json!({"msgtype": "m.file", "body": "report.pdf", "url": "mxc://x/y"}),
        );
        assert_eq!(file.body, "[file] report.pdf");
        let secret = read("m.room.encrypted", &json!({"ciphertext": "abc"}));
        assert!(secret.encrypted && secret.body.is_empty());
        let odd = read("m.room.message", &json!(["not", "an", "object"]));
        assert_eq!((odd.msgtype.as_str(), odd.body.as_str()), ("m.text", ""));
    }

    #[test]
    fn a_text_that_quotes_keeps_its_quote() {
        let read = read(
            "m.room.message",
            &json!({"msgtype": "m.text", "body": "> their point\n\nmy answer",
                "m.relates_to": {"m.in_reply_to": {"event_id": "$1"}}}),
        );
        assert_eq!(read.body, "> their point\n\nmy answer");
    }

    #[test]
    fn replies_written_here_carry_a_fallback_that_reads_back_as_the_answer() {
        let content = text_message("sure", Some(("$1", "@bob:x", "lunch?\ntoday")));
        assert_eq!(
            content["body"].as_str(),
            Some("> <@bob:x> lunch?\n> today\n\nsure")
        );
        let back = read("m.room.message", &content);
        assert_eq!((back.body.as_str(), back.reply_to.as_str()), ("sure", "$1"));
    }
}

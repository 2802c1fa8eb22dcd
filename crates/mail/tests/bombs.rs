//! Resource bombs: inputs built to exhaust time, memory or the stack. `parse_message` must
//! finish each in bounded time, keep what lies within its limits and quarantine the message
//! with the reason. Each runs on a thread with a 2 MiB stack, the size of tokio's blocking
//! threads that parse fetched mail.

use std::time::{Duration, Instant};

use satu_mail::parse::limits;
use satu_mail::{parse_message, ParsedMail};

/// Generous for a loaded 2-core machine running a debug build.
const BOUND: Duration = Duration::from_secs(5);

fn parse_on_small_stack(raw: Vec<u8>) -> (ParsedMail, Duration) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let started = Instant::now();
            let parsed = parse_message(&raw);
            let took = started.elapsed();
            // Dropping the input is part of the cost.
            drop(raw);
            (parsed, took)
        })
        .expect("spawn")
        .join()
        .expect("parse_message must not panic")
}

/// Parses `raw` within [`BOUND`], expects it quarantined for a reason containing `reason`.
fn bounded(name: &str, raw: Vec<u8>, reason: &str) -> ParsedMail {
    let size = raw.len();
    let (parsed, took) = parse_on_small_stack(raw);
    eprintln!("{name}: {size} bytes parsed in {took:?}");
    assert!(took < BOUND, "{name}: {took:?}");
    let why = parsed
        .quarantined
        .clone()
        .unwrap_or_else(|| panic!("{name} is not quarantined"));
    assert!(
        why.contains(reason),
        "{name}: reason {why:?} lacks {reason:?}"
    );
    parsed
}

const HEAD: &str =
    "From: Bomb <bomb@example.com>\r\nMessage-ID: <bomb@example.com>\r\nMIME-Version: 1.0\r\n";

#[test]
fn ten_thousand_nested_multiparts() {
    let mut s = format!("{HEAD}Subject: deep\r\n");
    for i in 0..10_000 {
        s.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    s.push_str("Content-Type: text/plain\r\n\r\ninnermost\r\n");
    for i in (0..10_000).rev() {
        s.push_str(&format!("--b{i}--\r\n"));
    }
    let m = bounded("nested multiparts", s.into_bytes(), "levels of parts");
    assert_eq!(m.subject, "deep");
    assert_eq!(m.message_id, "bomb@example.com");
}

#[test]
fn three_hundred_thousand_nested_messages_do_not_overflow_the_stack() {
    // The parser nests one `Message` per level: dropping it recursively aborted the process.
    let mut s = format!("{HEAD}Subject: deep\r\n");
    for _ in 0..300_000 {
        s.push_str("Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n");
    }
    s.push_str("Content-Type: text/plain\r\n\r\ninnermost\r\n");
    let m = bounded("nested messages", s.into_bytes(), "levels of parts");
    assert_eq!(m.subject, "deep");
    assert_eq!(m.attachments.len(), 1, "the embedded message is kept");
}

#[test]
fn a_fifty_megabyte_header() {
    let mut s = format!("{HEAD}Subject: ");
    let line = format!("{}\r\n ", "a".repeat(74));
    while s.len() < 50 << 20 {
        s.push_str(&line);
    }
    s.push_str("end\r\nTo: carol@example.com\r\n\r\nThe body survives.\r\n");
    let m = bounded("50 MB header", s.into_bytes(), "header section");
    assert_eq!(m.snippet, "The body survives.");
    assert!(m.subject.chars().count() <= limits::MAX_HEADER_CHARS);
    assert_eq!(
        m.from.as_ref().map(|f| f.1.as_str()),
        Some("bomb@example.com")
    );
}

#[test]
fn a_header_that_never_ends() {
    let mut raw = format!("{HEAD}Subject: ").into_bytes();
    raw.extend(std::iter::repeat_n(b'x', 50 << 20));
    let m = bounded("endless header", raw, "does not end");
    assert_eq!(m.message_id, "bomb@example.com");
}

#[test]
fn a_hundred_thousand_parts() {
    let mut s =
        format!("{HEAD}Subject: parts\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
    for i in 0..100_000 {
        s.push_str(&format!(
            "--b\r\nContent-Type: application/octet-stream; name=\"f{i}.bin\"\r\n\r\nx\r\n"
        ));
    }
    s.push_str("--b--\r\n");
    let m = bounded("100 000 parts", s.into_bytes(), "parts (limit");
    assert!(m
        .quarantined
        .as_deref()
        .is_some_and(|q| q.contains("attachments")));
    assert_eq!(m.attachments.len(), limits::MAX_ATTACHMENTS);
    assert_eq!(m.attachments[0].name, "f0.bin");
}

#[test]
fn a_hundred_thousand_addresses() {
    let mut s = format!("{HEAD}Subject: everyone\r\nTo: ");
    for i in 0..100_000 {
        s.push_str(&format!("User {i} <u{i}@example.com>,\r\n "));
    }
    s.push_str("last@example.com\r\n\r\nbody\r\n");
    let m = bounded("100 000 addresses", s.into_bytes(), "To and Cc addresses");
    assert_eq!(
        m.recipients.matches('@').count(),
        limits::MAX_ADDRESSES,
        "only the first ones are listed"
    );
    assert!(m.recipients.starts_with("User 0 <u0@example.com>, User 1"));
}

#[test]
fn a_fifty_megabyte_line_without_a_newline() {
    let mut raw = format!("{HEAD}Subject: long\r\n\r\n").into_bytes();
    raw.extend(std::iter::repeat_n(b'x', 50 << 20));
    let m = bounded("50 MB line", raw, "The text is");
    assert_eq!(
        m.body_text.as_ref().map(String::len),
        Some(limits::MAX_TEXT_BYTES)
    );
    assert_eq!(
        m.snippet.chars().count(),
        161,
        "160 characters and an ellipsis"
    );
}

#[test]
fn a_message_larger_than_the_parse_limit() {
    let mut s = format!("{HEAD}Subject: huge\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\n\r\n");
    let line = format!("{}\r\n", "y".repeat(76));
    while s.len() < limits::MAX_PARSE_BYTES + (4 << 20) {
        s.push_str(&line);
    }
    s.push_str("--b--\r\n");
    let m = bounded("70 MB message", s.into_bytes(), "only the first");
    assert_eq!(m.snippet, "hello");
    assert_eq!(m.attachments.len(), 1);
    assert!(m.attachments[0].content.len() <= limits::MAX_PARSE_BYTES);
}

#[test]
fn deeply_nested_html_for_the_sanitizer() {
    let mut s = format!("{HEAD}Subject: html\r\nContent-Type: text/html\r\n\r\n");
    for _ in 0..100_000 {
        s.push_str("<div>");
    }
    s.push_str("<script>alert(1)</script>deep");
    for _ in 0..100_000 {
        s.push_str("</div>");
    }
    let m = bounded("100 000 nested <div>", s.into_bytes(), "HTML nests");
    let html = m.body_html.expect("the outer levels are kept");
    assert!(html.matches("<div>").count() <= limits::MAX_HTML_DEPTH);
    assert!(!html.contains("script"));
}

#[test]
fn self_closing_and_unmatched_tags_do_not_hide_depth() {
    // `<div/>` opens a div in HTML: 160 000 of them (960 KB) nest 160 000 deep.
    let mut s = format!("{HEAD}Subject: html\r\nContent-Type: text/html\r\n\r\n");
    s.push_str(&"<div/>".repeat(160_000));
    let m = bounded("160 000 <div/>", s.into_bytes(), "HTML nests");
    assert!(m.body_html.expect("kept").matches("<div>").count() <= limits::MAX_HTML_DEPTH);
    // An end tag of nothing open does not lower the count.
    let mut s = format!("{HEAD}Subject: html\r\nContent-Type: text/html\r\n\r\n");
    s.push_str(&"<div></span>".repeat(100_000));
    bounded("100 000 <div></span>", s.into_bytes(), "HTML nests");
}

#[test]
fn four_megabytes_of_tiny_elements_are_cut_by_count() {
    let mut s = format!("{HEAD}Subject: html\r\nContent-Type: text/html\r\n\r\n");
    while s.len() < (4 << 20) - 64 {
        s.push_str("<b></b>");
    }
    let m = bounded("4 MB of <b></b>", s.into_bytes(), "elements");
    assert!(m.body_html.expect("kept").matches("<b>").count() <= limits::MAX_HTML_ELEMENTS);
}

#[test]
fn huge_html_is_cut_and_still_sanitized() {
    let mut s = format!("{HEAD}Subject: html\r\nContent-Type: text/html\r\n\r\n");
    while s.len() < 6 << 20 {
        s.push_str("<p onclick=\"x()\">para <a href=\"javascript:x()\">l</a></p>\r\n");
    }
    let m = bounded("6 MB of HTML", s.into_bytes(), "The HTML is");
    let html = m.body_html.expect("html");
    assert!(html.len() <= limits::MAX_HTML_BYTES + (1 << 20));
    assert!(!html.contains("onclick") && !html.contains("javascript:"));
}

#[test]
fn ordinary_mail_is_not_quarantined_by_the_limits() {
    // 2 000 unclosed <p> and <br> in tables nested 40 deep: real newsletters look like this.
    let mut html = String::new();
    for _ in 0..40 {
        html.push_str("<table><tr><td>");
    }
    for i in 0..2_000 {
        html.push_str(&format!("<p>line {i}<br><img src=\"cid:x\">"));
    }
    for _ in 0..40 {
        html.push_str("</td></tr></table>");
    }
    let raw = format!("{HEAD}Subject: newsletter\r\nContent-Type: text/html\r\n\r\n{html}");
    let (m, _) = parse_on_small_stack(raw.into_bytes());
    assert_eq!(m.quarantined, None);
    assert!(m.body_html.is_some_and(|h| h.contains("line 1999")));
}

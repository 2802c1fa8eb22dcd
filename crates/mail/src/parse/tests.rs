use super::*;

#[test]
fn decodes_encoded_words_addresses_and_threading_headers() {
    let raw = b"From: =?UTF-8?B?5byg5LiJ?= <zhang@example.com>\r\nTo: Bob <bob@example.com>, carol@example.com\r\n\
Subject: =?GB2312?B?u+HS6c2o1qo=?=\r\nDate: Tue, 24 Nov 2026 09:00:00 +0800\r\nMessage-ID: <abc@example.com>\r\n\
In-Reply-To: <parent@example.com>\r\nReferences: <root@example.com> <parent@example.com>\r\n\r\nHello\r\n> quoted\r\nworld\r\n";
    let m = parse_message(raw);
    assert_eq!(m.subject, "会议通知");
    assert_eq!(
        m.from,
        Some((Some("张三".into()), "zhang@example.com".into()))
    );
    assert_eq!(m.recipients, "Bob <bob@example.com>, carol@example.com");
    assert_eq!(m.date_ms, Some(1_795_482_000_000));
    assert_eq!(m.message_id, "abc@example.com");
    assert_eq!(m.in_reply_to, "parent@example.com");
    assert_eq!(m.references, vec!["root@example.com", "parent@example.com"]);
    assert_eq!(m.snippet, "Hello world");
    assert!(
        m.body_html.is_none(),
        "a text-only message has no HTML body"
    );
    assert!(m.quarantined.is_none());
}

#[test]
fn a_missing_message_id_is_synthesized_stably() {
    let raw = b"Subject: no id\r\n\r\nbody\r\n";
    let a = parse_message(raw);
    assert!(a.message_id_synthesized);
    assert_eq!(a.message_id, parse_message(raw).message_id);
    assert_ne!(
        a.message_id,
        parse_message(b"Subject: other\r\n\r\nbody\r\n").message_id
    );
    assert_eq!(a.date_ms, None);
}

#[test]
fn html_is_sanitized_and_attachments_are_kept() {
    let raw = b"Subject: html\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n<p onclick=x()>Hi</p><script>bad()</script>\r\n--b\r\n\
Content-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename*=UTF-8''n%C3%B3tas.txt\r\n\r\nabc\r\n--b--\r\n";
    let m = parse_message(raw);
    let html = m.body_html.expect("html");
    assert!(
        html.contains("Hi") && !html.contains("script") && !html.contains("onclick"),
        "{html}"
    );
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].name, "nótas.txt");
    assert_eq!(m.attachments[0].mime_type, "text/plain");
    assert_eq!(m.attachments[0].content, b"abc");
}

#[test]
fn garbage_is_kept_not_dropped() {
    for raw in [&b""[..], b"\x00\xff\xfe", b"\r\n\r\n", b"no headers at all"] {
        let m = parse_message(raw);
        assert!(!m.message_id.is_empty());
        assert!(m.body_text.is_some() || m.quarantined.is_none());
    }
}

#[test]
fn subject_keys_drop_reply_prefixes_in_several_languages() {
    assert_eq!(subject_key("Re: Re[2]: [team] Plan"), ("plan".into(), true));
    assert_eq!(subject_key("Fwd: AW: Plan"), ("plan".into(), true));
    assert_eq!(subject_key("Balas: Mesyuarat"), ("mesyuarat".into(), true));
    assert_eq!(subject_key("回复：会议"), ("会议".into(), true));
    assert_eq!(subject_key("Plan: Q3"), ("plan: q3".into(), false));
}

#[test]
fn bidi_controls_never_reach_a_subject_a_name_or_an_attachment_name() {
    let raw = "From: =?UTF-8?Q?Bank=E2=80=AE_kcabdeef?= <bank@example.com>\r\nSubject: =?UTF-8?Q?Invoice_=E2=80=AEfdp.exe?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=UTF-8''photo%E2%80%AEgpj.exe\r\n\r\nMZ\r\n--b--\r\n";
    let m = parse_message(raw.as_bytes());
    assert_eq!(m.subject, "Invoice fdp.exe");
    assert_eq!(
        m.from.as_ref().and_then(|f| f.0.as_deref()),
        Some("Bank kcabdeef")
    );
    assert_eq!(m.attachments[0].name, "photogpj.exe");
}

/// The Message-ID read from the header alone (the sync's header-only look) is the one the whole
/// message is stored under, however the header is written; a message without one has none.
#[test]
fn the_message_id_from_the_header_alone_is_the_one_stored() {
    for header in [
        "Message-ID: <plain@example.com>\r\n\r\n",
        "message-id:   <spaced@example.com>  \r\n\r\n",
        "Message-ID:\r\n <folded@example.com>\r\n\r\n",
        "Message-Id: bare@example.com\r\n\r\n",
        "Message-ID: <first@example.com> <second@example.com>\r\n\r\n",
    ] {
        let whole = format!("From: a@example.com\r\nSubject: s\r\n{header}body\r\n");
        let parsed = parse_message(whole.as_bytes());
        assert!(!parsed.message_id_synthesized, "{header:?}");
        assert_eq!(
            header_message_id(header.as_bytes()),
            Some(parsed.message_id),
            "{header:?}"
        );
    }
    assert_eq!(header_message_id(b"\r\n"), None);
    assert_eq!(header_message_id(b"Message-ID: \r\n\r\n"), None);
    assert_eq!(header_message_id(b""), None);
}

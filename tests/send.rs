//! Sending through a real SMTP submission server (`tests/servers/smtp.sh`, aiosmtpd) with the
//! project's Dovecot for the Sent folder: STARTTLS, implicit TLS and AUTH, refusals with their
//! reasons, the offline outbox, undo and send later, replies in their thread.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{message, Dovecot, Satu, Smtp};

/// `satu account add` for alice: IMAP on `dovecot` (plain, loopback), SMTP at `smtp` with
/// `smtp_security`, trusting the SMTP server's CA. Returns the account id.
fn add_account(satu: &Satu, dovecot: &Dovecot, smtp: &str, smtp_security: &str, ca: &str) -> i64 {
    let out = satu.run_with_stdin(
        &[
            "--json",
            "account",
            "add",
            "--email",
            "alice@example.com",
            "--name",
            "Alice Example",
            "--username",
            "alice",
            "--imap",
            &dovecot.imap(),
            "--smtp",
            smtp,
            "--security",
            "plain",
            "--smtp-security",
            smtp_security,
            "--ca-file",
            ca,
            "--password-stdin",
        ],
        "alice-pass\n",
    );
    support::added_id(&out)
}

fn send(satu: &Satu, account: i64, extra: &[&str]) -> std::process::Output {
    let account = account.to_string();
    let mut args = vec!["--json", "send", "--account", account.as_str()];
    args.extend_from_slice(extra);
    satu.run(&args)
}

fn sent_entry(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "send failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn sends_over_starttls_and_tls_with_auth_appends_to_sent_and_shows_it() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    );
    satu.sync_ok();
    let notes = satu.dir.path().join("Résumé notes.txt");
    std::fs::write(&notes, "attached notes\n").expect("write attachment");

    let entry = sent_entry(&send(
        &satu,
        account,
        &[
            "--to",
            "Bob <bob@example.com>",
            "--cc",
            "carol@example.com",
            "--bcc",
            "dan@example.com",
            "--subject",
            "Quarterly plan",
            "--body",
            "Hello Bob,\nthe plan is attached.",
            "--attach",
            notes.to_str().expect("path"),
        ],
    ));
    assert_eq!(entry["state"], "sent", "{entry}");
    assert_eq!(entry["in_sent"], true, "{entry}");
    assert_eq!(entry["error"], Value::Null);
    let message_id = entry["message_id"].as_str().expect("message id").to_owned();
    assert!(message_id.ends_with("@example.com"), "{message_id}");

    // The server got it once, over STARTTLS with AUTH, with every envelope recipient.
    let log = smtp.log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["listener"], "smtp");
    assert_eq!(log[0]["auth_user"], "alice");
    assert_eq!(log[0]["mail_from"], "alice@example.com");
    let rcpt: Vec<&str> = log[0]["rcpt"]
        .as_array()
        .expect("rcpt")
        .iter()
        .map(|r| r.as_str().expect("rcpt"))
        .collect();
    assert_eq!(
        rcpt,
        ["bob@example.com", "carol@example.com", "dan@example.com"]
    );
    let raw = std::fs::read_to_string(log[0]["file"].as_str().expect("file")).expect("eml");
    assert!(raw.contains("Subject: Quarterly plan"), "{raw}");
    assert!(
        raw.contains(&format!("Message-ID: <{message_id}>")),
        "{raw}"
    );
    assert!(
        !raw.to_ascii_lowercase().contains("dan@example.com"),
        "no Bcc header: {raw}"
    );
    assert!(raw.contains("filename*"), "RFC 2231 attachment name: {raw}");

    // In Sent on the IMAP server, \Seen, and in the timeline at once.
    let sent = dovecot.messages("alice", "Sent");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].1.contains("\\Seen"), "{sent:?}");
    assert_eq!(sent[0].2, message_id);
    let timeline = satu.json(&["timeline"]);
    let shown = timeline
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["message_id"] == message_id.as_str())
        .cloned()
        .expect("the sent mail in the timeline");
    assert_eq!(shown["unread"], false);
    // After a sync it lives in Sent, one item.
    satu.sync_ok();
    let after: Vec<Value> = satu
        .json(&["timeline"])
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["message_id"] == message_id.as_str())
        .cloned()
        .collect();
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["folders"], serde_json::json!(["Sent"]));

    // The outbox lists it; the same through implicit TLS from another device.
    let outbox = satu.json(&["outbox"]);
    assert_eq!(outbox.as_array().map(Vec::len), Some(1), "{outbox}");
    let other = Satu::new();
    let account2 = add_account(
        &other,
        &dovecot,
        &smtp.addr("SUBMISSIONS_PORT"),
        "tls",
        smtp.var("CA_FILE"),
    );
    let entry = sent_entry(&send(
        &other,
        account2,
        &[
            "--to",
            "bob@example.com",
            "--subject",
            "Over TLS",
            "--body",
            "hi",
        ],
    ));
    assert_eq!(entry["state"], "sent", "{entry}");
    let log = smtp.log();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["listener"], "submissions");
    // This server does not keep sent mail itself: each copy in Sent was appended once.
    assert_eq!(dovecot.messages("alice", "Sent").len(), 2);
}

#[test]
fn refusals_are_specific_and_the_message_stays_in_the_outbox() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    );
    // A rejected recipient: the server's reason, the field at fault, nothing sent.
    let out = send(
        &satu,
        account,
        &[
            "--to",
            "bob@example.com",
            "--to",
            "reject-me@example.com",
            "--subject",
            "x",
            "--body",
            "y",
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("reject-me@example.com"), "{stderr}");
    assert!(stderr.contains("550"), "{stderr}");
    assert!(stderr.contains("[to]"), "the field at fault: {stderr}");
    assert!(stderr.contains("stays in the outbox"), "{stderr}");
    assert!(smtp.log().is_empty());
    let outbox = satu.json(&["outbox"]);
    assert_eq!(outbox[0]["state"], "failed", "{outbox}");
    assert!(outbox[0]["error"]
        .as_str()
        .is_some_and(|e| e.contains("User unknown")));

    // A submission server that wants another password than IMAP: a login error on `password`.
    let strict = Smtp::start_with(&[("SMTP_USERS", "alice:another-pass")]);
    let other = Satu::new();
    let account = add_account(
        &other,
        &dovecot,
        &strict.addr("SUBMISSIONS_PORT"),
        "tls",
        strict.var("CA_FILE"),
    );
    let out = send(
        &other,
        account,
        &["--to", "bob@example.com", "--subject", "x", "--body", "y"],
    );
    assert_eq!(out.status.code(), Some(4), "auth failure exit code");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rejected the login for alice"), "{stderr}");
    assert!(stderr.contains("[password]"), "{stderr}");

    // A certificate nobody trusts: refused, never sent in the clear.
    let untrusting = Satu::new();
    let account = add_account(
        &untrusting,
        &dovecot,
        &smtp.addr("SUBMISSIONS_PORT"),
        "tls",
        dovecot.ca_file(),
    );
    let out = send(
        &untrusting,
        account,
        &["--to", "bob@example.com", "--subject", "x", "--body", "y"],
    );
    assert!(
        out.status.success(),
        "a TLS failure is not final: it stays queued"
    );
    let entry: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(entry["state"], "queued", "{entry}");
    assert!(
        entry["error"]
            .as_str()
            .is_some_and(|e| e.contains("certificate")),
        "{entry}"
    );
    assert_eq!(smtp.log().len(), 0);

    // Bad input is refused before anything is queued.
    let out = send(
        &satu,
        1,
        &["--to", "not an address", "--subject", "x", "--body", "y"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[to]"));
    assert_eq!(satu.json(&["outbox"]).as_array().map(Vec::len), Some(1));
}

#[test]
fn offline_the_outbox_keeps_the_message_and_sends_it_once_the_server_is_back() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    );
    smtp.stop();
    let entry = sent_entry(&send(
        &satu,
        account,
        &[
            "--to",
            "bob@example.com",
            "--subject",
            "While offline",
            "--body",
            "queued",
        ],
    ));
    assert_eq!(entry["state"], "queued", "{entry}");
    assert!(entry["error"]
        .as_str()
        .is_some_and(|e| e.contains("Cannot reach the SMTP server")));
    let id = entry["id"].as_i64().expect("id");
    // Still there for another process, and a flush while offline changes nothing but the error.
    let flushed = satu.json(&["outbox", "flush"]);
    assert_eq!(flushed[0]["state"], "queued", "{flushed}");

    smtp.restart(&[]);
    // The backoff is not over yet; a retry now sends it.
    let retried = satu.json(&["outbox", "retry", &id.to_string()]);
    assert_eq!(retried[0]["state"], "sent", "{retried}");
    assert_eq!(smtp.count(entry["message_id"].as_str().expect("id")), 1);
    // Nothing more goes out, however often the outbox is flushed.
    satu.json(&["outbox", "flush"]);
    satu.json(&["outbox", "flush"]);
    assert_eq!(smtp.log().len(), 1);
}

#[test]
fn undo_send_and_send_later() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    );
    // Undo: it waits, and is taken back before it goes.
    let entry = sent_entry(&send(
        &satu,
        account,
        &[
            "--to",
            "bob@example.com",
            "--subject",
            "Oops",
            "--body",
            "x",
            "--undo-seconds",
            "30",
        ],
    ));
    assert_eq!(entry["state"], "queued");
    assert_eq!(entry["can_cancel"], true);
    let id = entry["id"].to_string();
    let cancelled = satu.json(&["outbox", "cancel", &id]);
    assert_eq!(cancelled[0]["state"], "cancelled", "{cancelled}");
    satu.json(&["outbox", "flush"]);
    assert!(smtp.log().is_empty());
    assert!(satu
        .fails(&["outbox", "cancel", &id], 2)
        .contains("Too late"));

    // Edit: a waiting message comes back as a draft, Bcc included, and leaves the queue.
    let entry = sent_entry(&send(
        &satu,
        account,
        &[
            "--to",
            "Bob <bob@example.com>",
            "--bcc",
            "dan@example.com",
            "--subject",
            "Fix me",
            "--body",
            "typo here",
            "--undo-seconds",
            "30",
        ],
    ));
    let draft = satu.json(&["outbox", "edit", &entry["id"].to_string()]);
    assert_eq!(
        draft["to"],
        serde_json::json!(["Bob <bob@example.com>"]),
        "{draft}"
    );
    assert_eq!(
        draft["bcc"],
        serde_json::json!(["dan@example.com"]),
        "{draft}"
    );
    assert_eq!(draft["subject"], "Fix me");
    assert!(draft["body"]
        .as_str()
        .is_some_and(|b| b.contains("typo here")));
    satu.json(&["outbox", "flush"]);
    assert!(smtp.log().is_empty(), "an edited message is not sent");

    // Send later: not before its time, then by whichever process looks next.
    let at = (chrono::Utc::now() + chrono::Duration::seconds(3))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let entry = sent_entry(&send(
        &satu,
        account,
        &[
            "--to",
            "bob@example.com",
            "--subject",
            "Later",
            "--body",
            "x",
            "--at",
            &at,
        ],
    ));
    assert_eq!(entry["state"], "queued", "{entry}");
    satu.json(&["outbox", "flush"]);
    assert!(smtp.log().is_empty());
    std::thread::sleep(Duration::from_millis(3500));
    let flushed = satu.json(&["outbox", "flush"]);
    assert_eq!(flushed[0]["state"], "sent", "{flushed}");
    assert_eq!(smtp.log().len(), 1);
    let bad = send(
        &satu,
        account,
        &[
            "--to",
            "b@example.com",
            "--subject",
            "x",
            "--body",
            "y",
            "--at",
            "tomorrow",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("[at]"));
}

#[test]
fn a_reply_threads_with_its_mail_and_quotes_it() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    );
    dovecot.append(
        "alice",
        "INBOX",
        &message("plan@example.com", "Budget plan", 3),
    );
    satu.sync_ok();
    let original = satu.json(&["timeline"])[0].clone();
    let id = original["id"].as_i64().expect("id").to_string();

    let draft = satu.json(&["reply", &id, "--all"]);
    assert_eq!(draft["subject"], "Re: Budget plan", "{draft}");
    assert_eq!(
        draft["to"],
        serde_json::json!(["Carol <carol@example.com>"])
    );
    assert!(
        draft["body"]
            .as_str()
            .is_some_and(|b| b.contains("wrote:\n> ")),
        "{draft}"
    );

    let entry = sent_entry(&send(
        &satu,
        account,
        &[
            "--to",
            "carol@example.com",
            "--reply-to-item",
            &id,
            "--quote",
            "--body",
            "Agreed.",
        ],
    ));
    assert_eq!(entry["subject"], "Re: Budget plan");
    let raw = std::fs::read_to_string(smtp.log()[0]["file"].as_str().expect("file")).expect("eml");
    assert!(raw.contains("In-Reply-To: <plan@example.com>"), "{raw}");
    assert!(raw.contains("References: <plan@example.com>"), "{raw}");
    assert!(raw.contains("Agreed."), "{raw}");
    // The sent reply is in the conversation, here and after a sync.
    for _ in 0..2 {
        let thread = satu.json(&["thread", &id]);
        let titles: Vec<&str> = thread
            .as_array()
            .expect("thread")
            .iter()
            .map(|m| m["title"].as_str().expect("title"))
            .collect();
        assert_eq!(titles, ["Budget plan", "Re: Budget plan"], "{thread}");
        satu.sync_ok();
    }
    // The original is marked answered, here and (by the syncs above) on the server, where
    // another client sees it.
    let shown = satu.json(&["show", &id]);
    assert_eq!(shown["answered"], true, "{shown}");
    let inbox = dovecot.messages("alice", "INBOX");
    let (_, flags, _) = inbox
        .iter()
        .find(|(_, _, mid)| mid == "plan@example.com")
        .expect("the original in INBOX");
    assert!(flags.contains("\\Answered"), "{inbox:?}");
}

#[test]
fn drafts_are_kept_in_the_drafts_folder_one_copy_each_until_sent_or_discarded() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    )
    .to_string();
    satu.sync_ok();
    let subjects = || -> Vec<String> {
        dovecot
            .doveadm(&[
                "fetch",
                "-u",
                "alice",
                "hdr.subject flags",
                "mailbox",
                "Drafts",
            ])
            .split('\u{c}')
            .filter(|r| !r.trim().is_empty())
            .map(|r| r.trim().to_owned())
            .collect()
    };
    let saved = satu.json(&[
        "drafts",
        "save",
        "--account",
        &account,
        "--subject",
        "Plan",
        "--body",
        "first words",
    ]);
    let id = saved[0]["id"].as_i64().expect("id").to_string();
    assert_eq!(saved[0]["in_drafts"], false);
    // Typing has not paused long enough yet: nothing goes up.
    satu.json(&["outbox", "flush"]);
    assert!(subjects().is_empty());
    std::thread::sleep(Duration::from_millis(3100));
    satu.json(&["outbox", "flush"]);
    let copies = subjects();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert!(
        copies[0].contains("Plan") && copies[0].contains("\\Draft"),
        "{copies:?}"
    );
    assert_eq!(satu.json(&["drafts"])[0]["in_drafts"], true);

    // A new revision replaces the copy: still one.
    satu.json(&[
        "drafts",
        "save",
        "--id",
        &id,
        "--account",
        &account,
        "--to",
        "bob@example.com",
        "--subject",
        "Plan v2",
        "--body",
        "more words",
    ]);
    std::thread::sleep(Duration::from_millis(3100));
    satu.json(&["outbox", "flush"]);
    let copies = subjects();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert!(copies[0].contains("Plan v2"), "{copies:?}");

    // Sending it takes it out of the drafts and out of the Drafts folder.
    let entry = sent_entry(&send(
        &satu,
        account.parse().expect("id"),
        &[
            "--to",
            "bob@example.com",
            "--subject",
            "Plan v2",
            "--body",
            "more words",
            "--draft",
            &id,
        ],
    ));
    assert_eq!(entry["state"], "sent");
    assert_eq!(satu.json(&["drafts"]), serde_json::json!([]));
    assert!(subjects().is_empty(), "{:?}", subjects());

    // Discarding one does the same.
    let other = satu.json(&[
        "drafts",
        "save",
        "--account",
        &account,
        "--subject",
        "Scrap",
    ]);
    let other = other[0]["id"].as_i64().expect("id").to_string();
    std::thread::sleep(Duration::from_millis(3100));
    satu.json(&["outbox", "flush"]);
    assert_eq!(subjects().len(), 1);
    satu.run(&["drafts", "delete", &other]);
    satu.json(&["outbox", "flush"]);
    assert!(subjects().is_empty());
    assert!(satu
        .fails(&["drafts", "delete", "999"], 3)
        .contains("No draft"));
}

#[test]
fn queued_mail_goes_out_as_soon_as_the_server_is_back_not_when_its_backoff_ends() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    );
    satu.sync_ok();
    smtp.stop();
    dovecot.stop();
    // Backoff stretched to 100 s after the first failure: only the wake-up can beat it.
    let out = satu
        .command()
        .env("SATU_OUTBOX_BACKOFF_SCALE", "20")
        .args(["--json", "send", "--account", &account.to_string()])
        .args([
            "--to",
            "bob@example.com",
            "--subject",
            "Back soon",
            "--body",
            "x",
        ])
        .output()
        .expect("send");
    let entry = sent_entry(&out);
    assert_eq!(entry["state"], "queued", "{entry}");

    let mut watch = satu
        .command()
        .env("SATU_OUTBOX_BACKOFF_SCALE", "20")
        .args(["watch"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("satu watch");
    std::thread::sleep(Duration::from_secs(1));
    smtp.restart(&[]);
    dovecot.restart();
    let started = std::time::Instant::now();
    let state = loop {
        let state = satu.json(&["outbox"])[0]["state"].clone();
        if state == "sent" || started.elapsed() > Duration::from_secs(40) {
            break state;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let _ = watch.kill();
    let _ = watch.wait();
    assert_eq!(state, "sent", "sent once the account reconnected");
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(smtp.log().len(), 1);
}

#[test]
fn an_alias_sends_with_its_name_and_a_reply_is_written_from_the_address_the_mail_went_to() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    );
    let a = account.to_string();

    // A bad address is refused at its field; an alias with a name and a signature is kept.
    let bad = satu.fails(
        &[
            "--json",
            "account",
            "identity",
            "add",
            &a,
            "--address",
            "sales at example",
        ],
        2,
    );
    assert!(bad.ends_with("[address]\n"), "{bad}");
    let identities = satu.json(&[
        "account",
        "identity",
        "add",
        &a,
        "--address",
        "sales@example.com",
        "--name",
        "Alice at Sales",
        "--signature",
        "Alice\nSales, Example Ltd",
    ]);
    assert_eq!(
        identities[0]["address"], "alice@example.com",
        "{identities}"
    );
    assert_eq!(identities[0]["primary"], true);
    assert_eq!(identities[1]["address"], "sales@example.com");
    assert_eq!(identities[1]["signature"], "Alice\nSales, Example Ltd");

    // Sent from the alias: its name and address in From, and in the envelope.
    sent_entry(&send(
        &satu,
        account,
        &[
            "--from",
            "Sales@Example.com",
            "--to",
            "bob@example.org",
            "--subject",
            "Prices",
            "--body",
            "Here they are.",
        ],
    ));
    let log = smtp.log();
    assert_eq!(log[0]["mail_from"], "sales@example.com", "{log:?}");
    let raw = std::fs::read_to_string(log[0]["file"].as_str().expect("file")).expect("eml");
    assert!(
        raw.contains("From: \"Alice at Sales\" <sales@example.com>")
            || raw.contains("From: Alice at Sales <sales@example.com>"),
        "{raw}"
    );
    // An address the account does not have is refused at `from`; nothing is queued.
    let refused = satu.fails(
        &[
            "--json",
            "send",
            "--account",
            &a,
            "--from",
            "ceo@example.com",
            "--to",
            "bob@example.org",
            "--subject",
            "S",
            "--body",
            "B",
        ],
        2,
    );
    assert!(refused.contains("[from]"), "{refused}");
    assert_eq!(satu.json(&["outbox"]).as_array().map(Vec::len), Some(1));

    // Mail sent to the alias (and to the account itself): the reply is written from the alias,
    // and goes to neither of the account's addresses.
    dovecot.append(
        "alice",
        "INBOX",
        "From: Carol <carol@example.com>\r\nTo: Sales <sales@example.com>\r\nCc: alice@example.com, dan@example.org\r\nSubject: Quote please\r\nDate: Tue, 01 Dec 2026 09:00:00 +0000\r\nMessage-ID: <quote@example.com>\r\n\r\nHow much?\r\n",
    );
    satu.sync_ok();
    let id = satu
        .json(&["timeline"])
        .as_array()
        .and_then(|items| items.iter().find(|i| i["title"] == "Quote please"))
        .and_then(|i| i["id"].as_i64())
        .expect("the mail")
        .to_string();
    let draft = satu.json(&["reply", &id, "--all"]);
    assert_eq!(draft["from"], "sales@example.com", "{draft}");
    assert_eq!(
        draft["to"],
        serde_json::json!(["Carol <carol@example.com>"]),
        "{draft}"
    );
    assert_eq!(
        draft["cc"],
        serde_json::json!(["dan@example.org"]),
        "{draft}"
    );

    // Completion: who the user wrote to (bob, from the alias; carol and dan are only seen)
    // comes first; a name's word completes too.
    let found = satu.json(&["contacts", "d"]);
    assert_eq!(found[0]["address"], "dan@example.org", "{found}");
    assert_eq!(found[0]["written"], 0);
    let found = satu.json(&["contacts", "example.org"]);
    assert_eq!(
        found.as_array().map(Vec::len),
        Some(0),
        "prefixes only: {found}"
    );
    let found = satu.json(&["contacts", "BO"]);
    assert_eq!(found[0]["address"], "bob@example.org", "{found}");
    assert_eq!(found[0]["written"], 1, "{found}");
    let found = satu.json(&["contacts", "carol"]);
    assert_eq!(found[0]["name"], "Carol", "{found}");

    // The alias goes; an unknown one is not found.
    let left = satu.json(&[
        "account",
        "identity",
        "remove",
        &a,
        "--address",
        "sales@example.com",
    ]);
    assert_eq!(left.as_array().map(Vec::len), Some(1), "{left}");
    satu.fails(
        &[
            "account",
            "identity",
            "remove",
            &a,
            "--address",
            "sales@example.com",
        ],
        3,
    );
}

#[test]
fn unsubscribing_from_a_list_without_one_click_sends_its_mailto_through_the_outbox() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let satu = Satu::new();
    let account = add_account(
        &satu,
        &dovecot,
        &smtp.addr("SMTP_PORT"),
        "starttls",
        smtp.var("CA_FILE"),
    );
    // One-click offered, but unsigned: the mailto is used instead.
    dovecot.append(
        "alice",
        "INBOX",
        "From: Weekly <news@lists.example.org>\r\nTo: alice@example.com\r\nSubject: Weekly digest\r\nDate: Tue, 01 Dec 2026 09:00:00 +0000\r\nMessage-ID: <digest@lists.example.org>\r\nList-Unsubscribe: <https://lists.example.org/u/1>, <mailto:leave@lists.example.org?subject=leave%20weekly>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nThis week.\r\n",
    );
    satu.sync_ok();
    let id = satu.json(&["timeline"])[0]["id"].to_string();
    assert_eq!(satu.json(&["show", &id])["unsubscribe"], "one-click");
    // No wait for undo here (the window's default gives ten seconds to take it back).
    satu.json(&["settings", "set", "send.undo_seconds", "0"]);
    let done = satu.json(&["unsubscribe", &id]);
    assert_eq!(done["method"], "mail", "{done}");
    assert!(done["outbox"].is_i64(), "{done}");
    // It waits in the outbox like any message (it can be taken back), then goes.
    let out = satu.run(&["outbox", "flush", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = smtp.log();
    let sent = log
        .iter()
        .find(|m| m["rcpt"] == serde_json::json!(["leave@lists.example.org"]))
        .unwrap_or_else(|| panic!("the unsubscribe message at the server: {log:?}"));
    assert_eq!(sent["mail_from"], "alice@example.com");
    let raw = std::fs::read_to_string(sent["file"].as_str().expect("file")).expect("eml");
    assert!(raw.contains("Subject: leave weekly"), "{raw}");
    let _ = account;
}

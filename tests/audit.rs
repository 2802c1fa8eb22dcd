//! The audit trail (#22) against the project's Dovecot, SMTP server and Radicale: a scripted
//! run of the actions shows each kind in `satu audit` with who, from where, which account and
//! item; changes made on another device are recorded as coming from the server; editing or
//! deleting one row with SQL makes `satu audit verify` fail and name it; removing entries from
//! the end is caught by a head kept outside; the CSV export has a header and RFC 4180 quoting;
//! retention prunes whole days and the chain still verifies.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{message, Dovecot, Radicale, Satu, Smtp};

fn kinds(satu: &Satu) -> BTreeSet<String> {
    satu.json(&["audit"])
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

fn with_attachment() -> String {
    "Message-ID: <files@audit>\r\nFrom: Bob <bob@example.com>\r\nTo: alice@example.com\r\n\
     Subject: The contract\r\nDate: Mon, 7 Dec 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n\
     Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
     Attached.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; \
     filename=contract.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
        .to_owned()
}

#[test]
fn every_action_is_in_the_trail_and_any_tampering_is_named() {
    let dovecot = Dovecot::start();
    for i in 1..=4 {
        dovecot.append(
            "alice",
            "INBOX",
            &message(&format!("{i}@audit"), &format!("Audited {i}"), i),
        );
    }
    dovecot.append("alice", "INBOX", &with_attachment());
    let smtp = Smtp::start_with(&[]);
    let radicale = Radicale::start();
    let satu = Satu::new();
    let account = satu.alice_with_smtp(&dovecot, &smtp);
    let caldav = satu.run_with_stdin(
        &[
            "--json",
            "account",
            "add-caldav",
            "--url",
            radicale.var("RADICALE_URL"),
            "--username",
            "alice",
            "--password-stdin",
        ],
        "alice-pass\n",
    );
    assert!(caldav.status.success());
    satu.json(&["sync"]);
    let mail: Vec<Value> = satu
        .json(&["timeline", "--kind", "mail"])
        .as_array()
        .expect("mail")
        .clone();
    let id = |subject: &str| {
        mail.iter()
            .find(|m| m["title"] == subject)
            .map(|m| m["id"].to_string())
            .unwrap_or_else(|| panic!("no mail {subject}"))
    };

    // The window's and the command line's actions.
    satu.json(&["mark", &id("Audited 1"), "--read"]);
    satu.json(&["mark", &id("Audited 1"), "--unread", "--flag"]);
    satu.json(&["mark", &id("Audited 1"), "--unflag"]);
    satu.json(&["move", &id("Audited 2"), "Archive"]);
    satu.json(&["delete", &id("Audited 3")]);
    let task = satu.json(&["task", "from-mail", &id("Audited 4")]);
    let task_id = task["id"].to_string();
    satu.json(&["task", "due", &task_id, "2027-01-15"]);
    satu.json(&["task", "edit", &task_id, "--title", "Answer Audited 4"]);
    satu.json(&["task", "done", &task_id]);
    satu.json(&["task", "delete", &task_id]);
    let event = satu.json(&[
        "event",
        "add",
        "--title",
        "Audit review",
        "--start",
        "2027-02-01T10:00",
        "--tz",
        "UTC",
    ]);
    let event_id = event["id"].to_string();
    satu.json(&[
        "event",
        "edit",
        &event_id,
        "--title",
        "Audit review (moved)",
    ]);
    satu.json(&["event", "delete", &event_id]);
    let sent = satu.json(&[
        "send",
        "--account",
        &account.to_string(),
        "--to",
        "bob@example.com",
        "--subject",
        "Audit \"quoted\", with comma",
        "--body",
        "Hello",
    ]);
    assert_eq!(sent["state"], "sent", "{sent}");
    let saved = satu.dir.path().join("contract.pdf");
    satu.json(&[
        "attachment",
        &id("The contract"),
        "0",
        "-o",
        saved.to_str().expect("path"),
    ]);
    satu.json(&["settings", "set", "timeline.threads", "true"]);
    let out = tempfile::tempdir().expect("tempdir");
    satu.json(&[
        "export",
        "mbox",
        "--folder",
        "INBOX",
        "--out",
        out.path().to_str().expect("path"),
    ]);
    let backup = out.path().join("satu.backup");
    let made = satu.backup_create(&backup, &[]);
    assert!(made.status.success());
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    assert_eq!(
        made["audit_head"].as_str().map(str::len),
        Some(64),
        "{made}"
    );
    // Restored elsewhere, the trail comes along whole and says it was restored.
    let restored = Satu::new();
    let done = restored.backup_restore(&backup, support::BACKUP_PASSPHRASE, &[]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(restored.json(&["audit", "verify"])["intact"], true);
    assert!(kinds(&restored).contains("backup.restore"));
    let ics = out.path().join("events.ics");
    satu.json(&["calendar", "export", "--out", ics.to_str().expect("path")]);

    // Another device: a flag set and a message expunged there.
    dovecot.flags("add", "\\Flagged", "INBOX", "4");
    dovecot.doveadm(&["expunge", "-u", "alice", "mailbox", "INBOX", "uid", "1"]);
    satu.json(&["sync"]);

    let found = kinds(&satu);
    for kind in [
        "account.add",
        "mail.read",
        "mail.unread",
        "mail.flag",
        "mail.unflag",
        "mail.move",
        "mail.delete",
        "task.make",
        "task.edit",
        "task.done",
        "task.delete",
        "event.add",
        "event.edit",
        "event.delete",
        "mail.send",
        "mail.sent",
        "attachment.save",
        "setting.change",
        "export.mail",
        "export.calendar",
        "backup.create",
        "mail.flags",
        "mail.removed",
    ] {
        assert!(found.contains(kind), "{kind} missing from {found:?}");
    }
    let entries = satu.json(&[
        "audit",
        "--kind",
        "mail.",
        "--account",
        &account.to_string(),
    ]);
    let all = entries.as_array().expect("entries");
    assert!(all.iter().all(|e| e["account"] == account));
    let flag = all.iter().find(|e| e["kind"] == "mail.flag").expect("flag");
    assert_eq!(flag["origin"], "cli");
    assert!(
        flag["actor"].as_str().is_some_and(|a| a.contains('@')),
        "{flag}"
    );
    assert_eq!(flag["item"].to_string(), id("Audited 1"));
    let send = all.iter().find(|e| e["kind"] == "mail.send").expect("send");
    assert_eq!(
        send["detail"]["recipients"],
        serde_json::json!(["bob@example.com"])
    );
    assert!(send["detail"]["message_id"].is_string());
    let elsewhere: Vec<&Value> = all.iter().filter(|e| e["origin"] == "server").collect();
    assert!(
        elsewhere.iter().any(|e| e["kind"] == "mail.flags")
            && elsewhere.iter().any(|e| e["kind"] == "mail.removed"),
        "changes from another device: {elsewhere:?}"
    );
    let newest = satu.json(&["audit", "--limit", "1"]);
    assert_eq!(newest.as_array().map(Vec::len), Some(1));

    // The CSV opens in a spreadsheet: a header, every field quoted, quotes doubled.
    let csv = out.path().join("audit.csv");
    let exported = satu.json(&[
        "audit",
        "export",
        "--format",
        "csv",
        "--out",
        csv.to_str().expect("path"),
    ]);
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(
        text.starts_with(
            "\"id\",\"time\",\"actor\",\"origin\",\"account\",\"item\",\"kind\",\"detail\",\"hash\"\r\n"
        ),
        "{text}"
    );
    assert_eq!(
        text.matches("\r\n").count() as u64,
        exported["entries"].as_u64().expect("entries") + 1
    );
    // The subject inside the JSON detail (`\"quoted\"`), its quotes doubled by the CSV.
    assert!(text.contains(r#"Audit \""quoted\"", with comma"#), "{text}");
    let jsonl = out.path().join("audit.jsonl");
    satu.json(&[
        "audit",
        "export",
        "--format",
        "jsonl",
        "--out",
        jsonl.to_str().expect("path"),
    ]);
    for line in std::fs::read_to_string(&jsonl).expect("jsonl").lines() {
        serde_json::from_str::<Value>(line).expect("one entry per line");
    }
    assert!(kinds(&satu).contains("audit.export"));

    // Intact; a head kept outside.
    let check = satu.json(&["audit", "verify"]);
    assert_eq!(check["intact"], true, "{check}");
    let head_file = out.path().join("head.txt");
    satu.json(&["audit", "head", "--out", head_file.to_str().expect("path")]);
    let head = head_file.to_str().expect("path");
    assert_eq!(
        satu.json(&["audit", "verify", "--head", head])["intact"],
        true
    );

    // One entry changed with SQL: named.
    let db = rusqlite::Connection::open(satu.dir.path().join("satu.db")).expect("open the store");
    let original: String = db
        .query_row("SELECT detail FROM audit WHERE id = 5", [], |r| r.get(0))
        .expect("entry 5");
    db.execute(
        "UPDATE audit SET detail = '{\"tampered\":true}' WHERE id = 5",
        [],
    )
    .expect("update");
    let stderr = satu.fails(&["audit", "verify"], 11);
    assert!(stderr.contains("broken at entry 5"), "{stderr}");
    assert!(stderr.contains("changed"), "{stderr}");
    db.execute("UPDATE audit SET detail = ?1 WHERE id = 5", [&original])
        .expect("put back");
    assert_eq!(satu.json(&["audit", "verify"])["intact"], true);
    // One deleted: the entry after it is named.
    db.execute("DELETE FROM audit WHERE id = 8", [])
        .expect("delete");
    let stderr = satu.fails(&["audit", "verify"], 11);
    assert!(stderr.contains("broken at entry 9"), "{stderr}");
    assert!(stderr.contains("does not follow entry 7"), "{stderr}");
}

#[test]
fn removing_the_last_entries_is_caught_by_a_head_kept_outside_and_retention_keeps_the_chain() {
    let satu = Satu::new();
    for value in ["true", "false", "true"] {
        satu.json(&["settings", "set", "timeline.threads", value]);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let head = dir.path().join("head.txt");
    satu.json(&["audit", "head", "--out", head.to_str().expect("path")]);
    let db = rusqlite::Connection::open(satu.dir.path().join("satu.db")).expect("open the store");
    let deleted = db.execute(
        "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)",
        [],
    );
    assert_eq!(deleted.ok(), Some(1));
    // The chain itself is still whole, but the head kept outside is gone.
    assert_eq!(satu.json(&["audit", "verify"])["intact"], true);
    let stderr = satu.fails(
        &["audit", "verify", "--head", head.to_str().expect("path")],
        11,
    );
    assert!(stderr.contains("removed from its end"), "{stderr}");

    // Retention: entries of older days go whole, the pruning is an entry, the chain verifies.
    db.execute(
        "UPDATE audit SET at_ms = at_ms - 10 * 86400000 WHERE id = 1",
        [],
    )
    .expect("age");
    // (Ageing an entry changes it: the trail says so until retention prunes it.)
    assert!(satu
        .fails(&["audit", "verify"], 11)
        .contains("broken at entry 1"));
    satu.json(&["settings", "set", "audit.keep_days", "3"]);
    let pruned = satu.json(&["audit", "prune"]);
    assert_eq!(pruned["pruned"], 1, "{pruned}");
    assert_eq!(satu.json(&["audit", "verify"])["intact"], true);
    let kinds = kinds(&satu);
    assert!(
        kinds.contains("audit.prune") && kinds.contains("setting.change"),
        "{kinds:?}"
    );
}

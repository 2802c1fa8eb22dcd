//! `satu account add` + `satu sync` against a real Dovecot started by tests/servers/dovecot.sh.

mod support;

use serde_json::Value;
use support::{added_id, message, Dovecot, Satu};

fn roles(report: &Value) -> Vec<(String, String)> {
    report["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().expect("name").to_owned(),
                f["role"].as_str().expect("role").to_owned(),
            )
        })
        .collect()
}

#[test]
fn add_account_over_tls_and_sync_lists_the_folders() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    let id = added_id(&satu.add_alice(
        &dovecot.imaps(),
        "tls",
        "alice-pass",
        Some(dovecot.ca_file()),
    ));
    let accounts = satu.json(&["account", "list"]);
    assert_eq!(accounts[0]["id"], id);
    assert_eq!(accounts[0]["imap"], dovecot.imaps());
    assert_eq!(accounts[0]["username"], "alice");

    let reports = satu.json(&["sync"]);
    let report = &reports[0];
    assert_eq!(report["account"], id);
    let caps: Vec<&str> = report["capabilities"]
        .as_array()
        .expect("caps")
        .iter()
        .map(|c| c.as_str().expect("cap"))
        .collect();
    for cap in ["IDLE", "CONDSTORE", "QRESYNC"] {
        assert!(caps.contains(&cap), "{cap} missing from {caps:?}");
    }
    let folders = roles(report);
    assert_eq!(
        folders[0],
        ("INBOX".to_owned(), "inbox".to_owned()),
        "INBOX first: {folders:?}"
    );
    for (name, role) in [
        ("Sent", "sent"),
        ("Drafts", "drafts"),
        ("Trash", "trash"),
        ("Junk", "junk"),
        ("Archive", "archive"),
    ] {
        assert!(
            folders.contains(&(name.to_owned(), role.to_owned())),
            "{name} as {role} missing: {folders:?}"
        );
    }
    // `--account` selects one account; the password came from the keyring, not the database.
    let again = satu.json(&["sync", "--account", &id.to_string()]);
    assert_eq!(roles(&again[0]), folders);
    let db = std::fs::read(satu.dir.path().join("satu.db")).expect("db");
    assert!(
        !db.windows(b"alice-pass".len()).any(|w| w == b"alice-pass"),
        "the password must never be in the database"
    );

    let removed = satu.json(&["account", "remove", &id.to_string()]);
    assert_eq!(removed["removed"], id);
    assert_eq!(satu.json(&["account", "list"]), serde_json::json!([]));
    // The trail keeps the removal after the account itself is gone.
    let trail = satu.json(&["audit", "--kind", "account."]);
    let kinds: Vec<&str> = trail
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["account.add", "account.remove"], "{trail}");
}

#[test]
fn starttls_and_loopback_plain_both_log_in() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    added_id(&satu.add_alice(
        &dovecot.imap(),
        "starttls",
        "alice-pass",
        Some(dovecot.ca_file()),
    ));
    let plain = Satu::new();
    added_id(&plain.add_alice(&dovecot.imap(), "plain", "alice-pass", None));
    assert_eq!(plain.json(&["sync"])[0]["folders"][0]["name"], "INBOX");
}

#[test]
fn a_wrong_password_is_a_clear_error_and_stores_nothing() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    let out = satu.add_alice(
        &dovecot.imaps(),
        "tls",
        "not-the-password",
        Some(dovecot.ca_file()),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("rejected the login for alice")
            && stderr.contains("wrong user name or password"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(satu.json(&["account", "list"]), serde_json::json!([]));
}

#[test]
fn an_untrusted_certificate_is_refused() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    let out = satu.add_alice(&dovecot.imaps(), "tls", "alice-pass", None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("certificate of 127.0.0.1 is not valid") && stderr.contains("--ca-file"),
        "{stderr}"
    );
    assert_eq!(satu.json(&["account", "list"]), serde_json::json!([]));
}

#[test]
fn sync_reports_a_dead_server_clearly() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    added_id(&satu.add_alice(&dovecot.imap(), "plain", "alice-pass", None));
    drop(dovecot);
    let err = satu.fails(&["sync"], 5);
    assert!(err.contains("Cannot reach the IMAP server"), "{err}");
}

// ---- Mail sync (server → local) -----------------------------------------------------------

/// The timeline by title (titles are unique in these tests).
fn by_title(satu: &Satu) -> std::collections::BTreeMap<String, Value> {
    let items = satu.json(&["timeline", "--limit", "1000", "--kind", "mail"]);
    let mut map = std::collections::BTreeMap::new();
    for item in items.as_array().expect("items") {
        let title = item["title"].as_str().expect("title").to_owned();
        assert!(
            map.insert(title.clone(), item.clone()).is_none(),
            "duplicate item {title:?}"
        );
    }
    map
}

fn folders_of(item: &Value) -> Vec<&str> {
    item["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .map(|f| f.as_str().expect("folder"))
        .collect()
}

/// The report's entry for `folder`.
fn folder<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from {report}"))
}

#[test]
fn initial_sync_fetches_every_message_with_its_flags_then_only_new_mail() {
    let dovecot = Dovecot::start();
    for i in 1..=5 {
        dovecot.append(
            "alice",
            "INBOX",
            &message(&format!("m{i}@example.com"), &format!("Message {i}"), i),
        );
    }
    dovecot.flags("add", "\\Seen", "INBOX", "1");
    dovecot.flags("add", "\\Flagged", "INBOX", "2");
    let satu = Satu::new();
    satu.alice(&dovecot);

    let out = satu.run(&["--json", "sync", "--progress"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice::<Value>(&out.stdout).expect("json")[0].clone();
    let progress: Vec<Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(
        progress,
        vec![
            serde_json::json!({"account": report["account"], "folder": "INBOX", "done": 5, "total": 5})
        ],
        "one batch, one progress line"
    );
    assert_eq!(report["fetched"], 5, "{report}");
    assert_eq!(folder(&report, "INBOX")["fetched"], 5);
    assert_eq!(folder(&report, "INBOX")["total"], 5);
    let items = by_title(&satu);
    assert_eq!(items.len(), 5);
    let timeline = satu.json(&["timeline", "--kind", "mail"]);
    let titles: Vec<&str> = timeline
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().expect("title"))
        .collect();
    assert_eq!(
        titles,
        vec![
            "Message 5",
            "Message 4",
            "Message 3",
            "Message 2",
            "Message 1"
        ],
        "newest first by Date"
    );
    let m1 = &items["Message 1"];
    assert_eq!(m1["message_id"], "m1@example.com");
    assert_eq!(folders_of(m1), vec!["INBOX"]);
    assert_eq!(
        (m1["unread"].as_bool(), m1["flagged"].as_bool()),
        (Some(false), Some(false))
    );
    let m2 = &items["Message 2"];
    assert_eq!(
        (m2["unread"].as_bool(), m2["flagged"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(items["Message 3"]["unread"], true);
    // BODY.PEEK: syncing did not mark anything read on the server.
    let seen = dovecot.doveadm(&["search", "-u", "alice", "mailbox", "INBOX", "SEEN"]);
    assert_eq!(seen.lines().count(), 1, "{seen}");

    // Nothing new: nothing fetched.
    let again = satu.sync_ok();
    assert_eq!(again["fetched"], 0, "{again}");
    assert_eq!(by_title(&satu).len(), 5);

    // Two new messages: only they are fetched.
    dovecot.append("alice", "INBOX", &message("m6@example.com", "Message 6", 6));
    dovecot.append("alice", "INBOX", &message("m7@example.com", "Message 7", 7));
    let third = satu.sync_ok();
    assert_eq!(third["fetched"], 2, "{third}");
    let items = by_title(&satu);
    assert_eq!(items.len(), 7);
    assert_eq!(items["Message 7"]["message_id"], "m7@example.com");
}

/// Another client marks, flags, expunges and moves messages between two syncs; the timeline
/// follows. Run against full Dovecot (CONDSTORE + QRESYNC) and without them.
fn follows_another_client(personality: &str) {
    let dovecot = Dovecot::start_with(&[("PERSONALITY", personality)]);
    for i in 1..=5 {
        dovecot.append(
            "alice",
            "INBOX",
            &message(&format!("o{i}@example.com"), &format!("Other {i}"), i),
        );
    }
    dovecot.flags("add", "\\Seen", "INBOX", "5");
    let satu = Satu::new();
    satu.alice(&dovecot);
    let report = satu.sync_ok();
    let caps = report["capabilities"].to_string();
    assert_eq!(caps.contains("QRESYNC"), personality == "full", "{caps}");
    let before = by_title(&satu);
    assert_eq!(before.len(), 5);

    dovecot.flags("add", "\\Seen", "INBOX", "1");
    dovecot.flags("add", "\\Flagged", "INBOX", "2");
    dovecot.flags("remove", "\\Seen", "INBOX", "5");
    dovecot.doveadm(&["expunge", "-u", "alice", "mailbox", "INBOX", "uid", "3"]);
    dovecot.doveadm(&[
        "move", "-u", "alice", "Archive", "mailbox", "INBOX", "uid", "4",
    ]);

    let report = satu.sync_ok();
    let inbox = folder(&report, "INBOX");
    assert_eq!(inbox["updated"], 3, "{report}");
    assert_eq!(inbox["removed"], 2, "{report}");
    // The moved message is still stored: its new UID is recognised, not downloaded again.
    assert_eq!(folder(&report, "Archive")["fetched"], 0, "{report}");
    assert_eq!(folder(&report, "Archive")["linked"], 1, "{report}");
    assert_eq!(report["deleted"], 1, "{report}");
    let after = by_title(&satu);
    assert_eq!(after.len(), 4, "{after:?}");
    assert_eq!(after["Other 1"]["unread"], false);
    assert_eq!(after["Other 2"]["flagged"], true);
    assert_eq!(after["Other 2"]["unread"], true);
    assert_eq!(after["Other 5"]["unread"], true);
    assert!(!after.contains_key("Other 3"), "expunged");
    assert_eq!(folders_of(&after["Other 4"]), vec!["Archive"], "moved");
    assert_eq!(
        after["Other 4"]["id"], before["Other 4"]["id"],
        "a moved message keeps its item"
    );

    // And a quiet pass changes nothing.
    let quiet = satu.sync_ok();
    assert_eq!(
        (&quiet["fetched"], &quiet["updated"], &quiet["removed"]),
        (&Value::from(0), &Value::from(0), &Value::from(0)),
        "{quiet}"
    );
    assert_eq!(by_title(&satu), after);
}

#[test]
fn flags_expunges_and_moves_are_followed_with_condstore_and_qresync() {
    follows_another_client("full");
}

#[test]
fn flags_expunges_and_moves_are_followed_without_condstore() {
    follows_another_client("plain");
}

#[test]
fn one_message_id_in_two_folders_is_one_item_with_both_folders() {
    let dovecot = Dovecot::start();
    let raw = message("twice@example.com", "In two folders", 3);
    dovecot.append("alice", "INBOX", &raw);
    dovecot.append("alice", "Archive", &raw);
    // A non-ASCII name (modified UTF-7 on the wire) holds another message.
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "Käse/Alt"]);
    dovecot.append(
        "alice",
        "Käse/Alt",
        &message("kaese@example.com", "Cheese", 4),
    );
    dovecot.flags("add", "\\Seen", "Archive", "1");
    let satu = Satu::new();
    satu.alice(&dovecot);
    satu.sync_ok();
    let items = by_title(&satu);
    assert_eq!(items.len(), 2);
    assert_eq!(folders_of(&items["Cheese"]), vec!["Käse/Alt"]);
    let item = &items["In two folders"];
    assert_eq!(folders_of(item), vec!["Archive", "INBOX"]);
    assert_eq!(item["unread"], false, "seen in one folder is read");

    dovecot.doveadm(&["expunge", "-u", "alice", "mailbox", "INBOX", "all"]);
    satu.sync_ok();
    let items = by_title(&satu);
    assert_eq!(folders_of(&items["In two folders"]), vec!["Archive"]);
    assert_eq!(items["In two folders"]["id"], item["id"]);

    dovecot.doveadm(&["expunge", "-u", "alice", "mailbox", "Archive", "all"]);
    let report = satu.sync_ok();
    assert_eq!(report["deleted"], 1, "{report}");
    assert_eq!(by_title(&satu).keys().collect::<Vec<_>>(), vec!["Cheese"]);
    let found = satu.json(&["search", "folders"]);
    assert_eq!(found, serde_json::json!([]), "gone from the search index");
}

#[test]
fn a_new_uidvalidity_resyncs_without_duplicates_or_stale_uids() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    satu.alice(&dovecot);
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "Lists"]);
    for (id, subject) in [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")] {
        dovecot.append(
            "alice",
            "Lists",
            &message(&format!("{id}@lists"), subject, 1),
        );
    }
    satu.sync_ok();
    let before = by_title(&satu);
    assert_eq!(before.len(), 3);

    // The folder is recreated: UIDs start again at 1 under a new UIDVALIDITY. Gamma comes back
    // as UID 1 (it was UID 3), Delta is new as UID 2 (Beta's old UID).
    dovecot.doveadm(&["mailbox", "delete", "-u", "alice", "Lists"]);
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "Lists"]);
    dovecot.append("alice", "Lists", &message("c@lists", "Gamma", 1));
    dovecot.append("alice", "Lists", &message("d@lists", "Delta", 2));
    dovecot.flags("add", "\\Seen", "Lists", "2");

    let report = satu.sync_ok();
    // Gamma is still stored (by Message-ID): linked under its new UID; Delta is downloaded.
    assert_eq!(folder(&report, "Lists")["fetched"], 1, "{report}");
    assert_eq!(folder(&report, "Lists")["linked"], 1, "{report}");
    let after = by_title(&satu);
    assert_eq!(
        after.keys().map(String::as_str).collect::<Vec<_>>(),
        vec!["Delta", "Gamma"]
    );
    assert_eq!(after["Gamma"]["id"], before["Gamma"]["id"], "same item");
    assert_eq!(after["Delta"]["unread"], false);
    assert_eq!(after["Gamma"]["unread"], true);
    // A second pass agrees (no stale UID is acted on).
    let quiet = satu.sync_ok();
    assert_eq!(quiet["fetched"], 0, "{quiet}");
    assert_eq!(by_title(&satu), after);
}

#[test]
fn a_sync_killed_mid_way_converges_on_restart_with_nothing_lost_or_duplicated() {
    use std::io::{BufRead as _, BufReader};
    const N: usize = 3000;
    let dovecot = Dovecot::start();
    dovecot.append("alice", "INBOX", &message("first@bulk", "Bulk 0", 1));
    dovecot.bulk_load(
        "alice",
        (1..N).map(|i| {
            message(
                &format!("{i}@bulk"),
                &format!("Bulk {i}"),
                1 + (i % 28) as u32,
            )
        }),
    );
    let satu = Satu::new();
    satu.alice(&dovecot);

    // Kill -9 right after the first batch has committed (its log line comes after the commit).
    let mut child = satu
        .command()
        .arg("sync")
        .env("SATU_LOG", "satu_core=info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn satu sync");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    loop {
        let line = lines
            .next()
            .expect("satu sync ended before fetching a batch")
            .expect("read stderr");
        if line.contains("Fetched a batch") {
            break;
        }
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let report = satu.sync_ok();
    let fetched = report["fetched"].as_u64().expect("fetched") as usize;
    // What was stored before the kill is not fetched again; the rest is.
    assert!(
        (1..N).contains(&fetched),
        "the restart fetches only what is missing: {fetched} of {N}"
    );
    // Every message once: page through the whole timeline.
    let mut seen = std::collections::BTreeSet::new();
    let mut before: Option<i64> = None;
    loop {
        let mut args = vec![
            "timeline".to_owned(),
            "--limit".to_owned(),
            "1000".to_owned(),
        ];
        if let Some(b) = before {
            args.extend(["--before".to_owned(), b.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let page = satu.json(&args);
        let page = page.as_array().expect("page");
        let Some(last) = page.last() else { break };
        before = last["id"].as_i64();
        for item in page {
            let id = item["message_id"].as_str().expect("message_id").to_owned();
            assert!(seen.insert(id.clone()), "duplicate {id}");
        }
    }
    assert_eq!(seen.len(), N);
    assert_eq!(satu.sync_ok()["fetched"], 0);
}

/// The server's (flags, Message-ID) of `folder`, Message-IDs sorted.
fn on_server(dovecot: &Dovecot, folder: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = dovecot
        .messages("alice", folder)
        .into_iter()
        .map(|(_, flags, id)| (id, flags))
        .collect();
    found.sort();
    found
}

fn ids_on_server(dovecot: &Dovecot, folder: &str) -> Vec<String> {
    on_server(dovecot, folder)
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

fn flags_on_server(dovecot: &Dovecot, folder: &str, message_id: &str) -> String {
    on_server(dovecot, folder)
        .into_iter()
        .find(|(id, _)| id == message_id)
        .unwrap_or_else(|| panic!("{message_id} is not in {folder} on the server"))
        .1
}

fn local_changes_reach_the_server(personality: &str) {
    let dovecot = Dovecot::start_with(&[("PERSONALITY", personality)]);
    for i in 1..=5 {
        dovecot.append(
            "alice",
            "INBOX",
            &message(&format!("a{i}@example.com"), &format!("Act {i}"), i),
        );
    }
    let satu = Satu::new();
    satu.alice(&dovecot);
    satu.sync_ok();
    let items = by_title(&satu);
    let id = |title: &str| items[title]["id"].to_string();

    // Online: applied locally and on the server at once.
    let marked = satu.json(&["mark", &id("Act 1"), "--read", "--flag"]);
    assert_eq!(
        (&marked["changed"], &marked["pushed"], &marked["pending"]),
        (&Value::from(true), &Value::from(true), &Value::from(0)),
        "{marked}"
    );
    let flags = flags_on_server(&dovecot, "INBOX", "a1@example.com");
    assert!(
        flags.contains("\\Seen") && flags.contains("\\Flagged"),
        "{flags}"
    );
    satu.json(&["mark", &id("Act 1"), "--unread"]);
    assert!(!flags_on_server(&dovecot, "INBOX", "a1@example.com").contains("\\Seen"));
    let again = satu.json(&["mark", &id("Act 1"), "--unread"]);
    assert_eq!(again["changed"], false, "already unread: {again}");

    let archived = satu.json(&["archive", &id("Act 2")]);
    assert_eq!(
        (&archived["folder"], &archived["pushed"]),
        (&Value::from("Archive"), &Value::from(true)),
        "{archived}"
    );
    satu.json(&["move", &id("Act 3"), "Junk"]);
    assert_eq!(ids_on_server(&dovecot, "Archive"), ["a2@example.com"]);
    assert_eq!(ids_on_server(&dovecot, "Junk"), ["a3@example.com"]);
    let err = satu.fails(&["move", &id("Act 3"), "Nowhere"], 3);
    assert!(
        err.contains("no folder named \"Nowhere\"") && err.contains("Archive"),
        "{err}"
    );
    let err = satu.fails(&["mark", "999999", "--read"], 3);
    assert!(err.contains("999999"), "{err}");

    let trashed = satu.json(&["delete", &id("Act 4")]);
    assert_eq!(trashed["folder"], "Trash", "{trashed}");
    assert_eq!(ids_on_server(&dovecot, "Trash"), ["a4@example.com"]);
    let gone = satu.json(&["delete", &id("Act 4")]);
    assert_eq!(gone["deleted"], true, "{gone}");
    assert!(ids_on_server(&dovecot, "Trash").is_empty());

    // The next sync agrees: same items, same ids, each once, in its new folder.
    let report = satu.sync_ok();
    assert_eq!(
        report["linked"], 2,
        "the moved messages' new UIDs, recognised without downloading them: {report}"
    );
    assert_eq!(report["fetched"], 0, "{report}");
    let after = by_title(&satu);
    assert_eq!(after.len(), 4, "{after:?}");
    assert!(!after.contains_key("Act 4"));
    assert_eq!(folders_of(&after["Act 2"]), ["Archive"]);
    assert_eq!(folders_of(&after["Act 3"]), ["Junk"]);
    for title in ["Act 1", "Act 2", "Act 3", "Act 5"] {
        assert_eq!(
            after[title]["id"], items[title]["id"],
            "{title} keeps its item"
        );
    }
    assert_eq!(after["Act 1"]["unread"], true);
    assert_eq!(after["Act 1"]["flagged"], true);
    // The Inbox keeps the mail in INBOX only: not the archived, junk or deleted ones (and the
    // open task that flagging Act 1 made).
    let inbox = satu.json(&["timeline", "--view", "inbox", "--kind", "mail"]);
    assert_eq!(titles(&inbox), ["Act 5", "Act 1"]);
    let tasks = satu.json(&["timeline", "--view", "inbox", "--kind", "task"]);
    assert_eq!(titles(&tasks), ["Act 1"]);

    // Offline: the change shows at once, waits in the queue, and replays on reconnect.
    dovecot.stop();
    let queued = satu.json(&["mark", &id("Act 5"), "--flag"]);
    assert_eq!(
        (&queued["pushed"], &queued["pending"]),
        (&Value::from(false), &Value::from(1)),
        "{queued}"
    );
    satu.json(&["archive", &id("Act 1")]);
    assert_eq!(by_title(&satu)["Act 5"]["flagged"], true, "local at once");
    let ops = satu.json(&["ops"]);
    let kinds: Vec<&str> = ops
        .as_array()
        .expect("ops")
        .iter()
        .map(|o| o["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["set_flags", "move"], "{ops}");
    satu.fails(&["sync"], 5);
    assert_eq!(
        satu.json(&["ops"]).as_array().expect("ops").len(),
        2,
        "nothing dropped"
    );

    // Meanwhile another client already did one of them: replaying it must do no harm.
    dovecot.restart();
    dovecot.doveadm(&[
        "move",
        "-u",
        "alice",
        "Archive",
        "mailbox",
        "INBOX",
        "header",
        "Message-ID",
        "a1@example.com",
    ]);
    let report = satu.sync_ok();
    assert_eq!(
        (&report["pushed"], &report["pending"]),
        (&Value::from(2), &Value::from(0)),
        "{report}"
    );
    assert!(flags_on_server(&dovecot, "INBOX", "a5@example.com").contains("\\Flagged"));
    assert_eq!(
        ids_on_server(&dovecot, "Archive"),
        ["a1@example.com", "a2@example.com"]
    );
    assert!(satu.json(&["ops"]).as_array().expect("ops").is_empty());
    let last = by_title(&satu);
    assert_eq!(last.len(), 4);
    assert_eq!(folders_of(&last["Act 1"]), ["Archive"]);
    assert_eq!(last["Act 1"]["id"], items["Act 1"]["id"]);
    assert_eq!(
        last["Act 5"]["flagged"], true,
        "the server did not undo the queued flag"
    );
}

#[test]
fn local_changes_reach_the_server_with_condstore_and_qresync() {
    local_changes_reach_the_server("full");
}

#[test]
fn local_changes_reach_the_server_without_condstore() {
    local_changes_reach_the_server("plain");
}

#[test]
fn a_queued_change_finds_its_message_after_a_uidvalidity_change() {
    let dovecot = Dovecot::start();
    dovecot.append("alice", "Archive", &message("old@example.com", "Keep", 1));
    dovecot.append(
        "alice",
        "Archive",
        &message("v@example.com", "Renumbered", 2),
    );
    let satu = Satu::new();
    satu.alice(&dovecot);
    satu.sync_ok();
    let id = by_title(&satu)["Renumbered"]["id"].to_string();

    dovecot.stop();
    satu.json(&["mark", &id, "--flag"]);
    dovecot.restart();
    // The folder is recreated: new UIDVALIDITY, and UID 1 is now another message.
    dovecot.doveadm(&["mailbox", "delete", "-u", "alice", "Archive"]);
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "Archive"]);
    dovecot.append(
        "alice",
        "Archive",
        &message("v@example.com", "Renumbered", 2),
    );
    dovecot.append("alice", "Archive", &message("old@example.com", "Keep", 1));

    satu.sync_ok();
    assert!(flags_on_server(&dovecot, "Archive", "v@example.com").contains("\\Flagged"));
    assert!(
        !flags_on_server(&dovecot, "Archive", "old@example.com").contains("\\Flagged"),
        "the stale UID was not acted on"
    );
    let items = by_title(&satu);
    assert_eq!(items["Renumbered"]["flagged"], true);
    assert_eq!(items["Keep"]["flagged"], false);
}

#[test]
fn the_inbox_leaves_out_sent_drafts_trash_junk_and_archived_mail() {
    let dovecot = Dovecot::start();
    let folders = ["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"];
    for (i, folder) in folders.iter().enumerate() {
        dovecot.append(
            "alice",
            folder,
            &message(
                &format!("in-{folder}@example.com"),
                &format!("In {folder}"),
                i as u32 + 1,
            ),
        );
    }
    let satu = Satu::new();
    satu.alice(&dovecot);
    satu.sync_ok();
    assert_eq!(
        titles(&satu.json(&["timeline", "--view", "inbox"])),
        ["In INBOX"]
    );
    assert_eq!(
        satu.json(&["timeline", "--view", "all"])
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    // A message in INBOX and in another folder too is in the Inbox.
    dovecot.append(
        "alice",
        "Archive",
        &message("in-INBOX@example.com", "In INBOX", 1),
    );
    satu.sync_ok();
    assert_eq!(
        titles(&satu.json(&["timeline", "--view", "inbox"])),
        ["In INBOX"]
    );
    // The window's other views by name, as `watch --view` takes them.
    let stderr = satu.fails(&["timeline", "--view", "nowhere"], 2);
    assert!(stderr.contains("inbox"), "{stderr}");
}

fn titles(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["title"].as_str().expect("title"))
        .collect()
}

/// Selective offline: an account that keeps 30 days of bodies lists its older mail with headers
/// only (found by subject, not by body), finds an old one by a word of its body through the
/// server's SEARCH, downloads a body when the message is opened, and drops it again when the
/// window says so; "every body" brings nothing back that was not asked for.
#[test]
fn a_thirty_day_window_keeps_old_mail_as_headers_opened_and_searched_on_the_server() {
    let dovecot = Dovecot::start();
    // Dated now (the Date header is the mail's time, and what the window counts from).
    let now = std::process::Command::new("date")
        .arg("-R")
        .output()
        .expect("date -R");
    let now = String::from_utf8_lossy(&now.stdout).trim().to_owned();
    let recent = message("new0@example.com", "Recent 0", 1)
        .replace("Date: 01 Nov 2026 10:00:00 +0000", &format!("Date: {now}"));
    dovecot.append("alice", "INBOX", &recent);
    let body = |i: usize| {
        let mut raw = message(&format!("old{i}@example.com"), &format!("Archived {i}"), 2)
            .replace("Nov 2026", "Jan 2025");
        raw.push_str(&format!("The secret word is kiwi{i}.\r\n"));
        raw.push_str(&"padding line of an old report\r\n".repeat(400));
        raw
    };
    dovecot.bulk_load_received("alice", (1..=3).map(body), Some("2025-01-15"));
    let satu = Satu::new();
    let account = satu.alice(&dovecot).to_string();
    let folders = satu.json(&["offline", "--account", &account, "--days", "30"]);
    assert!(folders.is_array(), "{folders}");

    let report = satu.sync_ok();
    assert_eq!(report["fetched"], 4, "{report}");
    let items = by_title(&satu);
    assert_eq!(items.len(), 4, "old mail is listed: {items:?}");
    let old = items["Archived 2"]["id"].as_i64().expect("id").to_string();
    let here = satu.json(&["show", &old, "--offline"]);
    assert_eq!(here["remote"], true, "{here}");
    assert_eq!(here["body_text"], Value::Null, "{here}");
    let recent = items["Recent 0"]["id"].as_i64().expect("id").to_string();
    assert_eq!(satu.json(&["show", &recent, "--offline"])["remote"], false);
    let inbox = satu.json(&["folders", "--account", &account]);
    assert_eq!(inbox[0]["keep_days"], 30, "{inbox}");
    // Sync health says how much of the folder has its body here.
    let health = satu.json(&["health"]);
    let covered = &health["folders"][0];
    assert_eq!(
        (covered["messages"].as_u64(), covered["local"].as_u64()),
        (Some(4), Some(1)),
        "{health}"
    );
    assert_eq!(health["indicators"][3]["value"], 25.0, "{health}");

    // Found by subject here; by a word of the body only through the server.
    assert_eq!(
        titles_of(&satu.json(&["search", "Archived", "--local"])).len(),
        3
    );
    assert!(satu
        .json(&["search", "kiwi2", "--local"])
        .as_array()
        .is_some_and(Vec::is_empty));
    assert_eq!(titles_of(&satu.json(&["search", "kiwi2"])), ["Archived 2"]);

    // Opened: downloaded, stored, and from then on found here.
    let whole = satu.json(&["show", &old]);
    assert_eq!(whole["remote"], false, "{whole}");
    assert!(
        whole["body_text"]
            .as_str()
            .is_some_and(|b| b.contains("kiwi2")),
        "{whole}"
    );
    assert_eq!(
        titles_of(&satu.json(&["search", "kiwi2", "--local"])),
        ["Archived 2"]
    );
    let again = satu.sync_ok();
    assert_eq!(again["fetched"], 0, "{again}");
    assert_eq!(
        satu.json(&["show", &old, "--offline"])["remote"],
        true,
        "aged out again at the next pass"
    );

    // Every body kept from now on: nothing is downloaded until asked for, nothing lost.
    satu.json(&["offline", "--account", &account, "--all"]);
    assert_eq!(satu.sync_ok()["fetched"], 0);
    assert_eq!(satu.json(&["show", &old])["remote"], false);
    assert_eq!(satu.assert_consistent(), 4);
}

/// A new account keeps every body when its mailbox is under the size the user set
/// (`offline.all_under_mb`), else the last `offline.days_when_larger` days, chosen at its first
/// sync before any body comes; a choice the user made before that first sync stands.
#[test]
fn a_new_account_keeps_everything_offline_only_when_its_mailbox_is_small() {
    let dovecot = Dovecot::start();
    let old = |i: usize| {
        let mut raw = message(
            &format!("big{i}@example.com"),
            &format!("Old report {i}"),
            2,
        )
        .replace("Nov 2026", "Jan 2025");
        // About 0.7 MB each: the mailbox is 1.4 MB.
        raw.push_str(&"a line of an old report, kept for the archive\r\n".repeat(15_000));
        raw
    };
    dovecot.append("alice", "INBOX", &message("new@example.com", "Recent", 1));
    dovecot.bulk_load_received("alice", (1..=2).map(old), Some("2025-01-15"));
    let keep_days = |satu: &Satu, account: &str| {
        satu.json(&["folders", "--account", account])[0]["keep_days"].clone()
    };

    // Over 1 MB: the last 30 days only; the old reports are listed with their headers.
    let satu = Satu::new();
    satu.json(&["settings", "set", "offline.all_under_mb", "1"]);
    satu.json(&["settings", "set", "offline.days_when_larger", "30"]);
    let account = satu.alice(&dovecot).to_string();
    assert_eq!(
        keep_days(&satu, &account),
        Value::Null,
        "not chosen before the sync"
    );
    let report = satu.sync_ok();
    assert_eq!(report["fetched"], 3, "{report}");
    assert_eq!(keep_days(&satu, &account), 30);
    let items = by_title(&satu);
    let id = items["Old report 1"]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    assert_eq!(satu.json(&["show", &id, "--offline"])["remote"], true);
    // Opened: 0.7 MB come in parts of 256 KiB, every byte of them.
    let whole = satu.json(&["show", &id]);
    assert_eq!(whole["remote"], false, "{whole}");
    let text = whole["body_text"].as_str().expect("body");
    assert_eq!(text.matches("a line of an old report").count(), 15_000);

    // Under 2 MB: everything.
    let small = Satu::new();
    small.json(&["settings", "set", "offline.all_under_mb", "2"]);
    let account = small.alice(&dovecot).to_string();
    small.sync_ok();
    assert_eq!(keep_days(&small, &account), Value::Null);
    let id = by_title(&small)["Old report 1"]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    assert_eq!(small.json(&["show", &id, "--offline"])["remote"], false);

    // The user chose before the first sync: that stands, whatever the size.
    let chosen = Satu::new();
    chosen.json(&["settings", "set", "offline.all_under_mb", "1"]);
    let account = chosen.alice(&dovecot).to_string();
    chosen.json(&["offline", "--account", &account, "--all"]);
    chosen.sync_ok();
    assert_eq!(keep_days(&chosen, &account), Value::Null);
    let id = by_title(&chosen)["Old report 2"]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    assert_eq!(chosen.json(&["show", &id, "--offline"])["remote"], false);
}

fn titles_of(found: &Value) -> Vec<String> {
    found
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Sync health counts what the sync did: good logins and passes, then a wrong password and a
/// dead server, each in its class, at the right counts; the five indicators are there, in
/// order, and the offline coverage says how much mail has its body here.
#[test]
fn health_counts_logins_and_sync_errors_by_class() {
    let dovecot = Dovecot::start();
    dovecot.append(
        "alice",
        "INBOX",
        &message("h1@example.com", "Health one", 1),
    );
    let satu = Satu::new();
    let account = satu.alice(&dovecot);
    satu.sync_ok();
    satu.sync_ok();
    let health = satu.json(&["health"]);
    let keys: Vec<&str> = health["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["key"].as_str().expect("key"))
        .collect();
    assert_eq!(
        keys,
        [
            "delivery_delay",
            "read_sync",
            "calendar_fresh",
            "offline_coverage",
            "backup"
        ]
    );
    let ours = |health: &Value| -> Value {
        health["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .find(|a| a["account"] == account)
            .cloned()
            .expect("the account")
    };
    let a = ours(&health);
    assert_eq!(
        (a["logins"].as_u64(), a["passes"].as_u64()),
        (Some(2), Some(2)),
        "{a}"
    );
    assert_eq!(a["login_success_rate"], 1.0);
    assert_eq!(a["sync_error_rate"], 0.0);
    let coverage = &health["indicators"][3];
    assert_eq!(coverage["value"], 100.0, "{coverage}");
    let inbox = health["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .find(|f| f["folder"] == "INBOX")
        .cloned()
        .expect("INBOX");
    assert_eq!(
        (inbox["messages"].as_u64(), inbox["local"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(health["indicators"][4]["status"], "off");
    assert_eq!(health["indicators"][2]["status"], "off", "no calendars");

    // A wrong password (changed on the server), then a dead server.
    let users = dovecot.dir.path().join("users");
    let text = std::fs::read_to_string(&users).expect("users");
    // A new file (Dovecot reads it again when it sees another one), a second later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let changed = dovecot.dir.path().join("users.new");
    std::fs::write(
        &changed,
        text.replace("{PLAIN}alice-pass", "{PLAIN}changed-elsewhere"),
    )
    .expect("change the password");
    std::fs::rename(&changed, &users).expect("change the password");
    let refused = satu.run(&["sync"]);
    assert_ne!(
        refused.status.code(),
        Some(0),
        "a wrong password fails the sync"
    );
    dovecot.stop();
    satu.fails(&["sync"], 5);
    satu.fails(&["sync"], 5);
    let a = ours(&satu.json(&["health"]));
    assert_eq!(
        (a["logins"].as_u64(), a["passes"].as_u64()),
        (Some(5), Some(5)),
        "{a}"
    );
    assert_eq!(a["login_success_rate"], 0.4, "{a}");
    assert_eq!(a["sync_error_rate"], 0.6, "{a}");
    let failures: std::collections::BTreeMap<String, u64> = a["failures"]
        .as_array()
        .expect("failures")
        .iter()
        .map(|f| {
            (
                f["class"].as_str().expect("class").to_owned(),
                f["count"].as_u64().expect("count"),
            )
        })
        .collect();
    // Each failed attempt is a failed login and a failed pass.
    assert_eq!(failures.get("password"), Some(&2), "{a}");
    assert_eq!(failures.get("network"), Some(&4), "{a}");
}

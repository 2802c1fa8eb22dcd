//! The `satu` CLI on local data: every command, its JSON contract, and bad input.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::Satu;

/// A small mbox with a thread, an HTML message with an attachment, a message without
/// Message-ID or Date, and a `>From ` line.
fn mbox() -> String {
    let messages = [
        "From: Alice Example <alice@example.com>\nTo: bob@example.com\nSubject: Budget plan\nDate: Mon, 02 Nov 2026 09:00:00 +0000\nMessage-ID: <plan@example.com>\n\nLet us plan the budget.\n>From the desk of Alice\n",
        "From: Bob <bob@example.com>\nTo: alice@example.com\nSubject: Re: Budget plan\nDate: Tue, 03 Nov 2026 09:00:00 +0000\nMessage-ID: <reply@example.com>\nIn-Reply-To: <plan@example.com>\nReferences: <plan@example.com>\n\nAgreed, quarterly.\n",
        "From: News <news@example.org>\nTo: alice@example.com\nSubject: Newsletter\nDate: Wed, 04 Nov 2026 09:00:00 +0000\nMessage-ID: <news@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/html; charset=utf-8\n\n<p onclick=\"steal()\">Hello <b>reader</b></p><script>window.canary=1</script><img src=\"https://tracker.example.net/p.gif\">\n--XX\nContent-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=notes.txt\n\nattached notes\n--XX--\n",
        "From: nobody@example.net\nSubject: No id and no date\n\nOrphan text.\n",
    ];
    messages
        .iter()
        .map(|m| format!("From sender@example.com Mon Nov  2 09:00:00 2026\n{m}\n"))
        .collect()
}

fn imported() -> (Satu, std::path::PathBuf) {
    let satu = Satu::new();
    let path = satu.dir.path().join("mail.mbox");
    std::fs::write(&path, mbox()).expect("write mbox");
    let report = satu.json(&["import", "mbox", path.to_str().expect("path")]);
    assert_eq!(report["imported"], 4, "{report}");
    (satu, path)
}

fn titles(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["title"].as_str().expect("title"))
        .collect()
}

#[test]
fn timeline_lists_imported_mail_newest_first_with_the_contract_keys() {
    let (satu, _) = imported();
    let items = satu.json(&["timeline"]);
    let list = items.as_array().expect("array");
    assert_eq!(list.len(), 4);
    for key in [
        "id",
        "kind",
        "account",
        "title",
        "sender",
        "time",
        "unread",
        "flagged",
        "answered",
        "thread",
        "snippet",
        "message_id",
        "folders",
        "task",
        "todo",
    ] {
        assert!(
            list[0].get(key).is_some(),
            "item JSON lacks {key}: {}",
            list[0]
        );
    }
    // Imported mail has a Date; the one without sorts by the file's time (now), so first.
    assert_eq!(
        titles(&items)[1..],
        ["Newsletter", "Re: Budget plan", "Budget plan"]
    );
    let plan = &list[3];
    assert_eq!(plan["kind"], "mail");
    assert_eq!(plan["time"], "2026-11-02T09:00:00Z");
    assert_eq!(plan["message_id"], "plan@example.com");
    assert_eq!(plan["sender"]["name"], "Alice Example");
    assert_eq!(plan["sender"]["address"], "alice@example.com");
    assert_eq!(plan["folders"], serde_json::json!(["mail"]));
    assert_eq!(plan["task"], Value::Null);
    assert_eq!(plan["unread"], false, "imported mail is read");
    assert_eq!(
        list[2]["thread"], plan["thread"],
        "the reply is in the plan's thread"
    );
    assert_ne!(list[1]["thread"], plan["thread"]);

    assert_eq!(titles(&satu.json(&["timeline", "--limit", "2"])).len(), 2);
    let older = satu.json(&["timeline", "--before", &list[1]["id"].to_string()]);
    assert_eq!(titles(&older), ["Re: Budget plan", "Budget plan"]);
    assert_eq!(
        satu.json(&["timeline", "--kind", "mail"])
            .as_array()
            .expect("array")
            .len(),
        4
    );
    assert!(satu
        .json(&["timeline", "--kind", "task"])
        .as_array()
        .expect("array")
        .is_empty());
    assert!(satu
        .json(&["timeline", "--unread"])
        .as_array()
        .expect("array")
        .is_empty());
    let human = satu.run(&["timeline"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("Budget plan"));
}

#[test]
fn search_and_show() {
    let (satu, _) = imported();
    assert_eq!(
        titles(&satu.json(&["search", "budget"])),
        ["Re: Budget plan", "Budget plan"]
    );
    assert_eq!(
        titles(&satu.json(&["search", "quarter"])),
        ["Re: Budget plan"],
        "prefix of a body word"
    );
    assert_eq!(
        titles(&satu.json(&["search", "notes"])),
        ["Newsletter"],
        "attachment names are searchable"
    );
    assert!(satu
        .json(&["search", "\"unbalanced AND ("])
        .as_array()
        .expect("array")
        .is_empty());

    let news = satu.json(&["search", "newsletter"]);
    let id = news[0]["id"].to_string();
    let detail = satu.json(&["show", &id]);
    let html = detail["body_html"].as_str().expect("html");
    assert!(html.contains("<b>reader</b>"));
    for bad in ["script", "onclick", "canary"] {
        assert!(!html.contains(bad), "{bad} survived sanitizing: {html}");
    }
    assert_eq!(
        detail["attachments"],
        serde_json::json!([{"name": "notes.txt", "mime_type": "text/plain", "size": 14}])
    );
    // Attachments can be opened: saved to a file or written to stdout, byte for byte.
    let saved = satu.dir.path().join("saved-notes.txt");
    let report = satu.json(&[
        "attachment",
        &id,
        "0",
        "--output",
        saved.to_str().expect("path"),
    ]);
    assert_eq!(report["name"], "notes.txt");
    assert_eq!(
        std::fs::read_to_string(&saved).expect("saved"),
        "attached notes"
    );
    let piped = satu.run(&["attachment", &id, "0", "-o", "-"]);
    assert_eq!(piped.stdout, b"attached notes");
    let err = satu.fails(&["attachment", &id, "1", "-o", "-"], 3);
    assert!(err.contains("has no attachment 1 (it has 1"), "{err}");
    satu.fails(&["attachment", "999999", "0", "-o", "-"], 3);

    let plan = satu.json(&["search", "desk"]);
    let text = satu.json(&["show", &plan[0]["id"].to_string()]);
    assert!(
        text["body_text"]
            .as_str()
            .expect("text")
            .contains("\nFrom the desk of Alice"),
        "mboxrd unquoting"
    );
    assert_eq!(text["body_html"], Value::Null);
    let human = satu.run(&["show", &id]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("Attachment: notes.txt"));
}

#[test]
fn importing_again_duplicates_nothing() {
    let (satu, path) = imported();
    let again = satu.json(&["import", "mbox", path.to_str().expect("path")]);
    assert_eq!(
        (again["imported"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(4))
    );
    assert_eq!(satu.json(&["timeline"]).as_array().expect("array").len(), 4);
}

#[test]
fn imports_maildir_with_flags_and_eml_files() {
    let satu = Satu::new();
    let md = satu.dir.path().join("Work");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).expect("mkdir");
    }
    let msg = |id: &str, subject: &str| {
        format!("From: a@example.com\nSubject: {subject}\nMessage-ID: <{id}>\nDate: Mon, 02 Nov 2026 09:00:00 +0000\n\nbody\n")
    };
    std::fs::write(md.join("cur/1.x:2,S"), msg("1@x", "Seen")).expect("w");
    std::fs::write(md.join("cur/2.x:2,FS"), msg("2@x", "Flagged")).expect("w");
    std::fs::write(md.join("new/3.x"), msg("3@x", "Fresh")).expect("w");
    let report = satu.json(&["import", "maildir", md.to_str().expect("p")]);
    assert_eq!(
        (report["imported"].as_u64(), report["folder"].as_str()),
        (Some(3), Some("Work"))
    );
    let unread = satu.json(&["timeline", "--unread"]);
    assert_eq!(titles(&unread), ["Fresh"]);
    let all = satu.json(&["timeline"]);
    let flagged: Vec<&str> = all
        .as_array()
        .expect("a")
        .iter()
        .filter(|i| i["flagged"] == true)
        .map(|i| i["title"].as_str().expect("t"))
        .collect();
    assert_eq!(flagged, ["Flagged"]);

    let eml = satu.dir.path().join("one.eml");
    let no_id = satu.dir.path().join("noid.eml");
    std::fs::write(&eml, msg("eml@x", "From a file")).expect("w");
    std::fs::write(&no_id, "Subject: Without id\n\nhello\n").expect("w");
    let report = satu.json(&[
        "import",
        "eml",
        eml.to_str().expect("p"),
        no_id.to_str().expect("p"),
    ]);
    assert_eq!(report["imported"], 2);
    let again = satu.json(&["import", "eml", no_id.to_str().expect("p")]);
    assert_eq!(
        again["duplicates"], 1,
        "a message without Message-ID is recognized by its bytes"
    );
    let found = satu.json(&["search", "without"]);
    assert!(found[0]["message_id"]
        .as_str()
        .expect("synthesized id")
        .ends_with("@local.invalid"));
}

#[test]
fn the_sample_mailbox_imports_cleanly() {
    let satu = Satu::new();
    let sample = support::repo().join("assets/sample.mbox");
    let report = satu.json(&["import", "mbox", sample.to_str().expect("p")]);
    assert!(report["imported"].as_u64().expect("n") >= 20, "{report}");
    assert_eq!(report["quarantined"], 0);
    assert_eq!(
        report["duplicates"], 0,
        "every sample message has its own Message-ID"
    );
}

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let (satu, _) = imported();
    let dir = satu.dir.path();
    let missing = satu.fails(&["import", "mbox", "/no/such/file.mbox"], 3);
    assert!(
        missing.contains("/no/such/file.mbox") && missing.contains("No such file"),
        "{missing}"
    );

    let corrupt = dir.join("corrupt.mbox");
    std::fs::write(&corrupt, b"\x00\x01\x02garbage\xff\nFrom nobody\n").expect("w");
    let err = satu.fails(&["import", "mbox", corrupt.to_str().expect("p")], 2);
    assert!(err.contains("not an mbox file"), "{err}");
    let empty = dir.join("empty.mbox");
    std::fs::write(&empty, b"").expect("w");
    assert!(satu
        .fails(&["import", "mbox", empty.to_str().expect("p")], 2)
        .contains("empty"));
    assert!(satu
        .fails(&["import", "mbox", dir.to_str().expect("p")], 2)
        .contains("directory"));
    assert!(satu
        .fails(&["import", "maildir", corrupt.to_str().expect("p")], 2)
        .contains("not a Maildir"));
    assert!(satu
        .fails(&["import", "maildir", "/no/such/dir"], 3)
        .contains("does not exist"));
    let eml_empty = dir.join("empty.eml");
    std::fs::write(&eml_empty, "").expect("w");
    assert!(satu
        .fails(&["import", "eml", eml_empty.to_str().expect("p")], 2)
        .contains("empty"));

    assert!(satu
        .fails(&["show", "999999"], 3)
        .contains("No item with id 999999"));
    assert!(satu.fails(&["show", "abc"], 2).contains("invalid value"));
    assert!(satu
        .fails(&["timeline", "--kind", "memo"], 2)
        .contains("memo"));
    assert!(satu
        .fails(&["timeline", "--before", "999999"], 3)
        .contains("999999"));
    assert!(satu
        .fails(&["account", "remove", "999"], 3)
        .contains("No account with id 999"));
    assert!(satu
        .fails(&["frobnicate"], 2)
        .contains("unrecognized subcommand"));

    // Nothing was lost or added by any of that.
    assert_eq!(satu.json(&["timeline"]).as_array().expect("a").len(), 4);
}

#[test]
fn account_add_rejects_bad_settings_before_touching_the_network() {
    let satu = Satu::new();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "account",
            "add",
            "--email",
            "alice@example.com",
            "--imap",
            "127.0.0.1:1",
            "--smtp",
            "127.0.0.1:1",
            "--password-stdin",
        ];
        args.extend_from_slice(extra);
        satu.run_with_stdin(&args, "secret\n")
    };
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let plain_remote = satu.run_with_stdin(
        &[
            "account",
            "add",
            "--email",
            "a@example.com",
            "--imap",
            "imap.example.com:143",
            "--smtp",
            "smtp.example.com:25",
            "--security",
            "plain",
            "--password-stdin",
        ],
        "secret\n",
    );
    assert_eq!(plain_remote.status.code(), Some(2));
    assert!(
        stderr(&plain_remote).contains("allowed only to loopback"),
        "{}",
        stderr(&plain_remote)
    );
    let bad_email = satu.run_with_stdin(
        &[
            "account",
            "add",
            "--email",
            "nope",
            "--imap",
            "h:1",
            "--smtp",
            "h:1",
            "--password-stdin",
        ],
        "x\n",
    );
    assert_eq!(bad_email.status.code(), Some(2));
    assert!(stderr(&bad_email).contains("not an email address"));
    let no_port = satu.run_with_stdin(
        &[
            "account",
            "add",
            "--email",
            "a@b.c",
            "--imap",
            "imap.example.com",
            "--smtp",
            "h:1",
            "--password-stdin",
        ],
        "x\n",
    );
    assert!(stderr(&no_port).contains("not host:port"));
    let no_stdin = satu.run(&[
        "account", "add", "--email", "a@b.c", "--imap", "h:1", "--smtp", "h:1",
    ]);
    assert_eq!(no_stdin.status.code(), Some(2));
    assert!(stderr(&no_stdin).contains("--password-stdin"));
    // Nothing listens on port 1: unreachable, exit 5.
    let dead = add(&["--security", "plain"]);
    assert_eq!(dead.status.code(), Some(5), "{}", stderr(&dead));
    assert!(
        stderr(&dead).contains("Cannot reach the IMAP server 127.0.0.1:1"),
        "{}",
        stderr(&dead)
    );
    assert_eq!(
        satu.json(&["account", "list"]),
        serde_json::json!([]),
        "no account is stored after a failure"
    );
}

#[test]
fn watch_prints_changes_from_other_processes_and_stops_on_sigterm() {
    let satu = Satu::new();
    let mut watch = satu
        .command()
        .args(["--json", "watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn watch");
    let stdout = watch.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Give watch a moment to take its cursor, then change the store from another process.
    std::thread::sleep(Duration::from_millis(700));
    let path = satu.dir.path().join("mail.mbox");
    std::fs::write(&path, mbox()).expect("write");
    satu.json(&["import", "mbox", path.to_str().expect("p")]);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.len() < 4 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let change: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            seen.push(change);
        }
    }
    assert_eq!(seen.len(), 4, "one line per imported message: {seen:?}");
    assert!(seen
        .iter()
        .all(|c| c["change"] == "added" && c["kind"] == "mail" && c["id"].is_i64()));
    assert!(seen.iter().any(|c| c["title"] == "Budget plan"));

    let started = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &watch.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    loop {
        if let Some(status) = watch.try_wait().expect("wait") {
            assert!(status.success(), "watch exits cleanly on SIGTERM: {status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "watch did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running `satu --json watch` and its stdout lines.
struct Watching {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Watching {
    fn start(satu: &Satu, args: &[&str]) -> Watching {
        let mut child = satu
            .command()
            .args(["--json", "watch"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn watch");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watching { child, lines }
    }

    /// The next line as JSON, within 10 s.
    fn next(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(10))
            .expect("a line from watch within 10 s");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_a_view_prints_its_rows_then_the_diffs_that_keep_them_right() {
    let (satu, _) = imported();
    let ids: Vec<i64> = satu
        .json(&["timeline"])
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids.len(), 4);
    let watch = Watching::start(&satu, &["--view", "unread", "--limit", "2"]);
    let page = watch.next();
    assert_eq!(
        page,
        serde_json::json!({"view": page["view"].clone(), "version": 0, "items": [], "complete": true}),
        "imported mail is read"
    );

    // Unread in another process: the row comes into the view, at its place.
    satu.json(&["mark", &ids[1].to_string(), "--unread"]);
    let batch = watch.next();
    assert_eq!(batch["view"], page["view"], "{batch}");
    assert_eq!(batch["version"], 1, "{batch}");
    assert_eq!(batch["diffs"][0]["op"], "insert", "{batch}");
    assert_eq!(batch["diffs"][0]["index"], 0, "{batch}");
    assert_eq!(batch["diffs"][0]["item"]["id"], ids[1], "{batch}");
    assert_eq!(batch["complete"], true, "{batch}");
    satu.json(&["mark", &ids[0].to_string(), "--unread"]);
    let batch = watch.next();
    assert_eq!(batch["version"], 2, "{batch}");
    assert_eq!(batch["diffs"][0]["index"], 0, "newer, so above: {batch}");
    assert_eq!(
        batch["complete"], false,
        "two rows fill the window: {batch}"
    );

    // Flagged (still unread): the row changes in place; read: it leaves.
    satu.json(&["mark", &ids[1].to_string(), "--flag"]);
    let batch = watch.next();
    assert_eq!(batch["version"], 3, "{batch}");
    assert_eq!(batch["diffs"].as_array().map(Vec::len), Some(1), "{batch}");
    assert_eq!(batch["diffs"][0]["op"], "set", "{batch}");
    assert_eq!(batch["diffs"][0]["index"], 1, "{batch}");
    assert_eq!(batch["diffs"][0]["item"]["flagged"], true, "{batch}");
    satu.json(&["mark", &ids[0].to_string(), "--read"]);
    let batch = watch.next();
    assert_eq!(
        batch["diffs"],
        serde_json::json!([{"op": "remove", "index": 0}]),
        "{batch}"
    );
}

#[test]
fn the_golden_corpus_imports_with_the_duplicate_pair_as_one_item() {
    let satu = Satu::new();
    let dir = support::repo().join("tests/data/golden");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/data/golden")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| p.to_str().expect("utf-8 path").to_owned())
        .collect();
    files.sort();
    let mut args = vec!["import", "eml"];
    args.extend(files.iter().map(String::as_str));
    let report = satu.json(&args);
    assert_eq!(report["imported"], files.len() - 1, "{report}");
    assert_eq!(report["duplicates"], 1, "{report}");
    assert_eq!(
        report["quarantined"], 2,
        "the two broken multiparts: {report}"
    );
    let timeline = satu.json(&["timeline", "--limit", "1000"]);
    let ids: Vec<&str> = timeline
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["message_id"].as_str().expect("message_id"))
        .collect();
    assert_eq!(ids.len(), files.len() - 1);
    assert_eq!(
        ids.iter()
            .filter(|id| **id == "duplicate@example.com")
            .count(),
        1
    );
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "every Message-ID once: {ids:?}");

    // Decoded text is searchable, and the hostile HTML is stored sanitized.
    assert_eq!(
        titles(&satu.json(&["search", "Genève"])),
        ["Réunion à Genève"]
    );
    let hostile = timeline
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["message_id"] == "hostile@example.net")
        .expect("hostile");
    let shown = satu.json(&["show", &hostile["id"].to_string()]);
    assert_eq!(shown["quarantined"], Value::Null, "it parsed cleanly");
    // The broken ones say why they were read only in part.
    let quarantined: Vec<Value> = timeline
        .as_array()
        .expect("items")
        .iter()
        .map(|i| satu.json(&["show", &i["id"].to_string()])["quarantined"].clone())
        .filter(|q| !q.is_null())
        .collect();
    assert_eq!(quarantined.len(), 2, "{quarantined:?}");
    assert!(
        quarantined
            .iter()
            .all(|q| !q.as_str().unwrap_or("").is_empty()),
        "{quarantined:?}"
    );
    let html = shown["body_html"].as_str().expect("html").to_lowercase();
    assert!(html.contains("weekly news"), "{html}");
    // The remote image stays for the window to block or, with consent, load; nothing else of
    // the attacker's host does.
    let pixel = r#"<img src="https://tracker.evil.example/open.gif?u=alice""#;
    assert!(html.contains(pixel), "{html}");
    let html = html.replace(pixel, "");
    for bad in [
        "<script",
        "onerror",
        "javascript:",
        "<iframe",
        "evil.example",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
}

/// The id of the mail titled `title`.
fn mail_id(satu: &Satu, title: &str) -> i64 {
    satu.json(&["timeline", "--kind", "mail"])
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["title"] == title)
        .unwrap_or_else(|| panic!("no mail {title:?}"))["id"]
        .as_i64()
        .expect("id")
}

#[test]
fn a_mail_becomes_a_task_that_links_back_and_can_be_completed() {
    let (satu, _) = imported();
    let id_of = |title: &str| mail_id(&satu, title);
    let plan = id_of("Budget plan");
    let task = satu.json(&[
        "task",
        "from-mail",
        &plan.to_string(),
        "--due",
        "2026-12-24",
    ]);
    assert_eq!(task["kind"], "task", "{task}");
    assert_eq!(task["title"], "Budget plan");
    assert_eq!(task["todo"]["status"], "needs-action");
    assert_eq!(task["todo"]["done"], false);
    assert_eq!(task["todo"]["mail"], plan);
    assert_eq!(task["todo"]["mail_link"], "mid:plan@example.com");
    assert!(task["todo"]["due"]
        .as_str()
        .is_some_and(|d| d.starts_with("2026-12-2")));
    let task_id = task["id"].as_i64().expect("task id");
    // The mail knows its task; asking again gives the same task.
    assert_eq!(satu.json(&["show", &plan.to_string()])["task"], task_id);
    let again = satu.json(&["task", "from-mail", &plan.to_string()]);
    assert_eq!(again["id"], task_id);
    // In the timeline (kind task), in search, and in the task list.
    let tasks = satu.json(&["timeline", "--kind", "task"]);
    assert_eq!(titles(&tasks), ["Budget plan"]);
    assert!(titles(&satu.json(&["search", "budget"])).len() >= 3);
    let list = satu.json(&["task", "list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert!(
        String::from_utf8_lossy(&satu.run(&["task", "list"]).stdout).contains("[ ] Budget plan")
    );

    let done = satu.json(&["task", "done", &task_id.to_string()]);
    assert_eq!(done["todo"]["status"], "completed");
    assert_eq!(done["todo"]["done"], true);
    assert!(done["todo"]["completed"].is_string());
    let reopened = satu.json(&["task", "done", &task_id.to_string(), "--undo"]);
    assert_eq!(reopened["todo"]["done"], false);
    // The due date changes and clears.
    let moved = satu.json(&[
        "task",
        "due",
        &task_id.to_string(),
        "2027-01-15T17:00:00+08:00",
    ]);
    assert_eq!(moved["todo"]["due"], "2027-01-15T09:00:00Z", "{moved}");
    let cleared = satu.json(&["task", "due", &task_id.to_string(), "--clear"]);
    assert_eq!(cleared["todo"]["due"], Value::Null, "{cleared}");
    let stderr = satu.fails(&["task", "due", &task_id.to_string(), "someday"], 2);
    assert!(stderr.contains("not a date"), "{stderr}");
    let stderr = satu.fails(&["task", "due", &plan.to_string(), "2027-01-01"], 3);
    assert!(stderr.contains("No task"), "{stderr}");
    satu.fails(&["task", "due", &task_id.to_string()], 2);

    // Bad input: clear errors, nothing made.
    let stderr = satu.fails(&["task", "from-mail", &task_id.to_string()], 2);
    assert!(stderr.contains("not a mail"), "{stderr}");
    let stderr = satu.fails(&["task", "from-mail", "99999"], 3);
    assert!(stderr.contains("99999"), "{stderr}");
    let stderr = satu.fails(
        &[
            "task",
            "from-mail",
            &id_of("Newsletter").to_string(),
            "--due",
            "soon",
        ],
        2,
    );
    assert!(stderr.contains("not a date"), "{stderr}");
    let stderr = satu.fails(&["task", "done", &plan.to_string()], 3);
    assert!(stderr.contains("No task"), "{stderr}");
    assert_eq!(
        satu.json(&["task", "list"]).as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn flagging_makes_a_task_and_completing_it_unflags_the_mail_as_the_settings_say() {
    let (satu, _) = imported();
    let settings = satu.json(&["settings"]);
    assert_eq!(
        settings,
        serde_json::json!([
            {"key": "tasks.from_flagged", "value": true, "default": true},
            {"key": "tasks.unflag_on_done", "value": true, "default": true},
            {"key": "notify.enabled", "value": true, "default": true},
            {"key": "timeline.threads", "value": false, "default": false},
            {"key": "tasks.progress_from_replies", "value": true, "default": true},
            {"key": "app.keep_running", "value": true, "default": true},
            {"key": "sync.paused", "value": false, "default": false},
            {"key": "send.undo_seconds", "value": true, "default": true, "number": 10, "default_number": 10},
            {"key": "offline.all_under_mb", "value": true, "default": true, "number": 4096, "default_number": 4096},
            {"key": "offline.days_when_larger", "value": true, "default": true, "number": 365, "default_number": 365},
            {"key": "backup.every_hours", "value": false, "default": false, "number": 0, "default_number": 0},
            {"key": "backup.keep", "value": true, "default": true, "number": 7, "default_number": 7},
            {"key": "audit.keep_days", "value": false, "default": false, "number": 0, "default_number": 0},
            {"key": "oauth.microsoft.client_id", "value": false, "default": false, "text": ""},
            {"key": "oauth.google.client_id", "value": false, "default": false, "text": ""},
            {"key": "oauth.oidc.client_id", "value": false, "default": false, "text": ""},
            {"key": "backup.dir", "value": false, "default": false, "text": ""},
        ])
    );
    let news = mail_id(&satu, "Newsletter");
    satu.json(&["mark", &news.to_string(), "--flag"]);
    assert_eq!(
        titles(&satu.json(&["timeline", "--flagged"])),
        ["Newsletter"]
    );
    let task = satu.json(&["show", &news.to_string()])["task"]
        .as_i64()
        .expect("a task");
    satu.json(&["task", "done", &task.to_string()]);
    let mail = satu.json(&["show", &news.to_string()]);
    assert_eq!(mail["flagged"], false, "done unflags: {mail}");
    // A done task leaves the Inbox; the imported mail (a local account's) stays in it.
    assert_eq!(
        satu.json(&["timeline", "--view", "inbox", "--kind", "task"]),
        serde_json::json!([])
    );
    assert!(titles(&satu.json(&["timeline", "--view", "inbox"])).contains(&"Newsletter"));
    assert_eq!(mail["task"], task, "the link stays");

    // Both can be turned off.
    satu.json(&["settings", "set", "tasks.from_flagged", "off"]);
    satu.json(&["settings", "set", "tasks.unflag_on_done", "false"]);
    let plan = mail_id(&satu, "Budget plan");
    satu.json(&["mark", &plan.to_string(), "--flag"]);
    assert!(satu.json(&["show", &plan.to_string()])["task"].is_null());
    let stderr = satu.fails(&["settings", "set", "tasks.nope", "on"], 2);
    assert!(stderr.contains("tasks.from_flagged"), "{stderr}");
    // A numeric setting: a number in its range.
    let undo = satu.json(&["settings", "set", "send.undo_seconds", "5"]);
    assert_eq!(undo["number"], 5, "{undo}");
    let stderr = satu.fails(&["settings", "set", "send.undo_seconds", "500"], 2);
    assert!(stderr.contains("from 0 to 120"), "{stderr}");
    // A text setting: one line; '' forgets it.
    let id = satu.json(&[
        "settings",
        "set",
        "oauth.microsoft.client_id",
        " 0e1f-client ",
    ]);
    assert_eq!(id["text"], "0e1f-client", "{id}");
    let stderr = satu.fails(&["settings", "set", "oauth.microsoft.client_id", "a\nb"], 2);
    assert!(stderr.contains("one line"), "{stderr}");
    let cleared = satu.json(&["settings", "set", "oauth.microsoft.client_id", ""]);
    assert_eq!(cleared["text"], "", "{cleared}");
    let stderr = satu.fails(&["settings", "set", "tasks.from_flagged", "maybe"], 2);
    assert!(stderr.contains("true or false"), "{stderr}");
}

#[test]
fn an_account_can_leave_the_unified_timeline_and_folders_have_views_and_counts() {
    let (satu, _) = imported();
    let md = satu.dir.path().join("Work");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).expect("mkdir");
    }
    std::fs::write(
        md.join("new/1.x"),
        "From: a@example.com\nSubject: In Work\nMessage-ID: <work@x>\nDate: Mon, 02 Nov 2026 09:00:00 +0000\n\nbody\n",
    )
    .expect("write");
    satu.json(&["import", "maildir", md.to_str().expect("path")]);
    let folders = satu.json(&["folders"]);
    let folder_id = |name: &str| {
        folders
            .as_array()
            .expect("folders")
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no folder {name}: {folders}"))["id"]
            .as_i64()
            .expect("id")
    };
    let work = folder_id("Work");
    assert_eq!(
        titles(&satu.json(&["timeline", "--folder", &work.to_string()])),
        ["In Work"]
    );
    let account = folders[0]["account"].as_i64().expect("account");

    let counts = satu.json(&["counts"]);
    // Imported mbox mail is read; the Maildir's new/ message is not.
    assert_eq!(counts["unread"], 1, "{counts}");
    assert_eq!(counts["flagged"], 0, "{counts}");
    assert_eq!(counts["accounts"][0]["unread"], 1, "{counts}");
    let work_count = counts["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .find(|f| f["folder"] == work)
        .expect("Work counted")
        .clone();
    assert_eq!(work_count["unread"], 1, "{counts}");
    satu.json(&["mark", &mail_id(&satu, "In Work").to_string(), "--read"]);
    satu.json(&[
        "mark",
        &mail_id(&satu, "Newsletter").to_string(),
        "--unread",
        "--flag",
    ]);
    let counts = satu.json(&["counts"]);
    assert_eq!(
        (&counts["unread"], &counts["flagged"], &counts["tasks"]),
        (&1.into(), &1.into(), &1.into()),
        "{counts}"
    );

    // Left out of the unified timeline: gone from All and the totals, still in its own view.
    let excluded = satu.json(&["account", "exclude", &account.to_string()]);
    assert_eq!(excluded["in_timeline"], false, "{excluded}");
    assert!(titles(&satu.json(&["timeline"])).is_empty());
    // 5 mails and the flagged one's task.
    assert_eq!(
        titles(&satu.json(&["timeline", "--account", &account.to_string()])).len(),
        6
    );
    let counts = satu.json(&["counts"]);
    assert_eq!(counts["unread"], 0, "{counts}");
    assert_eq!(counts["accounts"][0]["unread"], 1, "{counts}");
    satu.json(&["account", "include", &account.to_string()]);
    assert_eq!(titles(&satu.json(&["timeline"])).len(), 6);

    let stderr = satu.fails(&["timeline", "--folder", "9999"], 3);
    assert!(stderr.contains("No folder with id 9999"), "{stderr}");
    satu.fails(&["timeline", "--account", "9999"], 3);
    satu.fails(&["account", "exclude", "9999"], 3);
}

#[test]
fn attachments_open_in_the_system_application_but_programs_never_do() {
    let (satu, _) = imported();
    let news = mail_id(&satu, "Newsletter");
    let log = satu.dir.path().join("opened.txt");
    let out = satu
        .command()
        .env("SATU_OPEN_LINKS_LOG", &log)
        .args(["--json", "attachment", &news.to_string(), "0", "--open"])
        .output()
        .expect("run satu");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let opened: Value = serde_json::from_slice(&out.stdout).expect("json");
    let path = opened["opened"].as_str().expect("path");
    let trail = satu.json(&["audit", "--kind", "attachment.open"]);
    assert_eq!(trail[0]["item"], news, "{trail}");
    assert_eq!(trail[0]["origin"], "cli", "{trail}");
    assert!(
        path.contains("/opened/") && path.ends_with("/notes.txt"),
        "{path}"
    );
    assert_eq!(
        std::fs::read_to_string(path).expect("file").trim(),
        "attached notes"
    );
    assert_eq!(std::fs::read_to_string(&log).expect("log").trim(), path);

    // A program in a mail is never opened from it.
    let eml = satu.dir.path().join("program.eml");
    std::fs::write(
        &eml,
        "From: x@example.com\nSubject: Your invoice\nMessage-ID: <prog@x>\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nSee attached.\n\
         --B\nContent-Type: application/octet-stream; name=\"invoice.pdf.exe\"\n\
         Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\nContent-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n--B--\n",
    )
    .expect("write eml");
    satu.json(&["import", "eml", eml.to_str().expect("path")]);
    let program = mail_id(&satu, "Your invoice");
    let stderr = satu.fails(&["attachment", &program.to_string(), "0", "--open"], 2);
    assert!(stderr.contains("program or script"), "{stderr}");
    let stderr = satu.fails(&["attachment", &program.to_string(), "0"], 2);
    assert!(stderr.contains("--output"), "{stderr}");
}

#[test]
fn the_timeline_groups_by_thread_and_a_thread_reads_as_a_conversation() {
    let (satu, _) = imported();
    let plan = mail_id(&satu, "Budget plan");
    let reply = mail_id(&satu, "Re: Budget plan");

    // Ungrouped: every message, each knowing the size of its thread.
    let all = satu.json(&["timeline"]);
    assert_eq!(all.as_array().expect("items").len(), 4);
    let row = |items: &Value, id: i64| {
        items
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == id)
            .cloned()
    };
    let plan_row = row(&all, plan).expect("plan listed");
    assert_eq!(plan_row["thread_size"], 2, "{plan_row}");
    // An mbox holds mail already read.
    assert_eq!(plan_row["thread_unread"], 0, "{plan_row}");

    // Grouped: one row per conversation, its newest message.
    let grouped = satu.json(&["timeline", "--threads"]);
    assert_eq!(
        titles(&grouped),
        vec!["No id and no date", "Newsletter", "Re: Budget plan"],
        "{grouped}"
    );
    assert!(row(&grouped, plan).is_none());
    let thread = plan_row["thread"].as_i64().expect("thread key");
    let members = satu.json(&["timeline", "--thread", &thread.to_string()]);
    assert_eq!(titles(&members), vec!["Re: Budget plan", "Budget plan"]);

    // The conversation: oldest first, with content, from any of its messages.
    let conversation = satu.json(&["thread", &reply.to_string()]);
    let ids: Vec<i64> = conversation
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, vec![plan, reply]);
    assert!(conversation[1]["body_text"]
        .as_str()
        .expect("text")
        .contains("Agreed, quarterly."));
    let out = satu.run(&["thread", &plan.to_string()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.find("Let us plan").expect("first") < text.find("Agreed").expect("second"),
        "{text}"
    );
    let missing = satu.fails(&["thread", "999999"], 3);
    assert!(missing.contains("No item with id 999999"), "{missing}");
}

#[test]
fn a_reply_in_the_conversation_of_a_task_is_its_activity_and_moves_it_forward() {
    let satu = Satu::new();
    let mbox = |name: &str, text: &str| {
        let path = satu.dir.path().join(name);
        std::fs::write(&path, text).expect("mbox");
        satu.json(&["import", "mbox", path.to_str().expect("path")]);
    };
    mbox(
        "a.mbox",
        "From a@b Mon Nov  2 09:00:00 2026\nFrom: Bob <bob@example.com>\nTo: alice@example.com\nSubject: Venue for the offsite\nDate: Mon, 02 Nov 2026 09:00:00 +0000\nMessage-ID: <venue@example.com>\n\nCan you book a venue?\n\n",
    );
    let mail = satu.json(&["timeline", "--kind", "mail"])[0]["id"].to_string();
    let task = satu.json(&["task", "from-mail", &mail])["id"].to_string();
    assert_eq!(
        satu.json(&["show", &task])["activity"],
        serde_json::json!([])
    );
    // Replies written after the task was made (dated in the future of this test).
    mbox(
        "b.mbox",
        "From b@b Mon Jan  4 09:00:00 2100\nFrom: Carol <carol@example.com>\nTo: bob@example.com\nSubject: Re: Venue for the offsite\nDate: Mon, 04 Jan 2100 09:00:00 +0000\nMessage-ID: <venue-2@example.com>\nIn-Reply-To: <venue@example.com>\nReferences: <venue@example.com>\n\nI asked two hotels.\n\nFrom c@b Tue Jan  5 09:00:00 2100\nFrom: Carol <carol@example.com>\nTo: bob@example.com\nSubject: Re: Venue for the offsite\nDate: Tue, 05 Jan 2100 09:00:00 +0000\nMessage-ID: <venue-3@example.com>\nIn-Reply-To: <venue-2@example.com>\nReferences: <venue@example.com> <venue-2@example.com>\n\nThe second one has room.\n\n",
    );
    let shown = satu.json(&["show", &task]);
    assert_eq!(shown["todo"]["status"], "in-process", "{shown}");
    let activity = shown["activity"].as_array().expect("activity");
    assert_eq!(activity.len(), 2, "{shown}");
    assert_eq!(activity[0]["sender"], "Carol");
    assert_eq!(activity[0]["moved_to"], "in-process");
    assert_eq!(activity[1]["moved_to"], "");
    assert!(activity[1]["snippet"]
        .as_str()
        .expect("snippet")
        .contains("room"));

    // With the setting off, replies are noted but do not move the task.
    satu.json(&["settings", "set", "tasks.progress_from_replies", "false"]);
    satu.json(&["task", "done", &task, "--undo"]);
    mbox(
        "d.mbox",
        "From d@b Wed Jan  6 09:00:00 2100\nFrom: Dan <dan@example.com>\nTo: bob@example.com\nSubject: Re: Venue for the offsite\nDate: Wed, 06 Jan 2100 09:00:00 +0000\nMessage-ID: <venue-4@example.com>\nIn-Reply-To: <venue-3@example.com>\n\nBooked.\n\n",
    );
    let shown = satu.json(&["show", &task]);
    assert_eq!(shown["todo"]["status"], "needs-action", "{shown}");
    assert_eq!(shown["activity"].as_array().expect("activity").len(), 3);
}

/// A raw HTTP/1.1 exchange with `satu serve --dev`: the status and the body.
fn http(port: u16, request: &str) -> (u16, String) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    // One request per connection here: read the head, then Content-Length bytes.
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {status_line:?}"));
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header");
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().expect("length");
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
    (status, String::from_utf8(body).expect("UTF-8 body"))
}

fn invoke(port: u16, token: &str, command: &str, args: &Value) -> (u16, Value) {
    let body = args.to_string();
    let (status, text) = http(
        port,
        &format!(
            "POST /invoke/{command} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nx-satu-token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

#[test]
fn serve_dev_answers_the_windows_commands_and_streams_its_events_to_loopback_only() {
    let satu = Satu::new();
    let mut child = satu
        .command()
        .args(["serve", "--dev"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    let _child = Kill(child);
    let start: Value = serde_json::from_str(&first).expect("{url, token}");
    let url = start["url"].as_str().expect("url");
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .expect("a loopback url");
    let token = start["token"].as_str().expect("token");
    assert_eq!(token.len(), 32, "128 random bits");

    // The guard: no token, a wrong one, a foreign Host or Origin are refused.
    let post = |headers: &str| {
        http(
            port,
            &format!("POST /invoke/accounts HTTP/1.1\r\n{headers}Content-Length: 0\r\n\r\n"),
        )
        .0
    };
    assert_eq!(post(&format!("Host: 127.0.0.1:{port}\r\n")), 401);
    assert_eq!(
        post(&format!(
            "Host: 127.0.0.1:{port}\r\nx-satu-token: {}\r\n",
            "0".repeat(32)
        )),
        401
    );
    assert_eq!(
        post(&format!(
            "Host: evil.example:{port}\r\nx-satu-token: {token}\r\n"
        )),
        421
    );
    assert_eq!(
        post(&format!(
            "Host: 127.0.0.1:{port}\r\nOrigin: https://evil.example\r\nx-satu-token: {token}\r\n"
        )),
        403
    );
    assert_eq!(
        post(&format!(
            "Host: localhost:{port}\r\nOrigin: http://localhost:1420\r\nx-satu-token: {token}\r\n"
        )),
        200
    );

    // Commands answer as the app's do; errors are ApiErrors with a fitting status.
    let (status, report) = invoke(port, token, "open_sample", &Value::Null);
    assert_eq!(status, 200, "{report}");
    assert!(report["imported"].as_u64().unwrap_or(0) >= 25, "{report}");
    let (status, items) = invoke(
        port,
        token,
        "timeline",
        &serde_json::json!({"query": {"limit": 3}}),
    );
    assert_eq!(status, 200, "{items}");
    assert_eq!(items.as_array().map(Vec::len), Some(3), "{items}");
    let id = items[0]["id"].as_i64().expect("id");
    let (status, error) = invoke(port, token, "no_such_command", &serde_json::json!({}));
    assert_eq!((status, error["code"].as_str()), (404, Some("not_found")));
    let (status, error) = invoke(port, token, "item", &serde_json::json!({"id": "x"}));
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_input"))
    );
    assert!(
        error["message"].as_str().unwrap_or("").contains("item"),
        "{error}"
    );
    let (status, error) = invoke(port, token, "item", &serde_json::json!({"id": 999_999}));
    assert_eq!((status, error["code"].as_str()), (404, Some("not_found")));
    // A reply quotes under the window's attribution line (the user's language); a line that is
    // not one line is refused at its field.
    let mail = items
        .as_array()
        .and_then(|all| all.iter().find(|i| i["kind"] == "mail"))
        .and_then(|i| i["id"].as_i64())
        .expect("a mail");
    let header = "Pada Isnin, Siti menulis:";
    let (status, draft) = invoke(
        port,
        token,
        "reply_draft",
        &serde_json::json!({"id": mail, "all": false, "header": header}),
    );
    assert_eq!(status, 200, "{draft}");
    let body = draft["body"].as_str().unwrap_or("");
    assert!(body.starts_with(&format!("\n\n{header}\n>")), "{body:?}");
    let (status, error) = invoke(
        port,
        token,
        "reply_draft",
        &serde_json::json!({"id": mail, "all": false, "header": "two\nlines"}),
    );
    assert_eq!(
        (status, error["field"].as_str()),
        (400, Some("header")),
        "{error}"
    );
    // camelCase keys, as the generated contract sends them.
    let (status, _) = invoke(
        port,
        token,
        "open_view",
        &serde_json::json!({"query": {"timeline": {"limit": 5, "threads": false}}}),
    );
    assert_eq!(status, 200);

    // The event stream carries the change and the view's diff of a flag.
    use std::io::Write as _;
    let mut events = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    events
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        events,
        "GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nx-satu-token: {token}\r\n\r\n"
    )
    .expect("write");
    let mut events = BufReader::new(events);
    let mut line = String::new();
    events.read_line(&mut line).expect("status");
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    // The stream is open once its first comment arrived; then change the store.
    loop {
        line.clear();
        events.read_line(&mut line).expect("head");
        if line.starts_with(": satu") {
            break;
        }
    }
    let (status, _) = invoke(
        port,
        token,
        "mark",
        &serde_json::json!({"id": id, "flagged": true}),
    );
    assert_eq!(status, 200);
    let (mut change, mut view) = (false, false);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut name = String::new();
    while !(change && view) && Instant::now() < deadline {
        line.clear();
        events.read_line(&mut line).expect("an event within 10 s");
        if let Some(n) = line.strip_prefix("event: ") {
            name = n.trim().to_owned();
        } else if let Some(data) = line.strip_prefix("data: ") {
            let data: Value = serde_json::from_str(data).expect("JSON data");
            match name.as_str() {
                "change" if data["id"] == id => change = true,
                "view" => {
                    view |= data["diffs"]
                        .as_array()
                        .is_some_and(|d| d.iter().any(|d| d["item"]["id"] == id))
                }
                _ => {}
            }
        }
    }
    assert!(change && view, "change {change}, view {view}");
}

#[test]
fn diagnostics_say_versions_servers_and_settings_and_nothing_secret() {
    let (satu, _) = imported();
    let logs = tempfile::tempdir().expect("logs");
    std::fs::write(
        logs.path().join("satu.2026-12-07.log"),
        "INFO Satu started.\nDEBUG Authorization: Bearer canary-token\n",
    )
    .expect("log");
    let out = satu
        .command()
        .args(["--json", "diagnostics"])
        .env("SATU_LOG_DIR", logs.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json")["text"]
        .as_str()
        .expect("text")
        .to_owned();
    for said in [
        concat!("Satu ", env!("CARGO_PKG_VERSION")),
        "Accounts:",
        "on this computer",
        "tasks.from_flagged = true",
        "INFO Satu started.",
    ] {
        assert!(text.contains(said), "{said} missing: {text}");
    }
    assert!(!text.contains("canary-token"), "{text}");
}

#[test]
fn an_inline_image_shows_from_the_message_itself() {
    let satu = Satu::new();
    let eml = satu.dir.path().join("inline.eml");
    std::fs::write(
        &eml,
        "From: a@example.com\r\nTo: b@example.com\r\nSubject: Inline logo\r\nMessage-ID: <inline@example.com>\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/related; boundary=\"r\"\r\n\r\n\
         --r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello</p><img src=\"cid:logo@example.com\" alt=\"logo\">\r\n\
         --r\r\nContent-Type: image/png\r\nContent-ID: <logo@example.com>\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         iVBORw0KGgo=\r\n--r--\r\n",
    )
    .expect("eml");
    satu.json(&["import", "eml", eml.to_str().expect("path")]);
    let id = satu.json(&["timeline"])[0]["id"].clone();
    let shown = satu.json(&["show", &id.to_string()]);
    let html = shown["body_html"].as_str().expect("html");
    assert!(
        html.contains(r#"src="data:image/png;base64,iVBORw0KGgo=""#),
        "{html}"
    );
    assert!(!html.contains("cid:"), "{html}");
}

#[test]
fn a_snoozed_conversation_leaves_the_inbox_and_comes_back_to_its_top_unread() {
    let (satu, _) = imported();
    let plan = mail_id(&satu, "Budget plan").to_string();
    let news = mail_id(&satu, "Newsletter").to_string();
    let inbox = |satu: &Satu| titles(&satu.json(&["timeline", "--view", "inbox"])).join("|");

    // The times offered, by name (what --until also takes).
    let times = satu.json(&["snooze", &plan]);
    let names: Vec<&str> = times
        .as_array()
        .expect("times")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert!(names.ends_with(&["tomorrow", "next-week"]), "{times}");
    // Bad times say so at the field and snooze nothing.
    let past = satu.fails(&["snooze", &plan, "--until", "2020-01-01", "--json"], 2);
    assert!(past.contains("future") && past.contains("until"), "{past}");
    let garbage = satu.fails(&["snooze", &plan, "--until", "soonish"], 2);
    assert!(garbage.contains("not a time to snooze until"), "{garbage}");
    assert!(satu
        .fails(&["snooze", "999999", "--until", "tomorrow"], 3)
        .contains("No item with id 999999"));

    // The whole conversation leaves the Inbox; All and the snoozed view still have it.
    let until = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let item = satu.json(&["snooze", &plan, "--until", &until]);
    assert!(item["snoozed_until"].is_string(), "{item}");
    assert_eq!(inbox(&satu), "No id and no date|Newsletter");
    assert_eq!(
        titles(&satu.json(&["timeline", "--view", "snoozed"])),
        ["Re: Budget plan", "Budget plan"]
    );
    assert_eq!(titles(&satu.json(&["timeline"])).len(), 4);

    // Its time comes: `satu sync` brings it back, its newest message unread at the top, and
    // search still finds it (its index entry moved with it).
    std::thread::sleep(Duration::from_millis(2500));
    satu.json(&["sync"]);
    let rows = satu.json(&["timeline", "--view", "inbox"]);
    assert_eq!(
        titles(&rows),
        [
            "Re: Budget plan",
            "No id and no date",
            "Newsletter",
            "Budget plan"
        ]
    );
    assert_eq!(rows[0]["unread"], true, "{rows}");
    assert!(rows[0]["snoozed_until"].is_null(), "{rows}");
    assert_eq!(
        titles(&satu.json(&["timeline", "--view", "snoozed"])).len(),
        0
    );
    assert_eq!(
        titles(&satu.json(&["search", "quarterly"])),
        ["Re: Budget plan"]
    );

    // Snoozed till next week, then brought back by hand: where it was, as it was.
    satu.json(&["snooze", &news, "--until", "next-week"]);
    assert!(!inbox(&satu).contains("Newsletter"));
    let back = satu.json(&["unsnooze", &news]);
    assert!(back["snoozed_until"].is_null(), "{back}");
    assert_eq!(back["unread"], false, "{back}");
    assert_eq!(
        inbox(&satu),
        "Re: Budget plan|No id and no date|Newsletter|Budget plan"
    );
}

#[test]
fn a_mail_prints_through_the_browser_on_a_page_of_its_own() {
    let (satu, _) = imported();
    let news = mail_id(&satu, "Newsletter").to_string();
    let out = satu.dir.path().join("news.html");
    satu.json(&["print", &news, "-o", out.to_str().expect("path")]);
    let page = std::fs::read_to_string(&out).expect("the page");
    assert!(page.contains("<title>Newsletter</title>"), "{page}");
    assert!(
        page.contains("<dt>From</dt><dd>News &lt;news@example.org&gt;</dd>"),
        "{page}"
    );
    // The mail as shown: sanitized (no script of its own, no remote image), one print script.
    assert!(page.contains("Hello <b>reader</b>"), "{page}");
    assert!(
        !page.contains("window.canary") && !page.contains(" src=\"https://tracker"),
        "{page}"
    );
    assert!(page.contains("img-src data:;"), "{page}");
    assert_eq!(page.matches("<script>").count(), 1, "{page}");
    // Without --output: written privately and handed to the browser.
    let links = satu.dir.path().join("opened-links.txt");
    let printed = satu
        .command()
        .env("SATU_OPEN_LINKS_LOG", &links)
        .args(["--json", "print", &news])
        .output()
        .expect("print");
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let path: String = serde_json::from_slice(&printed.stdout).expect("a path");
    assert!(path.ends_with(&format!("printed/{news}.html")), "{path}");
    assert_eq!(std::fs::read_to_string(&links).expect("log").trim(), path);
    // Only mail prints.
    let task = satu.json(&["task", "from-mail", &news]);
    let refused = satu.fails(&["print", &task["id"].to_string()], 2);
    assert!(refused.contains("not a mail"), "{refused}");
}

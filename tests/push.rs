//! `satu watch` (the live sync: IMAP IDLE, reconnects, pushing local changes) against a real
//! Dovecot started by tests/servers/dovecot.sh. Dovecot 2.3 delays every IDLE notification by
//! 500 ms, so "pushed" here means "within 3 s".

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{message, Dovecot, Satu};

/// How fast a change pushed by the server must show (Dovecot's floor is ~0.5 s).
const PUSHED: Duration = Duration::from_secs(3);

/// A running `satu --json watch`: its change lines (stdout) and status lines (stderr).
struct Watch {
    child: Child,
    changes: Receiver<Value>,
    statuses: Receiver<Value>,
    stderr: Arc<Mutex<String>>,
}

impl Watch {
    fn start(satu: &Satu, extra: &[&str]) -> Watch {
        let mut child = satu
            .command()
            .args(["--json", "watch"])
            .args(extra)
            // Which folders are watched shows in the log.
            .env("SATU_LOG", "satu_core::live=info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn satu watch");
        let (change_tx, changes) = channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or_else(|e| {
                    panic!("watch printed a line that is not JSON ({e}): {line}")
                });
                if change_tx.send(value).is_err() {
                    break;
                }
            }
        });
        let (status_tx, statuses) = channel();
        let stderr = Arc::new(Mutex::new(String::new()));
        let log = stderr.clone();
        let pipe = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Ok(mut log) = log.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    if value.get("state").is_some() {
                        let _ = status_tx.send(value);
                    }
                }
            }
        });
        Watch {
            child,
            changes,
            statuses,
            stderr,
        }
    }

    fn log(&self) -> String {
        self.stderr.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Waits for a status line with `state`; returns it.
    fn status(&self, state: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.statuses.recv_timeout(left) {
                Ok(status) if status["state"] == state => return status,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!(
                    "no {state:?} status within {within:?}; stderr:\n{}",
                    self.log()
                ),
            }
        }
    }

    /// Waits for a change line matching `wanted`; returns it.
    fn change(&self, within: Duration, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.changes.recv_timeout(left) {
                Ok(change) if wanted(&change) => return change,
                Ok(_) => {}
                Err(_) => panic!(
                    "no change line for {what} within {within:?}; stderr:\n{}",
                    self.log()
                ),
            }
        }
    }

    /// The `added` line of `title`.
    fn added(&self, title: &str, within: Duration) -> Value {
        self.change(within, title, |c| {
            c["change"] == "added" && c["title"] == title
        })
    }

    /// Every change line that arrives within `quiet`.
    fn drain(&self, quiet: Duration) -> Vec<Value> {
        let mut all = Vec::new();
        while let Ok(change) = self.changes.recv_timeout(quiet) {
            all.push(change);
        }
        all
    }

    fn assert_running(&mut self) {
        let state = self.child.try_wait().expect("try_wait");
        assert!(
            state.is_none(),
            "watch exited: {state:?}; stderr:\n{}",
            self.log()
        );
    }

    /// Sends SIGTERM; returns the exit status and how long the exit took.
    fn terminate(mut self) -> (ExitStatus, Duration) {
        let start = Instant::now();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (status, start.elapsed());
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "watch ignored SIGTERM; stderr:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `text` without its ANSI colours (the log's).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The timeline's mail by title; panics on a duplicate title.
fn titles(satu: &Satu) -> std::collections::BTreeMap<String, Value> {
    let mut map = std::collections::BTreeMap::new();
    for item in satu
        .json(&["timeline", "--limit", "1000", "--kind", "mail"])
        .as_array()
        .expect("items")
    {
        let title = item["title"].as_str().expect("title").to_owned();
        assert!(
            map.insert(title.clone(), item.clone()).is_none(),
            "duplicate {title:?}"
        );
    }
    map
}

/// Delivers a message straight into alice's Maildir `new/` (as an MTA would while the IMAP
/// server is down).
fn deliver_to_maildir(dovecot: &Dovecot, name: &str, raw: &str) {
    use std::os::unix::fs::MetadataExt as _;
    let maildir = dovecot.dir.path().join("home/alice/Maildir");
    let meta = std::fs::metadata(&maildir).expect("alice's Maildir");
    let path = maildir
        .join("new")
        .join(format!("1800000000.{name}.satu-test"));
    std::fs::write(&path, raw).expect("write message");
    std::os::unix::fs::chown(&path, Some(meta.uid()), Some(meta.gid())).expect("chown");
}

#[test]
fn appended_mail_and_flags_from_another_client_are_pushed_within_seconds() {
    let dovecot = Dovecot::start();
    dovecot.append("alice", "INBOX", &message("old@example.com", "Old", 1));
    let satu = Satu::new();
    satu.alice(&dovecot);
    let watch = Watch::start(&satu, &[]);
    watch.added("Old", Duration::from_secs(15));
    let connected = watch.status("connected", Duration::from_secs(15));
    assert_eq!(connected["mode"], "idle", "{connected}");

    for i in 1..=3 {
        let title = format!("Pushed {i}");
        let start = Instant::now();
        dovecot.append(
            "alice",
            "INBOX",
            &message(&format!("p{i}@example.com"), &title, 2),
        );
        watch.added(&title, PUSHED);
        eprintln!("{title}: {:?}", start.elapsed());
    }
    // Sync health: pushed mail arrives here well within the 3 s a delivery delay is good in.
    let health = satu.json(&["health"]);
    let delay = &health["indicators"][0];
    assert_eq!(delay["key"], "delivery_delay");
    assert_eq!(delay["status"], "good", "{health}");
    assert!(
        delay["value"].as_f64().is_some_and(|ms| ms <= 3_000.0),
        "{delay}"
    );

    // Another client flags a message: an `updated` line, and the flag in the store.
    let id = titles(&satu)["Old"]["id"].clone();
    let start = Instant::now();
    dovecot.flags("add", "\\Flagged", "INBOX", "1");
    watch.change(PUSHED, "the flag", |c| {
        c["change"] == "updated" && c["id"] == id
    });
    eprintln!("flag: {:?}", start.elapsed());
    assert_eq!(titles(&satu)["Old"]["flagged"], true);
    // Sync health: the change made elsewhere shows in the read status figures.
    let health = satu.json(&["health"]);
    let read = &health["indicators"][1];
    assert_eq!(read["key"], "read_sync");
    assert!(
        read["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Changes made elsewhere showed here within")),
        "{read}"
    );
    assert_eq!(titles(&satu)["Old"]["answered"], false);
    // Flagged on another device: its task appears here too, linked to the mail.
    let task = watch.change(PUSHED, "the flagged mail's task", |c| {
        c["change"] == "added" && c["kind"] == "task" && c["title"] == "Old"
    });
    assert_eq!(titles(&satu)["Old"]["task"], task["id"]);
    let tasks = satu.json(&["task", "list"]);
    assert_eq!(tasks[0]["todo"]["mail"], id, "{tasks}");

    // Replied to from another client: \Answered changes neither read nor flagged state, and
    // still shows.
    watch.drain(Duration::from_millis(300));
    dovecot.flags("add", "\\Answered", "INBOX", "1");
    watch.change(PUSHED, "the answered flag", |c| {
        c["change"] == "updated" && c["id"] == id
    });
    assert_eq!(titles(&satu)["Old"]["answered"], true);
}

#[test]
fn an_expunged_message_leaves_the_timeline_within_seconds() {
    let dovecot = Dovecot::start();
    dovecot.append("alice", "INBOX", &message("old@example.com", "Old", 1));
    dovecot.append("alice", "INBOX", &message("kept@example.com", "Kept", 2));
    let satu = Satu::new();
    satu.alice(&dovecot);
    // The default full-pass period (5 min) is far away: the removal comes from push.
    let watch = Watch::start(&satu, &[]);
    watch.added("Old", Duration::from_secs(15));
    watch.status("connected", Duration::from_secs(15));
    let id = titles(&satu)["Old"]["id"].clone();
    let start = Instant::now();
    dovecot.doveadm(&["expunge", "-u", "alice", "mailbox", "INBOX", "uid", "1"]);
    watch.change(PUSHED, "the expunge", |c| {
        c["change"] == "removed" && c["id"] == id
    });
    eprintln!("expunge: {:?}", start.elapsed());
    let left = titles(&satu);
    assert!(!left.contains_key("Old"));
    assert!(left.contains_key("Kept"));
}

#[test]
fn a_message_moved_by_another_client_keeps_its_item_and_shows_its_new_folder() {
    let dovecot = Dovecot::start();
    dovecot.append("alice", "INBOX", &message("moved@example.com", "Moved", 1));
    let satu = Satu::new();
    satu.alice(&dovecot);
    let watch = Watch::start(&satu, &[]);
    watch.added("Moved", Duration::from_secs(15));
    watch.status("connected", Duration::from_secs(15));
    let id = titles(&satu)["Moved"]["id"].clone();
    let start = Instant::now();
    dovecot.doveadm(&[
        "move", "-u", "alice", "Archive", "mailbox", "INBOX", "uid", "1",
    ]);
    // Archive is not pushed: the expunge seen in INBOX makes a pass over every folder, which
    // finds the message in Archive by its Message-ID.
    let deadline = Instant::now() + PUSHED;
    loop {
        let item = titles(&satu).get("Moved").cloned().expect("the item stays");
        assert_eq!(item["id"], id, "same item, same id");
        if item["folders"] == serde_json::json!(["Archive"]) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {} after {PUSHED:?}; stderr:\n{}",
            item["folders"],
            watch.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("move: {:?}", start.elapsed());
    let changes = watch.drain(Duration::from_millis(1500));
    assert!(
        !changes
            .iter()
            .any(|c| c["change"] == "removed" || c["change"] == "added"),
        "a move is an update, not a removal and an addition: {changes:?}"
    );
}

#[test]
fn a_folder_chosen_for_push_is_watched_too() {
    let dovecot = Dovecot::start();
    dovecot.append(
        "alice",
        "Archive",
        &message("a1@example.com", "Archived", 1),
    );
    let satu = Satu::new();
    satu.alice(&dovecot);
    satu.sync_ok();
    let folders = satu.json(&["folders"]);
    let pushed: Vec<&str> = folders
        .as_array()
        .expect("folders")
        .iter()
        .filter(|f| f["push"] == true)
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(pushed, ["INBOX"], "{folders}");
    // Bad choices are refused clearly.
    let stderr = satu.fails(&["folders", "--no-push", "inbox"], 2);
    assert!(stderr.contains("INBOX is always pushed"), "{stderr}");
    let stderr = satu.fails(&["folders", "--push", "Nowhere"], 3);
    assert!(stderr.contains("No folder named \"Nowhere\""), "{stderr}");

    // Chosen while watching: picked up within the 10 s the live loop takes to look.
    let watch = Watch::start(&satu, &[]);
    watch.status("connected", Duration::from_secs(15));
    let chosen = satu.json(&["folders", "--push", "Archive"]);
    assert_eq!(chosen[0]["name"], "Archive", "{chosen}");
    assert_eq!(chosen[0]["push"], true, "{chosen}");
    let deadline = Instant::now() + Duration::from_secs(13);
    while !plain(&watch.log())
        .contains("folder=Archive}: satu_core::live::imap: Watching the folder")
    {
        assert!(
            Instant::now() < deadline,
            "Archive not watched; stderr:\n{}",
            watch.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));

    let start = Instant::now();
    dovecot.append(
        "alice",
        "Archive",
        &message("a2@example.com", "Pushed archive", 2),
    );
    watch.added("Pushed archive", PUSHED);
    eprintln!("archive append: {:?}", start.elapsed());
    let id = titles(&satu)["Archived"]["id"].clone();
    dovecot.flags("add", "\\Flagged", "Archive", "1");
    watch.change(PUSHED, "the flag in Archive", |c| {
        c["change"] == "updated" && c["id"] == id
    });
    assert_eq!(titles(&satu)["Archived"]["flagged"], true);

    // Another client deletes the pushed folder. Dovecot ends the session that had it selected
    // (BYE), so the account reconnects once; the folder it can no longer watch does not keep
    // it offline, and INBOX is pushed again.
    dovecot.doveadm(&["mailbox", "delete", "-u", "alice", "-s", "Archive"]);
    std::thread::sleep(Duration::from_secs(12));
    dovecot.append(
        "alice",
        "INBOX",
        &message("after@example.com", "After the delete", 3),
    );
    watch.added("After the delete", PUSHED);
    let log = plain(&watch.log());
    let offline = log.matches(r#""state":"offline""#).count();
    assert!(offline <= 1, "offline {offline} times:\n{log}");
    satu.json(&["folders", "--no-push", "Archive"]);
}

#[test]
fn idle_is_reissued_and_still_pushes() {
    let dovecot = Dovecot::start();
    dovecot.append("alice", "INBOX", &message("old@example.com", "Old", 1));
    let satu = Satu::new();
    satu.alice(&dovecot);
    let watch = Watch::start(&satu, &["--idle-period", "1"]);
    watch.status("connected", Duration::from_secs(15));
    // Several IDLE periods pass in silence: not mistaken for a dead connection.
    std::thread::sleep(Duration::from_millis(3500));
    dovecot.append("alice", "INBOX", &message("late@example.com", "Late", 2));
    watch.added("Late", PUSHED);
    assert!(
        !watch.log().contains("offline"),
        "a quiet server is not a dead one: {}",
        watch.log()
    );
}

/// Dovecot's own capabilities without IDLE.
const WITHOUT_IDLE: &str = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY \
        THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE \
        UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH \
        ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY \
        PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";

#[test]
fn without_idle_new_mail_is_polled() {
    let dovecot = Dovecot::start_with(&[("IMAP_CAPABILITY", WITHOUT_IDLE)]);
    let satu = Satu::new();
    satu.alice(&dovecot);
    let watch = Watch::start(&satu, &["--poll", "1"]);
    let connected = watch.status("connected", Duration::from_secs(15));
    assert_eq!(connected["mode"], "poll", "{connected}");
    dovecot.append(
        "alice",
        "INBOX",
        &message("polled@example.com", "Polled", 1),
    );
    watch.added("Polled", PUSHED);
}

/// Sync health without IDLE: mail waits for the next poll, and with polls 8 s apart the
/// delivery indicator turns bad and tells to run the diagnostics, which name the polling; the
/// live sync has run them by itself too, and `satu health` shows what they found.
#[test]
fn polled_mail_turns_the_delivery_indicator_bad() {
    let dovecot = Dovecot::start_with(&[("IMAP_CAPABILITY", WITHOUT_IDLE)]);
    let satu = Satu::new();
    satu.alice(&dovecot);
    let watch = Watch::start(&satu, &["--poll", "8"]);
    let connected = watch.status("connected", Duration::from_secs(15));
    assert_eq!(connected["mode"], "poll", "{connected}");
    // Just after connecting: the first poll is some 8 s away.
    dovecot.append(
        "alice",
        "INBOX",
        &message("late@example.com", "Polled late", 1),
    );
    watch.added("Polled late", Duration::from_secs(20));
    let health = satu.json(&["health"]);
    let delay = &health["indicators"][0];
    assert_eq!(delay["status"], "bad", "{health}");
    assert!(
        delay["detail"]
            .as_str()
            .is_some_and(|d| d.contains("satu health diagnose")),
        "{delay}"
    );
    let names_polling = |findings: &serde_json::Value| {
        findings.as_array().is_some_and(|all| {
            all.iter().any(|f| {
                f["area"] == "push"
                    && f["title"]
                        .as_str()
                        .is_some_and(|t| t.contains("does not offer IDLE"))
            })
        })
    };
    let found = satu.json(&["health", "diagnose"]);
    assert!(names_polling(&found["findings"]), "{found}");
    // Run by themselves (in the background, with the live sync's own poll interval).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let health = satu.json(&["health"]);
        let diagnoses = health["diagnoses"].as_array().cloned().unwrap_or_default();
        if let Some(d) = diagnoses.first() {
            assert!(names_polling(&d["findings"]), "{d}");
            assert!(
                d["findings"].to_string().contains("every 8 s"),
                "the watch's own interval: {d}"
            );
            assert!(
                d["why"].as_str().is_some_and(|w| w.contains("to arrive")),
                "{d}"
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{health}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn a_server_restart_loses_no_mail_and_duplicates_none() {
    let dovecot = Dovecot::start();
    dovecot.append(
        "alice",
        "INBOX",
        &message("before@example.com", "Before", 1),
    );
    let satu = Satu::new();
    satu.alice(&dovecot);
    let mut watch = Watch::start(&satu, &[]);
    watch.added("Before", Duration::from_secs(15));
    watch.status("connected", Duration::from_secs(15));

    dovecot.stop();
    let offline = watch.status("offline", Duration::from_secs(10));
    assert!(
        offline["error"].as_str().is_some_and(|e| !e.is_empty()) && offline["retry_at"].is_string(),
        "{offline}"
    );
    deliver_to_maildir(
        &dovecot,
        "down",
        &message("down@example.com", "While down", 2),
    );
    std::thread::sleep(Duration::from_secs(2));
    watch.assert_running();

    dovecot.restart();
    dovecot.append(
        "alice",
        "INBOX",
        &message("after@example.com", "Right after", 3),
    );
    // Reconnection backs off (1 s, 2 s, 4 s, … jittered): allow a few steps.
    watch.status("connected", Duration::from_secs(30));
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.len() < 2 && Instant::now() < deadline {
        if let Ok(change) = watch.changes.recv_timeout(Duration::from_millis(200)) {
            if change["change"] == "added" {
                seen.push(change["title"].as_str().expect("title").to_owned());
            }
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        ["Right after", "While down"],
        "stderr:\n{}",
        watch.log()
    );
    // Nothing more, and still live after the gap.
    dovecot.append("alice", "INBOX", &message("later@example.com", "Later", 4));
    watch.added("Later", PUSHED);
    let extra: Vec<Value> = watch
        .drain(Duration::from_millis(1500))
        .into_iter()
        .filter(|c| c["change"] == "added")
        .collect();
    assert!(extra.is_empty(), "duplicates: {extra:?}");
    assert_eq!(titles(&satu).len(), 4);
    watch.assert_running();
}

#[test]
fn local_changes_reach_the_server_while_watching_and_after_an_outage() {
    let dovecot = Dovecot::start();
    for i in 1..=2 {
        dovecot.append(
            "alice",
            "INBOX",
            &message(&format!("m{i}@example.com"), &format!("Mail {i}"), i),
        );
    }
    let satu = Satu::new();
    satu.alice(&dovecot);
    let watch = Watch::start(&satu, &[]);
    watch.status("connected", Duration::from_secs(15));
    let items = titles(&satu);
    let id = |title: &str| items[title]["id"].as_i64().expect("id").to_string();
    let flags_on_server = |message_id: &str| {
        dovecot
            .messages("alice", "INBOX")
            .into_iter()
            .find(|m| m.2 == message_id)
            .map(|m| m.1)
            .unwrap_or_default()
    };
    let wait_for_flag = |message_id: &str, within: Duration| {
        let deadline = Instant::now() + within;
        while !flags_on_server(message_id).contains("\\Flagged") {
            assert!(
                Instant::now() < deadline,
                "{message_id} not flagged on the server; stderr:\n{}",
                watch.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };

    satu.json(&["mark", &id("Mail 1"), "--flag"]);
    wait_for_flag("m1@example.com", Duration::from_secs(5));

    // Down: `satu mark` queues the change; the watch pushes it once the server is back.
    dovecot.stop();
    watch.status("offline", Duration::from_secs(10));
    let queued = satu.json(&["mark", &id("Mail 2"), "--flag"]);
    assert_eq!(queued["pushed"], false, "{queued}");
    // Sync health while it waits: the change ages visibly.
    std::thread::sleep(Duration::from_millis(1100));
    let read = satu.json(&["health"])["indicators"][1].clone();
    assert!(
        read["value"].as_f64().is_some_and(|s| s >= 1.0)
            && read["detail"]
                .as_str()
                .is_some_and(|d| d.contains("A change has waited")),
        "{read}"
    );
    dovecot.restart();
    wait_for_flag("m2@example.com", Duration::from_secs(30));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !satu.json(&["ops"]).as_array().expect("ops").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the queue is not empty: {}",
            satu.json(&["ops"])
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Once it went up, how long it waited is in the figures, and nothing waits any more.
    let read = satu.json(&["health"])["indicators"][1].clone();
    assert!(
        read["detail"]
            .as_str()
            .is_some_and(|d| d.contains("reached the server within") && !d.contains("has waited")),
        "{read}"
    );
}

#[test]
fn sigterm_stops_watch_within_seconds_even_mid_idle() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    satu.alice(&dovecot);
    let watch = Watch::start(&satu, &[]);
    watch.status("connected", Duration::from_secs(15));
    std::thread::sleep(Duration::from_millis(500));
    let (status, took) = watch.terminate();
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn sigterm_stops_watch_while_the_server_is_unreachable() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    satu.alice(&dovecot);
    dovecot.stop();
    let watch = Watch::start(&satu, &[]);
    watch.status("offline", Duration::from_secs(10));
    let (status, took) = watch.terminate();
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

/// `satu sync --pause` stops a running `satu watch` (as the tray's "Pause sync" stops the app's):
/// new mail is not fetched and a local change is not sent while paused, and neither is lost:
/// both happen within seconds of `satu sync --resume`.
#[test]
fn a_paused_sync_contacts_no_server_and_resumes_with_nothing_lost() {
    let dovecot = Dovecot::start();
    dovecot.append(
        "alice",
        "INBOX",
        &message("before@example.com", "Before", 1),
    );
    let satu = Satu::new();
    satu.alice(&dovecot);
    let watch = Watch::start(&satu, &[]);
    watch.added("Before", Duration::from_secs(15));
    watch.status("connected", Duration::from_secs(15));

    assert_eq!(
        satu.json(&["sync", "--pause"]),
        serde_json::json!({ "paused": true })
    );
    let settings = satu.json(&["settings"]);
    let setting = settings
        .as_array()
        .and_then(|all| all.iter().find(|s| s["key"] == "sync.paused"))
        .cloned();
    assert_eq!(
        setting.map(|s| s["value"].clone()),
        Some(Value::Bool(true)),
        "{settings}"
    );
    // The watch's loops stop within a second or two; let them.
    std::thread::sleep(Duration::from_secs(3));
    watch.drain(Duration::from_millis(200));
    dovecot.append(
        "alice",
        "INBOX",
        &message("during@example.com", "During", 2),
    );
    let id = titles(&satu)["Before"]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    let marked = satu.json(&["mark", &id, "--flag"]);
    assert_eq!(marked["pushed"], false, "queued while paused: {marked}");
    let quiet = watch.drain(Duration::from_secs(4));
    assert!(
        quiet.iter().all(|c| c["title"] != "During"),
        "nothing fetched while paused: {quiet:?}"
    );
    let on_server = |message_id: &str| {
        dovecot
            .messages("alice", "INBOX")
            .into_iter()
            .find(|m| m.2 == message_id)
            .map(|m| m.1)
            .unwrap_or_default()
    };
    assert!(!on_server("before@example.com").contains("\\Flagged"));
    assert_eq!(satu.json(&["ops"]).as_array().map(Vec::len), Some(1));

    assert_eq!(
        satu.json(&["sync", "--resume"]),
        serde_json::json!({ "paused": false })
    );
    watch.added("During", Duration::from_secs(15));
    let deadline = Instant::now() + Duration::from_secs(15);
    while !on_server("before@example.com").contains("\\Flagged") {
        assert!(
            Instant::now() < deadline,
            "the queued flag was not sent after the resume"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while !satu.json(&["ops"]).as_array().expect("ops").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the queue is not empty after the resume"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(titles(&satu).len(), 2, "each message once");
}

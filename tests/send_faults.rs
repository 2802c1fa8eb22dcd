//! Exactly once through faults: messages sent through `tests/servers/smtp_fault_proxy.py`, which
//! cuts the connection at one point of the SMTP conversation (before MAIL FROM, after RCPT, in
//! the middle of DATA, after the final "." before the reply), or kills the sending process with
//! SIGKILL there; and the process aborted after the server's reply, before the local commit
//! (`SATU_FAULT=after-reply`). At least 100 sends per point (`SATU_SEND_FAULTS` to change it).
//! The submission server saves what it sends in Sent, as Gmail and Exchange do, so uncertain
//! sends are resolved by looking there. Result for each point: every message ends sent or failed
//! with a reason, none lost, none delivered twice. One more run against a server that does not
//! save sent mail: the uncertain ones are left to the user, still never sent twice.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{repo, Dovecot, Satu, Smtp};

fn sends() -> usize {
    std::env::var("SATU_SEND_FAULTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

/// The fault proxy in front of the plain SMTP listener.
struct Proxy {
    child: Child,
    port: u16,
    control: std::path::PathBuf,
    stats: std::path::PathBuf,
}

impl Proxy {
    fn start(
        dir: &std::path::Path,
        upstream: &str,
        kill_pid_file: Option<&std::path::Path>,
    ) -> Proxy {
        let control = dir.join("control");
        let stats = dir.join("stats.json");
        std::fs::write(&control, "none 1\n").expect("control");
        let mut cmd = Command::new("python3");
        cmd.arg(repo().join("tests/servers/smtp_fault_proxy.py"))
            .args(["--upstream", upstream])
            .arg("--control")
            .arg(&control)
            .arg("--stats")
            .arg(&stats)
            .arg("--log")
            .arg(dir.join("proxy.log"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(pid_file) = kill_pid_file {
            cmd.arg("--kill-pid-file").arg(pid_file);
        }
        let mut child = cmd.spawn().expect("start the fault proxy");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("proxy port");
        let port = line
            .trim()
            .strip_prefix("PROXY_PORT=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the proxy printed {line:?}"));
        Proxy {
            child,
            port,
            control,
            stats,
        }
    }

    /// Faults at `point` on the first and then every `every`th new connection.
    fn set(&self, point: &str, every: u32) {
        std::fs::write(&self.control, format!("{point} {every}\n")).expect("control");
    }

    fn faults(&self) -> u64 {
        std::fs::read_to_string(&self.stats)
            .ok()
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .and_then(|v| v["faults"].as_u64())
            .unwrap_or(0)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What happened to the messages of one run.
#[derive(Debug, Default)]
struct Counts {
    sends: usize,
    faults: u64,
    runs: usize,
    sent: usize,
    failed: usize,
    lost: usize,
    duplicates: usize,
    in_sent_twice: usize,
    /// The reasons of the failed ones.
    reasons: Vec<String>,
}

/// How a run injects its fault.
#[derive(Clone, Copy)]
enum Fault {
    /// The proxy cuts the connection at this point.
    Cut(&'static str),
    /// The proxy kills the sending process at this point.
    Kill(&'static str),
    /// The process aborts after the reply, before committing it.
    AfterReply,
}

fn run(fault: Fault, save_sent: bool, n: usize) -> Counts {
    let dovecot = Dovecot::start();
    let smtp = if save_sent {
        Smtp::start_with(&[(
            "SAVE_SENT_DOVECOT",
            dovecot.dir.path().to_str().expect("dir"),
        )])
    } else {
        Smtp::start_with(&[])
    };
    let satu = Satu::new();
    let pid_file = satu.dir.path().join("satu.pid");
    let kill = matches!(fault, Fault::Kill(_)).then_some(pid_file.as_path());
    let proxy = Proxy::start(satu.dir.path(), &smtp.addr("SMTP_PLAIN_PORT"), kill);
    let account = support::added_id(&satu.run_with_stdin(
        &[
            "--json",
            "account",
            "add",
            "--email",
            "alice@example.com",
            "--username",
            "alice",
            "--imap",
            &dovecot.imap(),
            "--smtp",
            &format!("127.0.0.1:{}", proxy.port),
            "--security",
            "plain",
            "--password-stdin",
        ],
        "alice-pass\n",
    ))
    .to_string();
    satu.sync_ok();
    // One send without faults: the account learns whether its server saves sent mail.
    let warm = satu.json(&[
        "send",
        "--account",
        &account,
        "--to",
        "bob@example.com",
        "--subject",
        "warm-up",
        "--body",
        "x",
    ]);
    assert_eq!(warm["state"], "sent", "{warm}");

    // Queue n messages for later (so that queuing sends nothing), then let their time come.
    let later = (chrono::Utc::now() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for i in 0..n {
        let subject = format!("Message {i}");
        let body = format!("Body of message {i}\n{}", "x".repeat(2000));
        satu.json(&[
            "send",
            "--account",
            &account,
            "--to",
            "bob@example.com",
            "--subject",
            &subject,
            "--body",
            &body,
            "--at",
            &later,
        ]);
    }
    make_due(&satu);
    match fault {
        Fault::Cut(point) | Fault::Kill(point) => proxy.set(point, 2),
        Fault::AfterReply => {}
    }

    // Flush until nothing is left to do, restarting the process whenever it dies.
    let mut runs = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let outbox = satu.json(&["outbox"]);
        let pending = outbox
            .as_array()
            .expect("outbox")
            .iter()
            .filter(|e| e["state"] == "queued" || e["state"] == "sending")
            .count();
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox never settled: {outbox}"
        );
        runs += 1;
        let mut cmd = satu.command();
        cmd.args(["outbox", "flush"])
            .env("SATU_OUTBOX_BACKOFF_SCALE", "0")
            .env("SATU_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if matches!(fault, Fault::AfterReply) {
            cmd.env("SATU_FAULT", "after-reply");
        }
        let mut child = cmd.spawn().expect("spawn satu outbox flush");
        std::fs::write(&pid_file, child.id().to_string()).expect("pid file");
        let _ = child.wait();
        // A killed process leaves its message leased for 5 minutes: the test makes the lease
        // run out (as time would), so the next process takes it over.
        expire_leases(&satu);
    }

    // Count: every message is sent or failed with a reason; sent means delivered exactly once.
    let mut counts = Counts {
        sends: n,
        faults: proxy.faults(),
        runs,
        ..Counts::default()
    };
    let sent_folder = dovecot.messages("alice", "Sent");
    for entry in satu.json(&["outbox"]).as_array().expect("outbox") {
        if entry["subject"] == "warm-up" {
            continue;
        }
        let message_id = entry["message_id"].as_str().expect("message id");
        let delivered = smtp.count(message_id);
        let copies = sent_folder.iter().filter(|m| m.2 == message_id).count();
        match entry["state"].as_str() {
            Some("sent") => {
                counts.sent += 1;
                if delivered == 0 {
                    counts.lost += 1;
                }
            }
            Some("failed") => {
                counts.failed += 1;
                assert!(
                    entry["error"].is_string(),
                    "a failure has a reason: {entry}"
                );
                counts
                    .reasons
                    .push(entry["error"].as_str().unwrap_or_default().to_owned());
            }
            _ => counts.lost += 1,
        }
        if delivered > 1 {
            counts.duplicates += 1;
        }
        if copies > 1 {
            counts.in_sent_twice += 1;
        }
    }
    counts
}

/// The send-later time of every queued message has come.
fn make_due(satu: &Satu) {
    let db = satu.dir.path().join("satu.db");
    let conn = rusqlite::Connection::open(&db).expect("open the store");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    conn.execute(
        "UPDATE outbox SET not_before = 0 WHERE state = 'queued'",
        [],
    )
    .expect("make due");
}

/// Ends the lease of every message a killed process was sending.
fn expire_leases(satu: &Satu) {
    let db = satu.dir.path().join("satu.db");
    let conn = rusqlite::Connection::open(&db).expect("open the store");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    conn.execute(
        "UPDATE outbox SET not_before = 0 WHERE state = 'sending'",
        [],
    )
    .expect("expire leases");
}

fn report(name: &str, c: &Counts) {
    println!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
        c.sends, c.faults, c.runs, c.sent, c.failed, c.lost, c.duplicates, c.in_sent_twice
    );
}

fn check(name: &str, c: &Counts, every_sent: bool) {
    report(name, c);
    assert_eq!(c.lost, 0, "{name}: lost messages: {c:?}");
    assert_eq!(c.duplicates, 0, "{name}: messages delivered twice: {c:?}");
    assert_eq!(c.in_sent_twice, 0, "{name}: twice in Sent: {c:?}");
    assert!(
        c.faults > 0 || matches!(name, "after-reply (abort)"),
        "{name}: no fault was injected: {c:?}"
    );
    if every_sent {
        assert_eq!(c.sent, c.sends, "{name}: every message ends sent: {c:?}");
    }
}

#[test]
fn every_cut_and_crash_point_sends_each_message_exactly_once() {
    let n = sends();
    println!("| point | sends | faults | processes | sent | failed | lost | duplicates | twice in Sent |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let only = std::env::var("SATU_SEND_FAULT_POINTS").unwrap_or_default();
    let chosen = |name: &str| only.is_empty() || only.split(',').any(|p| p == name);
    for point in ["before-mail", "after-rcpt", "mid-data", "after-dot"] {
        if !chosen(point) {
            continue;
        }
        let counts = run(Fault::Cut(point), true, n);
        check(&format!("{point} (cut)"), &counts, true);
    }
    for point in ["before-mail", "after-rcpt", "mid-data", "after-dot"] {
        if !chosen(&format!("kill-{point}")) {
            continue;
        }
        let counts = run(Fault::Kill(point), true, n);
        check(&format!("{point} (kill -9)"), &counts, true);
    }
    if chosen("after-reply") {
        let counts = run(Fault::AfterReply, true, n);
        check("after-reply (abort)", &counts, true);
    }
}

#[test]
fn a_server_that_does_not_keep_sent_mail_leaves_uncertain_sends_to_the_user() {
    let n = sends().min(20);
    let counts = run(Fault::Cut("after-dot"), false, n);
    report("after-dot, server without Sent copies", &counts);
    assert_eq!(counts.lost, 0, "{counts:?}");
    assert_eq!(counts.duplicates, 0, "{counts:?}");
    // Every other connection was cut after the final dot: those are failed (the server has
    // them, nobody can tell), the others sent.
    assert!(counts.failed > 0 && counts.sent > 0, "{counts:?}");
    assert_eq!(counts.sent + counts.failed, n);
}

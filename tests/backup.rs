//! Backups (#22) against the project's Dovecot and Radicale: a backup made while `satu watch`
//! syncs restores into a new data directory with the same answers (timeline, search, tasks,
//! events), and the next sync there fetches only what is new; mail exported as mbox and Maildir
//! reads back whole in another store; a backup killed at many moments
//! leaves the one before valid and nothing under its own name; a wrong passphrase, a cut file,
//! a file from a newer Satu and a non-empty target are clear errors with their exit codes, and
//! nothing is touched; the schedule makes verified backups by itself and the Health view's
//! backup indicator turns good.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{message, Dovecot, Radicale, Satu};

const PASSPHRASE: &str = support::BACKUP_PASSPHRASE;

/// `satu --json backup create --out OUT --passphrase-stdin EXTRA…`: its report.
fn create(satu: &Satu, out: &Path, extra: &[&str]) -> Value {
    let done = satu.backup_create(out, extra);
    assert!(
        done.status.success(),
        "backup create: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    serde_json::from_slice(&done.stdout).expect("JSON")
}

/// `satu backup verify FILE` with `passphrase`: its exit code, stdout and stderr.
fn verify(satu: &Satu, file: &Path, passphrase: &str) -> (i32, String, String) {
    let out = satu.run_with_stdin(
        &[
            "--json",
            "backup",
            "verify",
            file.to_str().expect("path"),
            "--passphrase-stdin",
        ],
        &format!("{passphrase}\n"),
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `satu --data-dir INTO backup restore FILE`: its exit code, stdout and stderr.
fn restore(into: &Satu, file: &Path, passphrase: &str, extra: &[&str]) -> (i32, String, String) {
    let out = into.backup_restore(file, passphrase, extra);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What a user sees: the timeline, a search, the tasks and the events.
fn answers(satu: &Satu) -> Vec<Value> {
    vec![
        satu.json(&["timeline", "--limit", "5000"]),
        satu.json(&["search", "Backed", "--local", "--limit", "100"]),
        satu.json(&["task", "list"]),
        satu.json(&[
            "calendar",
            "events",
            "--from",
            "2027-01-01",
            "--to",
            "2028-01-01",
        ]),
    ]
}

fn watch(satu: &Satu) -> Child {
    satu.command()
        .args(["--json", "watch"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("satu watch")
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn fetched(report: &Value) -> u64 {
    report
        .as_array()
        .expect("reports")
        .iter()
        .filter_map(|r| r["fetched"].as_u64())
        .sum()
}

fn add_calendars(satu: &Satu, radicale: &Radicale) {
    let added = satu.run_with_stdin(
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
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
}

#[test]
fn a_backup_made_while_watch_syncs_restores_the_same_answers_and_the_next_sync_fetches_only_what_is_new(
) {
    let dovecot = Dovecot::start();
    dovecot.append("alice", "INBOX", &message("0@backup", "Backed 0", 1));
    dovecot.bulk_load(
        "alice",
        (1..600).map(|i| {
            message(
                &format!("{i}@backup"),
                &format!("Backed {i}"),
                1 + (i % 28) as u32,
            )
        }),
    );
    let radicale = Radicale::start();
    let satu = Satu::new();
    satu.alice(&dovecot);
    add_calendars(&satu, &radicale);
    satu.json(&["sync"]);
    let event = satu.json(&[
        "event",
        "add",
        "--title",
        "Review the backups",
        "--start",
        "2027-03-01T10:00",
        "--tz",
        "UTC",
    ]);
    assert_eq!(event["pending"], false, "{event}");
    let mail = satu.json(&["timeline", "--kind", "mail", "--limit", "3"]);
    for m in mail.as_array().expect("mail") {
        satu.json(&["task", "from-mail", &m["id"].to_string()]);
    }

    let running = watch(&satu);
    std::thread::sleep(Duration::from_secs(3));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("satu.backup");
    let made = create(&satu, &file, &["--with-secrets", "--verify"]);
    stop(running);
    assert_eq!(made["verified"], true, "{made}");
    assert_eq!(made["secrets"], true, "{made}");
    assert_eq!(made["counts"]["mail"], 600, "{made}");
    assert_eq!(made["counts"]["tasks"], 3, "{made}");
    assert_eq!(made["counts"]["events"], 1, "{made}");
    assert_eq!(made["counts"]["accounts"], 2, "{made}");
    let listed = satu.json(&["backup", "list"]);
    assert_eq!(listed[0]["path"], file.to_str().expect("path"), "{listed}");
    assert_eq!(listed[0]["exists"], true);
    // Checked again by itself.
    let (code, out, err) = verify(&satu, &file, PASSPHRASE);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\"verified\": true") || out.contains("\"verified\":true"),
        "{out}"
    );

    let before = answers(&satu);
    let restored = Satu::new();
    let (code, out, err) = restore(&restored, &file, PASSPHRASE, &[]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        report["passwords_needed"],
        serde_json::json!([]),
        "the secrets came back: {report}"
    );
    assert_eq!(
        answers(&restored),
        before,
        "the same answers after a restore"
    );

    // New mail after the backup: the restored store fetches that and nothing else.
    dovecot.append("alice", "INBOX", &message("new@backup", "Backed after", 2));
    let synced = restored.json(&["sync"]);
    assert_eq!(fetched(&synced), 1, "only the new message: {synced}");
    // Nothing of the calendars again: their sync tokens came along.
    let mut calendars = 0;
    for report in synced.as_array().expect("reports") {
        for part in ["events", "tasks"] {
            if let Some(pulled) = report[part]["pulled"].as_u64() {
                assert_eq!(pulled, 0, "{part} pulled again: {report}");
                calendars += 1;
            }
        }
    }
    assert_eq!(
        calendars, 2,
        "the CalDAV account's events and tasks: {synced}"
    );
    assert_eq!(restored.assert_consistent(), 601, "every message once");
    assert_eq!(fetched(&restored.json(&["sync"])), 0);
    assert_eq!(
        restored
            .json(&[
                "calendar",
                "events",
                "--from",
                "2027-01-01",
                "--to",
                "2028-01-01"
            ])
            .as_array()
            .map(Vec::len),
        Some(1),
        "the event once"
    );

    // For people: INBOX as an mbox and as a Maildir, which another program (here Satu's own
    // importer, into a store of its own) reads back whole, flags and all.
    let first = mail[0]["id"].to_string();
    satu.json(&["mark", &first, "--read", "--flag"]);
    let exported = dir.path().join("export");
    let out = exported.to_str().expect("path");
    let mbox = satu.json(&["export", "mbox", "--folder", "INBOX", "--out", out]);
    assert_eq!(mbox["messages"], 600, "{mbox}");
    assert_eq!(mbox["headers_only"], 0);
    let maildir = satu.json(&["export", "maildir", "--folder", "INBOX", "--out", out]);
    assert_eq!(maildir["messages"], 600, "{maildir}");
    let again = satu.run(&["export", "mbox", "--folder", "INBOX", "--out", out]);
    assert_eq!(again.status.code(), Some(2), "nothing overwritten");
    let missing = satu.run(&["export", "mbox", "--folder", "Nowhere", "--out", out]);
    assert_eq!(missing.status.code(), Some(3));
    for (kind, path) in [
        ("mbox", mbox["folders"][0]["path"].as_str().expect("path")),
        (
            "maildir",
            maildir["folders"][0]["path"].as_str().expect("path"),
        ),
    ] {
        let reader = Satu::new();
        let imported = reader.json(&["import", kind, path]);
        assert_eq!(imported["imported"], 600, "{kind}: {imported}");
        assert_eq!(imported["quarantined"], 0, "{kind}: {imported}");
        let subjects = |s: &Satu| {
            let mut all: Vec<String> = s
                .json(&["timeline", "--kind", "mail", "--limit", "1000"])
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                .collect();
            all.sort();
            all
        };
        assert_eq!(subjects(&reader), subjects(&satu), "{kind}: the same mail");
        if kind == "maildir" {
            let flagged = reader.json(&["timeline", "--flagged"]);
            assert_eq!(flagged.as_array().map(Vec::len), Some(1), "{flagged}");
        }
    }

    // Without the secrets: the accounts are named, to be signed in again.
    let bare = dir.path().join("bare.backup");
    let made = create(&satu, &bare, &[]);
    assert_eq!(made["secrets"], false);
    assert_eq!(made["verified"], false);
    let elsewhere = Satu::new();
    let (code, out, err) = restore(&elsewhere, &bare, PASSPHRASE, &[]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        report["passwords_needed"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
    // Given again (a wrong one refused at its field, nothing kept), the accounts sync on.
    let wrong = elsewhere.run_with_stdin(
        &["--json", "account", "password", "1", "--password-stdin"],
        "not-her-password\n",
    );
    assert_eq!(
        wrong.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    for account in report["passwords_needed"].as_array().expect("accounts") {
        let id = account["id"].to_string();
        let given = elsewhere.run_with_stdin(
            &["--json", "account", "password", &id, "--password-stdin"],
            "alice-pass\n",
        );
        assert!(
            given.status.success(),
            "{}",
            String::from_utf8_lossy(&given.stderr)
        );
    }
    let synced = elsewhere.json(&["sync"]);
    assert_eq!(
        fetched(&synced),
        1,
        "the message after the backup: {synced}"
    );
}

#[test]
fn a_backup_killed_at_any_moment_leaves_the_one_before_valid_and_nothing_under_its_name() {
    let dovecot = Dovecot::start();
    dovecot.append("alice", "INBOX", &message("0@kill", "Killed 0", 1));
    dovecot.bulk_load(
        "alice",
        (1..1500).map(|i| {
            message(
                &format!("{i}@kill"),
                &format!("Killed {i}"),
                1 + (i % 28) as u32,
            )
        }),
    );
    let satu = Satu::new();
    satu.alice(&dovecot);
    satu.json(&["sync"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("first.backup");
    create(&satu, &first, &[]);
    let mut survived = 0;
    for (n, delay_ms) in [30u64, 120, 300, 600, 1000, 1600, 2500]
        .into_iter()
        .enumerate()
    {
        let out = dir.path().join(format!("killed-{n}.backup"));
        let mut child = satu
            .command()
            .args([
                "backup",
                "create",
                "--out",
                out.to_str().expect("path"),
                "--passphrase-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{PASSPHRASE}\n").as_bytes())
            .expect("passphrase");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        if out.exists() {
            // It finished before the kill: then it is whole.
            assert!(status.success() || out.exists());
            let (code, _, err) = verify(&satu, &out, PASSPHRASE);
            assert_eq!(code, 0, "a backup under its name is whole: {err}");
            survived += 1;
        }
        let (code, _, err) = verify(&satu, &first, PASSPHRASE);
        assert_eq!(code, 0, "the backup before stays valid: {err}");
    }
    assert!(survived < 7, "some kill landed in the middle of a backup");
    // The next one cleans what the killed ones left in the data directory.
    let last = dir.path().join("last.backup");
    let made = create(&satu, &last, &["--verify"]);
    assert_eq!(made["verified"], true);
    let work: Vec<PathBuf> = std::fs::read_dir(satu.dir.path().join("backup-work"))
        .expect("work dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(
        work,
        vec![satu.dir.path().join("backup-work").join("lock")],
        "nothing but the lock left"
    );
}

#[test]
fn bad_files_and_passphrases_are_clear_errors_that_touch_nothing() {
    let satu = Satu::new();
    // The embedded local store: a backup of it holds the sample mailbox.
    satu.json(&["timeline"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("good.backup");
    create(&satu, &file, &[]);

    let (code, _, err) = verify(&satu, &file, "not the passphrase");
    assert_eq!(code, 10, "wrong passphrase: {err}");
    assert!(err.contains("passphrase does not open"), "{err}");

    let bytes = std::fs::read(&file).expect("read");
    let cut = dir.path().join("cut.backup");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let (code, _, err) = verify(&satu, &cut, PASSPHRASE);
    assert_eq!(code, 11, "cut short: {err}");
    assert!(err.contains("damaged or incomplete"), "{err}");

    let flipped = dir.path().join("flipped.backup");
    let mut changed = bytes.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x40;
    std::fs::write(&flipped, &changed).expect("write");
    assert_eq!(verify(&satu, &flipped, PASSPHRASE).0, 11, "one bit changed");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a backup\n").expect("write");
    let (code, _, err) = verify(&satu, &text, PASSPHRASE);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a Satu backup"), "{err}");

    let newer = dir.path().join("newer.backup");
    std::fs::write(&newer, newer_backup()).expect("write");
    let (code, _, err) = verify(&satu, &newer, PASSPHRASE);
    assert_eq!(code, 12, "from a newer Satu: {err}");
    assert!(err.contains("newer Satu"), "{err}");

    // A restore of a bad file leaves the target as it was (here: not there at all).
    let target = Satu::new();
    std::fs::remove_dir(target.dir.path()).expect("rmdir");
    for (bad, code) in [(&cut, 11), (&newer, 12)] {
        assert_eq!(restore(&target, bad, PASSPHRASE, &[]).0, code);
        assert!(!target.dir.path().exists(), "nothing written");
    }
    assert_eq!(restore(&target, &file, "wrong passphrase", &[]).0, 10);
    assert!(!target.dir.path().exists());
    let leftovers: Vec<_> = std::fs::read_dir(target.dir.path().parent().expect("parent"))
        .expect("list")
        .flatten()
        .filter(|e| {
            e.file_name().to_string_lossy().contains(&format!(
                "{}.restoring",
                target
                    .dir
                    .path()
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
            ))
        })
        .collect();
    assert!(leftovers.is_empty(), "no staging left: {leftovers:?}");

    // Over a data directory: refused without --replace, moved aside with it.
    let (code, _, err) = restore(&satu, &file, PASSPHRASE, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is not empty") && err.contains("--replace"),
        "{err}"
    );
    let (code, out, err) = restore(&satu, &file, PASSPHRASE, &["--replace"]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).expect("JSON");
    let aside = report["moved_aside"].as_str().expect("moved aside");
    assert!(Path::new(aside).join("satu.db").is_file(), "{report}");
    std::fs::remove_dir_all(aside).expect("clean");
}

/// An age file with a backup's shape whose manifest says it comes from a newer format.
fn newer_backup() -> Vec<u8> {
    let manifest = serde_json::json!({
        "format": "satu-backup",
        "version": 99,
        "satu": "9.0.0",
        "schema": 999,
        "created": "2030-01-01T00:00:00Z",
        "counts": {"mail": 0, "chat": 0, "tasks": 0, "events": 0, "accounts": 0},
        "files": [],
        "audit_head": ""
    })
    .to_string();
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(manifest.len() as u64);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, "manifest.json", manifest.as_bytes())
        .expect("tar");
    let tarred = tar.into_inner().expect("tar");
    let compressed = zstd::encode_all(tarred.as_slice(), 3).expect("zstd");
    let mut recipient = age::scrypt::Recipient::new(PASSPHRASE.to_owned().into());
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("encryptor");
    let mut out = Vec::new();
    let mut writer = encryptor.wrap_output(&mut out).expect("age");
    writer.write_all(&compressed).expect("write");
    writer.finish().expect("finish");
    out
}

#[test]
fn scheduled_backups_are_made_by_watch_verified_and_turn_the_indicator_good() {
    let satu = Satu::new();
    satu.json(&["timeline"]);
    let backup = satu.json(&["health"])["indicators"][4].clone();
    assert_eq!(backup["status"], "off", "{backup}");
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("backups");
    let folder_arg = folder.to_str().expect("path");
    // No passphrase yet: refused at its field.
    let out = satu.run(&[
        "--json", "backup", "schedule", "--every", "24h", "--dir", folder_arg,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("passphrase"));
    let out = satu.run(&["backup", "schedule", "--every", "soon", "--dir", folder_arg]);
    assert_eq!(out.status.code(), Some(2));
    let out = satu.run_with_stdin(
        &[
            "--json",
            "backup",
            "schedule",
            "--every",
            "24h",
            "--dir",
            folder_arg,
            "--keep",
            "1",
            "--passphrase-stdin",
        ],
        &format!("{PASSPHRASE}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let schedule: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        schedule,
        serde_json::json!({"every_hours": 24, "dir": folder_arg, "keep": 1, "passphrase_kept": true})
    );
    assert_eq!(satu.json(&["health"])["indicators"][4]["status"], "bad");
    // A scheduled backup of two days ago, to be pruned once a new one verified (keep 1).
    let old = folder.join("satu-old.tar.zst.age");
    create(&satu, &old, &[]);
    rusqlite::Connection::open(satu.dir.path().join("satu.db"))
        .expect("open the store")
        .execute("UPDATE backups SET scheduled = 1, at = at - 172800", [])
        .expect("age it");
    assert_eq!(satu.json(&["health"])["indicators"][4]["status"], "warning");

    let running = satu
        .command()
        .args(["--json", "watch", "--backup-poll", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("watch");
    let deadline = Instant::now() + Duration::from_secs(60);
    let old_path = old.to_str().expect("path");
    let made = loop {
        let listed = satu.json(&["backup", "list"]);
        let all = listed.as_array().cloned().unwrap_or_default();
        let new = all.iter().find(|b| b["path"] != old_path).cloned();
        let pruned = all
            .iter()
            .any(|b| b["path"] == old_path && b["exists"] == false);
        if let (Some(new), true) = (new, pruned) {
            break new;
        }
        assert!(
            Instant::now() < deadline,
            "no scheduled backup, or the old one not pruned, within 60 s: {listed}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(!old.exists(), "pruned after the new one verified");
    // Within the same day: no second one.
    std::thread::sleep(Duration::from_secs(3));
    stop(running);
    assert_eq!(made["scheduled"], true, "{made}");
    assert_eq!(made["verified"], true, "{made}");
    assert_eq!(made["error"], "", "{made}");
    let path = made["path"].as_str().expect("path");
    assert!(
        path.starts_with(folder_arg) && path.ends_with(".tar.zst.age"),
        "{path}"
    );
    assert_eq!(
        satu.json(&["backup", "list"]).as_array().map(Vec::len),
        Some(2),
        "the new one and the pruned one, no second new one"
    );
    let (code, _, err) = verify(&satu, Path::new(path), PASSPHRASE);
    assert_eq!(code, 0, "{err}");
    let backup = satu.json(&["health"])["indicators"][4].clone();
    assert_eq!(backup["status"], "good", "{backup}");
    assert!(
        backup["detail"]
            .as_str()
            .is_some_and(|d| d.contains("every 24 h")),
        "{backup}"
    );
    let off = satu.json(&["backup", "schedule", "--off"]);
    assert_eq!(off["every_hours"], 0);
}

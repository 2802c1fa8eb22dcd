//! `satu account add` + `satu sync` against a real Dovecot started by tests/servers/dovecot.sh.

mod support;

use serde_json::Value;
use support::{Dovecot, Satu};

fn add(
    satu: &Satu,
    server: &str,
    security: &str,
    password: &str,
    ca_file: Option<&str>,
) -> std::process::Output {
    let mut args = vec![
        "--json",
        "account",
        "add",
        "--email",
        "alice@example.com",
        "--username",
        "alice",
        "--imap",
        server,
        "--smtp",
        server,
        "--security",
        security,
        "--password-stdin",
    ];
    if let Some(ca) = ca_file {
        args.extend_from_slice(&["--ca-file", ca]);
    }
    satu.run_with_stdin(&args, &format!("{password}\n"))
}

fn added_id(out: &std::process::Output) -> i64 {
    assert!(
        out.status.success(),
        "account add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["id"].as_i64().expect("id")
}

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
    let id = added_id(&add(
        &satu,
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
}

#[test]
fn starttls_and_loopback_plain_both_log_in() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    added_id(&add(
        &satu,
        &dovecot.imap(),
        "starttls",
        "alice-pass",
        Some(dovecot.ca_file()),
    ));
    let plain = Satu::new();
    added_id(&add(&plain, &dovecot.imap(), "plain", "alice-pass", None));
    assert_eq!(plain.json(&["sync"])[0]["folders"][0]["name"], "INBOX");
}

#[test]
fn a_wrong_password_is_a_clear_error_and_stores_nothing() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    let out = add(
        &satu,
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
    let out = add(&satu, &dovecot.imaps(), "tls", "alice-pass", None);
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
    added_id(&add(&satu, &dovecot.imap(), "plain", "alice-pass", None));
    drop(dovecot);
    let err = satu.fails(&["sync"], 5);
    assert!(err.contains("Cannot reach the IMAP server"), "{err}");
}

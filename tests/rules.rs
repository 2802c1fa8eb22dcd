//! Rules against a real Dovecot: a rule acts on new mail once (across `satu sync`, a `satu
//! watch` killed with SIGKILL and a restart), leaves the mail that was here before it alone
//! until `rule run`, says what it cannot read at the field, and is in the audit trail.

mod support;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Dovecot, Satu};

/// A mail from `from` with a PDF attached, dated now (rules act on new mail).
fn with_pdf(id: &str, from: &str, subject: &str) -> String {
    with_pdf_dated(id, from, subject, &chrono::Utc::now().to_rfc2822())
}

fn with_pdf_dated(id: &str, from: &str, subject: &str, date: &str) -> String {
    format!(
        "Message-ID: <{id}@rules.test>\r\nFrom: {from}\r\nTo: alice@example.com\r\n\
         Subject: {subject}\r\nDate: {date}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
         See the board pack.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; \
         filename=pack.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    )
}

fn tasks_titled(satu: &Satu, title: &str) -> usize {
    satu.json(&["task", "list"])
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|t| t["title"] == title)
        .count()
}

fn mail(satu: &Satu, subject: &str) -> Value {
    satu.json(&["timeline", "--kind", "mail", "--limit", "100"])
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["title"] == subject)
        .unwrap_or_else(|| panic!("no mail {subject}"))
        .clone()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within 30 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn watch(satu: &Satu) -> Child {
    satu.command()
        .args(["watch", "--interval", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("satu watch")
}

#[test]
fn a_rule_acts_on_new_mail_once_even_across_a_kill_and_leaves_older_mail_until_asked() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    satu.alice(&dovecot);
    dovecot.append(
        "alice",
        "INBOX",
        &with_pdf("before", "CEO <ceo@example.com>", "Pack before the rule"),
    );
    satu.sync_ok();

    // What the rule cannot read is said at its field.
    let bad = satu.fails(
        &[
            "rule",
            "add",
            "--name",
            "x",
            "--when",
            "colour:red",
            "--do",
            "flag",
        ],
        2,
    );
    assert!(bad.contains("colour:"), "{bad}");
    let bad = satu.fails(
        &[
            "rule",
            "add",
            "--name",
            "x",
            "--when",
            "from:a.test",
            "--do",
            "explode",
        ],
        2,
    );
    assert!(bad.contains("not an action"), "{bad}");

    let rule = satu.json(&[
        "rule",
        "add",
        "--name",
        "Board packs",
        "--when",
        "from:ceo@example.com has:attachment",
        "--do",
        "task due:+2d",
        "--do",
        "flag",
    ]);
    let id = rule["id"].as_i64().expect("id");
    assert_eq!(rule["then"], serde_json::json!(["task due:+2d", "flag"]));
    assert_eq!(
        satu.json(&["rule", "list"]).as_array().map(Vec::len),
        Some(1)
    );

    // New mail: the matching one gets its task and its flag (on the server too), once.
    dovecot.append(
        "alice",
        "INBOX",
        &with_pdf("new", "CEO <ceo@example.com>", "Pack after the rule"),
    );
    dovecot.append(
        "alice",
        "INBOX",
        &with_pdf("other", "Bob <bob@example.com>", "Not from the CEO"),
    );
    satu.sync_ok();
    assert_eq!(tasks_titled(&satu, "Pack after the rule"), 1);
    assert_eq!(mail(&satu, "Pack after the rule")["flagged"], true);
    assert_eq!(mail(&satu, "Not from the CEO")["flagged"], false);
    // The mail from before the rule is left alone.
    assert_eq!(tasks_titled(&satu, "Pack before the rule"), 0);
    // Mail stored now but dated a month ago (an account added later brings years of it) is
    // not new mail.
    let month_ago = (chrono::Utc::now() - chrono::Duration::days(30)).to_rfc2822();
    let old = with_pdf_dated(
        "dated",
        "CEO <ceo@example.com>",
        "Pack from last month",
        &month_ago,
    );
    dovecot.append("alice", "INBOX", &old);
    satu.sync_ok();
    assert_eq!(tasks_titled(&satu, "Pack from last month"), 0);
    satu.sync_ok();
    let flagged = dovecot.messages("alice", "INBOX");
    assert!(
        flagged
            .iter()
            .any(|(_, flags, id)| id == "new@rules.test" && flags.contains("\\Flagged")),
        "{flagged:?}"
    );
    assert_eq!(
        tasks_titled(&satu, "Pack after the rule"),
        1,
        "a second sync does nothing again"
    );
    assert_eq!(satu.json(&["rule", "show", &id.to_string()])["runs"], 1);

    // The live sync acts on pushed mail; killed and started again, nothing is done twice.
    let mut live = watch(&satu);
    dovecot.append(
        "alice",
        "INBOX",
        &with_pdf("pushed", "CEO <ceo@example.com>", "Pack pushed"),
    );
    wait_for("the pushed mail's task", || {
        tasks_titled(&satu, "Pack pushed") == 1
    });
    live.kill().expect("kill -9");
    live.wait().expect("reaped");
    let mut again = watch(&satu);
    std::thread::sleep(Duration::from_secs(3));
    again.kill().expect("kill");
    again.wait().expect("reaped");
    satu.sync_ok();
    assert_eq!(tasks_titled(&satu, "Pack pushed"), 1);
    assert_eq!(satu.json(&["rule", "show", &id.to_string()])["runs"], 2);

    // The mail already here, when asked: a dry run counts, a run acts once.
    let dry = satu.json(&["rule", "run", &id.to_string(), "--dry-run"]);
    assert_eq!(dry["matched"], 4, "{dry}");
    assert_eq!(dry["applied"], 0, "{dry}");
    assert_eq!(tasks_titled(&satu, "Pack before the rule"), 0);
    let run = satu.json(&["rule", "run", &id.to_string()]);
    assert_eq!(
        run["applied"], 2,
        "the mail from before and last month's: {run}"
    );
    assert_eq!(tasks_titled(&satu, "Pack before the rule"), 1);
    assert_eq!(tasks_titled(&satu, "Pack from last month"), 1);
    assert_eq!(satu.json(&["rule", "run", &id.to_string()])["applied"], 0);

    // Off, it does nothing; removed, it is gone.
    satu.json(&["rule", "disable", &id.to_string()]);
    dovecot.append(
        "alice",
        "INBOX",
        &with_pdf("off", "CEO <ceo@example.com>", "Pack while off"),
    );
    satu.sync_ok();
    assert_eq!(tasks_titled(&satu, "Pack while off"), 0);
    satu.json(&["rule", "remove", &id.to_string()]);
    assert_eq!(satu.json(&["rule", "list"]), serde_json::json!([]));
    satu.fails(&["rule", "show", &id.to_string()], 3);

    // The trail: the rule made, what it did (origin rule), removed.
    let trail = satu.json(&["audit", "--kind", "rule."]);
    let kinds: Vec<&str> = trail
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert!(
        kinds.contains(&"rule.add")
            && kinds.contains(&"rule.run")
            && kinds.contains(&"rule.remove"),
        "{kinds:?}"
    );
    let flags = satu.json(&["audit", "--kind", "mail.flag"]);
    assert!(
        flags
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["origin"] == "rule"),
        "{flags}"
    );
}

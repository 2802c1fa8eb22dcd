//! Helpers shared by the integration tests: run the real `satu` binary on a private data
//! directory, and start a private Dovecot with the project's own script.
#![allow(dead_code)]

pub mod dkim;
pub mod matrix;
pub mod proxy;
pub mod world;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `KEY=VALUE KEY=VALUE …` line a test server's script prints, as a map.
pub fn key_values(line: &str) -> BTreeMap<String, String> {
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A `satu` with its own data directory.
pub struct Satu {
    pub dir: tempfile::TempDir,
}

/// The passphrase of the tests' backups.
pub const BACKUP_PASSPHRASE: &str = "correct horse battery staple";

impl Satu {
    pub fn new() -> Satu {
        Satu {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_satu"));
        cmd.arg("--data-dir")
            .arg(self.dir.path())
            // Headless tests use the kernel keyring; the desktop default is the Secret Service.
            .env("SATU_KEYRING", "keyutils")
            // No test asks the world's DNS about the domains in its mail (DKIM, SPF, DMARC):
            // a test that needs DNS points SATU_DNS_SERVER at its own local server.
            .env("SATU_DNS_SERVER", "none")
            .env_remove("SATU_DATA_DIR")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `satu ARGS`, feeding `stdin`.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut command = self.command();
        command.args(args);
        output_with_stdin(command, stdin)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run satu")
    }

    /// Runs `satu --json ARGS`, asserts success, parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "satu {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "satu {args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// `satu --json account add` for alice (login `alice`) with IMAP and SMTP on `server`
    /// (`host:port`): the raw output, so that failures can be examined.
    pub fn add_alice(
        &self,
        server: &str,
        security: &str,
        password: &str,
        ca_file: Option<&str>,
    ) -> Output {
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
        self.run_with_stdin(&args, &format!("{password}\n"))
    }

    /// Adds alice's plain loopback account on `server` (`host:port`); returns its id.
    pub fn alice_on(&self, server: &str) -> i64 {
        added_id(&self.add_alice(server, "plain", "alice-pass", None))
    }

    /// Adds alice's account: IMAP on `dovecot` (plain, loopback) and SMTP with STARTTLS on
    /// `smtp` (its CA trusted); returns its id.
    pub fn alice_with_smtp(&self, dovecot: &Dovecot, smtp: &Smtp) -> i64 {
        added_id(&self.run_with_stdin(
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
                &smtp.addr("SMTP_PORT"),
                "--security",
                "plain",
                "--smtp-security",
                "starttls",
                "--ca-file",
                smtp.var("CA_FILE"),
                "--password-stdin",
            ],
            "alice-pass\n",
        ))
    }

    /// `satu --json backup create --out OUT --passphrase-stdin EXTRA…` with
    /// [`BACKUP_PASSPHRASE`]: the raw output.
    pub fn backup_create(&self, out: &Path, extra: &[&str]) -> Output {
        let mut args = vec![
            "--json",
            "backup",
            "create",
            "--out",
            out.to_str().expect("a UTF-8 path"),
            "--passphrase-stdin",
        ];
        args.extend_from_slice(extra);
        self.run_with_stdin(&args, &format!("{BACKUP_PASSPHRASE}\n"))
    }

    /// `satu --json backup restore FILE --passphrase-stdin EXTRA…` into this data directory,
    /// with `passphrase`: the raw output.
    pub fn backup_restore(&self, file: &Path, passphrase: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "--json",
            "backup",
            "restore",
            file.to_str().expect("a UTF-8 path"),
            "--passphrase-stdin",
        ];
        args.extend_from_slice(extra);
        self.run_with_stdin(&args, &format!("{passphrase}\n"))
    }

    /// Adds alice's plain loopback account on `dovecot`; returns its id.
    pub fn alice(&self, dovecot: &Dovecot) -> i64 {
        self.alice_on(&dovecot.imap())
    }

    /// `satu sync` of the first account, asserting that every folder synced; its report.
    pub fn sync_ok(&self) -> Value {
        let reports = self.json(&["sync"]);
        let report = reports[0].clone();
        for f in report["folders"].as_array().expect("folders") {
            assert!(f["error"].is_null(), "folder failed: {f}");
        }
        report
    }

    /// Runs `satu ARGS`, asserts failure with `code`, returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "satu {args:?}: unexpected exit; stderr: {stderr}"
        );
        assert!(
            out.stdout.is_empty(),
            "errors print nothing on stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        stderr
    }
}

/// Runs `command`, feeding `stdin`; its output.
pub fn output_with_stdin(mut command: Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn satu");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait satu")
}

/// The id `satu --json account add` printed, asserting that it succeeded.
pub fn added_id(out: &Output) -> i64 {
    assert!(
        out.status.success(),
        "account add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["id"].as_i64().expect("id")
}

/// A private Dovecot on 127.0.0.1, stopped on drop.
pub struct Dovecot {
    pub dir: tempfile::TempDir,
    pub vars: BTreeMap<String, String>,
}

impl Dovecot {
    pub fn start() -> Dovecot {
        Self::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Dovecot {
        let dir = tempfile::tempdir().expect("tempdir");
        let vars = start_in(dir.path(), env);
        Dovecot { dir, vars }
    }

    /// Stops the server, keeping its mail (a network outage, as far as Satu can tell).
    pub fn stop(&self) {
        script(&["stop"], self.dir.path());
    }

    /// Starts the stopped server again: same ports, same mail, same personality.
    pub fn restart(&self) {
        self.restart_with(&[]);
    }

    /// [`Dovecot::restart`] with more of `dovecot.sh`'s settings (those given at the first start
    /// are not remembered).
    pub fn restart_with(&self, more: &[(&str, &str)]) {
        let mut env = vec![
            ("IMAP_PORT", self.var("IMAP_PORT")),
            ("IMAPS_PORT", self.var("IMAPS_PORT")),
            ("PERSONALITY", self.var("PERSONALITY")),
        ];
        env.extend_from_slice(more);
        start_in(self.dir.path(), &env);
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("dovecot.sh did not print {name}"))
    }

    pub fn imap(&self) -> String {
        format!("127.0.0.1:{}", self.var("IMAP_PORT"))
    }

    pub fn imaps(&self) -> String {
        format!("127.0.0.1:{}", self.var("IMAPS_PORT"))
    }

    pub fn ca_file(&self) -> &str {
        self.var("CA_FILE")
    }
}

fn script(args: &[&str], dir: &Path) -> Output {
    Command::new("bash")
        .arg(repo().join("tests/servers/dovecot.sh"))
        .args(args)
        .arg(dir)
        .output()
        .expect("run tests/servers/dovecot.sh (run tests/servers/install.sh first)")
}

/// `dovecot.sh start DIR` with `env`; returns the variables it prints.
fn start_in(dir: &Path, env: &[(&str, &str)]) -> BTreeMap<String, String> {
    let out = Command::new("bash")
        .arg(repo().join("tests/servers/dovecot.sh"))
        .arg("start")
        .arg(dir)
        .envs(env.iter().copied())
        .output()
        .expect("run tests/servers/dovecot.sh (run tests/servers/install.sh first)");
    assert!(
        out.status.success(),
        "Dovecot did not start: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.contains("IMAP_PORT="))
        .expect("dovecot.sh prints its ports");
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches(['"', '\'']).to_owned()))
        .collect()
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        script(&["stop"], self.dir.path());
    }
}

impl Dovecot {
    /// Delivers `raw` into `user`'s `folder` (`dovecot.sh append`).
    pub fn append(&self, user: &str, folder: &str, raw: &str) {
        let mut child = Command::new("bash")
            .arg(repo().join("tests/servers/dovecot.sh"))
            .arg("append")
            .arg(self.dir.path())
            .args([user, folder, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run dovecot.sh append");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(raw.as_bytes())
            .expect("write message");
        let out = child.wait_with_output().expect("wait append");
        assert!(
            out.status.success(),
            "append failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The messages of `user`'s `folder` on the server: (UID, flags, Message-ID without angle
    /// brackets), by UID.
    pub fn messages(&self, user: &str, folder: &str) -> Vec<(u32, String, String)> {
        let out = self.doveadm(&[
            "fetch",
            "-u",
            user,
            "uid flags hdr.message-id",
            "mailbox",
            folder,
        ]);
        let mut messages = Vec::new();
        for record in out.split('\u{c}').filter(|r| !r.trim().is_empty()) {
            let field = |name: &str| {
                record
                    .lines()
                    .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
                    .unwrap_or_default()
            };
            let uid = field("uid:").parse().expect("uid");
            let id = field("hdr.message-id:");
            messages.push((uid, field("flags:"), id.trim_matches(['<', '>']).to_owned()));
        }
        messages.sort();
        messages
    }

    /// Another client changes flags: `op` is `add` or `remove`, `uids` a UID set of alice's
    /// `folder` (`doveadm flags`).
    pub fn flags(&self, op: &str, flag: &str, folder: &str, uids: &str) {
        self.doveadm(&[
            "flags", op, "-u", "alice", flag, "mailbox", folder, "uid", uids,
        ]);
    }

    /// Runs `doveadm -c DOVECOT_CONF ARGS` (another client changing the mailbox), asserting
    /// success.
    pub fn doveadm(&self, args: &[&str]) -> String {
        let out = Command::new("doveadm")
            .arg("-c")
            .arg(self.var("DOVECOT_CONF"))
            .args(args)
            .output()
            .expect("run doveadm");
        assert!(
            out.status.success(),
            "doveadm {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// A small RFC 5322 message.
pub fn message(message_id: &str, subject: &str, day: u32) -> String {
    format!(
        "From: Carol <carol@example.com>\r\nTo: alice@example.com\r\nSubject: {subject}\r\n\
         Date: {day:02} Nov 2026 10:00:00 +0000\r\nMessage-ID: <{message_id}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nBody of {subject}.\r\n"
    )
}

impl Dovecot {
    /// Loads many messages fast: writes them straight into `user`'s INBOX Maildir (`cur/`), owned
    /// like the Maildir, then lets Dovecot index them. The INBOX must exist (append once first).
    pub fn bulk_load(&self, user: &str, messages: impl Iterator<Item = String>) {
        self.bulk_load_received(user, messages, None);
    }

    /// [`Dovecot::bulk_load`], the messages received (IMAP INTERNALDATE: the files' time) on
    /// `received` (`touch -d` syntax, e.g. "2025-01-15") instead of now.
    pub fn bulk_load_received(
        &self,
        user: &str,
        messages: impl Iterator<Item = String>,
        received: Option<&str>,
    ) {
        use std::os::unix::fs::MetadataExt as _;
        let maildir = self.dir.path().join("home").join(user).join("Maildir");
        let meta = std::fs::metadata(&maildir).expect("the Maildir exists (append first)");
        let cur = maildir.join("cur");
        for (i, raw) in messages.enumerate() {
            let stamp = received.map_or(0, |_| 1);
            let path = cur.join(format!(
                "1700000000.M{i}P{stamp}.satu-test,S={}:2,",
                raw.len()
            ));
            std::fs::write(&path, raw).expect("write message file");
            std::os::unix::fs::chown(&path, Some(meta.uid()), Some(meta.gid())).expect("chown");
            if let Some(date) = received {
                let touched = Command::new("touch")
                    .args(["-d", date])
                    .arg(&path)
                    .status()
                    .expect("touch");
                assert!(touched.success(), "touch -d {date}");
            }
        }
        self.doveadm(&["index", "-u", user, "INBOX"]);
    }
}

/// Flag names (as `doveadm` prints them) as the bits the store keeps per folder copy: `\Seen` 1,
/// `\Flagged` 2, `\Answered` 4, `\Draft` 8, `\Deleted` 16; others (`\Recent`, keywords) ignored.
pub fn flag_bits(names: &str) -> u32 {
    names
        .split_whitespace()
        .map(|f| match f.to_ascii_lowercase().as_str() {
            "\\seen" => 1,
            "\\flagged" => 2,
            "\\answered" => 4,
            "\\draft" => 8,
            "\\deleted" => 16,
            _ => 0,
        })
        .fold(0, |a, b| a | b)
}

/// One IMAP copy of a message: (folder, UID, flag bits, Message-ID).
pub type Copy = (String, u32, u32, String);

impl Dovecot {
    /// The server's copies in `folders` of `user`'s mailbox, sorted.
    pub fn copies(&self, user: &str, folders: &[&str]) -> Vec<Copy> {
        let mut all = Vec::new();
        for folder in folders {
            for (uid, flags, id) in self.messages(user, folder) {
                all.push(((*folder).to_owned(), uid, flag_bits(&flags), id));
            }
        }
        all.sort();
        all
    }
}

impl Satu {
    /// The local database, read directly (only while no `satu` runs).
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            self.dir.path().join("satu.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open satu.db")
    }

    /// The local IMAP copies: (folder, UID, flag bits, Message-ID), sorted.
    pub fn copies(&self) -> Vec<Copy> {
        let db = self.db();
        let mut stmt = db
            .prepare(
                "SELECT f.name, mf.uid, mf.flags, m.message_id FROM mail_folders mf
                 JOIN folders f ON f.id = mf.folder_id JOIN mail m ON m.item_id = mf.item_id
                 WHERE mf.uid > 0",
            )
            .expect("prepare");
        let mut all: Vec<Copy> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        all.sort();
        all
    }

    /// Asserts what must hold after any interruption: every mail item has its row, its raw
    /// message and at least one folder; no Message-ID twice in an account; no UID twice in a
    /// folder; no mail made into two tasks. Returns the number of mail items.
    pub fn assert_consistent(&self) -> usize {
        let db = self.db();
        let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).expect(sql) };
        let items = count("SELECT COUNT(*) FROM items WHERE kind = 'mail'");
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM items i WHERE kind = 'mail' AND (
                     NOT EXISTS (SELECT 1 FROM mail m WHERE m.item_id = i.id)
                  OR NOT EXISTS (SELECT 1 FROM mail_raw r WHERE r.item_id = i.id)
                  OR NOT EXISTS (SELECT 1 FROM mail_folders f WHERE f.item_id = i.id))"
            ),
            0,
            "an item without its mail row, raw message or folder"
        );
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM (SELECT 1 FROM mail GROUP BY account_id, message_id
                   HAVING COUNT(*) > 1)"
            ),
            0,
            "a Message-ID stored twice"
        );
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM (SELECT 1 FROM mail_folders WHERE uid > 0
                   GROUP BY folder_id, uid HAVING COUNT(*) > 1)"
            ),
            0,
            "a UID stored twice"
        );
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM (SELECT 1 FROM tasks t JOIN items i ON i.id = t.item_id
                   WHERE t.mail_message_id != '' GROUP BY i.account_id, t.mail_message_id
                   HAVING COUNT(*) > 1)"
            ),
            0,
            "two tasks made from one mail"
        );
        items as usize
    }
}

/// A private SMTP submission server on 127.0.0.1 (`tests/servers/smtp.sh`), stopped on drop.
pub struct Smtp {
    pub dir: tempfile::TempDir,
    pub vars: BTreeMap<String, String>,
}

impl Smtp {
    /// Starts one with `env` (e.g. `SAVE_SENT_DOVECOT`, `SMTP_USERS`).
    pub fn start_with(env: &[(&str, &str)]) -> Smtp {
        let dir = tempfile::tempdir().expect("tempdir");
        let vars = smtp_start(dir.path(), env);
        Smtp { dir, vars }
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("smtp.sh did not print {name}"))
    }

    /// `host:port` of the listener `name` (`SMTP_PORT`, `SUBMISSIONS_PORT`, `SMTP_PLAIN_PORT`).
    pub fn addr(&self, name: &str) -> String {
        format!("127.0.0.1:{}", self.var(name))
    }

    /// Stops it (an outage); `restart` brings it back on the same ports.
    pub fn stop(&self) {
        smtp_script(&["stop"], self.dir.path());
    }

    pub fn restart(&self, env: &[(&str, &str)]) {
        let mut all: Vec<(&str, &str)> = ["SMTP_PORT", "SUBMISSIONS_PORT", "SMTP_PLAIN_PORT"]
            .iter()
            .map(|k| (*k, self.var(k)))
            .collect();
        all.extend_from_slice(env);
        smtp_start(self.dir.path(), &all);
    }

    /// Every message it accepted: its SMTP_LOG lines.
    pub fn log(&self) -> Vec<Value> {
        std::fs::read_to_string(self.var("SMTP_LOG"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("log line"))
            .collect()
    }

    /// How many accepted messages had this Message-ID (without angle brackets).
    pub fn count(&self, message_id: &str) -> usize {
        let wanted = format!("<{message_id}>");
        self.log()
            .iter()
            .filter(|l| l["message_id"] == wanted.as_str())
            .count()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        smtp_script(&["stop"], self.dir.path());
    }
}

fn smtp_script(args: &[&str], dir: &Path) -> Output {
    Command::new("bash")
        .arg(repo().join("tests/servers/smtp.sh"))
        .args(args)
        .arg(dir)
        .output()
        .expect("run tests/servers/smtp.sh (run tests/servers/install.sh first)")
}

fn smtp_start(dir: &Path, env: &[(&str, &str)]) -> BTreeMap<String, String> {
    let out = Command::new("bash")
        .arg(repo().join("tests/servers/smtp.sh"))
        .arg("start")
        .arg(dir)
        .envs(env.iter().copied())
        .output()
        .expect("run tests/servers/smtp.sh (run tests/servers/install.sh first)");
    assert!(
        out.status.success(),
        "the SMTP server did not start: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.contains("SMTP_PORT="))
        .expect("smtp.sh prints its ports");
    key_values(line)
}

/// A private Radicale CalDAV server on 127.0.0.1 (`tests/servers/radicale.sh`), stopped on drop.
pub struct Radicale {
    pub dir: tempfile::TempDir,
    pub vars: BTreeMap<String, String>,
}

impl Radicale {
    pub fn start() -> Radicale {
        Self::start_with(&[])
    }

    /// Starts one with radicale.sh's settings `env` (e.g. `OAUTH2_INTROSPECTION_URL`).
    pub fn start_with(env: &[(&str, &str)]) -> Radicale {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new("bash")
            .arg(repo().join("tests/servers/radicale.sh"))
            .arg("start")
            .arg(dir.path())
            .envs(env.iter().copied())
            .output()
            .expect("run tests/servers/radicale.sh (run tests/servers/install.sh first)");
        assert!(
            out.status.success(),
            "Radicale did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.contains("RADICALE_URL="))
            .expect("radicale.sh prints its URL");
        let vars = key_values(line);
        Radicale { dir, vars }
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("radicale.sh did not print {name}"))
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("tests/servers/radicale.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

impl Radicale {
    /// Stops it (an outage); `start_again` brings it back with its data.
    pub fn stop(&self) {
        let _ = Command::new("bash")
            .arg(repo().join("tests/servers/radicale.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }

    pub fn start_again(&self) {
        self.start_again_with(&[]);
    }

    /// `start_again` with more of radicale.sh's settings (e.g. `RADICALE_MAX_REPORT_VEVENTS`).
    pub fn start_again_with(&self, settings: &[(&str, &str)]) {
        let out = Command::new("bash")
            .arg(repo().join("tests/servers/radicale.sh"))
            .arg("start")
            .arg(self.dir.path())
            .envs([
                ("RADICALE_PORT", self.var("RADICALE_PORT")),
                ("RADICALE_TLS_PORT", self.var("RADICALE_TLS_PORT")),
            ])
            .envs(settings.iter().copied())
            .output()
            .expect("radicale.sh");
        assert!(
            out.status.success(),
            "Radicale did not start again: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A private Xandikos CalDAV server on 127.0.0.1 (`tests/servers/xandikos.sh`; no
/// authentication), stopped on drop.
pub struct Xandikos {
    pub dir: tempfile::TempDir,
    pub vars: BTreeMap<String, String>,
}

impl Xandikos {
    pub fn start() -> Xandikos {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new("bash")
            .arg(repo().join("tests/servers/xandikos.sh"))
            .arg("start")
            .arg(dir.path())
            .output()
            .expect("run tests/servers/xandikos.sh (run tests/servers/install.sh first)");
        assert!(
            out.status.success(),
            "Xandikos did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.contains("XANDIKOS_URL="))
            .expect("xandikos.sh prints its URL");
        let vars = key_values(line);
        Xandikos { dir, vars }
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("xandikos.sh did not print {name}"))
    }
}

impl Drop for Xandikos {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("tests/servers/xandikos.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

/// The second CalDAV client (`tests/servers/caldav_peer.sh`, the Python `caldav` package).
pub struct Peer {
    pub url: String,
    pub user: String,
    pub password: String,
}

impl Peer {
    /// Runs a peer command; its exit code and its JSON (Null when it printed none).
    pub fn try_run(&self, args: &[&str]) -> (i32, Value) {
        let out = Command::new("bash")
            .arg(repo().join("tests/servers/caldav_peer.sh"))
            .args([
                "--url",
                &self.url,
                "--user",
                &self.user,
                "--password",
                &self.password,
            ])
            .args(args)
            .output()
            .expect("run tests/servers/caldav_peer.sh");
        let value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let code = out.status.code().unwrap_or(-1);
        if code != 0 && code != 3 && code != 4 {
            panic!(
                "caldav_peer {args:?} failed ({code}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        (code, value)
    }

    pub fn run(&self, args: &[&str]) -> Value {
        let (code, value) = self.try_run(args);
        assert_eq!(code, 0, "caldav_peer {args:?}: exit {code}");
        value
    }
}

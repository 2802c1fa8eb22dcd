//! Signing in through a provider (OAuth2) against real parts on 127.0.0.1: an OpenID Connect
//! provider (npm `oidc-provider`, tests/servers/oidc.sh), Dovecot with its OAuth2 passdb and the
//! project's SMTP server, both checking tokens by introspection, and
//! tests/servers/oidc_browser.py playing the browser (`SATU_BROWSER`).
//!
//! What is proven: `account add --oauth` signs in through the browser (PKCE, loopback redirect)
//! and the account syncs over IMAP (OAUTHBEARER) and sends over SMTP (XOAUTH2) with the token; a
//! short-lived token is refreshed (also in a long-lived process whose connection comes back after
//! the token ended); a revoked refresh token puts the account in "sign in again" (exit code 9,
//! `account list`), and `account signin` brings it back; a refused sign-in stores nothing; and no
//! token the provider issued is in the database, its WAL or anything Satu printed.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{repo, Dovecot, Radicale, Satu, Smtp};

/// The provider, stopped on drop.
struct Oidc {
    dir: tempfile::TempDir,
    vars: BTreeMap<String, String>,
}

impl Oidc {
    fn start(env: &[(&str, &str)]) -> Oidc {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new("bash")
            .arg(repo().join("tests/servers/oidc.sh"))
            .arg("start")
            .arg(dir.path())
            .envs(env.iter().copied())
            .output()
            .expect("run tests/servers/oidc.sh (run tests/servers/install.sh first)");
        assert!(
            out.status.success(),
            "the OpenID Connect provider did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let vars = support::key_values(&String::from_utf8_lossy(&out.stdout));
        Oidc { dir, vars }
    }

    fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("oidc.sh did not print {name}"))
    }

    /// A test route of the provider (`/_test/revoke`, `/_test/issued`).
    fn admin(&self, method: &str, path: &str) -> Value {
        let out = Command::new("curl")
            .args(["-sS", "--fail", "-X", method])
            .arg(format!("{}{path}", self.var("OIDC_ISSUER")))
            .output()
            .expect("curl");
        assert!(
            out.status.success(),
            "{method} {path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    /// Every token value the provider issued so far.
    fn issued(&self) -> Vec<String> {
        let issued = self.admin("GET", "/_test/issued");
        ["access_tokens", "refresh_tokens"]
            .iter()
            .flat_map(|k| issued[k].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    /// How many token requests (code exchanges and refreshes) the provider answered.
    fn token_requests(&self) -> usize {
        std::fs::read_to_string(self.var("OIDC_LOG"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("POST /token") && !l.contains("introspection"))
            .count()
    }
}

impl Drop for Oidc {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("tests/servers/oidc.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

/// The provider, a Dovecot and an SMTP server that take its tokens, and a Satu.
struct World {
    oidc: Oidc,
    dovecot: Dovecot,
    smtp: Smtp,
    satu: Satu,
    /// Everything Satu printed, for the canary scan.
    printed: std::cell::RefCell<Vec<u8>>,
}

impl World {
    fn start(access_ttl: &str) -> World {
        let oidc = Oidc::start(&[("OIDC_ACCESS_TTL", access_ttl)]);
        let introspection = oidc.var("OIDC_INTROSPECTION_URL").to_owned();
        let dovecot = Dovecot::start_with(&[("OAUTH2_INTROSPECTION_URL", &introspection)]);
        let smtp = Smtp::start_with(&[("OAUTH2_INTROSPECTION_URL", &introspection)]);
        World {
            oidc,
            dovecot,
            smtp,
            satu: Satu::new(),
            printed: Default::default(),
        }
    }

    /// `satu ARGS` with the browser played by oidc_browser.py (as `login`, or denying).
    fn run(&self, args: &[&str], browser: &[(&str, &str)]) -> Output {
        let mut command = self.satu.command();
        command.args(args).env(
            "SATU_BROWSER",
            format!(
                "python3 {}",
                repo().join("tests/servers/oidc_browser.py").display()
            ),
        );
        command.envs(browser.iter().copied());
        let out = command.output().expect("run satu");
        let mut printed = self.printed.borrow_mut();
        printed.extend_from_slice(&out.stdout);
        printed.extend_from_slice(&out.stderr);
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all, &[]);
        assert!(
            out.status.success(),
            "satu {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    }

    /// `account add --oauth` for alice (login `alice`, the provider's `sub`).
    fn add(&self, browser: &[(&str, &str)]) -> Output {
        let imap = self.dovecot.imap();
        let smtp = self.smtp.addr("SMTP_PLAIN_PORT");
        self.run(
            &[
                "--json",
                "account",
                "add",
                "--email",
                "alice@localhost",
                "--username",
                "alice",
                "--imap",
                &imap,
                "--smtp",
                &smtp,
                "--security",
                "plain",
                "--oauth",
                "--issuer",
                self.oidc.var("OIDC_ISSUER"),
                "--client-id",
                self.oidc.var("OIDC_CLIENT_ID"),
            ],
            browser,
        )
    }

    fn added(&self) -> i64 {
        let out = self.add(&[]);
        assert!(
            out.status.success(),
            "account add --oauth failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("sign in at {}/", self.oidc.var("OIDC_ISSUER"))),
            "the sign-in page's address is printed: {stderr}"
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        v["id"].as_i64().expect("id")
    }

    fn deliver(&self, subject: &str) {
        self.dovecot.append(
            "alice",
            "INBOX",
            &support::message(&format!("{subject}@oauth.test"), subject, 3),
        );
    }

    /// The subjects in alice's timeline.
    fn subjects(&self) -> Vec<String> {
        self.json(&["timeline"])
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["title"].as_str().map(str::to_owned))
            .collect()
    }

    /// No token the provider issued is in Satu's files or in anything it printed.
    fn assert_no_token_leaked(&self) {
        let tokens = self.oidc.issued();
        assert!(!tokens.is_empty(), "the provider issued tokens");
        let mut places: Vec<(String, Vec<u8>)> =
            vec![("output".into(), self.printed.borrow().clone())];
        for entry in walk(self.satu.dir.path()) {
            if let Ok(bytes) = std::fs::read(&entry) {
                places.push((entry.display().to_string(), bytes));
            }
        }
        for token in &tokens {
            for (place, bytes) in &places {
                assert!(
                    !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                    "a token the provider issued is in {place}"
                );
            }
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn an_account_signs_in_through_the_provider_syncs_and_sends_with_its_token() {
    let world = World::start("3600");
    let id = world.added();
    let accounts = world.json(&["account", "list"]);
    assert_eq!(accounts[0]["auth"], "oauth2", "{accounts}");
    assert_eq!(accounts[0]["sign_in_again"], false);

    world.deliver("Quarterly numbers");
    let reports = world.json(&["sync"]);
    assert_eq!(reports[0]["fetched"], 1, "{reports}");
    assert_eq!(world.subjects(), ["Quarterly numbers"]);
    let log =
        std::fs::read_to_string(world.dovecot.dir.path().join("dovecot.log")).unwrap_or_default();
    assert!(
        log.contains("OAUTHBEARER") || log.contains("oauthbearer"),
        "IMAP logged in with OAUTHBEARER (Dovecot offers it): {}",
        log.lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );

    let sent = world.json(&[
        "send",
        "--account",
        &id.to_string(),
        "--to",
        "bob@example.com",
        "--subject",
        "Sent with a token",
        "--body",
        "Hello",
    ]);
    assert!(
        sent.to_string().contains("sent") || sent["id"].is_number(),
        "{sent}"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while world.smtp.log().is_empty() && Instant::now() < deadline {
        let _ = world.run(&["outbox", "flush"], &[]);
        std::thread::sleep(Duration::from_millis(300));
    }
    let log = world.smtp.log();
    assert_eq!(log.len(), 1, "the SMTP server took the message: {log:?}");
    assert_eq!(log[0]["auth_user"], "alice", "{log:?}");

    world.assert_no_token_leaked();
}

/// `satu watch --json` of `world`, its output lines on a channel; killed on drop.
struct Watch {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Watch {
    fn start(world: &World) -> Watch {
        let mut child = world
            .satu
            .command()
            .args(["watch", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("satu watch");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines }
    }

    /// Whether a line with `what` comes within 30 s.
    fn saw(&self, what: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                if line.contains(what) {
                    return true;
                }
            }
        }
        false
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Stops the world's Dovecot for `pause` and starts it again (same ports, same token check).
fn outage(world: &World, pause: Duration) {
    world.dovecot.stop();
    std::thread::sleep(pause);
    let introspection = world.oidc.var("OIDC_INTROSPECTION_URL").to_owned();
    world
        .dovecot
        .restart_with(&[("OAUTH2_INTROSPECTION_URL", &introspection)]);
}

#[test]
fn a_short_lived_token_is_renewed_also_in_a_long_lived_process() {
    let world = World::start("3");
    world.added();
    // A new process: no token in memory, the refresh token from the keyring gives one.
    std::thread::sleep(Duration::from_secs(4));
    world.deliver("After expiry");
    let before = world.oidc.token_requests();
    world.json(&["sync"]);
    assert!(
        world.oidc.token_requests() > before,
        "the sync renewed the token"
    );
    assert_eq!(world.subjects(), ["After expiry"]);

    // `satu watch` stays; the server goes away and comes back after the token ended: the
    // connection that comes back renews it before logging in, and new mail still arrives.
    let watch = Watch::start(&world);
    world.deliver("While watching");
    assert!(watch.saw("While watching"), "watch saw the first mail");
    outage(&world, Duration::from_secs(4));
    world.deliver("After the outage");
    assert!(
        watch.saw("After the outage"),
        "the watch came back with a renewed token and saw the new mail"
    );
    world.assert_no_token_leaked();
}

#[test]
fn a_revoked_sign_in_asks_to_sign_in_again_and_signin_brings_the_account_back() {
    let world = World::start("3600");
    let id = world.added();
    world.json(&["sync"]);
    world.oidc.admin("POST", "/_test/revoke");

    let out = world.run(&["sync"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(9), "exit code 9: {stderr}");
    assert!(stderr.contains("sign in again"), "{stderr}");
    assert!(
        stderr.contains(&format!("satu account signin {id}")),
        "{stderr}"
    );
    let accounts = world.json(&["account", "list"]);
    assert_eq!(accounts[0]["sign_in_again"], true, "{accounts}");
    // No password fallback, no request to the provider once it said no.
    let before = world.oidc.token_requests();
    let again = world.run(&["sync"], &[]);
    assert_eq!(again.status.code(), Some(9));
    assert_eq!(
        world.oidc.token_requests(),
        before,
        "nothing asked of the provider again"
    );

    let signed = world.json(&["account", "signin", &id.to_string()]);
    assert_eq!(signed["sign_in_again"], false, "{signed}");
    // The sign-in is in the audit trail (adding the account is `account.add`).
    let trail = world.json(&["audit", "--kind", "account.sign_in"]);
    assert_eq!(trail.as_array().map(Vec::len), Some(1), "{trail}");
    assert!(trail
        .as_array()
        .expect("entries")
        .iter()
        .all(|e| e["account"] == id));
    world.deliver("Back again");
    world.json(&["sync"]);
    assert!(world.subjects().contains(&"Back again".to_owned()));
    world.assert_no_token_leaked();
}

#[test]
fn a_refused_sign_in_stores_nothing_and_says_why() {
    let world = World::start("3600");
    let out = world.add(&[("OIDC_DENY", "1")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("access_denied"), "{stderr}");
    assert!(
        stderr.contains("[oauth]"),
        "the error names its field: {stderr}"
    );
    assert_eq!(world.json(&["account", "list"]), serde_json::json!([]));

    // Signed in as alice, but the login name is bob's: the server refuses the token, said at
    // the login name.
    let imap = world.dovecot.imap();
    let smtp = world.smtp.addr("SMTP_PLAIN_PORT");
    let out = world.run(
        &[
            "account",
            "add",
            "--email",
            "bob@localhost",
            "--username",
            "bob",
            "--imap",
            &imap,
            "--smtp",
            &smtp,
            "--security",
            "plain",
            "--oauth",
            "--issuer",
            world.oidc.var("OIDC_ISSUER"),
            "--client-id",
            world.oidc.var("OIDC_CLIENT_ID"),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("refused the sign-in token for bob"),
        "{stderr}"
    );
    assert!(stderr.contains("[username]"), "{stderr}");
    assert_eq!(world.json(&["account", "list"]), serde_json::json!([]));

    // An issuer that is not one: said at the issuer field, within seconds.
    let started = Instant::now();
    let out = world.run(
        &[
            "account",
            "add",
            "--email",
            "alice@localhost",
            "--imap",
            &world.dovecot.imap(),
            "--smtp",
            &world.smtp.addr("SMTP_PLAIN_PORT"),
            "--security",
            "plain",
            "--oauth",
            "--issuer",
            "http://127.0.0.1:9",
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("[issuer]"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn calendars_beside_the_mail_sign_in_with_its_token() {
    let world = World::start("3600");
    let introspection = world.oidc.var("OIDC_INTROSPECTION_URL").to_owned();
    // Radicale behind a proxy that takes only bearer tokens (checked with the provider).
    let radicale = Radicale::start_with(&[("OAUTH2_INTROSPECTION_URL", &introspection)]);
    let mail = world.added();
    let added = world.json(&[
        "account",
        "add-caldav",
        "--url",
        radicale.var("RADICALE_URL"),
        "--username",
        "alice",
        "--signed-in-with",
        &mail.to_string(),
    ]);
    let dav = added["id"].as_i64().expect("id");
    let calendars = world.json(&["calendar", "list"]);
    assert!(
        calendars
            .as_array()
            .expect("calendars")
            .iter()
            .any(|c| c["account"] == dav && c["name"] == "Tasks"),
        "{calendars}"
    );
    let accounts = world.json(&["account", "list"]);
    assert_eq!(accounts[1]["auth"], "oauth2", "{accounts}");

    // A task made from mail goes to the server with the token.
    world.deliver("Renew the lease");
    world.json(&["sync"]);
    let mail_item = world.json(&["timeline", "--kind", "mail"])[0]["id"].clone();
    world.json(&["task", "from-mail", &mail_item.to_string()]);
    world.json(&["sync"]);
    let log = std::fs::read_to_string(radicale.var("BEARER_LOG")).unwrap_or_default();
    assert!(
        log.lines()
            .any(|l| l.contains("PUT") && l.contains("sub=alice")),
        "the task went to the server as alice: {log}"
    );

    // One sign-in for both: revoked, the calendars ask to sign in again too.
    world.oidc.admin("POST", "/_test/revoke");
    let out = world.run(&["sync", "--account", &dav.to_string()], &[]);
    assert_eq!(
        out.status.code(),
        Some(9),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let accounts = world.json(&["account", "list"]);
    assert_eq!(
        (&accounts[0]["sign_in_again"], &accounts[1]["sign_in_again"]),
        (&Value::Bool(true), &Value::Bool(true)),
        "{accounts}"
    );
    // Signing the calendars in again signs the mail account in: both work again.
    world.json(&["account", "signin", &dav.to_string()]);
    world.json(&["sync"]);
    let accounts = world.json(&["account", "list"]);
    assert_eq!(accounts[1]["sign_in_again"], false, "{accounts}");
    world.assert_no_token_leaked();
}

#[test]
fn a_token_the_server_refuses_is_renewed_once_and_the_login_goes_on() {
    let world = World::start("3600");
    world.added();
    let watch = Watch::start(&world);
    world.deliver("Before");
    assert!(watch.saw("Before"), "watch saw the first mail");
    // The provider revokes the access tokens only: the watch's cached one looks valid for an
    // hour, but the server refuses it after the outage; one refresh, and the login goes on.
    world.oidc.admin("POST", "/_test/revoke-access");
    let before = world.oidc.token_requests();
    outage(&world, Duration::from_millis(500));
    world.deliver("After the refusal");
    assert!(
        watch.saw("After the refusal"),
        "the refused token was renewed and the mail came"
    );
    // The watch's connections were refused together; they renew once, not each.
    assert_eq!(
        world.oidc.token_requests(),
        before + 1,
        "one refresh after the refusal"
    );
    drop(watch);
    world.assert_no_token_leaked();
}

//! Discovery from an email address alone (`satu account discover`, `satu account add --email`)
//! against a real outside world on 127.0.0.1: a DNS server and an HTTPS server
//! (tests/servers/discovery.sh) serving six test domains, and a real Dovecot the discovered
//! settings lead to.
//!
//! - `auto.test`: the domain's autoconfig file only.
//! - `srv.test`: RFC 6186 SRV records only; the server is `imap.srv.test`, which only the test
//!   DNS knows (so the IMAP connection itself goes through Satu's resolver).
//! - `hosted.test`: its MX is at `provider.test`, which the ISPDB stand-in knows.
//! - `ms.test`: its MX is Microsoft's; the Autodiscover v2 stand-in says Microsoft 365.
//! - `guess.test`: nothing but `imap.guess.test` and `smtp.guess.test` (a guess).
//! - `broken.test`: an autoconfig that is a web page, a SRV that says "no service", a SERVFAIL.

mod support;

/// The names the discovery world's certificate holds.
const SANS: &str =
    "autoconfig.auto.test auto.test ispdb.test autoconfig.broken.test autodiscover.test news.test";

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::world::World;
use support::{Dovecot, Satu};

fn autoconfig(host: &str, imap_port: &str, smtp_port: &str, username: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="example">
  <displayName>Test Provider</displayName>
  <incomingServer type="imap"><hostname>{host}</hostname><port>{imap_port}</port>
    <socketType>SSL</socketType><username>{username}</username>
    <authentication>password-cleartext</authentication></incomingServer>
  <incomingServer type="imap"><hostname>{host}</hostname><port>143</port>
    <socketType>plain</socketType><username>{username}</username></incomingServer>
  <outgoingServer type="smtp"><hostname>{host}</hostname><port>{smtp_port}</port>
    <socketType>STARTTLS</socketType><username>{username}</username></outgoingServer>
</emailProvider></clientConfig>"#
    )
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "satu failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn an_email_address_is_enough_from_autoconfig_srv_the_ispdb_or_a_guess_and_broken_domains_fail_clearly(
) {
    let dovecot = Dovecot::start_with(&[("EXTRA_SANS", "imap.srv.test imap.guess.test")]);
    let imaps = dovecot.var("IMAPS_PORT").to_owned();
    let imap = dovecot.var("IMAP_PORT").to_owned();
    let zone = format!(
        "autoconfig.auto.test. 60 IN A 127.0.0.1
_imaps._tcp.srv.test. 60 IN SRV 0 1 {imaps} imap.srv.test.
_imap._tcp.srv.test. 60 IN SRV 0 1 {imap} imap.srv.test.
_submission._tcp.srv.test. 60 IN SRV 0 1 2587 imap.srv.test.
imap.srv.test. 60 IN A 127.0.0.1
_caldavs._tcp.srv.test. 60 IN SRV 0 1 8443 dav.srv.test.
_caldavs._tcp.srv.test. 60 IN TXT \"path=/dav/\"
auto.test. 60 IN A 127.0.0.1
hosted.test. 60 IN MX 10 mx1.provider.test.
ms.test. 60 IN MX 0 ms-test.mail.protection.outlook.com.
autodiscover.test. 60 IN A 127.0.0.1
ispdb.test. 60 IN A 127.0.0.1
imap.guess.test. 60 IN A 127.0.0.1
smtp.guess.test. 60 IN A 127.0.0.1
autoconfig.broken.test. 60 IN A 127.0.0.1
_imaps._tcp.broken.test. 60 IN SRV 0 0 0 .
_imap._tcp.broken.test. 60 IN TXT \"servfail\"
"
    );
    let world = World::start(
        &dovecot,
        SANS,
        &zone,
        &[
            (
                "autoconfig.auto.test/mail/config-v1.1.xml",
                &autoconfig("localhost", &imaps, "2587", "%EMAILLOCALPART%"),
            ),
            ("auto.test/.well-known/caldav", "CalDAV lives here"),
            (
                "autodiscover.test/autodiscover/autodiscover.json/v1.0/alice@ms.test",
                r#"{"Protocol":"AutodiscoverV1","Url":"https://outlook.office365.com/autodiscover/autodiscover.xml"}"#,
            ),
            (
                "ispdb.test/v1.1/provider.test",
                &autoconfig("localhost", &imaps, "2465", "%EMAILADDRESS%"),
            ),
            (
                "autoconfig.broken.test/mail/config-v1.1.xml",
                "<html><body>Welcome to nginx!</body></html>",
            ),
        ],
    );
    let ca = dovecot.ca_file().to_owned();
    let https = world.var("HTTPS_PORT").to_owned();
    let satu = Satu::new();
    let discover = |email: &str, env: &[(&str, String)]| {
        world.satu(
            &satu,
            &["--json", "account", "discover", email, "--ca-file", &ca],
            env,
            None,
        )
    };

    // autoconfig: the domain's file, its plain-text offer passed over, its placeholders filled.
    let found = json(&discover("alice@auto.test", &[]));
    assert_eq!(found["source"], "autoconfig", "{found}");
    assert_eq!(
        found["imap"],
        serde_json::json!({"host": "localhost", "port": imaps.parse::<u16>().expect("port"), "security": "tls"})
    );
    assert_eq!(found["smtp"]["security"], "starttls");
    assert_eq!(found["username"], "alice");
    assert_eq!(found["provider"], "Test Provider");
    assert_eq!(found["auth"], serde_json::json!(["password"]));
    assert_eq!(
        found["caldav"]["url"],
        format!("https://auto.test:{https}/.well-known/caldav"),
        "the well-known address answers"
    );
    assert_eq!(found["steps"][0]["source"], "autoconfig");
    assert!(world
        .requests()
        .contains("https autoconfig.auto.test /mail/config-v1.1.xml"));

    // SRV: implicit TLS preferred over the STARTTLS record; the server's name is known only to
    // the test DNS.
    let found = json(&discover("alice@srv.test", &[]));
    assert_eq!(found["source"], "srv", "{found}");
    assert_eq!(found["imap"]["host"], "imap.srv.test");
    assert_eq!(found["imap"]["security"], "tls");
    assert_eq!(found["smtp"]["port"], 2587);
    assert_eq!(found["username"], "alice@srv.test");
    assert_eq!(
        found["caldav"]["url"], "https://dav.srv.test:8443/dav/",
        "SRV and its TXT path"
    );

    // The ISPDB, by the domain of the MX host.
    let found = json(&discover("alice@hosted.test", &[]));
    assert_eq!(found["source"], "ispdb", "{found}");
    assert_eq!(found["smtp"]["port"], 2465);
    assert!(found["caldav"].is_null(), "{found}");
    assert!(world
        .requests()
        .contains("https ispdb.test /v1.1/provider.test"));

    // Microsoft-hosted (its MX): Autodiscover says the mailbox is in Microsoft 365, whose
    // servers take OAuth2 only.
    let found = json(&discover("alice@ms.test", &[]));
    assert_eq!(found["source"], "autodiscover", "{found}");
    assert_eq!(found["imap"]["host"], "outlook.office365.com");
    assert_eq!(found["smtp"]["host"], "smtp.office365.com");
    assert_eq!(found["auth"], serde_json::json!(["oauth2"]));
    assert_eq!(found["provider"], "Microsoft 365");
    assert!(world
        .requests()
        .contains("https autodiscover.test /autodiscover/autodiscover.json/v1.0/alice@ms.test"));

    // A guess, confirmed by connecting (the usual ports mapped to the test's).
    let ports = vec![("SATU_DISCOVERY_PORTS", format!("993={imaps},465={https}"))];
    let found = json(&discover("alice@guess.test", &ports));
    assert_eq!(found["source"], "guess", "{found}");
    assert_eq!(found["imap"]["host"], "imap.guess.test");
    assert_eq!(found["imap"]["port"], 993, "the usual port is what is kept");
    assert_eq!(found["smtp"]["host"], "smtp.guess.test");

    // Broken: a clear error in at most ten seconds, at the address, saying where it looked.
    let started = Instant::now();
    let out = discover("alice@broken.test", &[]);
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(3), "not found");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Could not find the mail servers of broken.test"),
        "{stderr}"
    );
    assert!(stderr.contains("not a configuration"), "{stderr}");
    assert!(stderr.contains("offers no such service"), "{stderr}");
    assert!(elapsed < Duration::from_secs(11), "{elapsed:?}");

    // A dead DNS server: the same, within the time box.
    let started = Instant::now();
    let out = world.satu(
        &satu,
        &[
            "--json",
            "account",
            "discover",
            "alice@auto.test",
            "--ca-file",
            &ca,
        ],
        &[("SATU_DNS_SERVER", "127.0.0.1:9".to_owned())],
        None,
    );
    assert!(!out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );

    // Added from the address and the password alone, then synced: through autoconfig, and
    // through SRV to a server named only in the test DNS.
    let add = |email: &str, extra: &[&str]| {
        let mut args = vec![
            "--json",
            "account",
            "add",
            "--email",
            email,
            "--password-stdin",
            "--ca-file",
            &ca,
        ];
        args.extend_from_slice(extra);
        world.satu(&satu, &args, &[], Some("alice-pass\n"))
    };
    let added = json(&add("alice@auto.test", &[]));
    assert_eq!(added["source"], "autoconfig", "{added}");
    let added = json(&add("alice@srv.test", &["--username", "alice"]));
    assert_eq!(added["source"], "srv", "{added}");
    let accounts = satu.json(&["account", "list"]);
    assert_eq!(
        accounts[1]["imap"],
        format!("imap.srv.test:{imaps}"),
        "{accounts}"
    );
    let out = world.satu(&satu, &["--json", "sync"], &[], None);
    let reports = json(&out);
    for report in reports.as_array().expect("reports") {
        assert!(report["error"].is_null(), "{report}");
    }
    assert!(Path::new(&ca).exists());
}

/// A newsletter from `news.test` offering one-click unsubscribe at `unsub` on the world's HTTPS
/// server, and a mailto (when `mailto`).
fn newsletter(id: &str, https_port: &str, unsub: &str, mailto: bool) -> String {
    let mailto = if mailto {
        ", <mailto:leave@news.test?subject=leave>"
    } else {
        ""
    };
    format!(
        "From: News <news@news.test>\r\nTo: alice@example.com\r\nSubject: This week {id}\r\n\
         Date: Tue, 01 Dec 2026 09:00:00 +0000\r\nMessage-ID: <{id}@news.test>\r\n\
         List-Unsubscribe: <https://news.test:{https_port}/{unsub}>{mailto}\r\n\
         List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nThe news of the week.\r\n"
    )
}

/// `raw` with a DKIM signature of `news.test` (selector `sel`) over `headers`.
fn signed(key: &[u8], raw: &str, headers: &[&str]) -> String {
    support::dkim::signed(key, "news.test", "sel", headers, raw)
}

#[test]
fn one_click_unsubscribe_posts_only_when_a_verified_dkim_signature_covers_both_headers() {
    // A signing key of news.test, published in the world's DNS.
    let keys = tempfile::tempdir().expect("tempdir");
    let (key, public) = support::dkim::ed25519_key(keys.path(), "news");
    let dovecot = Dovecot::start();
    let zone = format!(
        "news.test. 60 IN A 127.0.0.1\nsel._domainkey.news.test. 60 IN TXT \"v=DKIM1; k=ed25519; p={public}\"\n"
    );
    let world = World::start(
        &dovecot,
        SANS,
        &zone,
        &[
            ("news.test/unsub/alice", ""),
            ("news.test/unsub/mallory", ""),
        ],
    );
    let https = world.var("HTTPS_PORT").to_owned();
    let all = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ];
    // Signed whole; altered after signing (another address to post to); signed without the
    // Post header.
    let good = signed(
        &key,
        &newsletter("good", &https, "unsub/alice", false),
        &all,
    );
    let altered = signed(
        &key,
        &newsletter("altered", &https, "unsub/alice", false),
        &all,
    )
    .replace("unsub/alice", "unsub/mallory");
    let partial = signed(
        &key,
        &newsletter("partial", &https, "unsub/mallory", false),
        &all[..6],
    );
    let satu = Satu::new();
    let mut files = Vec::new();
    for (name, raw) in [
        ("good", &good),
        ("altered", &altered),
        ("partial", &partial),
    ] {
        let path = keys.path().join(format!("{name}.eml"));
        std::fs::write(&path, raw).expect("eml");
        files.push(path);
    }
    let mut args = vec!["--json".to_owned(), "import".into(), "eml".into()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    json(&world.satu(&satu, &args, &[], None));
    let id = |subject: &str| -> String {
        let items = satu.json(&["timeline"]);
        items
            .as_array()
            .and_then(|all| all.iter().find(|i| i["title"] == subject))
            .and_then(|i| i["id"].as_i64())
            .expect("the newsletter")
            .to_string()
    };
    let ca = dovecot.ca_file().to_owned();
    let links = keys.path().join("opened-links.txt");
    let unsubscribe = |subject: &str| {
        world.satu(
            &satu,
            &["--json", "unsubscribe", &id(subject), "--ca-file", &ca],
            &[("SATU_OPEN_LINKS_LOG", links.to_string_lossy().into_owned())],
            None,
        )
    };

    // Every one offers one click by its headers.
    assert_eq!(
        satu.json(&["show", &id("This week good")])["unsubscribe"],
        "one-click"
    );

    // Verified: one POST of exactly the form RFC 8058 asks for, no cookie, no credentials.
    let done = json(&unsubscribe("This week good"));
    assert_eq!(done["method"], "one-click", "{done}");
    let requests = world.requests();
    assert!(
        requests.contains("post news.test /unsub/alice List-Unsubscribe=One-Click\n"),
        "{requests}"
    );

    // Altered after signing, or signed without the Post header: no POST; the list's page is
    // opened instead (these offer no mailto).
    for subject in ["This week altered", "This week partial"] {
        let done = json(&unsubscribe(subject));
        assert_eq!(done["method"], "web", "{subject}: {done}");
    }
    let requests = world.requests();
    assert!(!requests.contains("/unsub/mallory"), "{requests}");
    assert_eq!(requests.matches("post ").count(), 1, "{requests}");
    let opened = std::fs::read_to_string(&links).expect("links opened");
    assert_eq!(opened.matches("/unsub/mallory").count(), 2, "{opened}");

    // A mail without the header says so at the item.
    let plain = keys.path().join("plain.eml");
    std::fs::write(
        &plain,
        "From: a@b.test\r\nSubject: Hello\r\nMessage-ID: <p@b.test>\r\n\r\nHi\r\n",
    )
    .expect("eml");
    satu.json(&["import", "eml", plain.to_str().expect("path")]);
    let refused = satu.fails(&["unsubscribe", &id("Hello")], 2);
    assert!(
        refused.contains("does not say how to unsubscribe"),
        "{refused}"
    );
}

/// `satu health diagnose`: push or polling and why, the servers' reachability step by step, and
/// the DNS of each account's mail domain from a local DNS server with good and bad records
/// (TTL advice included).
#[test]
fn diagnose_names_polling_unreachable_servers_and_the_domains_dns_findings() {
    let dovecot = Dovecot::start();
    let capability = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT UIDPLUS CONDSTORE QRESYNC \
        LITERAL+ NAMESPACE SPECIAL-USE MOVE";
    let polled = Dovecot::start_with(&[("IMAP_CAPABILITY", capability)]);
    let zone = "good.test. 300 IN MX 10 mx1.good.test.\n\
        good.test. 300 IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n\
        _dmarc.good.test. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@good.test\"\n\
        selector1._domainkey.good.test. 300 IN TXT \"v=DKIM1; k=rsa; p=MIIBIjANBgkq\"\n\
        bad.test. 86400 IN MX 10 mx.bad.test.\n\
        bad.test. 300 IN TXT \"v=spf1 a -all\"\n\
        bad.test. 300 IN TXT \"v=spf1 mx ~all\"\n\
        _dmarc.bad.test. 7200 IN TXT \"v=DMARC1; p=none\"\n";
    let world = World::start(&dovecot, SANS, zone, &[]);
    let satu = Satu::new();
    let add = |email: &str, server: &Dovecot| -> i64 {
        let out = world.satu(
            &satu,
            &[
                "--json",
                "account",
                "add",
                "--email",
                email,
                "--username",
                "alice",
                "--imap",
                &format!("127.0.0.1:{}", server.var("IMAP_PORT")),
                "--smtp",
                &format!("127.0.0.1:{}", server.var("IMAP_PORT")),
                "--security",
                "plain",
                "--password-stdin",
            ],
            &[],
            Some("alice-pass\n"),
        );
        json(&out)["id"].as_i64().expect("id")
    };
    let good = add("alice@good.test", &dovecot);
    let bad = add("alice@bad.test", &polled);
    let diagnose = |args: &[&str]| -> Vec<Value> {
        let mut all = vec!["--json", "health", "diagnose"];
        all.extend_from_slice(args);
        json(&world.satu(&satu, &all, &[], None))["findings"]
            .as_array()
            .expect("findings")
            .clone()
    };
    let of = |found: &[Value], account: i64, area: &str| -> Vec<Value> {
        found
            .iter()
            .filter(|f| f["account"] == account && f["area"] == area)
            .cloned()
            .collect()
    };
    let statuses = |found: &[Value]| -> Vec<String> {
        found
            .iter()
            .map(|f| f["status"].as_str().expect("status").to_owned())
            .collect()
    };
    // Synced once; then a mail arrives that no sync brought yet.
    json(&world.satu(&satu, &["--json", "sync"], &[], None));
    dovecot.append(
        "alice",
        "INBOX",
        &support::message("late@example.com", "Not here yet", 1),
    );
    let found = diagnose(&[]);
    let newest = of(&found, good, "offline");
    assert_eq!(statuses(&newest), ["warning"], "{newest:?}");
    assert_eq!(newest[0]["value"], 1);
    assert_eq!(statuses(&of(&found, bad, "offline")), ["good"]);

    // Reachable, each step timed.
    let reach = of(&found, good, "reachability");
    assert_eq!(statuses(&reach), ["good", "good"], "{reach:?}");
    assert!(
        reach[0]["title"]
            .as_str()
            .expect("title")
            .contains("TLS and login"),
        "{reach:?}"
    );
    // Pushed here; polled where the server has no IDLE, and said why.
    assert_eq!(statuses(&of(&found, good, "push")), ["good"]);
    let push = of(&found, bad, "push");
    assert_eq!(statuses(&push), ["warning"], "{push:?}");
    assert!(push[0]["title"]
        .as_str()
        .expect("title")
        .contains("polling every 60 s because the server does not offer IDLE"));
    // The domains' DNS.
    let dns = of(&found, good, "dns");
    assert_eq!(statuses(&dns), ["good", "good", "good", "good"], "{dns:?}");
    assert!(dns[2]["title"]
        .as_str()
        .expect("title")
        .contains("selector1"));
    let dns = of(&found, bad, "dns");
    assert_eq!(
        statuses(&dns),
        ["warning", "bad", "warning", "warning"],
        "{dns:?}"
    );
    assert_eq!(dns[0]["value"], 86_400);
    assert!(dns[0]["fix"].as_str().expect("fix").contains("3600 s"));
    assert!(dns[1]["title"]
        .as_str()
        .expect("title")
        .contains("2 SPF records"));
    assert!(dns[3]["fix"]
        .as_str()
        .expect("fix")
        .contains("p=quarantine or p=reject"));

    // A server gone: the step that failed, and what to do.
    polled.stop();
    let found = diagnose(&["--account", &bad.to_string()]);
    assert!(found.iter().all(|f| f["account"] == bad));
    let reach = of(&found, bad, "reachability");
    assert_eq!(reach[0]["status"], "bad", "{reach:?}");
    assert!(
        reach[0]["title"]
            .as_str()
            .expect("title")
            .contains("connect step"),
        "{reach:?}"
    );
    assert!(
        reach[0]["fix"]
            .as_str()
            .expect("fix")
            .contains("Nothing listens"),
        "{reach:?}"
    );
}

//! Sender trust against a real outside world on 127.0.0.1: a DNS server (tests/servers/
//! discovery.sh) publishing DKIM keys, SPF and DMARC records for a handful of test domains, and
//! a real Dovecot holding mail the test signed (mail-auth) in each way that matters. Each mail
//! gets the expected verdict in `satu show --json`'s `authentication`.
//!
//! - `good.test`: an Ed25519 key (`s1`), SPF `ip4:192.0.2.10 -all`, DMARC `p=reject`.
//! - `strict.test`: SPF `ip4:192.0.2.20 -all`, DMARC `p=reject`, no key.
//! - `nopolicy.test`: a key (`s1`), no DMARC.
//! - `plain.test`: nothing at all.
//! - `forwarder.test`: the ARC key (`arc`) of a list that forwards good.test's mail.
//!
//! Every mail entered "the provider" (`mx.satu.test`) from the address in its top `Received`
//! header, which is where SPF is checked.

mod support;

use std::process::Command;

use serde_json::Value;
use support::dkim::ed25519_key;
use support::world::World;
use support::{Dovecot, Satu};

/// `raw` signed by `domain`'s key `selector` over the usual headers.
fn signed(key: &[u8], domain: &str, selector: &str, raw: &str) -> String {
    support::dkim::signed(
        key,
        domain,
        selector,
        &["From", "To", "Subject", "Date", "Message-ID"],
        raw,
    )
}

/// A mail from `from` (`Name <addr>` or `addr`) with `extra` headers, dated an hour ago
/// (recent mail is checked when it arrives).
fn mail(id: &str, from: &str, extra: &str, body: &str) -> String {
    let date = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc2822();
    format!(
        "From: {from}\r\nTo: Alice <alice@example.com>\r\nSubject: Trust {id}\r\n\
         Date: {date}\r\nMessage-ID: <{id}@trust.test>\r\n{extra}\r\n{body}\r\n"
    )
}

/// The headers "the provider" adds on top when the mail reaches it from `ip` (`helo`), with
/// the envelope sender `return_path`.
fn received(raw: &str, ip: &str, helo: &str, return_path: &str) -> String {
    let date = chrono::Utc::now().to_rfc2822();
    format!(
        "Return-Path: <{return_path}>\r\nReceived: from {helo} ({helo} [{ip}])\r\n\tby mx.satu.test (Satu test MX) with ESMTPS id t1;\r\n\t{date}\r\n{raw}"
    )
}

struct Case {
    id: &'static str,
    raw: String,
    verdict: &'static str,
    guard: bool,
    /// A word every reason list must hold (lower case), '' for none.
    reason: &'static str,
    /// Warning kinds expected.
    warnings: &'static [&'static str],
}

#[test]
fn each_way_a_sender_can_be_genuine_or_not_gets_its_verdict() {
    let keys = tempfile::tempdir().expect("tempdir");
    let (good_key, good_public) = ed25519_key(keys.path(), "good");
    let (other_key, _) = ed25519_key(keys.path(), "other");
    let (nopolicy_key, nopolicy_public) = ed25519_key(keys.path(), "nopolicy");
    let (arc_key, arc_public) = ed25519_key(keys.path(), "arc");
    let dovecot = Dovecot::start();
    let zone = format!(
        "s1._domainkey.good.test. 300 IN TXT \"v=DKIM1; k=ed25519; p={good_public}\"
good.test. 300 IN TXT \"v=spf1 ip4:192.0.2.10 -all\"
_dmarc.good.test. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@good.test\"
strict.test. 300 IN TXT \"v=spf1 ip4:192.0.2.20 -all\"
_dmarc.strict.test. 300 IN TXT \"v=DMARC1; p=reject\"
s1._domainkey.nopolicy.test. 300 IN TXT \"v=DKIM1; k=ed25519; p={nopolicy_public}\"
arc._domainkey.forwarder.test. 300 IN TXT \"v=DKIM1; k=ed25519; p={arc_public}\"
plain.test. 300 IN A 127.0.0.1
"
    );
    let world = World::start(&dovecot, "localhost", &zone, &[]);
    let satu = Satu::new();
    let dns = format!("127.0.0.1:{}", world.var("DNS_PORT"));
    satu.alice(&dovecot);

    // Alice wrote to her colleague Aminah and to paypal.test before (her Sent mail).
    dovecot.append(
        "alice",
        "INBOX",
        &mail(
            "sent-1",
            "Alice <alice@example.com>",
            "Cc: Aminah Rahman <aminah@good.test>, billing@paypal.test\r\n",
            "Hello.",
        )
        .replace("To: Alice <alice@example.com>", "To: Bob <bob@plain.test>"),
    );

    let good = |id: &str, from: &str, body: &str| {
        signed(&good_key, "good.test", "s1", &mail(id, from, "", body))
    };
    let arc_forwarded = {
        // good.test's mail through a list that adds a footer (breaking the signature) and seals
        // what it saw (dkim=pass for good.test) with ARC.
        use mail_auth::common::crypto::Ed25519Key;
        use mail_auth::common::headers::HeaderWriter as _;
        let original = good("arc", "Grace <grace@good.test>", "The agenda.");
        let forwarded = format!("{original}-- \r\nSent through the forwarder.test list\r\n");
        let message = mail_auth::AuthenticatedMessage::parse(forwarded.as_bytes()).expect("parse");
        let signature = message.dkim_headers[0].header.clone();
        let outputs = [mail_auth::DkimOutput::pass().with_signature(&signature)];
        let results = mail_auth::AuthenticationResults::new("lists.forwarder.test")
            .with_dkim_results(&outputs, "grace@good.test");
        let key = Ed25519Key::from_pkcs8_maybe_unchecked_der(&arc_key).expect("key");
        let set = mail_auth::arc::ArcSealer::from_key(key)
            .domain("forwarder.test")
            .selector("arc")
            .headers(["From", "To", "Subject", "DKIM-Signature"])
            .seal(&message, &results, &mail_auth::ArcOutput::default())
            .expect("a seal");
        format!("{}{forwarded}", set.to_header())
    };

    let cases = vec![
        Case {
            id: "pass",
            raw: received(
                &good("pass", "Grace <grace@good.test>", "Fine."),
                "192.0.2.10",
                "mail.good.test",
                "bounce@good.test",
            ),
            verdict: "verified",
            guard: false,
            reason: "signed by good.test",
            warnings: &[],
        },
        Case {
            id: "body-changed",
            raw: received(
                &good("body-changed", "Grace <grace@good.test>", "Pay 100.")
                    .replace("Pay 100.", "Pay 900."),
                "192.0.2.66",
                "mail.elsewhere.test",
                "x@elsewhere.test",
            ),
            verdict: "failed",
            guard: true,
            reason: "does not verify",
            warnings: &[],
        },
        Case {
            id: "header-changed",
            raw: received(
                &good("header-changed", "Grace <grace@good.test>", "Fine.").replace(
                    "Subject: Trust header-changed",
                    "Subject: URGENT wire transfer",
                ),
                "192.0.2.66",
                "mail.elsewhere.test",
                "x@elsewhere.test",
            ),
            verdict: "failed",
            guard: true,
            reason: "does not verify",
            warnings: &[],
        },
        Case {
            id: "wrong-key",
            raw: received(
                &signed(
                    &other_key,
                    "good.test",
                    "s1",
                    &mail("wrong-key", "Grace <grace@good.test>", "", "Hi."),
                ),
                "192.0.2.66",
                "mail.elsewhere.test",
                "x@elsewhere.test",
            ),
            verdict: "failed",
            guard: true,
            reason: "does not verify",
            warnings: &[],
        },
        Case {
            id: "unsigned",
            raw: received(
                &mail("unsigned", "Paul <paul@plain.test>", "", "Hi."),
                "192.0.2.77",
                "mail.plain.test",
                "paul@plain.test",
            ),
            verdict: "unverified",
            guard: false,
            reason: "no dmarc policy",
            warnings: &[],
        },
        Case {
            id: "dmarc-reject",
            raw: received(
                &mail("dmarc-reject", "CEO <ceo@strict.test>", "", "Wire it now."),
                "192.0.2.99",
                "mail.spoofer.test",
                "ceo@strict.test",
            ),
            verdict: "failed",
            guard: true,
            reason: "dmarc",
            warnings: &[],
        },
        Case {
            id: "spf-pass",
            raw: received(
                &mail("spf-pass", "CEO <ceo@strict.test>", "", "Real one."),
                "192.0.2.20",
                "mail.strict.test",
                "bounce@strict.test",
            ),
            verdict: "verified",
            guard: false,
            reason: "192.0.2.20",
            warnings: &[],
        },
        Case {
            id: "subdomain",
            raw: received(
                &good("subdomain", "News <news@news.good.test>", "Weekly."),
                "192.0.2.10",
                "mail.good.test",
                "bounce@good.test",
            ),
            verdict: "verified",
            guard: false,
            reason: "signed by good.test",
            warnings: &[],
        },
        Case {
            id: "nopolicy-broken",
            raw: received(
                &signed(
                    &nopolicy_key,
                    "nopolicy.test",
                    "s1",
                    &mail(
                        "nopolicy-broken",
                        "Nora <nora@nopolicy.test>",
                        "",
                        "Original.",
                    ),
                )
                .replace("Original.", "Changed."),
                "192.0.2.77",
                "mail.nopolicy.test",
                "nora@nopolicy.test",
            ),
            verdict: "failed",
            guard: false,
            reason: "does not verify",
            warnings: &[],
        },
        Case {
            id: "arc",
            raw: received(
                &arc_forwarded,
                "192.0.2.55",
                "lists.forwarder.test",
                "list@forwarder.test",
            ),
            verdict: "unverified",
            guard: false,
            reason: "forwarder.test",
            warnings: &[],
        },
        Case {
            id: "lookalike",
            raw: received(
                &mail(
                    "lookalike",
                    "PayPal Billing <billing@paypa1.test>",
                    "",
                    "Your invoice.",
                ),
                "192.0.2.77",
                "mail.paypa1.test",
                "billing@paypa1.test",
            ),
            verdict: "unverified",
            guard: false,
            reason: "",
            warnings: &["lookalike"],
        },
        Case {
            id: "impersonation",
            raw: received(
                &mail(
                    "impersonation",
                    "Aminah Rahman <aminah.rahman@freemail.test>",
                    "Reply-To: aminah@payments.test\r\n",
                    "Can you buy gift cards?",
                ),
                "192.0.2.77",
                "mail.freemail.test",
                "aminah.rahman@freemail.test",
            ),
            verdict: "unverified",
            guard: false,
            reason: "",
            warnings: &["display-name", "reply-to"],
        },
    ];
    for case in &cases {
        dovecot.append("alice", "INBOX", &case.raw);
    }
    let synced = satu
        .command()
        .args(["--json", "sync"])
        .env("SATU_DNS_SERVER", &dns)
        .output()
        .expect("satu sync");
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );

    let items = satu.json(&["timeline", "--kind", "mail", "--limit", "100"]);
    let id_of = |case: &str| -> i64 {
        let message_id = format!("{case}@trust.test");
        items
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["message_id"] == message_id.as_str())
            .unwrap_or_else(|| panic!("no mail {message_id}: {items}"))["id"]
            .as_i64()
            .expect("id")
    };
    for case in &cases {
        let id = id_of(case.id);
        // Checked in the background of `satu sync` already (recent mail): `--offline` shows
        // the stored check and asks no DNS.
        let shown = satu.json(&["show", &id.to_string(), "--offline"]);
        let auth: &Value = &shown["authentication"];
        assert!(
            auth.is_object(),
            "{}: not checked during the sync: {shown}",
            case.id
        );
        assert_eq!(auth["verdict"], case.verdict, "{}: {auth}", case.id);
        assert_eq!(auth["guard"], case.guard, "{}: {auth}", case.id);
        let reasons = auth["reasons"].to_string().to_lowercase();
        assert!(reasons.contains(case.reason), "{}: {reasons}", case.id);
        let kinds: Vec<&str> = auth["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .map(|w| w["kind"].as_str().expect("kind"))
            .collect();
        assert_eq!(kinds, case.warnings, "{}: {auth}", case.id);
        assert_eq!(auth["source"], "satu", "{}", case.id);
        assert!(auth["checked_at"]
            .as_str()
            .is_some_and(|t| t.starts_with("20")));
    }
    // The details are there for the reading pane: the key, SPF's address, DMARC's policy.
    let pass = &satu.json(&["show", &id_of("pass").to_string(), "--offline"])["authentication"];
    assert_eq!(pass["dkim"][0]["domain"], "good.test");
    assert_eq!(pass["dkim"][0]["selector"], "s1");
    assert_eq!(pass["dkim"][0]["result"], "pass");
    assert_eq!(pass["spf"]["result"], "pass");
    assert_eq!(pass["spf"]["ip"], "192.0.2.10");
    assert_eq!(pass["dmarc"]["policy"], "reject");
    assert_eq!(pass["dmarc"]["aligned"], true);
    let arc = &satu.json(&["show", &id_of("arc").to_string(), "--offline"])["authentication"];
    assert_eq!(arc["arc"]["result"], "pass", "{arc}");
    assert_eq!(arc["arc"]["sealer"], "forwarder.test", "{arc}");

    // The filter: mail checked and not verified.
    let unverified = satu.json(&["timeline", "--unverified", "--limit", "100"]);
    let listed: Vec<&str> = unverified
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["message_id"].as_str().expect("message_id"))
        .collect();
    for case in &cases {
        let message_id = format!("{}@trust.test", case.id);
        assert_eq!(
            listed.contains(&message_id.as_str()),
            case.verdict != "verified",
            "{message_id} in --unverified: {listed:?}"
        );
    }

    // Offline (DNS off), a stored verdict stays as computed at arrival; `--recheck` with DNS
    // back computes it again, the same.
    let offline = satu.json(&["show", &id_of("dmarc-reject").to_string()]);
    assert_eq!(offline["authentication"]["verdict"], "failed");
    let again = satu
        .command()
        .args([
            "--json",
            "show",
            &id_of("spf-pass").to_string(),
            "--recheck",
        ])
        .env("SATU_DNS_SERVER", &dns)
        .output()
        .expect("satu show --recheck");
    assert!(again.status.success());
    let again: Value = serde_json::from_slice(&again.stdout).expect("JSON");
    assert_eq!(again["authentication"]["verdict"], "verified");
}

#[test]
fn a_forged_authentication_results_header_is_never_believed_but_the_providers_own_is() {
    let dovecot = Dovecot::start();
    let satu = Satu::new();
    satu.alice(&dovecot);
    // The sender wrote "dmarc=pass" itself, below the provider's hop: ignored. DNS is off, so
    // nothing can verify it: unverified, not kept (checked again once DNS is back).
    let forged = received(
        &mail(
            "forged",
            "Bank <alerts@bank.test>",
            "Authentication-Results: mx.satu.test; dkim=pass header.d=bank.test; dmarc=pass header.from=bank.test\r\n",
            "Log in here.",
        ),
        "192.0.2.13",
        "mail.spoofer.test",
        "alerts@bank.test",
    );
    // The provider's own header, on top, with its authserv-id (the host that took the mail).
    let vouched = format!(
        "Authentication-Results: mx.satu.test;\r\n\tdkim=pass header.d=bank.test header.s=k1;\r\n\tspf=pass smtp.mailfrom=alerts@bank.test;\r\n\tdmarc=pass (p=reject) header.from=bank.test\r\n{}",
        received(
            &mail("vouched", "Bank <alerts@bank.test>", "", "Your statement."),
            "192.0.2.14",
            "mail.bank.test",
            "alerts@bank.test",
        )
    );
    dovecot.append("alice", "INBOX", &forged);
    dovecot.append("alice", "INBOX", &vouched);
    satu.sync_ok();
    let items = satu.json(&["timeline", "--kind", "mail"]);
    let id_of = |title: &str| {
        items
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["title"] == title)
            .expect("the mail")["id"]
            .as_i64()
            .expect("id")
    };
    let forged = satu.json(&["show", &id_of("Trust forged").to_string()]);
    let auth = &forged["authentication"];
    assert_eq!(auth["verdict"], "unverified", "{auth}");
    assert!(auth["reasons"].to_string().contains("DNS"), "{auth}");
    let vouched = satu.json(&["show", &id_of("Trust vouched").to_string()]);
    let auth = &vouched["authentication"];
    assert_eq!(auth["verdict"], "verified", "{auth}");
    assert_eq!(auth["source"], "provider", "{auth}");
    assert_eq!(auth["dmarc"]["policy"], "reject", "{auth}");
    assert_eq!(auth["spf"]["ip"], "192.0.2.14", "{auth}");
    // Kept: the second look reads the store.
    let db = satu.dir.path().join("satu.db");
    let kept = rusqlite::Connection::open(db)
        .expect("db")
        .query_row("SELECT count(*) FROM sender_checks", [], |r| {
            r.get::<_, i64>(0)
        })
        .expect("count");
    assert_eq!(
        kept, 1,
        "the vouched one only (the forged one waits for DNS)"
    );
}

/// `satu --json domain check DOMAIN ARGS` pointed at `world`'s DNS and web, the MX probes at
/// `smtp_port`.
fn domain_check(
    satu: &Satu,
    world: &World,
    smtp_port: &str,
    ca: &str,
    domain: &str,
    args: &[&str],
) -> Value {
    let mut all = vec!["--json", "domain", "check", domain, "--ca-file", ca];
    all.extend_from_slice(args);
    let out = satu
        .command()
        .args(&all)
        .env(
            "SATU_DNS_SERVER",
            format!("127.0.0.1:{}", world.var("DNS_PORT")),
        )
        .env("SATU_DISCOVERY_PORT", world.var("HTTPS_PORT"))
        .env("SATU_MX_PORT", smtp_port)
        .output()
        .expect("satu domain check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The (area, severity) pairs of a report, and whether one finding matches.
fn has(report: &Value, area: &str, severity: &str, words: &str) -> bool {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| {
            f["area"] == area
                && f["severity"] == severity
                && (f["title"].as_str().unwrap_or("").contains(words)
                    || f["fix"].as_str().unwrap_or("").contains(words))
        })
}

#[test]
fn the_domain_check_finds_what_is_good_weak_and_broken() {
    let keys = tempfile::tempdir().expect("tempdir");
    let (_, good_public) = ed25519_key(keys.path(), "good");
    // A 1024-bit RSA key for weak.test (fits in one TXT string).
    let rsa = keys.path().join("rsa.pem");
    assert!(Command::new("openssl")
        .args(["genrsa", "-out"])
        .arg(&rsa)
        .arg("1024")
        .status()
        .expect("openssl")
        .success());
    let der = Command::new("openssl")
        .args(["rsa", "-pubout", "-outform", "DER", "-in"])
        .arg(&rsa)
        .output()
        .expect("openssl");
    let weak_public = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&der.stdout)
    };
    let dovecot = Dovecot::start();
    let smtp = support::Smtp::start_with(&[]);
    // A chain of eleven includes: one lookup too many.
    let includes: String = (1..=11)
        .map(|i| {
            let next = if i < 11 {
                format!("include:i{}.broken.test ", i + 1)
            } else {
                String::new()
            };
            format!("i{i}.broken.test. 300 IN TXT \"v=spf1 {next}-all\"\n")
        })
        .collect();
    let include_terms = "include:i1.broken.test ";
    let zone = format!(
        "good.test. 300 IN MX 10 localhost.
good.test. 300 IN TXT \"v=spf1 ip4:192.0.2.10 include:_spf.good.test -all\"
good.test. 300 IN TXT \"MS=ms12345\"
_spf.good.test. 300 IN TXT \"v=spf1 ip4:192.0.2.11 -all\"
s1._domainkey.good.test. 300 IN TXT \"v=DKIM1; k=ed25519; p={good_public}\"
_dmarc.good.test. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@good.test\"
_mta-sts.good.test. 300 IN TXT \"v=STSv1; id=20261207\"
mta-sts.good.test. 300 IN A 127.0.0.1
_smtp._tls.good.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tls@good.test\"
weak.test. 86400 IN MX 10 mx.weak.test.
mx.weak.test. 300 IN A 127.0.0.1
weak.test. 300 IN TXT \"v=spf1 a mx ~all\"
default._domainkey.weak.test. 300 IN TXT \"v=DKIM1; k=rsa; p={weak_public}\"
_dmarc.weak.test. 7200 IN TXT \"v=DMARC1; p=none\"
broken.test. 300 IN MX 10 mx.broken.test.
broken.test. 300 IN TXT \"v=spf1 {include_terms}-all\"
_dmarc.broken.test. 300 IN TXT \"v=DMARC1; p=bogus\"
_mta-sts.broken.test. 300 IN TXT \"v=STSv1; id=1\"
mta-sts.broken.test. 300 IN A 127.0.0.1
{includes}"
    );
    let world = World::start(
        &dovecot,
        "mta-sts.good.test mta-sts.broken.test",
        &zone,
        &[(
            "mta-sts.good.test/.well-known/mta-sts.txt",
            "version: STSv1\nmode: enforce\nmx: localhost\nmax_age: 86400\n",
        )],
    );
    // One CA file for both: the SMTP server's (the MX) and the world's (MTA-STS).
    let ca = keys.path().join("ca.pem");
    std::fs::write(
        &ca,
        [
            std::fs::read(smtp.var("CA_FILE")).expect("smtp ca"),
            std::fs::read(dovecot.ca_file()).expect("world ca"),
        ]
        .concat(),
    )
    .expect("ca");
    let ca = ca.to_str().expect("path");
    let satu = Satu::new();
    let port = smtp.var("SMTP_PORT").to_owned();

    let good = domain_check(
        &satu,
        &world,
        &port,
        ca,
        "good.test",
        &["--dkim-selector", "s1", "--verify-txt", "MS=ms12345"],
    );
    let not_good: Vec<&Value> = good["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] != "good" && f["severity"] != "info")
        .collect();
    assert!(not_good.is_empty(), "good.test: {not_good:#?}");
    assert!(
        has(&good, "mx", "good", "STARTTLS and a valid certificate"),
        "{good}"
    );
    assert!(has(&good, "spf", "good", "1 DNS lookups"), "{good}");
    assert!(has(&good, "dkim", "good", "Ed25519"), "{good}");
    assert!(has(&good, "mta-sts", "good", "enforced"), "{good}");
    assert!(has(&good, "verification", "good", "MS=ms12345"), "{good}");
    assert!(has(&good, "tls-rpt", "good", "TLS-RPT"), "{good}");

    let weak = domain_check(&satu, &world, &port, ca, "weak.test", &["--mx-change"]);
    assert_eq!(weak["worst"], "warning", "{weak}");
    // The certificate is for localhost, not mx.weak.test.
    assert!(has(&weak, "mx", "warning", "TLS fails"), "{weak}");
    assert!(has(&weak, "mx", "warning", "86400 s"), "{weak}");
    assert!(has(&weak, "spf", "info", "~all"), "{weak}");
    assert!(has(&weak, "dkim", "warning", "1024 bits"), "{weak}");
    assert!(
        has(&weak, "dmarc", "warning", "p=none only watches"),
        "{weak}"
    );
    assert!(has(&weak, "dmarc", "warning", "7200"), "{weak}");
    assert!(has(&weak, "mta-sts", "info", "no MTA-STS"), "{weak}");
    let rua = weak["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["area"] == "dmarc" && f["title"].as_str().unwrap_or("").contains("rua"))
        .expect("the rua finding");
    assert_eq!(
        rua["record"],
        "_dmarc.weak.test. 3600 IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc@weak.test\""
    );

    let broken = domain_check(
        &satu,
        &world,
        &port,
        ca,
        "broken.test",
        &["--dkim-selector", "s1"],
    );
    assert_eq!(broken["worst"], "bad", "{broken}");
    assert!(has(&broken, "mx", "bad", "cannot be reached"), "{broken}");
    assert!(has(&broken, "spf", "bad", "DNS lookups"), "{broken}");
    assert!(
        has(
            &broken,
            "dkim",
            "bad",
            "No DKIM key at s1._domainkey.broken.test"
        ),
        "{broken}"
    );
    assert!(
        has(&broken, "dmarc", "bad", "no valid p= policy"),
        "{broken}"
    );
    assert!(
        has(&broken, "mta-sts", "bad", "cannot be fetched"),
        "{broken}"
    );

    // Not a domain: an error at the field.
    let out = satu.run(&["--json", "domain", "check", "not a domain"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_delivery_test_reports_what_the_receiving_server_judged_and_the_delay() {
    let dovecot = Dovecot::start();
    let smtp = support::Smtp::start_with(&[
        ("DELIVER_DOVECOT", dovecot.dir.path().to_str().expect("path")),
        ("AUTHSERV_ID", "mx.satu.test"),
        (
            "AUTH_RESULTS",
            "spf=pass smtp.mailfrom={mail_from}; dkim=pass header.d={from_domain} header.s=s1; dmarc=pass (p=quarantine) header.from={from_domain}",
        ),
    ]);
    let satu = Satu::new();
    let account = satu.alice_with_smtp(&dovecot, &smtp);
    satu.sync_ok();
    let test = satu.json(&[
        "domain",
        "test",
        "--account",
        &account.to_string(),
        "--timeout",
        "60",
    ]);
    assert_eq!(test["to"], "alice@example.com", "{test}");
    assert_eq!(test["push"], true, "{test}");
    assert_eq!(test["judged_by_provider"], true, "{test}");
    let auth = &test["authentication"];
    assert_eq!(auth["verdict"], "verified", "{test}");
    assert_eq!(auth["source"], "provider", "{test}");
    assert_eq!(auth["spf"]["result"], "pass", "{test}");
    assert_eq!(auth["dkim"][0]["domain"], "example.com", "{test}");
    assert_eq!(auth["dmarc"]["policy"], "quarantine", "{test}");
    let delay = test["delay_ms"].as_u64().expect("delay");
    assert!(delay < 30_000, "{delay} ms");
    // The test mail went through the SMTP server to alice herself.
    let log = std::fs::read_to_string(smtp.var("SMTP_LOG")).expect("log");
    assert!(
        log.contains(test["message_id"].as_str().expect("id")),
        "{log}"
    );

    // A server that says the mail failed DMARC under p=reject: the verdict says so too.
    smtp.stop();
    smtp.restart(&[
        ("DELIVER_DOVECOT", dovecot.dir.path().to_str().expect("path")),
        ("AUTH_RESULTS", "spf=fail smtp.mailfrom={mail_from}; dkim=none; dmarc=fail (p=reject) header.from={from_domain}"),
    ]);
    let failed = satu.json(&[
        "domain",
        "test",
        "--account",
        &account.to_string(),
        "--timeout",
        "60",
    ]);
    assert_eq!(failed["authentication"]["verdict"], "failed", "{failed}");
    assert_eq!(failed["authentication"]["guard"], true, "{failed}");
    // Not a mail account: an error at the field.
    let out = satu.run(&["--json", "domain", "test", "--account", "99"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

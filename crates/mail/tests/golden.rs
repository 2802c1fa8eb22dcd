//! The golden corpus: every `tests/data/golden/NAME.eml` parses to what `NAME.json` says.
//!
//! `SATU_BLESS=1 cargo test -p satu-mail --test golden` rewrites the JSON files from what the
//! code does now. Review every change by eye before committing it: an expectation must be
//! *right*, not merely what the code happens to do.

use std::path::{Path, PathBuf};

use satu_mail::{parse_message, ParsedMail};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

/// What must never survive sanitizing, in any message (compared in lower case).
const FORBIDDEN_IN_HTML: &[&str] = &[
    "<script",
    "javascript:",
    "vbscript:",
    "<svg",
    "<math",
    "<iframe",
    "srcdoc",
    "<frame",
    "<meta",
    "http-equiv",
    "<base",
    "<form",
    "<input",
    "<button",
    "formaction",
    "<object",
    "<embed",
    "<link",
    // Styles stay (filtered: crates/mail/src/css.rs); nothing in them may fetch or run.
    "url(",
    "expression(",
    "behavior",
    "@import",
    "position: fixed",
    "data:text",
];

/// The attacker's host may appear only as a remote image source, which the window blocks until
/// the user loads remote content: anywhere else it would be a request made without asking.
fn evil_outside_image_sources(html: &str) -> Vec<String> {
    let lower = html.to_lowercase();
    let mut found = Vec::new();
    for (at, _) in lower.match_indices("evil.example") {
        let tag_start = lower[..at].rfind('<').unwrap_or(0);
        let tag = &lower[tag_start..at];
        let in_img_src = tag.starts_with("<img") && !tag.contains('>') && {
            let attr = tag.rfind(" src=\"").map(|i| &tag[i..]);
            attr.is_some_and(|a| !a[6..].contains('"'))
        };
        if !in_img_src {
            found.push(lower[tag_start..(at + 12).min(lower.len())].to_owned());
        }
    }
    found
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/golden")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn start(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// The parse result as the golden JSON records it.
fn expectation(m: &ParsedMail) -> Value {
    json!({
        "subject": m.subject,
        "from": m.from.as_ref().map(|(name, address)| json!({"name": name, "address": address})),
        "recipients": m.recipients,
        "date": m.date_ms.map(|ms| {
            chrono::DateTime::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |d| d.to_rfc3339())
        }),
        "message_id": if m.message_id_synthesized { "synthesized".to_owned() } else { m.message_id.clone() },
        "in_reply_to": m.in_reply_to,
        "references": m.references,
        "snippet": m.snippet,
        "body_text": m.body_text.as_ref().map(|t| json!({
            "start": start(t, 200),
            "chars": t.chars().count(),
            "sha256": sha256(t.as_bytes()),
        })),
        "body_html": m.body_html,
        "attachments": m.attachments.iter().map(|a| json!({
            "name": a.name,
            "mime_type": a.mime_type,
            "size": a.content.len(),
            "sha256": sha256(&a.content),
        })).collect::<Vec<_>>(),
        "quarantined": m.quarantined,
    })
}

/// Lines that differ between two pretty JSON texts.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (
            e.get(i).copied().unwrap_or(""),
            a.get(i).copied().unwrap_or(""),
        );
        if x != y {
            out.push_str(&format!("  - {x}\n  + {y}\n"));
        }
    }
    out
}

#[test]
fn every_golden_message_parses_as_recorded() {
    let bless = std::env::var_os("SATU_BLESS").is_some_and(|v| v == "1");
    let mut names: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("tests/data/golden")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    names.sort();
    assert!(names.len() >= 17, "the corpus is incomplete: {names:?}");
    let mut failures = Vec::new();
    for eml in &names {
        let raw = std::fs::read(eml).expect("read eml");
        let parsed = parse_message(&raw);
        if let Some(html) = &parsed.body_html {
            let lower = html.to_lowercase();
            for bad in FORBIDDEN_IN_HTML {
                assert!(!lower.contains(bad), "{eml:?}: {bad} survived: {html}");
            }
            let leaks = evil_outside_image_sources(html);
            assert!(leaks.is_empty(), "{eml:?}: {leaks:?} survived: {html}");
            assert!(
                !lower
                    .split(|c: char| c.is_whitespace())
                    .any(|w| w.starts_with("on") && w.contains('=')),
                "{eml:?}: an event handler survived: {html}"
            );
        }
        let actual = serde_json::to_string_pretty(&expectation(&parsed)).expect("json") + "\n";
        let json = eml.with_extension("json");
        if bless {
            std::fs::write(&json, &actual).expect("write json");
            continue;
        }
        match std::fs::read_to_string(&json) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => {
                failures.push(format!("{}:\n{}", eml.display(), diff(&expected, &actual)))
            }
            Err(e) => failures.push(format!(
                "{}: {e} (run with SATU_BLESS=1, then review)",
                json.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_duplicate_pair_shares_its_message_id() {
    let read = |name: &str| parse_message(&std::fs::read(corpus().join(name)).expect("read"));
    let (a, b) = (read("duplicate-a.eml"), read("duplicate-b.eml"));
    assert_eq!(a.message_id, "duplicate@example.com");
    assert_eq!(a.message_id, b.message_id);
}

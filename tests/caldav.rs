//! CalDAV accounts against the project's Radicale (`tests/servers/radicale.sh`): discovery from
//! the server URL (RFC 6764), the calendars and task lists found, TLS with the account's CA, and
//! clear errors that store nothing.

mod support;

use serde_json::Value;
use support::{Radicale, Satu};

fn add(satu: &Satu, url: &str, password: &str, ca: Option<&str>) -> std::process::Output {
    let mut args = vec![
        "--json",
        "account",
        "add-caldav",
        "--url",
        url,
        "--username",
        "alice",
        "--password-stdin",
    ];
    if let Some(ca) = ca {
        args.extend_from_slice(&["--ca-file", ca]);
    }
    satu.run_with_stdin(&args, &format!("{password}\n"))
}

#[test]
fn discovery_finds_the_calendars_and_task_lists_over_http_and_tls() {
    let radicale = Radicale::start();
    let satu = Satu::new();
    let id = support::added_id(&add(
        &satu,
        radicale.var("RADICALE_URL"),
        "alice-pass",
        None,
    ));
    let calendars = satu.json(&["calendar", "list"]);
    let list: Vec<(String, Value, Value)> = calendars
        .as_array()
        .expect("calendars")
        .iter()
        .map(|c| {
            assert_eq!(c["account"], id);
            (
                c["name"].as_str().expect("name").to_owned(),
                c["components"].clone(),
                c["tasks_go_here"].clone(),
            )
        })
        .collect();
    assert_eq!(
        list,
        vec![
            (
                "Calendar".to_owned(),
                serde_json::json!(["VEVENT"]),
                Value::Bool(false)
            ),
            (
                "Tasks".to_owned(),
                serde_json::json!(["VTODO"]),
                Value::Bool(true)
            ),
        ],
        "{calendars}"
    );
    let accounts = satu.json(&["account", "list"]);
    assert_eq!(accounts[0]["kind"], "caldav", "{accounts}");
    assert_eq!(accounts[0]["url"], radicale.var("RADICALE_URL"));

    // Over TLS, trusting the server's CA; refused without it.
    let tls = Satu::new();
    let out = add(&tls, radicale.var("RADICALE_TLS_URL"), "alice-pass", None);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("[ca_file]"));
    support::added_id(&add(
        &tls,
        radicale.var("RADICALE_TLS_URL"),
        "alice-pass",
        Some(radicale.var("CA_FILE")),
    ));
    assert_eq!(
        tls.json(&["calendar", "list"]).as_array().map(Vec::len),
        Some(2)
    );
    // Only the account that worked was kept.
    assert_eq!(
        tls.json(&["account", "list"]).as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn bad_logins_and_urls_get_clear_errors_and_store_nothing() {
    let radicale = Radicale::start();
    let satu = Satu::new();
    let out = add(&satu, radicale.var("RADICALE_URL"), "wrong", None);
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rejected the login for alice"), "{stderr}");
    assert!(stderr.contains("[password]"), "{stderr}");

    let out = add(&satu, "http://calendar.example.com/", "x", None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only loopback"));

    // A port where nothing listens.
    let out = add(&satu, "http://127.0.0.1:9/", "x", None);
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("[url]"));
    assert_eq!(satu.json(&["account", "list"]), serde_json::json!([]));
    assert_eq!(satu.json(&["calendar", "list"]), serde_json::json!([]));
}

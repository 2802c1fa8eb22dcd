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

/// A small mbox: one mail to make a task of.
fn mail_device() -> Satu {
    let satu = Satu::new();
    let path = satu.dir.path().join("mail.mbox");
    std::fs::write(
        &path,
        "From a@b Mon Nov  2 09:00:00 2026\nFrom: Alice Example <alice@example.com>\nTo: bob@example.com\nSubject: Budget plan\nDate: Mon, 02 Nov 2026 09:00:00 +0000\nMessage-ID: <plan@example.com>\n\nLet us plan the budget.\n\n",
    )
    .expect("mbox");
    satu.json(&["import", "mbox", path.to_str().expect("path")]);
    satu
}

fn task_of<'a>(tasks: &'a Value, title: &str) -> &'a Value {
    tasks
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no task {title:?} in {tasks}"))
}

fn sync_tasks(satu: &Satu) -> Value {
    let reports = satu.json(&["sync"]);
    reports
        .as_array()
        .expect("reports")
        .iter()
        .find_map(|r| r.get("tasks").filter(|t| !t.is_null()).cloned())
        .unwrap_or_else(|| panic!("no CalDAV report in {reports}"))
}

#[test]
fn tasks_from_mail_sync_as_vtodos_that_other_devices_see_change_and_conflict_with() {
    let radicale = Radicale::start();
    let url = radicale.var("RADICALE_URL");
    // Device A: a mail becomes a task, then the CalDAV account is added: the task goes up.
    let a = mail_device();
    let mail = a.json(&["timeline", "--kind", "mail"])[0]["id"].to_string();
    let task = a.json(&["task", "from-mail", &mail]);
    let task_id = task["id"].to_string();
    support::added_id(&add(&a, url, "alice-pass", None));
    assert_eq!(sync_tasks(&a)["pushed"], 1);

    // On the server: a VTODO in the task list with the link to the mail (RFC 2392).
    let ics = the_vtodo(url);
    assert!(ics.contains("BEGIN:VTODO"), "{ics}");
    assert!(ics.contains("SUMMARY:Budget plan"), "{ics}");
    assert!(ics.contains("URL:mid:plan@example.com"), "{ics}");
    assert!(ics.contains("STATUS:NEEDS-ACTION"), "{ics}");

    // Device B sees it, with the link, and completes it; A gets that.
    let b = Satu::new();
    support::added_id(&add(&b, url, "alice-pass", None));
    assert_eq!(sync_tasks(&b)["pulled"], 1);
    let b_tasks = b.json(&["task", "list"]);
    let b_task = task_of(&b_tasks, "Budget plan");
    assert_eq!(
        b_task["todo"]["mail_link"], "mid:plan@example.com",
        "{b_task}"
    );
    let b_id = b_task["id"].to_string();
    b.json(&["task", "done", &b_id]);
    assert_eq!(sync_tasks(&b)["pushed"], 1);
    assert_eq!(sync_tasks(&a)["pulled"], 1);
    let a_task = a.json(&["task", "list"]);
    assert_eq!(task_of(&a_task, "Budget plan")["todo"]["done"], true);
    // Nothing more to do on either side.
    assert_eq!(
        sync_tasks(&a),
        serde_json::json!({"pulled": 0, "pushed": 0, "removed": 0, "conflicts": 0})
    );

    // Different fields changed on both sides merge: B reopens, A sets a due date.
    b.json(&["task", "done", &b_id, "--undo"]);
    sync_tasks(&b);
    a.json(&["task", "due", &task_id, "2027-01-10T09:00:00Z"]);
    let report = sync_tasks(&a);
    assert_eq!(
        (report["pulled"].clone(), report["conflicts"].clone()),
        (1.into(), 0.into()),
        "{report}"
    );
    let merged = a.json(&["task", "list"]);
    let merged = task_of(&merged, "Budget plan");
    assert_eq!(merged["todo"]["done"], false, "{merged}");
    assert_eq!(merged["todo"]["due"], "2027-01-10T09:00:00Z");
    sync_tasks(&b);
    let b_tasks = b.json(&["task", "list"]);
    assert_eq!(
        task_of(&b_tasks, "Budget plan")["todo"]["due"],
        "2027-01-10T09:00:00Z"
    );

    // The same field changed on both: a conflict that overwrites nothing, until the user says.
    b.json(&["task", "due", &b_id, "2027-02-01T09:00:00Z"]);
    sync_tasks(&b);
    a.json(&["task", "due", &task_id, "2027-03-01T09:00:00Z"]);
    assert_eq!(sync_tasks(&a)["conflicts"], 1);
    let conflicted = a.json(&["task", "list"]);
    let conflicted = task_of(&conflicted, "Budget plan");
    let reason = conflicted["todo"]["conflict"]
        .as_str()
        .expect("conflict shown");
    assert!(reason.contains("due 2027-02-01T09:00:00Z"), "{reason}");
    assert_eq!(
        conflicted["todo"]["due"], "2027-03-01T09:00:00Z",
        "this side kept"
    );
    sync_tasks(&b);
    let server_side = b.json(&["task", "list"]);
    assert_eq!(
        task_of(&server_side, "Budget plan")["todo"]["due"],
        "2027-02-01T09:00:00Z",
        "not overwritten"
    );
    // The user keeps this side's: it goes to the server.
    let resolved = a.json(&["task", "resolve", &task_id, "--keep", "here"]);
    assert_eq!(resolved["todo"]["conflict"], Value::Null, "{resolved}");
    sync_tasks(&b);
    let server_side = b.json(&["task", "list"]);
    assert_eq!(
        task_of(&server_side, "Budget plan")["todo"]["due"],
        "2027-03-01T09:00:00Z"
    );
}

#[test]
fn a_snooze_travels_as_a_task_so_the_other_devices_snooze_the_mail_too() {
    let radicale = Radicale::start();
    let url = radicale.var("RADICALE_URL");
    let inbox = |satu: &Satu| -> Vec<String> {
        satu.json(&["timeline", "--view", "inbox"])
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["title"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    // Two devices with the same mail and the same task list.
    let a = mail_device();
    support::added_id(&add(&a, url, "alice-pass", None));
    sync_tasks(&a);
    let b = mail_device();
    support::added_id(&add(&b, url, "alice-pass", None));
    sync_tasks(&b);
    let mail = a.json(&["timeline", "--kind", "mail"])[0]["id"].to_string();

    // Snoozed on A: away from A's Inbox, and a task due then goes to the task list; it is no
    // task of the user's (not in A's tasks or counts).
    a.json(&["snooze", &mail, "--until", "2099-01-05"]);
    assert!(!inbox(&a).contains(&"Budget plan".to_owned()));
    assert_eq!(a.json(&["task", "list"]), serde_json::json!([]));
    assert_eq!(sync_tasks(&a)["pushed"], 1);
    let ics = the_vtodo(url);
    assert!(ics.contains("X-SATU-SNOOZE:TRUE"), "{ics}");
    assert!(ics.contains("URL:mid:plan@example.com"), "{ics}");
    assert!(ics.contains("DUE:2099"), "{ics}");
    assert!(ics.contains("SUMMARY:Budget plan"), "{ics}");

    // B syncs: its copy of the mail is snoozed until the same time; no task shows.
    assert_eq!(sync_tasks(&b)["pulled"], 1);
    assert!(
        !inbox(&b).contains(&"Budget plan".to_owned()),
        "{:?}",
        inbox(&b)
    );
    let snoozed = b.json(&["timeline", "--view", "snoozed"]);
    assert_eq!(snoozed[0]["title"], "Budget plan", "{snoozed}");
    assert_eq!(
        snoozed[0]["snoozed_until"],
        a.json(&["show", &mail])["snoozed_until"]
    );
    assert_eq!(b.json(&["task", "list"]), serde_json::json!([]));
    assert_eq!(b.json(&["counts"])["tasks"], 0);

    // Brought back on A: its task leaves the list, and B's snooze ends with it.
    a.json(&["unsnooze", &mail]);
    sync_tasks(&a);
    sync_tasks(&b);
    assert!(
        inbox(&b).contains(&"Budget plan".to_owned()),
        "{:?}",
        inbox(&b)
    );
    assert_eq!(
        b.json(&["timeline", "--view", "snoozed"]),
        serde_json::json!([])
    );
    assert!(
        !listing_of(url).contains(".ics"),
        "the task is gone from the server"
    );
}

/// The one VTODO in alice's task list on the server (its text).
fn the_vtodo(url: &str) -> String {
    let listing = listing_of(url);
    let href = listing
        .split("<href>")
        .filter_map(|h| h.split("</href>").next())
        .find(|h| h.ends_with(".ics"))
        .unwrap_or_else(|| panic!("no VTODO on the server: {listing}"))
        .to_owned();
    let ics = std::process::Command::new("curl")
        .args(["-s", "-u", "alice:alice-pass"])
        .arg(format!("{}{}", url.trim_end_matches('/'), href))
        .output()
        .expect("curl");
    String::from_utf8_lossy(&ics.stdout).into_owned()
}

/// The task list's listing on the server.
fn listing_of(url: &str) -> String {
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-u",
            "alice:alice-pass",
            "-X",
            "PROPFIND",
            "-H",
            "Depth: 1",
        ])
        .arg(format!("{url}alice/tasks/"))
        .output()
        .expect("curl");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Sync health: calendars synced a moment ago are fresh; when the server stops answering, the
/// time since their last good sync grows and the indicator turns amber (ten minutes on, made
/// here by moving the store's note of that sync back), and each failed pass counts.
#[test]
fn calendar_freshness_turns_amber_when_the_server_stops_answering() {
    let radicale = Radicale::start();
    let satu = Satu::new();
    let out = add(&satu, radicale.var("RADICALE_URL"), "alice-pass", None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    satu.sync_ok();
    let calendar = |satu: &Satu| satu.json(&["health"])["indicators"][2].clone();
    let fresh = calendar(&satu);
    assert_eq!(fresh["key"], "calendar_fresh");
    assert_eq!(fresh["status"], "good", "{fresh}");
    // The diagnostics: the server answers, and its clock (its HTTP Date) agrees with ours.
    let found = satu.json(&["health", "diagnose"])["findings"].clone();
    let area = |name: &str| -> Value {
        found
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["area"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(area("reachability")["status"], "good", "{found}");
    assert_eq!(area("clock")["status"], "good", "{found}");
    assert!(
        area("clock")["value"].as_u64().is_some_and(|s| s <= 2),
        "{found}"
    );

    radicale.stop();
    {
        let db = rusqlite::Connection::open(satu.dir.path().join("satu.db")).expect("open");
        db.execute("UPDATE calendars SET synced_at = synced_at - 600", [])
            .expect("ten minutes ago");
    }
    let out = satu.run(&["sync"]);
    assert!(!out.status.success(), "the server is down");
    let stale = calendar(&satu);
    assert_eq!(stale["status"], "warning", "{stale}");
    assert!(
        stale["value"].as_f64().is_some_and(|s| s >= 600.0),
        "{stale}"
    );
    let account = &satu.json(&["health"])["accounts"][0];
    assert_eq!(account["passes"], 2, "{account}");
    assert_eq!(account["sync_error_rate"], 0.5, "{account}");
}

/// Imports one reply to the budget mail (`Re: Budget plan`) from `from` saying `text`, dated
/// `minutes` after now (after the task was made).
fn reply(satu: &Satu, id: &str, from: &str, text: &str, minutes: i64) {
    let date = (chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_rfc2822();
    let path = satu.dir.path().join(format!("{id}.mbox"));
    std::fs::write(
        &path,
        format!(
            "From a@b Mon Nov  2 09:00:00 2026\nFrom: {from}\nTo: alice@example.com\nSubject: Re: Budget plan\nDate: {date}\nMessage-ID: <{id}@example.com>\nIn-Reply-To: <plan@example.com>\nReferences: <plan@example.com>\n\n{text}\n\nOn Mon, 2 Nov 2026, Alice wrote:\n> Let us plan the budget.\n\n"
        ),
    )
    .expect("mbox");
    satu.json(&["import", "mbox", path.to_str().expect("path")]);
}

#[test]
fn replies_that_say_how_the_work_goes_move_the_task_and_other_devices_see_it() {
    let radicale = Radicale::start();
    let url = radicale.var("RADICALE_URL");
    let a = mail_device();
    let mail = a.json(&["timeline", "--kind", "mail"])[0]["id"].to_string();
    let task = a.json(&["task", "from-mail", &mail]);
    let task_id = task["id"].to_string();
    support::added_id(&add(&a, url, "alice-pass", None));
    sync_tasks(&a);

    // Bob, to whom the mail went, answers "50% there": the task is half done, in process.
    reply(
        &a,
        "half",
        "Bob <bob@example.com>",
        "About 50% there, the rest tomorrow.",
        1,
    );
    let tasks = a.json(&["task", "list"]);
    let t = task_of(&tasks, "Budget plan");
    assert_eq!(t["todo"]["percent"], 50, "{t}");
    assert_eq!(t["todo"]["status"], "in-process", "{t}");
    assert_eq!(sync_tasks(&a)["pushed"], 1);
    let ics = the_vtodo(url);
    assert!(ics.contains("PERCENT-COMPLETE:50"), "{ics}");

    // Someone who was not in the conversation says "Done": nothing moves.
    reply(&a, "stranger", "Eve <eve@elsewhere.test>", "Done.", 2);
    assert_eq!(
        task_of(&a.json(&["task", "list"]), "Budget plan")["todo"]["percent"],
        50
    );

    // Bob says "Selesai." (done): completed here and, after the sync, on the server; the
    // activity says which messages moved it.
    reply(
        &a,
        "done",
        "Bob <bob@example.com>",
        "Selesai, terima kasih.",
        3,
    );
    let tasks = a.json(&["task", "list"]);
    assert_eq!(task_of(&tasks, "Budget plan")["todo"]["done"], true);
    sync_tasks(&a);
    let ics = the_vtodo(url);
    assert!(ics.contains("STATUS:COMPLETED"), "{ics}");
    let shown = a.json(&["show", &task_id]);
    let moved: Vec<&str> = shown["activity"]
        .as_array()
        .expect("activity")
        .iter()
        .map(|a| a["moved_to"].as_str().expect("moved_to"))
        .collect();
    assert_eq!(moved, ["50%", "", "completed"], "{shown}");

    // A message written before "Selesai" but arriving after it does not undo it.
    reply(&a, "late", "Bob <bob@example.com>", "20% done so far", 2);
    assert_eq!(
        task_of(&a.json(&["task", "list"]), "Budget plan")["todo"]["done"],
        true
    );
}

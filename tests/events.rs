//! Events and tasks against two real CalDAV servers started by the project's scripts, Radicale
//! (`tests/servers/radicale.sh`) and Xandikos (`tests/servers/xandikos.sh`), with a second
//! client on the Python `caldav` package (`tests/servers/caldav_peer.sh`) playing the other
//! device: events made here seen there and back, recurring events with exceptions across DST,
//! all-day events, attendees and alarms, incremental sync by sync-token, merges and conflicts,
//! deletions, offline changes replayed, servers without sync-collection (ctag and etags), ICS
//! export and import, and an invitation answered through the outbox.

mod support;

use serde_json::Value;
use support::{Dovecot, Peer, Radicale, Satu, Smtp, Xandikos};

/// Where a test's CalDAV server is.
struct Server {
    url: String,
    user: String,
    password: String,
    /// The calendar's and the task list's URLs.
    calendar: String,
    tasks: String,
}

impl Server {
    fn radicale(r: &Radicale) -> Server {
        let url = r.var("RADICALE_URL").to_owned();
        Server {
            calendar: format!("{url}alice/calendar/"),
            tasks: format!("{url}alice/tasks/"),
            url,
            user: "alice".into(),
            password: "alice-pass".into(),
        }
    }

    fn xandikos(x: &Xandikos) -> Server {
        let url = x.var("XANDIKOS_URL").to_owned();
        let base = url.trim_end_matches('/');
        Server {
            calendar: format!("{base}{}", x.var("XANDIKOS_CALENDAR")),
            tasks: format!("{base}{}", x.var("XANDIKOS_TASKS")),
            url,
            user: "alice".into(),
            password: "any-password".into(),
        }
    }

    fn peer(&self) -> Peer {
        Peer {
            url: self.url.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
        }
    }

    fn add_to(&self, satu: &Satu) -> i64 {
        support::added_id(&satu.run_with_stdin(
            &[
                "--json",
                "account",
                "add-caldav",
                "--url",
                &self.url,
                "--username",
                &self.user,
                "--password-stdin",
            ],
            &format!("{}\n", self.password),
        ))
    }
}

/// `satu --json sync`: the events part of the CalDAV report.
fn sync_events(satu: &Satu) -> Value {
    let reports = satu.json(&["sync"]);
    reports
        .as_array()
        .expect("reports")
        .iter()
        .find_map(|r| r.get("events").filter(|t| !t.is_null()).cloned())
        .unwrap_or_else(|| panic!("no CalDAV report in {reports}"))
}

fn events(satu: &Satu, from: &str, to: &str) -> Vec<Value> {
    satu.json(&["calendar", "events", "--from", from, "--to", to])
        .as_array()
        .expect("events")
        .clone()
}

fn starts_of(events: &[Value], title: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["title"].as_str().is_some_and(|t| t.starts_with(title)))
        .map(|e| e["start"].as_str().expect("start").to_owned())
        .collect()
}

fn write(satu: &Satu, name: &str, text: &str) -> String {
    let path = satu.dir.path().join(name);
    std::fs::write(&path, text.replace('\n', "\r\n")).expect("write");
    path.to_str().expect("path").to_owned()
}

const NEW_YORK: &str = "BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZNAME:EDT
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZNAME:EST
END:STANDARD
END:VTIMEZONE
";

/// A weekly review in New York from 1 March 2027 (US summer time starts 14 March): the 8th
/// skipped, the 15th moved to the afternoon; an organizer, an attendee, an alarm.
fn review_ics() -> String {
    format!(
        "BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Peer//EN
{NEW_YORK}BEGIN:VEVENT
UID:review@peer.example
DTSTAMP:20270101T000000Z
DTSTART;TZID=America/New_York:20270301T100000
DTEND;TZID=America/New_York:20270301T110000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=America/New_York:20270308T100000
SUMMARY:Review
ORGANIZER;CN=Bob:mailto:bob@example.org
ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED:mailto:alice@example.com
BEGIN:VALARM
TRIGGER:-PT15M
ACTION:DISPLAY
DESCRIPTION:Review
END:VALARM
END:VEVENT
BEGIN:VEVENT
UID:review@peer.example
DTSTAMP:20270101T000000Z
RECURRENCE-ID;TZID=America/New_York:20270315T100000
DTSTART;TZID=America/New_York:20270315T140000
DTEND;TZID=America/New_York:20270315T150000
SUMMARY:Review (afternoon)
END:VEVENT
END:VCALENDAR
"
    )
}

const TRIP: &str = "BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Peer//EN
BEGIN:VEVENT
UID:trip@peer.example
DTSTAMP:20270101T000000Z
DTSTART;VALUE=DATE:20270320
DTEND;VALUE=DATE:20270322
SUMMARY:Trip
END:VEVENT
END:VCALENDAR
";

fn object<'a>(list: &'a Value, uid: &str) -> &'a Value {
    list.as_array()
        .expect("objects")
        .iter()
        .find(|o| o["uid"] == uid)
        .unwrap_or_else(|| panic!("no {uid} in {list}"))
}

/// The whole round: Satu's event seen by the other client, the other client's recurring,
/// all-day and invited events seen here, incremental pulls, merge, conflict, deletions.
fn events_round_trip(server: &Server) {
    let peer = server.peer();
    let satu = Satu::new();
    server.add_to(&satu);

    // Made here: a weekly stand-up in Berlin across the change to summer time (28 March).
    let standup = satu.json(&[
        "event",
        "add",
        "--title",
        "Stand-up",
        "--start",
        "2027-03-22T09:00",
        "--tz",
        "Europe/Berlin",
        "--rrule",
        "FREQ=WEEKLY;COUNT=4",
        "--location",
        "Room 1",
    ]);
    assert_eq!(standup["pending"], false, "pushed at once: {standup}");
    assert_eq!(standup["time_zone"], "Europe/Berlin");
    let standup_id = standup["id"].to_string();
    let uid = standup["uid"].as_str().expect("uid").to_owned();
    let there = peer.run(&["get", &server.calendar, &uid]);
    let ics = there["ics"].as_str().expect("ics");
    assert!(ics.contains("RRULE:FREQ=WEEKLY;COUNT=4"), "{ics}");
    assert!(
        ics.contains("DTSTART;TZID=Europe/Berlin:20270322T090000"),
        "{ics}"
    );
    assert!(ics.contains("BEGIN:VTIMEZONE"), "{ics}");
    assert_eq!(there["summary"], "Stand-up");
    assert_eq!(
        starts_of(&events(&satu, "2027-03-20", "2027-04-20"), "Stand-up"),
        vec![
            "2027-03-22T08:00:00Z",
            "2027-03-29T07:00:00Z",
            "2027-04-05T07:00:00Z",
            "2027-04-12T07:00:00Z"
        ]
    );

    // Made there: a series with an exception and a skipped date, and an all-day trip.
    peer.run(&[
        "put",
        &server.calendar,
        &write(&satu, "review.ics", &review_ics()),
    ]);
    peer.run(&["put", &server.calendar, &write(&satu, "trip.ics", TRIP)]);
    assert_eq!(sync_events(&satu)["pulled"], 2);
    let march = events(&satu, "2027-03-01", "2027-03-29");
    assert_eq!(
        starts_of(&march, "Review"),
        vec![
            "2027-03-01T15:00:00Z",
            "2027-03-15T18:00:00Z",
            "2027-03-22T14:00:00Z"
        ],
        "{march:?}"
    );
    let moved = march
        .iter()
        .find(|e| e["start"] == "2027-03-15T18:00:00Z")
        .expect("moved");
    assert_eq!(moved["title"], "Review (afternoon)");
    assert_eq!(moved["recurrence_id"], "2027-03-15T14:00:00Z");
    let trip = march.iter().find(|e| e["title"] == "Trip").expect("trip");
    assert_eq!(
        (&trip["start"], &trip["end"], &trip["all_day"]),
        (
            &Value::from("2027-03-20"),
            &Value::from("2027-03-22"),
            &Value::Bool(true)
        )
    );
    let review_id = march
        .iter()
        .find(|e| e["title"] == "Review")
        .expect("review")["id"]
        .to_string();
    let trip_id = trip["id"].to_string();
    let review = satu.json(&["event", "show", &review_id]);
    assert_eq!(review["time_zone"], "America/New_York");
    assert_eq!(review["organizer"], "bob@example.org");
    assert_eq!(review["attendees"][0]["partstat"], "accepted");
    assert_eq!(review["alarms"], serde_json::json!([15]));
    // In the timeline and in search too.
    let found = satu.json(&["search", "Review"]);
    assert!(
        found
            .as_array()
            .expect("results")
            .iter()
            .any(|i| i["kind"] == "event"),
        "{found}"
    );

    // Incremental: one change there is one pull here.
    peer.run(&[
        "edit",
        &server.calendar,
        "review@peer.example",
        "SUMMARY=Design review",
    ]);
    let pass = sync_events(&satu);
    assert_eq!(pass["pulled"], 1, "{pass}");
    assert_eq!(
        satu.json(&["event", "show", &review_id])["title"],
        "Design review"
    );
    assert_eq!(sync_events(&satu)["pulled"], 0);

    // Different properties changed on both sides: both kept.
    peer.run(&["edit", &server.calendar, &uid, "LOCATION=Room 9"]);
    let merged = satu.json(&["event", "edit", &standup_id, "--title", "Daily stand-up"]);
    assert_eq!(merged["title"], "Daily stand-up", "{merged}");
    assert_eq!(merged["location"], "Room 9", "{merged}");
    assert_eq!(merged["sync_error"], "", "{merged}");
    let there = peer.run(&["get", &server.calendar, &uid]);
    assert_eq!(there["summary"], "Daily stand-up", "{there}");
    assert!(
        there["ics"]
            .as_str()
            .expect("ics")
            .contains("LOCATION:Room 9"),
        "{there}"
    );

    // The same property changed on both sides: a conflict, nothing overwritten.
    peer.run(&["edit", &server.calendar, &uid, "SUMMARY=Their title"]);
    let conflict = satu.json(&["event", "edit", &standup_id, "--title", "Our title"]);
    let reason = conflict["sync_error"].as_str().expect("reason");
    assert!(reason.contains("Their title"), "{conflict}");
    assert_eq!(
        peer.run(&["get", &server.calendar, &uid])["summary"],
        "Their title"
    );
    let kept = satu.json(&["event", "resolve", &standup_id, "--keep", "here"]);
    assert_eq!(kept["sync_error"], "", "{kept}");
    assert_eq!(
        peer.run(&["get", &server.calendar, &uid])["summary"],
        "Our title"
    );

    // Deleted here: gone there. Deleted there: gone here.
    satu.json(&["event", "delete", &trip_id]);
    assert_eq!(
        peer.try_run(&["get", &server.calendar, "trip@peer.example"])
            .0,
        3
    );
    peer.run(&["delete", &server.calendar, "review@peer.example"]);
    assert_eq!(sync_events(&satu)["removed"], 1);
    let left = events(&satu, "2027-03-01", "2027-05-01");
    assert!(left.iter().all(|e| e["title"] == "Our title"), "{left:?}");
    assert_eq!(left.len(), 4);
}

#[test]
fn events_sync_both_ways_with_another_client_on_radicale() {
    let radicale = Radicale::start();
    events_round_trip(&Server::radicale(&radicale));
}

#[test]
fn events_sync_both_ways_with_another_client_on_xandikos() {
    let xandikos = Xandikos::start();
    events_round_trip(&Server::xandikos(&xandikos));
}

#[test]
fn event_changes_made_offline_are_pushed_when_the_server_is_back() {
    let radicale = Radicale::start();
    let server = Server::radicale(&radicale);
    let satu = Satu::new();
    server.add_to(&satu);
    radicale.stop();
    let out = satu.run(&[
        "--json",
        "event",
        "add",
        "--title",
        "Dentist",
        "--start",
        "2027-02-01T10:00:00Z",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("goes with the next sync"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(made["pending"], true);
    let id = made["id"].to_string();
    let out = satu.run(&[
        "--json",
        "event",
        "edit",
        &id,
        "--title",
        "Dentist (moved)",
        "--start",
        "2027-02-02T10:00:00Z",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = events(&satu, "2027-02-01", "2027-02-05");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["pending"], true);
    assert_eq!(
        listed[0]["end"], "2027-02-02T11:00:00Z",
        "kept its hour: {listed:?}"
    );

    radicale.start_again();
    assert_eq!(sync_events(&satu)["pushed"], 1);
    let there = server.peer().run(&["list", &server.calendar]);
    assert_eq!(there.as_array().expect("list").len(), 1, "{there}");
    assert_eq!(there[0]["summary"], "Dentist (moved)");
    assert_eq!(
        events(&satu, "2027-02-01", "2027-02-05")[0]["pending"],
        false
    );
    // Nothing pushed twice.
    assert_eq!(sync_events(&satu)["pushed"], 0);
    // An endless series: instances past the stored horizon (two years) are made when asked for.
    satu.json(&[
        "event",
        "add",
        "--title",
        "Anniversary",
        "--start",
        "2027-05-01",
        "--all-day",
        "--rrule",
        "FREQ=YEARLY",
    ]);
    for year in ["2028", "2035", "2060"] {
        let found = events(&satu, &format!("{year}-04-30"), &format!("{year}-05-03"));
        assert_eq!(found.len(), 1, "{year}: {found:?}");
        assert_eq!(found[0]["start"], format!("{year}-05-01"));
    }
}

#[test]
fn without_sync_collection_the_ctag_and_etags_find_every_change() {
    let radicale = Radicale::start();
    let server = Server::radicale(&radicale);
    let peer = server.peer();
    let satu = Satu::new();
    server.add_to(&satu);
    let sync = || {
        let out = satu
            .command()
            .args(["--json", "sync"])
            .env("SATU_CALDAV_NO_SYNC_COLLECTION", "1")
            .output()
            .expect("satu sync");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let reports: Value = serde_json::from_slice(&out.stdout).expect("json");
        reports[0]["events"].clone()
    };
    peer.run(&["put", &server.calendar, &write(&satu, "trip.ics", TRIP)]);
    assert_eq!(sync()["pulled"], 1);
    assert_eq!(sync()["pulled"], 0, "same ctag: nothing to fetch");
    peer.run(&[
        "edit",
        &server.calendar,
        "trip@peer.example",
        "SUMMARY=Long trip",
    ]);
    assert_eq!(sync()["pulled"], 1);
    assert_eq!(
        events(&satu, "2027-03-01", "2027-04-01")[0]["title"],
        "Long trip"
    );
    peer.run(&["delete", &server.calendar, "trip@peer.example"]);
    assert_eq!(sync()["removed"], 1);
    assert!(events(&satu, "2027-03-01", "2027-04-01").is_empty());
}

#[test]
fn a_task_from_mail_reaches_xandikos_with_its_link_and_comes_back_done() {
    let xandikos = Xandikos::start();
    let server = Server::xandikos(&xandikos);
    let satu = Satu::new();
    let path = satu.dir.path().join("mail.mbox");
    std::fs::write(
        &path,
        "From a@b Mon Nov  2 09:00:00 2026\nFrom: Bob <bob@example.com>\nTo: alice@example.com\nSubject: Order chairs\nDate: Mon, 02 Nov 2026 09:00:00 +0000\nMessage-ID: <chairs@example.com>\n\nPlease order the chairs.\n\n",
    )
    .expect("mbox");
    satu.json(&["import", "mbox", path.to_str().expect("path")]);
    server.add_to(&satu);
    let lists = satu.json(&["calendar", "list"]);
    let tasks_list = lists
        .as_array()
        .expect("calendars")
        .iter()
        .find(|c| c["tasks_go_here"] == true)
        .expect("a task list");
    assert_eq!(
        tasks_list["name"], "Tasks",
        "chosen by name on a server where every calendar takes tasks: {lists}"
    );
    let mail = satu.json(&["timeline", "--kind", "mail"])[0]["id"].to_string();
    let task = satu.json(&["task", "from-mail", &mail]);
    satu.json(&["sync"]);
    let peer = server.peer();
    let there = peer.run(&["list", &server.tasks]);
    let todo = &there[0];
    assert_eq!(todo["component"], "VTODO", "{there}");
    assert!(
        todo["ics"]
            .as_str()
            .expect("ics")
            .contains("URL:mid:chairs@example.com"),
        "{todo}"
    );
    let uid = todo["uid"].as_str().expect("uid").to_owned();
    let task_id = task["id"].to_string();
    let mine = |satu: &Satu| -> Value {
        let tasks = satu.json(&["task", "list"]);
        tasks
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| t["id"] == task["id"])
            .expect("the task")
            .clone()
    };
    // The other client sets what Satu does not edit; Satu shows it and keeps it.
    peer.run(&[
        "edit",
        &server.tasks,
        &uid,
        "PRIORITY=1",
        "PERCENT-COMPLETE=40",
        "RELATED-TO=offsite@example.com",
        "CATEGORIES=Office",
    ]);
    satu.json(&["sync"]);
    let shown = mine(&satu);
    assert_eq!(shown["todo"]["priority"], 1, "{shown}");
    assert_eq!(shown["todo"]["percent"], 40, "{shown}");
    assert_eq!(
        shown["todo"]["related_to"], "offsite@example.com",
        "{shown}"
    );
    satu.json(&["task", "done", &task_id]);
    assert_eq!(mine(&satu)["todo"]["percent"], 100);
    satu.json(&["task", "edit", &task_id, "--title", "Order 12 chairs"]);
    let there = peer.run(&["get", &server.tasks, &uid]);
    let ics = there["ics"].as_str().expect("ics");
    for kept in [
        "PRIORITY:1",
        "RELATED-TO:offsite@example.com",
        "CATEGORIES:Office",
        "URL:mid:chairs@example.com",
        "STATUS:COMPLETED",
        "PERCENT-COMPLETE:100",
        "SUMMARY:Order 12 chairs",
    ] {
        assert!(ics.contains(kept), "{kept} in {ics}");
    }
    // Completed there: completed here.
    peer.run(&[
        "edit",
        &server.tasks,
        &uid,
        "STATUS=NEEDS-ACTION",
        "COMPLETED=",
    ]);
    satu.json(&["sync"]);
    assert_eq!(mine(&satu)["todo"]["done"], false);
    peer.run(&["edit", &server.tasks, &uid, "STATUS=COMPLETED"]);
    satu.json(&["sync"]);
    assert_eq!(mine(&satu)["todo"]["done"], true);
    // Deleted here: gone there, and the mail no longer names it.
    satu.json(&["task", "delete", &task_id]);
    assert_eq!(satu.json(&["show", &mail])["task"], Value::Null);
    assert_eq!(peer.try_run(&["get", &server.tasks, &uid]).0, 3);
    assert!(satu
        .json(&["task", "list"])
        .as_array()
        .expect("tasks")
        .is_empty());
}

#[test]
fn a_calendar_exported_as_ics_imports_into_another_server() {
    let first = Radicale::start();
    let a = Server::radicale(&first);
    let satu = Satu::new();
    a.add_to(&satu);
    a.peer().run(&[
        "put",
        &a.calendar,
        &write(&satu, "review.ics", &review_ics()),
    ]);
    a.peer()
        .run(&["put", &a.calendar, &write(&satu, "trip.ics", TRIP)]);
    satu.json(&["sync"]);
    let file = satu.dir.path().join("export.ics");
    let done = satu.json(&["calendar", "export", "--out", file.to_str().expect("path")]);
    assert_eq!(done["events"], 2);
    let text = std::fs::read_to_string(&file).expect("export");
    assert_eq!(
        text.matches("BEGIN:VEVENT").count(),
        3,
        "series, exception, trip: {text}"
    );
    assert_eq!(text.matches("BEGIN:VTIMEZONE").count(), 1, "{text}");
    assert!(text.contains("TRIGGER:-PT15M"), "{text}");
    // A selection: just the trip.
    let trip = events(&satu, "2027-03-20", "2027-03-21")[0]["id"].to_string();
    let out = satu.run(&["calendar", "export", "--id", &trip]);
    let one = String::from_utf8_lossy(&out.stdout);
    assert_eq!(one.matches("BEGIN:VEVENT").count(), 1, "{one}");

    let second = Radicale::start();
    let b = Server::radicale(&second);
    let other = Satu::new();
    b.add_to(&other);
    let report = other.json(&["calendar", "import", file.to_str().expect("path")]);
    assert_eq!(
        (report["added"].as_u64(), report["skipped"].as_u64()),
        (Some(2), Some(0)),
        "{report}"
    );
    assert_eq!(sync_events(&other)["pushed"], 2);
    let there = b.peer().run(&["list", &b.calendar]);
    let review = object(&there, "review@peer.example");
    assert!(
        review["ics"]
            .as_str()
            .expect("ics")
            .contains("RECURRENCE-ID"),
        "{review}"
    );
    assert_eq!(
        starts_of(&events(&other, "2027-03-01", "2027-03-29"), "Review"),
        starts_of(&events(&satu, "2027-03-01", "2027-03-29"), "Review")
    );
    // Importing the same file again updates rather than duplicates.
    let again = other.json(&["calendar", "import", file.to_str().expect("path")]);
    assert_eq!(
        (again["added"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(2))
    );
}

const INVITATION: &str = "From: Bob <bob@example.org>
To: Alice <alice@example.com>
Subject: Invitation: Planning
Date: Mon, 04 Jan 2027 09:00:00 +0000
Message-ID: <invite-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=\"b1\"

--b1
Content-Type: text/plain; charset=utf-8

You are invited to Planning.
--b1
Content-Type: text/calendar; charset=utf-8; method=REQUEST

BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Other//EN
METHOD:REQUEST
BEGIN:VEVENT
UID:planning@example.org
SEQUENCE:0
DTSTAMP:20270104T090000Z
DTSTART:20270110T090000Z
DTEND:20270110T100000Z
SUMMARY:Planning
ORGANIZER;CN=Bob:mailto:bob@example.org
ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.com
END:VEVENT
END:VCALENDAR
--b1--
";

#[test]
fn an_invitation_is_answered_through_the_outbox_and_lands_in_the_calendar() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start_with(&[]);
    let radicale = Radicale::start();
    let server = Server::radicale(&radicale);
    let satu = Satu::new();
    satu.alice_with_smtp(&dovecot, &smtp);
    server.add_to(&satu);
    dovecot.append("alice", "INBOX", &INVITATION.replace('\n', "\r\n"));
    satu.sync_ok();
    let mail = satu.json(&["timeline", "--kind", "mail"])[0]["id"].to_string();
    let shown = satu.json(&["show", &mail]);
    let invitation = &shown["invitation"];
    assert_eq!(invitation["method"], "REQUEST", "{shown}");
    assert_eq!(invitation["title"], "Planning");
    assert_eq!(invitation["start"], "2027-01-10T09:00:00Z");
    assert_eq!(invitation["organizer"], "bob@example.org");
    assert_eq!(invitation["answer"], Value::Null);

    let answered = satu.json(&["event", "answer", &mail, "accepted"]);
    assert_eq!(answered["answer"], "accepted", "{answered}");
    let trail = satu.json(&["audit", "--kind", "event.answer"]);
    assert_eq!(trail[0]["item"].to_string(), mail, "{trail}");
    assert!(answered["event"].is_i64(), "{answered}");

    // The organizer got an iMIP REPLY with Alice's answer.
    let log = smtp.log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["rcpt"], serde_json::json!(["bob@example.org"]));
    let reply = std::fs::read_to_string(log[0]["file"].as_str().expect("file")).expect("reply");
    assert!(
        reply.contains("method=REPLY") || reply.contains("method=\"REPLY\""),
        "{reply}"
    );
    assert!(reply.contains("METHOD:REPLY"), "{reply}");
    assert!(reply.contains("PARTSTAT=ACCEPTED"), "{reply}");
    assert!(reply.contains("Subject: Accepted: Planning"), "{reply}");

    // The event is in the calendar, on the server, with the answer and without METHOD.
    let there = server
        .peer()
        .run(&["get", &server.calendar, "planning@example.org"]);
    let ics = there["ics"].as_str().expect("ics");
    assert!(ics.contains("PARTSTAT=ACCEPTED"), "{ics}");
    assert!(!ics.contains("METHOD"), "{ics}");
    assert_eq!(
        events(&satu, "2027-01-10", "2027-01-11")[0]["title"],
        "Planning"
    );
    assert_eq!(
        satu.json(&["show", &mail])["invitation"]["answer"],
        "accepted"
    );

    // Declining afterwards takes it out of the calendar (and tells the organizer).
    let declined = satu.json(&["event", "answer", &mail, "declined"]);
    assert_eq!(declined["event"], Value::Null, "{declined}");
    assert_eq!(declined["answer"], "declined", "{declined}");
    assert!(events(&satu, "2027-01-10", "2027-01-11").is_empty());
    assert_eq!(smtp.log().len(), 2);
    assert_eq!(
        server
            .peer()
            .try_run(&["get", &server.calendar, "planning@example.org"])
            .0,
        3
    );
}

#[test]
fn tasks_made_from_mail_go_to_the_one_list_chosen_over_every_account() {
    let first = Radicale::start();
    let second = Xandikos::start();
    let (a, b) = (Server::radicale(&first), Server::xandikos(&second));
    let satu = Satu::new();
    let path = satu.dir.path().join("mail.mbox");
    std::fs::write(
        &path,
        "From a@b Mon Nov  2 09:00:00 2026\nFrom: Bob <bob@example.com>\nTo: alice@example.com\nSubject: Print the posters\nDate: Mon, 02 Nov 2026 09:00:00 +0000\nMessage-ID: <posters@example.com>\n\nPlease print them.\n\n",
    )
    .expect("mbox");
    satu.json(&["import", "mbox", path.to_str().expect("path")]);
    a.add_to(&satu);
    b.add_to(&satu);
    let lists = satu.json(&["calendar", "list"]);
    let chosen: Vec<&Value> = lists
        .as_array()
        .expect("calendars")
        .iter()
        .filter(|c| c["tasks_go_here"] == true)
        .collect();
    assert_eq!(chosen.len(), 1, "one list takes the tasks: {lists}");
    // Choose Xandikos' task list: the task goes there, not to Radicale.
    let xandikos_tasks = lists
        .as_array()
        .expect("calendars")
        .iter()
        .find(|c| {
            c["name"] == "Tasks"
                && c["href"]
                    .as_str()
                    .is_some_and(|h| h.contains("/calendars/"))
        })
        .expect("Xandikos' Tasks")["id"]
        .to_string();
    let after = satu.json(&["calendar", "tasks-here", &xandikos_tasks]);
    assert_eq!(
        after
            .as_array()
            .expect("calendars")
            .iter()
            .filter(|c| c["tasks_go_here"] == true)
            .count(),
        1
    );
    let out = satu.run(&["calendar", "tasks-here", "999"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mail = satu.json(&["timeline", "--kind", "mail"])[0]["id"].to_string();
    satu.json(&["task", "from-mail", &mail]);
    satu.json(&["sync"]);
    assert_eq!(
        b.peer()
            .run(&["list", &b.tasks])
            .as_array()
            .expect("list")
            .len(),
        1
    );
    assert_eq!(
        a.peer()
            .run(&["list", &a.tasks])
            .as_array()
            .expect("list")
            .len(),
        0
    );
}

/// A connection cut in the middle of a sync (every connection, after 30 kB from the server: in
/// the multiget answer) fails the pass visibly and half-stores nothing; the next pass brings
/// every event, each once, and the one after has nothing to do.
#[test]
fn a_sync_cut_mid_answer_loses_nothing_and_the_next_pass_completes() {
    let radicale = Radicale::start();
    let server = Server::radicale(&radicale);
    let satu = Satu::new();
    // 40 events made by the other client, straight over HTTP.
    for i in 0..40 {
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:cut-{i}@example.com\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:202703{:02}T090000Z\r\nDTEND:202703{:02}T100000Z\r\nSUMMARY:Meeting {i}\r\nDESCRIPTION:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            i % 28 + 1,
            i % 28 + 1,
            "x".repeat(400)
        );
        let out = std::process::Command::new("curl")
            .args([
                "-s",
                "-f",
                "-u",
                "alice:alice-pass",
                "-X",
                "PUT",
                "-H",
                "Content-Type: text/calendar",
                "--data-binary",
            ])
            .arg(&ics)
            .arg(format!("{}cut-{i}.ics", server.calendar))
            .output()
            .expect("curl");
        assert!(
            out.status.success(),
            "PUT {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let upstream = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let proxy = support::proxy::FaultyProxy::start(&upstream);
    let through = Server {
        url: format!("http://{}/", proxy.addr()),
        ..Server::radicale(&radicale)
    };
    through.add_to(&satu);
    // Every connection is cut after 30 kB from the server: the listing gets through, the
    // event data does not all.
    proxy.cut_after(30_000);
    let out = satu.run(&["--json", "sync"]);
    assert!(!out.status.success(), "the cut sync fails visibly");
    assert!(proxy.cuts() > 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("calendar"), "{stderr}");
    let partial = events(&satu, "2027-03-01", "2027-04-01").len();
    assert!(partial < 40, "some events were cut off: {partial}");
    proxy.pass();
    let pass = sync_events(&satu);
    assert_eq!(pass["pulled"].as_u64(), Some(40 - partial as u64), "{pass}");
    let all = events(&satu, "2027-03-01", "2027-04-01");
    let mut ids: Vec<&str> = all
        .iter()
        .map(|e| e["title"].as_str().expect("title"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((all.len(), ids.len()), (40, 40), "each event once");
    assert_eq!(sync_events(&satu)["pulled"], 0);
}

/// `n` one-hour events "Talk 0" … in 2027 written straight into alice's calendar in Radicale's
/// storage, which must be stopped (a PUT each would take minutes: Radicale checks every UID on
/// each).
fn write_talks(radicale: &Radicale, n: usize) {
    let collection = radicale
        .dir
        .path()
        .join("collections/collection-root/alice/calendar");
    for i in 0..n {
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:kill-{i}@example.com\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270{}{:02}T090000Z\r\nDURATION:PT1H\r\nSUMMARY:Talk {i}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            i % 9 + 1,
            i % 28 + 1
        );
        std::fs::write(collection.join(format!("kill-{i}.ics")), ics).expect("write");
    }
}

/// The REPORTs Radicale logged for alice's calendar so far.
fn reports_logged(radicale: &Radicale) -> usize {
    std::fs::read_to_string(radicale.dir.path().join("radicale.log"))
        .expect("radicale.log")
        .lines()
        .filter(|l| l.contains("REPORT request for '/alice/calendar/'"))
        .count()
}

/// The initial sync asks for the token and every event's data in one sync-collection; a server
/// that refuses so large an answer (Radicale: more VEVENTs than `max_expand_occurrence`) is
/// asked for the etags instead and the data comes in multigets. Either way every event arrives
/// once and the next pass starts from the token.
#[test]
fn the_initial_sync_takes_everything_in_one_answer_or_falls_back_to_multigets() {
    let radicale = Radicale::start();
    let server = Server::radicale(&radicale);
    radicale.stop();
    write_talks(&radicale, 250);
    radicale.start_again();
    let count = |satu: &Satu| events(satu, "2027-01-01", "2028-01-01").len();

    let one = Satu::new();
    server.add_to(&one);
    let before = reports_logged(&radicale);
    assert_eq!(sync_events(&one)["pulled"], 250);
    assert_eq!(
        reports_logged(&radicale) - before,
        1,
        "one sync-collection, no multiget"
    );
    assert_eq!(count(&one), 250);

    // At most 220 VEVENTs per REPORT: the one answer is refused, two multigets (200 + 50) pass.
    radicale.stop();
    radicale.start_again_with(&[("RADICALE_MAX_REPORT_VEVENTS", "220")]);
    let two = Satu::new();
    server.add_to(&two);
    let before = reports_logged(&radicale);
    assert_eq!(sync_events(&two)["pulled"], 250);
    assert_eq!(
        reports_logged(&radicale) - before,
        4,
        "the refused sync-collection, one without data, two multigets"
    );
    assert_eq!(count(&two), 250);
    let log = std::fs::read_to_string(radicale.dir.path().join("radicale.log")).expect("log");
    assert!(log.contains("Bad REPORT request"), "Radicale refused one");
    assert_eq!(sync_events(&two)["pulled"], 0, "from the token");
}

/// `kill -9` in the middle of a CalDAV sync (after its first stored answer): the
/// store is intact, and the next pass brings the rest, each event once.
#[test]
fn a_sync_killed_mid_pass_resumes_without_duplicates() {
    let radicale = Radicale::start();
    let server = Server::radicale(&radicale);
    let satu = Satu::new();
    // 260 events, more than one transaction of stored answers (200 each), written into
    // Radicale's storage while it is stopped.
    radicale.stop();
    write_talks(&radicale, 260);
    radicale.start_again();
    server.add_to(&satu);

    let mut child = satu
        .command()
        .args(["--json", "sync"])
        // Paused after the first stored answer, so that the kill below lands between the first
        // answer and the last however fast the sync is.
        .env("SATU_FAULT", "caldav-pause-after-answer")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("satu sync");
    let stored = |satu: &Satu| -> i64 {
        rusqlite::Connection::open_with_flags(
            satu.dir.path().join("satu.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .and_then(|db| db.query_row("SELECT count(*) FROM events", [], |r| r.get(0)))
        .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while stored(&satu) == 0 && child.try_wait().expect("wait").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no events stored within 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    let before = stored(&satu);
    assert!(
        before > 0 && before < 260,
        "killed between the first answer and the last: {before} stored"
    );
    let check: String = satu
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(check, "ok");

    let pass = sync_events(&satu);
    assert_eq!(pass["pulled"].as_i64(), Some(260 - before), "{pass}");
    let all = events(&satu, "2027-01-01", "2028-01-01");
    let mut titles: Vec<&str> = all
        .iter()
        .map(|e| e["title"].as_str().expect("title"))
        .collect();
    titles.sort_unstable();
    titles.dedup();
    assert_eq!((all.len(), titles.len()), (260, 260), "each event once");
    assert_eq!(sync_events(&satu)["pulled"], 0);
}

/// Sync health: an event changed on the server by another device while `satu watch` runs
/// shows here at the next pass (within the 30 s the live sync waits between two), and how long
/// that took, from its DTSTAMP to the pull, is in the calendar indicator; Satu's own change,
/// brought back by the same pull, is not counted.
#[test]
fn a_change_on_the_server_is_reported_with_its_delay() {
    let radicale = Radicale::start();
    let server = Server::radicale(&radicale);
    let satu = Satu::new();
    server.add_to(&satu);
    sync_events(&satu);
    let mut watch = satu
        .command()
        .args(["--json", "watch"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("satu watch");
    // After the live sync's first pass, Satu adds an event (pushed at once) and the other
    // device one stamped now.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let mine = satu.json(&[
        "event",
        "add",
        "--title",
        "Mine",
        "--start",
        "2027-04-12T09:00",
    ]);
    assert_eq!(mine["pending"], false, "pushed at once: {mine}");
    let now = chrono_like_now();
    let ics = format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Peer//EN\nBEGIN:VEVENT\nUID:late@peer.example\nDTSTAMP:{now}\nDTSTART:20270410T090000Z\nDTEND:20270410T100000Z\nSUMMARY:Planning\nEND:VEVENT\nEND:VCALENDAR\n"
    );
    server
        .peer()
        .run(&["put", &server.calendar, &write(&satu, "late.ics", &ics)]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(45);
    while !events(&satu, "2027-04-01", "2027-05-01")
        .iter()
        .any(|e| e["title"] == "Planning")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the change did not come within 45 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let calendar = &satu.json(&["health"])["indicators"][2];
    assert_eq!(calendar["status"], "good", "{calendar}");
    assert!(
        calendar["detail"]
            .as_str()
            .is_some_and(|d| d.contains(" 1 change made on the server showed here within")),
        "{calendar}"
    );
}

/// Now in UTC as iCalendar writes it (`20271231T235959Z`), from `date`.
fn chrono_like_now() -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "+%Y%m%dT%H%M%SZ"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

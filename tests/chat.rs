//! Chat over Matrix against a real Synapse (tests/servers/synapse.sh) on 127.0.0.1: alice
//! uses Satu, bob (and alice's other device) use plain HTTP (curl), so what Satu did is seen
//! by another client. Two users, a room, messages both ways, replies, edits, redactions, read
//! markers both ways, offline sends, a server restart, a crash between queueing and sending,
//! history gaps, encrypted rooms, a task from a chat message.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::matrix::{Peer, Synapse};
use support::Satu;

/// Adds alice's Matrix account on `synapse` to `satu`; returns its id.
fn add_alice(satu: &Satu, synapse: &Synapse) -> i64 {
    let out = satu.run_with_stdin(
        &[
            "--json",
            "account",
            "add-matrix",
            "--homeserver",
            synapse.url(),
            "--user",
            "alice",
            "--password-stdin",
        ],
        "alice-pass\n",
    );
    support::added_id(&out)
}

/// Bob makes a room named `name` with alice in it (alice's other device joins), and Satu
/// syncs it.
fn room_with_alice(synapse: &Synapse, name: &str) -> (Peer, Peer, String) {
    let bob = synapse.login("bob", "bob-pass");
    let alice_web = synapse.login("alice", "alice-pass");
    let room = bob.create_room(name, &["@alice:localhost"]);
    alice_web.join(&room);
    (bob, alice_web, room)
}

/// A Synapse, a Satu with alice's account, and a room `name` that bob made with alice in it,
/// synced: (server, satu, bob, the room's Matrix id, its number in Satu).
fn synced_room(name: &str) -> (Synapse, Satu, Peer, String, String) {
    let synapse = Synapse::start();
    let satu = Satu::new();
    add_alice(&satu, &synapse);
    let (bob, _alice_web, room) = room_with_alice(&synapse, name);
    satu.json(&["sync"]);
    let number = room_number(&satu, &room).to_string();
    (synapse, satu, bob, room, number)
}

/// `satu chat send` killed after the homeserver took the message, before the store heard.
fn send_and_crash(satu: &Satu, room: &str, text: &str) {
    let out = satu
        .command()
        .args(["--json", "chat", "send", room, text])
        .env("SATU_FAULT", "chat-after-send")
        .output()
        .expect("run satu");
    assert!(!out.status.success(), "the fault aborts the process");
}

fn chat_items(satu: &Satu) -> Vec<Value> {
    satu.json(&["timeline", "--kind", "chat", "--limit", "500"])
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn item_with_snippet(satu: &Satu, text: &str) -> Value {
    chat_items(satu)
        .into_iter()
        .find(|i| i["snippet"] == text)
        .unwrap_or_else(|| panic!("no chat item {text:?}: {:#?}", chat_items(satu)))
}

fn room_number(satu: &Satu, room_id: &str) -> i64 {
    let rooms = satu.json(&["chat", "rooms"]);
    rooms
        .as_array()
        .and_then(|rooms| rooms.iter().find(|r| r["room_id"] == room_id))
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("no room {room_id} in {rooms:#}"))
}

#[test]
fn two_users_talk_reply_edit_redact_and_read_both_ways() {
    let synapse = Synapse::start();
    let satu = Satu::new();
    let account = add_alice(&satu, &synapse);
    let accounts = satu.json(&["account", "list"]);
    assert_eq!(accounts[0]["kind"], "matrix");
    assert_eq!(accounts[0]["username"], "@alice:localhost");
    // Only the access token is kept, never the password.
    let db = satu.db();
    let stored: String = db
        .query_row("SELECT url FROM accounts WHERE id = ?1", [account], |r| {
            r.get(0)
        })
        .expect("account row");
    assert!(stored.starts_with("http://127.0.0.1:"), "{stored}");

    let (bob, alice_web, room) = room_with_alice(&synapse, "Lunch");
    let hello = bob.send(&room, "hello alice, lunch at noon?");
    let report = satu.json(&["sync"]);
    assert!(
        report[0]["chat"]["messages"].as_u64() >= Some(1),
        "{report}"
    );
    let rooms = satu.json(&["chat", "rooms"]);
    let lunch = &rooms[0];
    assert_eq!(lunch["name"], "Lunch");
    assert_eq!(lunch["membership"], "join");
    assert_eq!(lunch["unread"], 1);
    let number = lunch["id"].as_i64().expect("room number");

    // Bob's message is a chat item in the unified timeline and in search.
    let item = item_with_snippet(&satu, "hello alice, lunch at noon?");
    assert_eq!(item["kind"], "chat");
    assert_eq!(item["title"], "Lunch");
    assert_eq!(item["sender"]["address"], "@bob:localhost");
    assert_eq!(item["unread"], true);
    assert_eq!(item["chat"]["event_id"], hello.as_str());
    assert_eq!(item["chat"]["room_id"], room.as_str());
    let id = item["id"].as_i64().expect("id");
    let found = satu.json(&["search", "lunch noon"]);
    assert!(
        found
            .as_array()
            .expect("results")
            .iter()
            .any(|r| r["id"] == id),
        "{found}"
    );
    let all = satu.json(&["timeline"]);
    assert!(all.as_array().expect("items").iter().any(|r| r["id"] == id));

    // Alice answers from Satu, as a reply: bob sees it with the reply relation.
    let sent = satu.json(&[
        "chat",
        "send",
        &number.to_string(),
        "yes, see you there",
        "--reply-to",
        &id.to_string(),
    ]);
    assert_eq!(sent["chat"]["state"], "sent", "{sent}");
    let event = sent["chat"]["event_id"]
        .as_str()
        .expect("event id")
        .to_owned();
    let seen = Peer::wait_for(Duration::from_secs(10), "bob sees alice's reply", || {
        bob.messages(&room, 10)
            .into_iter()
            .find(|e| e["event_id"] == event.as_str())
    });
    assert_eq!(seen["sender"], "@alice:localhost");
    assert_eq!(
        seen["content"]["m.relates_to"]["m.in_reply_to"]["event_id"],
        hello.as_str()
    );
    assert!(
        seen["content"]["body"]
            .as_str()
            .is_some_and(|b| b.ends_with("yes, see you there")),
        "{seen}"
    );
    // Synced back, it is still one item, and it shows what it answers.
    satu.json(&["sync"]);
    let mine: Vec<Value> = chat_items(&satu)
        .into_iter()
        .filter(|i| i["chat"]["event_id"] == event.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{mine:#?}");
    assert_eq!(mine[0]["unread"], false);
    let shown = satu.json(&["show", &mine[0]["id"].to_string()]);
    assert_eq!(shown["body_text"], "yes, see you there");
    assert_eq!(shown["reply_to"]["item"], id);

    // Reading in Satu moves alice's read marker on the server (her other device sees it).
    satu.json(&["mark", &id.to_string(), "--read"]);
    let marker = Peer::wait_for(Duration::from_secs(10), "the read marker", || {
        alice_web.fully_read(&room)
    });
    assert!(
        marker == hello || marker == event,
        "marker at {marker}, not at {hello} or later"
    );

    // Bob edits his message: the text shown is the new one; search follows.
    bob.edit(&room, &hello, "hello alice, lunch at one?");
    satu.json(&["sync"]);
    let edited = satu.json(&["show", &id.to_string()]);
    assert_eq!(edited["body_text"], "hello alice, lunch at one?");
    assert_eq!(edited["chat"]["edited"], true);
    assert_eq!(edited["snippet"], "hello alice, lunch at one?");
    assert!(satu
        .json(&["search", "noon"])
        .as_array()
        .expect("results")
        .iter()
        .all(|r| r["id"] != id));

    // Reading elsewhere clears unread here: bob writes twice, alice reads on her other device.
    let first_event = bob.send(&room, "first of two");
    let second = bob.send(&room, "second of two");
    satu.json(&["sync"]);
    assert_eq!(item_with_snippet(&satu, "second of two")["unread"], true);
    alice_web.read_marker(&room, &second);
    satu.json(&["sync"]);
    assert_eq!(item_with_snippet(&satu, "first of two")["unread"], false);
    assert_eq!(item_with_snippet(&satu, "second of two")["unread"], false);
    assert_eq!(satu.json(&["chat", "rooms"])[0]["unread"], 0);

    // Bob redacts his edited message: its text is gone here and from search.
    bob.redact(&room, &hello);
    satu.json(&["sync"]);
    let redacted = satu.json(&["show", &id.to_string()]);
    assert_eq!(redacted["chat"]["redacted"], true);
    assert_eq!(redacted["body_text"], "");
    assert!(satu
        .json(&["search", "lunch one"])
        .as_array()
        .expect("results")
        .iter()
        .all(|r| r["id"] != id));
    // The audit trail has alice's reply (from the CLI) and bob's edit and redaction (from the
    // server).
    let trail = satu.json(&["audit", "--kind", "chat."]);
    let seen: Vec<(String, String)> = trail
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["origin"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (kind, origin) in [
        ("chat.send", "cli"),
        ("chat.edit", "server"),
        ("chat.redact", "server"),
    ] {
        assert!(
            seen.contains(&(kind.to_owned(), origin.to_owned())),
            "{kind} from {origin} in {trail}"
        );
    }

    // A chat message becomes a task with one command, linked both ways.
    let first = item_with_snippet(&satu, "first of two");
    let task = satu.json(&["task", "from-chat", &first["id"].to_string()]);
    assert_eq!(task["kind"], "task");
    assert_eq!(task["title"], "first of two");
    assert_eq!(
        task["todo"]["mail"], first["id"],
        "the task names its chat message"
    );
    assert_eq!(
        satu.json(&["show", &first["id"].to_string()])["task"],
        task["id"]
    );
    let link: String = db
        .query_row(
            "SELECT chat_link FROM tasks WHERE item_id = ?1",
            [task["id"].as_i64().expect("task id")],
            |r| r.get(0),
        )
        .expect("task row");
    assert!(link.starts_with("matrix:roomid/"), "{link}");

    // Bob answers that message "Done, sorted.": the task is done (progress from messages).
    bob.send_event(
        &room,
        "m.room.message",
        &serde_json::json!({
            "msgtype": "m.text",
            "body": "> <@bob:localhost> first of two\n\nDone, sorted.",
            "m.relates_to": {"m.in_reply_to": {"event_id": first_event}},
        }),
    );
    satu.json(&["sync"]);
    let tasks = satu.json(&["task", "list"]);
    let done = tasks
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["id"] == task["id"])
        .expect("the task");
    assert_eq!(done["todo"]["done"], true, "{done}");
    let activity = &satu.json(&["show", &task["id"].to_string()])["activity"];
    assert!(
        activity
            .as_array()
            .expect("activity")
            .iter()
            .any(|a| a["moved_to"] == "completed"),
        "{activity}"
    );
}

#[test]
fn sends_offline_queue_and_reach_the_restarted_server_once() {
    let (mut synapse, satu, bob, room, number) = synced_room("Standup");

    synapse.stop();
    let queued = satu.json(&["chat", "send", &number, "written while offline"]);
    assert_eq!(queued["chat"]["state"], "queued", "{queued}");
    assert!(queued["chat"]["event_id"].is_null());
    // It is in the timeline at once.
    assert_eq!(
        item_with_snippet(&satu, "written while offline")["id"],
        queued["id"]
    );
    let offline = satu.run(&["sync"]);
    assert_eq!(offline.status.code(), Some(5), "unreachable: exit 5");

    synapse.start_again();
    let report = satu.json(&["sync"]);
    assert_eq!(report[0]["chat"]["sent"], 1, "{report}");
    let after = satu.json(&["show", &queued["id"].to_string()]);
    assert_eq!(after["chat"]["state"], "sent");
    satu.json(&["sync"]);
    let bodies: Vec<String> = bob
        .messages(&room, 50)
        .iter()
        .filter_map(|e| e["content"]["body"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        bodies
            .iter()
            .filter(|b| *b == "written while offline")
            .count(),
        1,
        "{bodies:?}"
    );
    assert_eq!(
        chat_items(&satu)
            .iter()
            .filter(|i| i["snippet"] == "written while offline")
            .count(),
        1
    );
}

#[test]
fn a_crash_between_sending_and_recording_makes_exactly_one_event() {
    let (_synapse, satu, bob, room, number) = synced_room("Crash");

    // The process dies after the homeserver took the event, before the store heard.
    send_and_crash(&satu, &number, "sent once");
    let queued = item_with_snippet(&satu, "sent once");
    assert_eq!(queued["chat"]["state"], "queued");

    // The next run recognises it when /sync brings it back with its transaction id (a send
    // again with the same id would get the same event): nothing is sent twice.
    let report = satu.json(&["sync"]);
    assert_eq!(
        report[0]["chat"]["sent"], 0,
        "settled by the echo: {report}"
    );
    satu.json(&["sync"]);
    let events: Vec<Value> = bob
        .messages(&room, 50)
        .into_iter()
        .filter(|e| e["content"]["body"] == "sent once")
        .collect();
    assert_eq!(events.len(), 1, "{events:#?}");
    let items: Vec<Value> = chat_items(&satu)
        .into_iter()
        .filter(|i| i["snippet"] == "sent once")
        .collect();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0]["chat"]["event_id"], events[0]["event_id"]);
    assert_eq!(items[0]["chat"]["state"], "sent");
}

#[test]
fn a_crashed_send_buried_under_a_gap_is_still_one_message() {
    let (_synapse, satu, bob, room, number) = synced_room("Buried");
    send_and_crash(&satu, &number, "buried once");
    // More than a /sync timeline holds comes after it: its echo arrives through the gap.
    for n in 0..70 {
        bob.send(&room, &format!("after {n}"));
    }
    satu.json(&["sync"]);
    satu.json(&["sync"]);
    let items: Vec<Value> = chat_items(&satu)
        .into_iter()
        .filter(|i| i["snippet"] == "buried once")
        .collect();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0]["chat"]["state"], "sent");
    let events: Vec<Value> = bob
        .messages(&room, 100)
        .into_iter()
        .filter(|e| e["content"]["body"] == "buried once")
        .collect();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(items[0]["chat"]["event_id"], events[0]["event_id"]);
}

#[test]
fn a_gap_longer_than_a_sync_page_is_filled_and_history_pages_back() {
    let synapse = Synapse::start();
    let satu = Satu::new();
    add_alice(&satu, &synapse);
    let (bob, _alice_web, room) = room_with_alice(&synapse, "Busy");
    for n in 0..80 {
        bob.send(&room, &format!("before {n}"));
    }
    // The first sync stores the newest of them; the rest is history, paged on demand.
    satu.json(&["sync"]);
    let number = room_number(&satu, &room).to_string();
    let first = chat_items(&satu).len();
    assert!(first < 80, "a first sync keeps to the newest ({first})");
    let rooms = satu.json(&["chat", "rooms"]);
    assert_eq!(rooms[0]["more_history"], true);
    let history = satu.json(&["chat", "history", &number, "--pages", "5"]);
    assert_eq!(history["complete"], true, "{history}");
    let before: Vec<Value> = chat_items(&satu)
        .into_iter()
        .filter(|i| {
            i["snippet"]
                .as_str()
                .is_some_and(|s| s.starts_with("before "))
        })
        .collect();
    assert_eq!(before.len(), 80);

    // 150 messages while Satu was away: more than one /sync timeline holds.
    for n in 0..150 {
        bob.send(&room, &format!("gap {n}"));
    }
    satu.json(&["sync"]);
    let gap: Vec<Value> = chat_items(&satu)
        .into_iter()
        .filter(|i| i["snippet"].as_str().is_some_and(|s| s.starts_with("gap ")))
        .collect();
    assert_eq!(gap.len(), 150, "every message of the gap is stored once");
    // In order: the timeline is newest first.
    assert_eq!(gap[0]["snippet"], "gap 149");
    assert_eq!(gap[149]["snippet"], "gap 0");
}

#[test]
fn encrypted_rooms_show_that_a_message_cannot_be_read() {
    let synapse = Synapse::start();
    let satu = Satu::new();
    add_alice(&satu, &synapse);
    let bob = synapse.login("bob", "bob-pass");
    let alice_web = synapse.login("alice", "alice-pass");
    let answer = bob.call(
        "POST",
        "/v3/createRoom",
        Some(&json!({
            "name": "Secret", "invite": ["@alice:localhost"], "preset": "private_chat",
            "initial_state": [{"type": "m.room.encryption", "state_key": "",
                "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
        })),
    );
    let room = answer["room_id"].as_str().expect("room").to_owned();
    alice_web.join(&room);
    bob.send_event(
        &room,
        "m.room.encrypted",
        &json!({"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnAC",
            "sender_key": "abc", "session_id": "def", "device_id": "BOBDEVICE"}),
    );
    satu.json(&["sync"]);
    let rooms = satu.json(&["chat", "rooms"]);
    assert_eq!(rooms[0]["encrypted"], true, "{rooms}");
    let items = chat_items(&satu);
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0]["chat"]["encrypted"], true);
    assert_eq!(items[0]["sender"]["address"], "@bob:localhost");
}

#[test]
fn invitations_are_joined_and_bad_logins_say_what_is_wrong() {
    let synapse = Synapse::start();
    let satu = Satu::new();

    // A wrong password: exit 4, the password field, nothing stored.
    let out = satu.run_with_stdin(
        &[
            "account",
            "add-matrix",
            "--homeserver",
            synapse.url(),
            "--user",
            "alice",
            "--password-stdin",
        ],
        "wrong\n",
    );
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("[password]"));
    assert_eq!(satu.json(&["account", "list"]), json!([]));
    // No homeserver there: exit 5.
    let out = satu.run_with_stdin(
        &[
            "account",
            "add-matrix",
            "--homeserver",
            "http://127.0.0.1:9",
            "--user",
            "alice",
            "--password-stdin",
        ],
        "alice-pass\n",
    );
    assert_eq!(out.status.code(), Some(5), "{out:?}");

    add_alice(&satu, &synapse);
    let bob = synapse.login("bob", "bob-pass");
    let room = bob.create_room("Party", &["@alice:localhost"]);
    satu.json(&["sync"]);
    let rooms = satu.json(&["chat", "rooms"]);
    assert_eq!(rooms[0]["membership"], "invite", "{rooms}");
    assert_eq!(rooms[0]["name"], "Party");
    // Sending to a room not joined is refused with the way out.
    let refused = satu.fails(&["chat", "send", "Party", "hi"], 2);
    assert!(refused.contains("satu chat join"), "{refused}");
    let joined = satu.json(&["chat", "join", "Party"]);
    assert_eq!(joined["membership"], "join");
    bob.send(&room, "welcome");
    satu.json(&["sync"]);
    assert_eq!(item_with_snippet(&satu, "welcome")["title"], "Party");
    // A room that does not exist: exit 3.
    satu.fails(&["chat", "send", "Nowhere", "hi"], 3);
}

#[test]
fn watch_stores_messages_as_they_come_and_reconnects_after_a_restart() {
    let mut synapse = Synapse::start();
    let satu = Satu::new();
    add_alice(&satu, &synapse);
    let (bob, _alice_web, room) = room_with_alice(&synapse, "Live");
    satu.json(&["sync"]);

    let mut child = satu
        .command()
        .args(["--json", "watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn satu watch");
    let (tx, changes): (_, Receiver<Value>) = channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(value) = serde_json::from_str(&line) {
                if tx.send(value).is_err() {
                    break;
                }
            }
        }
    });
    let (status_tx, statuses): (_, Receiver<Value>) = channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Ok(value) = serde_json::from_str::<Value>(&line) {
                if value.get("state").is_some() && status_tx.send(value).is_err() {
                    break;
                }
            }
        }
    });
    let wait_status = |state: &str, within: Duration| {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match statuses.recv_timeout(left) {
                Ok(s) if s["state"] == state => return s,
                Ok(_) => {}
                Err(_) => panic!("no {state} status within {within:?}"),
            }
        }
    };
    let added = |title: &str, within: Duration| {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match changes.recv_timeout(left) {
                Ok(c) if c["change"] == "added" && c["kind"] == "chat" => return c,
                Ok(_) => {}
                Err(_) => panic!("no chat item for {title:?} within {within:?}"),
            }
        }
    };
    wait_status("connected", Duration::from_secs(20));
    bob.send(&room, "pushed at once");
    let change = added("pushed at once", Duration::from_secs(3));
    assert_eq!(
        satu.json(&["show", &change["id"].to_string()])["body_text"],
        "pushed at once"
    );
    // Sync health: the message's delivery delay, from the server's timestamp to its row.
    let health = satu.json(&["health"]);
    let delay = health["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["delivery_p95_ms"].is_number())
        .cloned()
        .unwrap_or(Value::Null);
    assert!(
        delay["delivery_p95_ms"]
            .as_u64()
            .is_some_and(|ms| ms <= 3_000),
        "{health}"
    );

    // The homeserver restarts: the account goes offline and comes back by itself.
    synapse.stop();
    wait_status("offline", Duration::from_secs(40));
    synapse.start_again();
    wait_status("connected", Duration::from_secs(30));
    bob.send(&room, "after the restart");
    let change = added("after the restart", Duration::from_secs(5));
    assert_eq!(
        satu.json(&["show", &change["id"].to_string()])["body_text"],
        "after the restart"
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn tokens_direct_chats_formatted_bodies_and_threads() {
    let synapse = Synapse::start();
    let satu = Satu::new();
    // An access token instead of a password: checked with whoami, kept in the keyring.
    let alice_web = synapse.login("alice", "alice-pass");
    let out = satu.run_with_stdin(
        &[
            "--json",
            "account",
            "add-matrix",
            "--homeserver",
            synapse.url(),
            "--access-token-stdin",
        ],
        &format!("{}\n", alice_web.token),
    );
    support::added_id(&out);
    assert_eq!(
        satu.json(&["account", "list"])[0]["username"],
        "@alice:localhost"
    );
    let refused = satu.run_with_stdin(
        &[
            "account",
            "add-matrix",
            "--homeserver",
            synapse.url(),
            "--access-token-stdin",
        ],
        "not-a-token\n",
    );
    assert_eq!(refused.status.code(), Some(4), "{refused:?}");

    let bob = synapse.login("bob", "bob-pass");
    let direct = bob.create_room("", &["@alice:localhost"]);
    alice_web.join(&direct);
    // Alice's other client marks it direct (m.direct account data), as Element does.
    alice_web.call(
        "PUT",
        &format!(
            "/v3/user/{}/account_data/m.direct",
            support::matrix::segment("@alice:localhost")
        ),
        Some(&json!({"@bob:localhost": [direct]})),
    );
    // A formatted body with something hostile in it, and a message in a thread.
    let root = bob.send_event(
        &direct,
        "m.room.message",
        &json!({"msgtype": "m.text", "body": "plan: bold",
            "format": "org.matrix.custom.html",
            "formatted_body": "<b>plan</b><script>alert(1)</script><img src=\"https://tracker.example/x.png\" onerror=\"alert(2)\">"}),
    );
    bob.send_event(
        &direct,
        "m.room.message",
        &json!({"msgtype": "m.text", "body": "first step",
            "m.relates_to": {"rel_type": "m.thread", "event_id": root,
                "is_falling_back": true, "m.in_reply_to": {"event_id": root}}}),
    );
    satu.json(&["sync"]);
    let rooms = satu.json(&["chat", "rooms"]);
    assert_eq!(rooms[0]["direct"], true, "{rooms}");
    assert_eq!(
        rooms[0]["name"], "bob",
        "a direct chat is named after the other member"
    );
    let formatted = item_with_snippet(&satu, "plan: bold");
    let shown = satu.json(&["show", &formatted["id"].to_string()]);
    let html = shown["body_html"].as_str().expect("sanitized html");
    assert!(html.contains("<b>plan</b>"), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("onerror"),
        "sanitized like mail: {html}"
    );
    let threaded = item_with_snippet(&satu, "first step");
    assert_eq!(threaded["chat"]["thread_root"], root.as_str());
    assert!(
        threaded["chat"]["reply_to"].is_null(),
        "a thread's fallback is no reply"
    );
}

#[test]
fn a_removed_account_signs_its_device_out_and_names_no_machine() {
    let synapse = Synapse::start();
    let satu = Satu::new();
    let id = add_alice(&satu, &synapse);
    let alice = synapse.login("alice", "alice-pass");
    let satu_devices = |peer: &Peer| -> Vec<Value> {
        peer.call("GET", "/v3/devices", None)["devices"]
            .as_array()
            .expect("devices")
            .iter()
            .filter(|d| {
                d["display_name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("Satu"))
            })
            .cloned()
            .collect()
    };
    let devices = satu_devices(&alice);
    assert_eq!(devices.len(), 1, "{devices:?}");
    let name = devices[0]["display_name"].as_str().unwrap_or_default();
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    assert!(
        host.trim().is_empty() || !name.contains(host.trim()),
        "the device name shows the machine: {name}"
    );
    satu.json(&["account", "remove", &id.to_string()]);
    assert!(satu_devices(&alice).is_empty(), "signed out on removal");
}

/// Backups (#22) with chat: a backup with the secrets, restored into a new data directory,
/// answers the rooms and messages the same, and its next sync brings only what bob wrote
/// since (the `since` cursor came along), once.
#[test]
fn a_restored_backup_resumes_the_chat_from_its_cursor() {
    let (_synapse, satu, bob, room, _number) = synced_room("Backed up");
    bob.send(&room, "before the backup");
    satu.json(&["sync"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("chat.backup");
    let made = satu.backup_create(&file, &["--with-secrets"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let restored = Satu::new();
    let done = restored.backup_restore(&file, support::BACKUP_PASSPHRASE, &[]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(
        restored.json(&["chat", "rooms"]),
        satu.json(&["chat", "rooms"])
    );
    assert_eq!(chat_items(&restored), chat_items(&satu));

    bob.send(&room, "after the backup");
    let report = restored.json(&["sync"]);
    assert_eq!(
        report[0]["chat"]["messages"], 1,
        "only the new one: {report}"
    );
    let texts: Vec<String> = chat_items(&restored)
        .iter()
        .map(|i| i["snippet"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        texts.iter().filter(|t| *t == "before the backup").count(),
        1,
        "{texts:?}"
    );
    assert_eq!(texts.first().map(String::as_str), Some("after the backup"));
}

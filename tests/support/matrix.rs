//! A private Synapse (tests/servers/synapse.sh) and a second Matrix client for the other side
//! of a conversation: plain HTTP requests with curl, so that what Satu does is checked by
//! something other than its own client code.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::repo;

/// A running Synapse; stopped when dropped.
pub struct Synapse {
    pub dir: tempfile::TempDir,
    pub vars: BTreeMap<String, String>,
}

impl Synapse {
    pub fn start() -> Synapse {
        let dir = tempfile::tempdir().expect("tempdir");
        let vars = start_in(dir.path());
        Synapse { dir, vars }
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("synapse.sh did not print {name}"))
    }

    pub fn url(&self) -> &str {
        self.var("SYNAPSE_URL")
    }

    /// Stops it (an outage); `start_again` brings it back with its data on the same port.
    pub fn stop(&self) {
        let _ = Command::new("bash")
            .arg(repo().join("tests/servers/synapse.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }

    pub fn start_again(&mut self) {
        let port = self.var("SYNAPSE_PORT").to_owned();
        std::env::set_var("SYNAPSE_PORT", &port);
        self.vars = start_in(self.dir.path());
        std::env::remove_var("SYNAPSE_PORT");
        assert_eq!(self.var("SYNAPSE_PORT"), port, "restarted on the same port");
    }

    /// A client logged in as `user` (a new device).
    pub fn login(&self, user: &str, password: &str) -> Peer {
        let peer = Peer {
            base: self.url().trim_end_matches('/').to_owned(),
            token: String::new(),
            user_id: String::new(),
        };
        let answer = peer.call(
            "POST",
            "/v3/login",
            Some(&json!({
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user},
                "password": password,
            })),
        );
        Peer {
            token: answer["access_token"]
                .as_str()
                .unwrap_or_else(|| panic!("login of {user}: {answer}"))
                .to_owned(),
            user_id: answer["user_id"].as_str().unwrap_or_default().to_owned(),
            ..peer
        }
    }
}

fn start_in(dir: &std::path::Path) -> BTreeMap<String, String> {
    let out = Command::new("bash")
        .arg(repo().join("tests/servers/synapse.sh"))
        .arg("start")
        .arg(dir)
        .output()
        .expect("run tests/servers/synapse.sh (run tests/servers/install.sh first)");
    assert!(
        out.status.success(),
        "Synapse did not start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.contains("SYNAPSE_URL="))
        .expect("synapse.sh prints its URL");
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

impl Drop for Synapse {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Another Matrix client (curl).
pub struct Peer {
    pub base: String,
    pub token: String,
    pub user_id: String,
}

/// Percent-encodes one path segment.
pub fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Peer {
    /// `METHOD /_matrix/client{path}` with a JSON body; the JSON answer (asserting a 2xx).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, value) = self.try_call(method, path, body);
        assert!(
            (200..300).contains(&status),
            "{method} {path} answered {status}: {value}"
        );
        value
    }

    pub fn try_call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let url = format!("{}/_matrix/client{path}", self.base);
        let mut cmd = Command::new("curl");
        cmd.args([
            "-sS",
            "-X",
            method,
            "-w",
            "\n%{http_code}",
            "--max-time",
            "60",
        ]);
        if !self.token.is_empty() {
            cmd.arg("-H")
                .arg(format!("Authorization: Bearer {}", self.token));
        }
        if let Some(body) = body {
            cmd.args(["-H", "Content-Type: application/json", "--data-binary"])
                .arg(body.to_string());
        }
        let out = cmd.arg(&url).output().expect("run curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, status) = text.rsplit_once('\n').unwrap_or((&text, "0"));
        (
            status.trim().parse().unwrap_or(0),
            serde_json::from_str(body).unwrap_or(Value::Null),
        )
    }

    pub fn create_room(&self, name: &str, invite: &[&str]) -> String {
        let answer = self.call(
            "POST",
            "/v3/createRoom",
            Some(&json!({"name": name, "invite": invite, "preset": "private_chat"})),
        );
        answer["room_id"].as_str().expect("room_id").to_owned()
    }

    pub fn join(&self, room: &str) {
        self.call(
            "POST",
            &format!("/v3/join/{}", segment(room)),
            Some(&json!({})),
        );
    }

    /// Sends `content` as an event of `kind`; returns its id.
    pub fn send_event(&self, room: &str, kind: &str, content: &Value) -> String {
        let txn = format!("peer-{}", fastrand_like());
        let answer = self.call(
            "PUT",
            &format!("/v3/rooms/{}/send/{kind}/{}", segment(room), segment(&txn)),
            Some(content),
        );
        answer["event_id"].as_str().expect("event_id").to_owned()
    }

    pub fn send(&self, room: &str, text: &str) -> String {
        self.send_event(
            room,
            "m.room.message",
            &json!({"msgtype": "m.text", "body": text}),
        )
    }

    pub fn edit(&self, room: &str, target: &str, text: &str) -> String {
        self.send_event(
            room,
            "m.room.message",
            &json!({"msgtype": "m.text", "body": format!("* {text}"),
                "m.new_content": {"msgtype": "m.text", "body": text},
                "m.relates_to": {"rel_type": "m.replace", "event_id": target}}),
        )
    }

    pub fn redact(&self, room: &str, target: &str) {
        let txn = format!("peer-{}", fastrand_like());
        self.call(
            "PUT",
            &format!(
                "/v3/rooms/{}/redact/{}/{}",
                segment(room),
                segment(target),
                segment(&txn)
            ),
            Some(&json!({})),
        );
    }

    pub fn read_marker(&self, room: &str, event: &str) {
        self.call(
            "POST",
            &format!("/v3/rooms/{}/read_markers", segment(room)),
            Some(&json!({"m.fully_read": event, "m.read": event})),
        );
    }

    /// The room's latest `limit` message events, oldest first.
    pub fn messages(&self, room: &str, limit: u32) -> Vec<Value> {
        let answer = self.call(
            "GET",
            &format!("/v3/rooms/{}/messages?dir=b&limit={limit}", segment(room)),
            None,
        );
        let mut events: Vec<Value> = answer["chunk"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e["type"] == "m.room.message")
            .collect();
        events.reverse();
        events
    }

    /// This user's m.fully_read marker in `room`.
    pub fn fully_read(&self, room: &str) -> Option<String> {
        let (status, value) = self.try_call(
            "GET",
            &format!(
                "/v3/user/{}/rooms/{}/account_data/m.fully_read",
                segment(&self.user_id),
                segment(room)
            ),
            None,
        );
        (status == 200)
            .then(|| value["event_id"].as_str().map(str::to_owned))
            .flatten()
    }

    /// Waits until `check` holds (polling every 100 ms), panicking with `what` after `within`.
    pub fn wait_for<T>(within: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + within;
        loop {
            if let Some(value) = check() {
                return value;
            }
            assert!(Instant::now() < deadline, "{what}: not within {within:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A unique-enough number for transaction ids (time and a counter).
fn fastrand_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos}-{}", COUNTER.fetch_add(1, Ordering::SeqCst))
}

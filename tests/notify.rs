//! New-mail notifications through a real notification daemon: `satu watch --notify` runs in a
//! D-Bus session of its own (`dbus-run-session`) with `dunst` on a private Xvfb display, against
//! the project's Dovecot; `dbus-monitor` records every `Notify` call made on that bus.

mod support;

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{message, Dovecot, Satu};

/// Dovecot delays IDLE notifications by 500 ms; the notification follows the store.
const NOTIFIED: Duration = Duration::from_secs(5);
/// How long to wait before deciding that something was not notified.
const QUIET: Duration = Duration::from_millis(2500);

/// A private X display (dunst needs one).
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "640x480x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (tests/servers/install.sh installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("Xvfb display number");
        let number: u32 = line.trim().parse().expect("a display number");
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `satu --json watch --notify` with dunst and dbus-monitor in their own session bus.
struct Session {
    child: Child,
    monitor: PathBuf,
    log: PathBuf,
    _xvfb: Xvfb,
}

const SESSION_SCRIPT: &str = r#"
set -eu
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" >"$MONITOR" 2>&1 &
dunst >"$OUT/dunst.log" 2>&1 &
# Wait until dunst serves org.freedesktop.Notifications (and the monitor listens).
for _ in $(seq 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q true \
     && [ -s "$MONITOR" ]; then
    break
  fi
  sleep 0.05
done
exec "$@"
"#;

impl Session {
    fn start(satu: &Satu) -> Session {
        let xvfb = Xvfb::start();
        let out = satu.dir.path().join("notify");
        std::fs::create_dir_all(&out).expect("mkdir");
        let monitor = out.join("monitor.log");
        let log = out.join("watch.log");
        let watch = satu.command();
        let mut command = Command::new("dbus-run-session");
        command
            .args(["--", "bash", "-c", SESSION_SCRIPT, "session"])
            .arg(watch.get_program())
            .args(watch.get_args())
            .args(["--json", "watch", "--notify"])
            .envs(watch.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env_remove("SATU_DATA_DIR")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("DISPLAY", &xvfb.display)
            .env("MONITOR", &monitor)
            .env("OUT", &out)
            .env("SATU_LOG", "satu_core=debug")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        // Its own process group, so that stopping it stops satu, dunst and the monitor too
        // (dbus-run-session does not pass a SIGTERM on to its child).
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().expect("dbus-run-session");
        Session {
            child,
            monitor,
            log,
            _xvfb: xvfb,
        }
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(&self.monitor).unwrap_or_default()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_for(&self, what: &str, within: Duration, found: impl Fn(&Session) -> bool) {
        let deadline = Instant::now() + within;
        while !found(self) {
            assert!(
                Instant::now() < deadline,
                "{what} not within {within:?}; Notify calls:\n{}\nsatu:\n{}",
                self.calls(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn notified(&self, text: &str) {
        self.wait_for(&format!("a Notify call with {text:?}"), NOTIFIED, |s| {
            s.calls().contains(text)
        });
    }

    fn not_notified(&self, text: &str) {
        std::thread::sleep(QUIET);
        assert!(
            !self.calls().contains(text),
            "{text:?} was notified; Notify calls:\n{}",
            self.calls()
        );
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // The whole group: satu (which stops within its bounded stop), the bus, dunst.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

#[test]
fn pushed_mail_is_notified_once_unless_muted_and_the_initial_sync_is_not() {
    let dovecot = Dovecot::start();
    dovecot.append(
        "alice",
        "INBOX",
        &message("before@example.com", "Before the start", 1),
    );
    let satu = Satu::new();
    let account = satu.alice(&dovecot).to_string();
    let session = Session::start(&satu);
    session.wait_for("the watch to connect", Duration::from_secs(20), |s| {
        s.log().contains(r#""state":"connected""#)
    });

    // Pushed mail: one Notify call naming the app, the sender and the subject.
    let start = Instant::now();
    dovecot.append(
        "alice",
        "INBOX",
        &message("fresh@example.com", "Fresh news", 2),
    );
    session.notified("Fresh news");
    eprintln!("notified after {:?}", start.elapsed());
    let calls = session.calls();
    assert!(calls.contains(r#"string "Satu""#), "{calls}");
    assert!(calls.contains(r#"string "Carol""#), "{calls}");
    assert_eq!(calls.matches("Fresh news").count(), 1, "{calls}");
    // What the initial sync stored is not news.
    assert!(!calls.contains("Before the start"), "{calls}");

    // Do not disturb, then a muted account: nothing.
    satu.json(&["settings", "set", "notify.enabled", "false"]);
    dovecot.append("alice", "INBOX", &message("q1@example.com", "Quiet one", 3));
    session.not_notified("Quiet one");
    satu.json(&["settings", "set", "notify.enabled", "true"]);
    let muted = satu.json(&["account", "mute", &account]);
    assert_eq!(muted["notify"], false, "{muted}");
    dovecot.append("alice", "INBOX", &message("q2@example.com", "Quiet two", 4));
    session.not_notified("Quiet two");
    satu.json(&["account", "unmute", &account]);
    dovecot.append(
        "alice",
        "INBOX",
        &message("loud@example.com", "Loud again", 5),
    );
    session.notified("Loud again");
    std::thread::sleep(QUIET);
    let calls = session.calls();
    assert_eq!(calls.matches("member=Notify").count(), 2, "{calls}");
}

#[test]
fn chat_messages_are_notified_unless_their_room_is_muted_and_history_is_not() {
    let synapse = support::matrix::Synapse::start();
    let bob = synapse.login("bob", "bob-pass");
    let alice_web = synapse.login("alice", "alice-pass");
    let lunch = bob.create_room("Lunch", &["@alice:localhost"]);
    let quiet = bob.create_room("Quiet", &["@alice:localhost"]);
    alice_web.join(&lunch);
    alice_web.join(&quiet);
    bob.send(&lunch, "said before Satu started");
    let satu = Satu::new();
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
    support::added_id(&out);
    satu.json(&["sync"]);
    satu.json(&["chat", "mute", "Quiet"]);
    let session = Session::start(&satu);
    session.wait_for("the watch to connect", Duration::from_secs(20), |s| {
        s.log().contains(r#""state":"connected""#)
    });
    bob.send(&lunch, "noodles at noon?");
    session.notified("noodles at noon?");
    assert!(
        session.calls().contains("(Lunch)"),
        "the room is named: {}",
        session.calls()
    );
    bob.send(&quiet, "psst, muted room");
    session.not_notified("psst, muted room");
    assert!(!session.calls().contains("said before Satu started"));
}

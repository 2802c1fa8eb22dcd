//! One app per data directory. The first process to start on a data directory holds a lock on
//! `instance.lock` there and listens on 127.0.0.1 for later launches; a later launch hands its
//! arguments (a `mailto:` link, say) to the first one, which comes to the front, and exits: two
//! windows never run two live syncs of the same store. Another data directory (a test's, a
//! developer's) is another instance.
//!
//! The listener's port and a random token are in `instance` (readable by the user only); a
//! connection that does not send the token first is ignored, so other local users cannot drive
//! the app. The lock is the operating system's (released when the process ends, also on a
//! crash), so a stale `instance` file never blocks a start.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};

/// Most bytes of one launch's arguments.
const MAX_MESSAGE: u64 = 64 * 1024;
/// How long a later launch waits for the first one to answer.
const HANDOFF_TIMEOUT: Duration = Duration::from_secs(5);

/// What claiming the data directory gave.
pub enum Claim {
    /// This process is the app for the data directory.
    First(Listener),
    /// Another one is: it got the arguments and comes to the front.
    Running,
}

/// The first instance's ear for later launches.
pub struct Listener {
    socket: TcpListener,
    token: String,
    /// The claim itself, held until [`Claimed`] is dropped.
    lock: File,
}

/// The claim on the data directory: dropped (or the process ended), the next launch is the
/// first again. An app drops it as it starts to quit, so that a launch during its shutdown does
/// not hand over to a window that is going away.
pub struct Claimed {
    _lock: File,
}

impl Listener {
    /// Calls `launched` with each later launch's arguments, on a thread of its own, for the
    /// life of the process; the claim lasts as long as what this returns.
    pub fn serve(self, launched: impl Fn(Vec<String>) + Send + 'static) -> Claimed {
        let Listener {
            socket,
            token,
            lock,
        } = self;
        std::thread::spawn(move || {
            for stream in socket.incoming().flatten() {
                match read_launch(stream, &token) {
                    Ok(Some(args)) => launched(args),
                    Ok(None) => tracing::warn!(
                        "A connection to the instance port without its token was ignored."
                    ),
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), "A later launch could not be read.")
                    }
                }
            }
        });
        Claimed { _lock: lock }
    }
}

fn read_launch(stream: TcpStream, token: &str) -> Result<Option<Vec<String>>> {
    stream.set_read_timeout(Some(HANDOFF_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?.take(MAX_MESSAGE));
    let mut first = String::new();
    reader.read_line(&mut first)?;
    if first.trim_end() != token {
        return Ok(None);
    }
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let args: Vec<String> =
        serde_json::from_str(line.trim_end()).context("not a list of arguments")?;
    let mut stream = stream;
    stream.write_all(b"ok\n")?;
    Ok(Some(args))
}

/// Claims `data_dir` for this process, or hands `args` to the process that has it.
pub fn claim(data_dir: &Path, args: &[String]) -> Result<Claim> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("Cannot create the data directory {}", data_dir.display()))?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join("instance.lock"))
        .context("Cannot open the instance lock")?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            hand_over(data_dir, args)?;
            return Ok(Claim::Running);
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).context("Cannot lock the data directory for this instance");
        }
    }
    let socket =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("Cannot listen for later launches")?;
    let port = socket.local_addr()?.port();
    let token = random_token()?;
    write_private(&data_dir.join("instance"), &format!("{port} {token}\n"))?;
    Ok(Claim::First(Listener {
        socket,
        token,
        lock,
    }))
}

/// Sends `args` to the running instance of `data_dir` and waits for its answer.
fn hand_over(data_dir: &Path, args: &[String]) -> Result<()> {
    // The first instance may be between taking the lock and writing its port: a moment's grace.
    let mut last = None;
    for _ in 0..50 {
        match try_hand_over(data_dir, args) {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(last.unwrap_or_else(|| anyhow::anyhow!("no answer"))).context(
        "Satu is already running on this data directory but does not answer; close it (or end its process) and start again",
    )
}

fn try_hand_over(data_dir: &Path, args: &[String]) -> Result<()> {
    let text = std::fs::read_to_string(data_dir.join("instance"))?;
    let (port, token) = text
        .trim()
        .split_once(' ')
        .context("the instance file is not `PORT TOKEN`")?;
    let port: u16 = port.parse()?;
    let mut stream = TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        HANDOFF_TIMEOUT,
    )?;
    stream.set_read_timeout(Some(HANDOFF_TIMEOUT))?;
    stream.write_all(format!("{token}\n{}\n", serde_json::to_string(args)?).as_bytes())?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    anyhow::ensure!(
        answer.trim() == "ok",
        "the running instance did not take the launch"
    );
    Ok(())
}

fn random_token() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random numbers: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes `text` to `path`, readable by the user only.
fn write_private(path: &Path, text: &str) -> Result<()> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("Cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_hands_its_arguments_to_the_first_and_a_stranger_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Claim::First(listener) = claim(dir.path(), &[]).expect("first") else {
            panic!("the first claim is the first");
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let claimed = listener.serve(move |args| {
            let _ = tx.send(args);
        });
        // Someone without the token is not heard.
        let port: u16 = std::fs::read_to_string(dir.path().join("instance"))
            .expect("instance file")
            .split(' ')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        let mut stranger = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stranger
            .write_all(b"guess\n[\"mailto:x@example.com\"]\n")
            .expect("write");
        drop(stranger);
        // Another process would get Running; in one process the lock is per open file, so a
        // second claim on the same directory from here also finds it taken.
        let args = vec!["mailto:ana@example.com".to_owned()];
        assert!(matches!(
            claim(dir.path(), &args).expect("second"),
            Claim::Running
        ));
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(5))
                .expect("handed over"),
            args
        );
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "the stranger was not heard"
        );
        // Released (the app quits), the next launch is the first again.
        drop(claimed);
        assert!(matches!(
            claim(dir.path(), &args).expect("third"),
            Claim::First(_)
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("instance"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "only the user reads the token");
        }
    }

    #[test]
    fn another_data_directory_is_another_instance() {
        let (a, b) = (
            tempfile::tempdir().expect("a"),
            tempfile::tempdir().expect("b"),
        );
        assert!(matches!(claim(a.path(), &[]).expect("a"), Claim::First(_)));
        assert!(matches!(claim(b.path(), &[]).expect("b"), Claim::First(_)));
    }
}

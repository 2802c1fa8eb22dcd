//! Bad networks and crashes never lose or duplicate mail: `satu sync` through a proxy that cuts
//! the connection mid-FETCH, and `satu sync` killed with SIGKILL at many moments. After every
//! interruption the local store is consistent; the next full sync converges on the server's
//! state by (folder, UID, flags, Message-ID).

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::proxy::FaultyProxy;
use support::{message, Dovecot, Satu};

const FOLDERS: &[&str] = &["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"];

/// A message of about 1.5 KB.
fn padded(i: usize) -> String {
    let mut raw = message(
        &format!("{i}@faults"),
        &format!("Faulty {i}"),
        1 + (i % 28) as u32,
    );
    for line in 0..16 {
        raw.push_str(&format!("{line:02} {}\r\n", "z".repeat(80)));
    }
    raw
}

/// Loads `n` messages into alice's INBOX (UIDs 1..=n) and a few flagged and seen ones.
fn load(dovecot: &Dovecot, n: usize) {
    dovecot.append("alice", "INBOX", &padded(0));
    dovecot.bulk_load("alice", (1..n).map(padded));
    for (flag, uids) in [
        ("\\Seen", "1:40"),
        ("\\Flagged", "30:50"),
        ("\\Answered", "7"),
    ] {
        dovecot.flags("add", flag, "INBOX", uids);
    }
    dovecot.append("alice", "Archive", &padded(n + 1));
}

/// The local copies equal the server's, every message is one item, and a further sync
/// fetches nothing.
fn assert_converged(satu: &Satu, dovecot: &Dovecot, n: usize) {
    let items = satu.assert_consistent();
    assert_eq!(items, n + 1, "every message once");
    let server = dovecot.copies("alice", FOLDERS);
    assert_eq!(server.len(), n + 1);
    assert_eq!(
        satu.copies(),
        server,
        "local (folder, UID, flags, Message-ID)"
    );
    assert_eq!(satu.sync_ok()["fetched"], 0, "nothing left to fetch");
}

#[test]
fn a_connection_cut_mid_fetch_stores_nothing_half_and_the_next_sync_converges() {
    const N: usize = 400;
    let dovecot = Dovecot::start();
    load(&dovecot, N);
    let proxy = FaultyProxy::start(&dovecot.imap());
    // 400 messages of ~1.6 KB: two FETCH batches of 200, ~330 KB each. The cuts fall before the
    // first FETCH ends, inside it, and inside the second batch's.
    let mut stored_before_a_cut = Vec::new();
    for cut in [6_000u64, 90_000, 250_000, 500_000] {
        let satu = Satu::new();
        satu.alice_on(&proxy.addr());
        proxy.cut_after(cut);
        let before = proxy.cuts();
        let err = satu.fails(&["sync"], 5);
        assert!(
            err.contains("connection to the IMAP server") && err.contains("was lost"),
            "cut at {cut}: {err}"
        );
        assert_eq!(proxy.cuts(), before + 1, "the proxy cut one connection");
        let stored = satu.assert_consistent();
        assert!(stored <= N, "cut at {cut}: {stored} stored");
        stored_before_a_cut.push(stored);

        proxy.pass();
        satu.sync_ok();
        assert_converged(&satu, &dovecot, N);
    }
    assert!(
        stored_before_a_cut.iter().any(|&s| s > 0) && stored_before_a_cut[0] == 0,
        "the cuts fell both before and after a committed batch: {stored_before_a_cut:?}"
    );
}

/// Runs `satu sync` and kills it with SIGKILL after `batches` committed batches (counted from
/// its log, which reports a batch after its commit), or after `delay` if that comes first.
/// Returns whether it was killed (false: it finished first).
fn sync_killed(satu: &Satu, batches: usize, delay: Duration) -> bool {
    let mut child: Child = satu
        .command()
        .arg("sync")
        .env("SATU_LOG", "satu_core=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn satu sync");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line.contains("Fetched a batch") && tx.send(()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + delay;
    let mut seen = 0;
    while seen < batches {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(()) => seen += 1,
            Err(_) => break,
        }
    }
    let finished = child.try_wait().expect("try_wait").is_some();
    if !finished {
        child.kill().expect("kill -9");
        child.wait().expect("reap");
    }
    let _ = reader.join();
    !finished
}

#[test]
fn a_sync_killed_at_many_moments_converges_with_nothing_lost_or_duplicated() {
    const N: usize = 5000;
    let dovecot = Dovecot::start();
    load(&dovecot, N);
    let satu = Satu::new();
    satu.alice(&dovecot);

    // A small deterministic generator for the "random" delays; the seed is printed.
    let mut seed: u64 = std::env::var("SATU_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("SATU_KILL_SEED={seed}");
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed >> 33
    };

    // Kills after 1, 3 and 7 committed batches (of 200), with kills at short random delays
    // (before the first batch of the run commits, or inside any) in between.
    let mut random = || (usize::MAX, Duration::from_millis(10 + next() % 150));
    let plan = [
        (1, Duration::from_secs(60)),
        random(),
        (3, Duration::from_secs(60)),
        random(),
        (7, Duration::from_secs(60)),
        random(),
        random(),
        random(),
    ];
    let mut stored = Vec::new();
    let mut mid_sync = 0;
    for (round, (batches, delay)) in plan.into_iter().enumerate() {
        let killed = sync_killed(&satu, batches, delay);
        let count = satu.assert_consistent();
        eprintln!(
            "round {round}: killed={killed} (batches {batches}, delay {delay:?}): {count} stored"
        );
        if batches != usize::MAX {
            assert!(killed && count <= N, "round {round} was killed mid-sync");
        }
        if killed && count <= N {
            mid_sync += 1;
        }
        stored.push(count);
        if round == 1 {
            // Another client changes flags of stored messages between two runs.
            dovecot.flags("add", "\\Seen", "INBOX", "100:150");
            dovecot.flags("remove", "\\Seen", "INBOX", "1:10");
        }
    }
    assert!(
        stored.windows(2).all(|w| w[0] <= w[1]),
        "nothing stored is lost by a later kill: {stored:?}"
    );
    assert!(
        mid_sync >= 4,
        "at least four kills fell mid-sync: {stored:?}"
    );
    satu.sync_ok();
    assert_converged(&satu, &dovecot, N);
}

/// A message filed in two folders (or Gmail's All Mail beside INBOX) is downloaded once: the
/// second folder's copies are recognised from a header-only look and only linked. Measured in
/// bytes the server sent through the proxy: with every message in two folders, at most 1.1×
/// the bytes of one copy.
#[test]
fn a_message_in_two_folders_is_downloaded_once() {
    const N: usize = 60;
    // About 12 KB each, so that the bodies dominate what a sync reads.
    let big = |i: usize| {
        let mut raw = padded(i);
        for line in 0..120 {
            raw.push_str(&format!("{line:03} {}\r\n", "y".repeat(96)));
        }
        raw
    };
    let dovecot = Dovecot::start();
    dovecot.append("alice", "INBOX", &big(0));
    dovecot.bulk_load("alice", (1..N).map(big));
    let proxy = FaultyProxy::start(&dovecot.imap());

    let once = Satu::new();
    once.alice_on(&proxy.addr());
    let start = proxy.bytes_to_client();
    once.sync_ok();
    let one_copy = proxy.bytes_to_client() - start;

    dovecot.doveadm(&["copy", "-u", "alice", "Archive", "mailbox", "INBOX", "all"]);
    let twice = Satu::new();
    twice.alice_on(&proxy.addr());
    let start = proxy.bytes_to_client();
    let report = twice.sync_ok();
    let two_copies = proxy.bytes_to_client() - start;
    eprintln!("bytes read: one folder {one_copy}, the same messages in two folders {two_copies}");
    assert_eq!(report["fetched"], N, "{report}");
    assert_eq!(report["linked"], N, "{report}");
    assert!(
        two_copies as f64 <= 1.1 * one_copy as f64,
        "two folders read {two_copies} bytes, one folder {one_copy}"
    );
    assert_eq!(twice.assert_consistent(), N, "every message one item");
    let server = dovecot.copies("alice", FOLDERS);
    assert_eq!(server.len(), 2 * N);
    assert_eq!(
        twice.copies(),
        server,
        "both folders known, with their UIDs and flags"
    );
    // Nothing is left to fetch, and the copies keep their flags when the server changes them.
    dovecot.flags("add", "\\Seen", "Archive", "1:5");
    let again = twice.sync_ok();
    assert_eq!(again["fetched"], 0, "{again}");
    assert_eq!(twice.copies(), dovecot.copies("alice", FOLDERS));
}

/// The background indexer killed with SIGKILL at several moments (between chunks and inside
/// one) resumes where it stopped: after `satu index --wait` every mail is in the full-text
/// index exactly once (its row count equals the item count), nothing waits, SQLite and FTS5
/// check clean, and a word found only in the bodies finds every message.
#[test]
fn the_indexer_killed_at_many_moments_resumes_without_duplicates_or_gaps() {
    const N: usize = 3000;
    let dovecot = Dovecot::start();
    load(&dovecot, N);
    let satu = Satu::new();
    satu.alice(&dovecot);
    satu.sync_ok();
    let pending = satu.json(&["index"]);
    assert_eq!(
        pending["pending"],
        N + 1,
        "stored, not indexed yet: {pending}"
    );
    // Found by subject before the index has its bodies.
    let by_subject = satu.json(&["search", "Faulty", "--limit", "5"]);
    assert_eq!(by_subject.as_array().map(Vec::len), Some(5), "{by_subject}");

    for delay_ms in [0u64, 15, 40, 90] {
        let mut child: Child = satu
            .command()
            .args(["--json", "index", "--wait", "--progress"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn satu index");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        // After one committed chunk (its progress line), and then a moment into the next.
        let first = lines.next();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("kill -9");
        }
        child.wait().expect("reap");
        eprintln!("killed after {delay_ms} ms: {first:?}");
        satu.assert_consistent();
    }
    let done = satu.json(&["index", "--wait"]);
    assert_eq!(done["pending"], 0, "{done}");
    let db = satu.db();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(count("SELECT count(*) FROM index_queue"), 0);
    assert_eq!(
        count("SELECT count(*) FROM items_fts"),
        count("SELECT count(*) FROM items"),
        "each item indexed once, none missing"
    );
    assert_eq!(
        db.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .expect("integrity_check"),
        "ok"
    );
    drop(db);
    let rw = rusqlite::Connection::open(satu.dir.path().join("satu.db")).expect("open");
    rw.execute(
        "INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 0)",
        [],
    )
    .expect("the full-text index checks clean");
    // "zzzz…" is only in the bodies: every message is found by it.
    let bodies: i64 = rw
        .query_row(
            "SELECT count(*) FROM items WHERE kind = 'mail'
             AND sort_key IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?1)",
            [format!("\"{}\"", "z".repeat(80))],
            |r| r.get(0),
        )
        .expect("match");
    assert_eq!(bodies, (N + 1) as i64);
    let found = satu.json(&["search", &"z".repeat(80), "--limit", "50"]);
    assert_eq!(found.as_array().map(Vec::len), Some(50));
}

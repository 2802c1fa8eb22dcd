//! Fills a fresh data directory with a large mixed local store and times what the window asks of
//! it: `tests/bench/million.sh` (issue #20, "1M items").
//!
//! ```text
//! big_store DATA_DIR MBOX ICS TASKS QUERIES_FILE [ITERATIONS]
//! ```
//!
//! Imports MBOX (mail) and ICS (events, into a calendar of a CalDAV account that is never synced)
//! through the API, makes tasks of the newest TASKS mails,
//! then times in-process (the store opened once, warm): the first page of the unified timeline
//! and of the Inbox view (50 rows), and the first 50 results of each query of QUERIES_FILE.
//! Prints one JSON object: item counts, import times, and the samples in microseconds.

use std::path::PathBuf;
use std::time::Instant;

use satu_core::dto::{SearchQuery, TimelineQuery};
use satu_core::Satu;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        anyhow::bail!("usage: big_store DATA_DIR MBOX ICS TASKS QUERIES_FILE [ITERATIONS]");
    }
    let api = |e: satu_core::ApiError| anyhow::anyhow!("{}", e.message);
    let data_dir = PathBuf::from(&args[1]);
    let tasks: usize = args[4].parse()?;
    let queries: Vec<String> = std::fs::read_to_string(&args[5])?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let iterations: usize = args.get(6).map(|s| s.parse()).transpose()?.unwrap_or(30);
    let satu = Satu::open(&data_dir).map_err(api)?;

    let started = Instant::now();
    let mail = satu.import_mbox(&PathBuf::from(&args[2])).map_err(api)?;
    let mail_s = started.elapsed().as_secs_f64();
    // Events need a calendar: one of an account that is never synced here (its server is a
    // closed port on 127.0.0.1), as a CalDAV account's would be.
    let calendar = {
        let db = rusqlite::Connection::open(data_dir.join("satu.db"))?;
        db.execute(
            "INSERT INTO accounts (kind, name, url, created_at) VALUES ('caldav', 'Bench calendars', 'http://127.0.0.1:9/', 0)",
            [],
        )?;
        let account = db.last_insert_rowid();
        db.execute(
            "INSERT INTO calendars (account_id, href, name, components) VALUES (?1, '/bench/', 'Bench', 'VEVENT')",
            [account],
        )?;
        db.last_insert_rowid()
    };
    let started = Instant::now();
    let events = satu
        .import_ics(&PathBuf::from(&args[3]), Some(calendar))
        .map_err(api)?;
    let events_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let newest = satu
        .timeline(&TimelineQuery {
            limit: Some(1000),
            ..TimelineQuery::default()
        })
        .map_err(api)?;
    let mut made = 0;
    let mut before = None;
    'outer: while made < tasks {
        let page = satu
            .timeline(&TimelineQuery {
                limit: Some(1000),
                before,
                kind: Some("mail".into()),
                ..TimelineQuery::default()
            })
            .map_err(api)?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        for item in &page {
            if made >= tasks {
                break 'outer;
            }
            if satu.task_from_mail(item.id, None).is_ok() {
                made += 1;
            }
        }
    }
    let tasks_s = started.elapsed().as_secs_f64();
    drop(newest);

    let time = |f: &dyn Fn() -> anyhow::Result<usize>| -> anyhow::Result<(usize, Vec<u128>)> {
        let rows = f()?;
        let mut samples = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let t = Instant::now();
            f()?;
            samples.push(t.elapsed().as_micros());
        }
        Ok((rows, samples))
    };
    let first_page = time(&|| {
        Ok(satu
            .timeline(&TimelineQuery {
                limit: Some(50),
                ..TimelineQuery::default()
            })
            .map_err(api)?
            .len())
    })?;
    let inbox_page = time(&|| {
        Ok(satu
            .timeline(&TimelineQuery {
                limit: Some(50),
                inbox: Some(true),
                threads: Some(true),
                ..TimelineQuery::default()
            })
            .map_err(api)?
            .len())
    })?;
    let mut search = Vec::new();
    for query in &queries {
        let (hits, samples) = time(&|| {
            Ok(satu
                .search(&SearchQuery {
                    text: query.clone(),
                    limit: Some(50),
                })
                .map_err(api)?
                .len())
        })?;
        search.push(serde_json::json!({ "query": query, "hits": hits, "samples_us": samples }));
    }
    let counts = satu.counts().map_err(api)?;
    println!(
        "{}",
        serde_json::json!({
            "mail_imported": mail.imported, "mail_s": mail_s,
            "events": serde_json::to_value(&events)?, "events_s": events_s,
            "tasks": made, "tasks_s": tasks_s,
            "open_tasks": counts.tasks,
            "first_page": { "rows": first_page.0, "samples_us": first_page.1 },
            "inbox_page": { "rows": inbox_page.0, "samples_us": inbox_page.1 },
            "search": search,
        })
    );
    Ok(())
}

//! Times `Satu::search` in-process (no process start-up): the benchmark in tests/bench/run.sh.
//!
//! ```text
//! search_bench DATA_DIR QUERIES_FILE [ITERATIONS] [LIMIT]
//! ```
//!
//! QUERIES_FILE has one query per line (blank lines and lines starting with `#` are skipped).
//! The store is opened once; each query is run once to warm up, then ITERATIONS times (default
//! 50), queries interleaved round-robin so that no query runs on a cache its twin just filled.
//! Prints one JSON line per query: `{"query", "hits", "samples_us": [...]}` with the wall time of
//! each call in microseconds.

use std::path::PathBuf;
use std::time::Instant;

use satu_core::dto::SearchQuery;
use satu_core::Satu;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        anyhow::bail!("usage: search_bench DATA_DIR QUERIES_FILE [ITERATIONS] [LIMIT]");
    }
    let data_dir = PathBuf::from(&args[1]);
    let queries: Vec<String> = std::fs::read_to_string(&args[2])?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let iterations: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(50);
    let limit: u32 = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(50);

    let satu = Satu::open(&data_dir).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let run = |text: &str| -> anyhow::Result<usize> {
        let items = satu
            .search(&SearchQuery {
                text: text.to_owned(),
                limit: Some(limit),
            })
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        Ok(items.len())
    };

    let mut hits = Vec::with_capacity(queries.len());
    for q in &queries {
        hits.push(run(q)?);
    }
    let mut samples: Vec<Vec<u64>> = vec![Vec::with_capacity(iterations); queries.len()];
    for _ in 0..iterations {
        for (i, q) in queries.iter().enumerate() {
            let start = Instant::now();
            let n = run(q)?;
            let micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
            samples[i].push(micros);
            if n != hits[i] {
                anyhow::bail!("query {q:?} gave {n} results, then {}", hits[i]);
            }
        }
    }
    for (i, q) in queries.iter().enumerate() {
        println!(
            "{}",
            serde_json::json!({ "query": q, "hits": hits[i], "samples_us": samples[i] })
        );
    }
    Ok(())
}

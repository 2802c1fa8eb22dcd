//! The house rules that a machine can check (ARCHITECTURE.md, "Invariants"). Each test reads the
//! source tree, never builds or runs anything, and says which file breaks which rule.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The library crates: everything under crates/ (the core never depends on the shell).
fn crates() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root().join("crates"))
        .expect("crates/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The code of a Rust file without comments, string contents and `#[cfg(test)]` items, line by
/// line (the line numbers stay those of the file).
fn code_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip_depth: Option<i64> = None;
    let mut depth: i64 = 0;
    let mut test_attribute = false;
    let mut in_block_comment = false;
    for line in text.lines() {
        // Strip comments and string contents, roughly but well enough for these rules.
        let mut code = String::new();
        let mut chars = line.chars().peekable();
        let mut in_string = false;
        while let Some(c) = chars.next() {
            if in_block_comment {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    in_block_comment = false;
                }
                continue;
            }
            if in_string {
                if c == '\\' {
                    chars.next();
                } else if c == '"' {
                    in_string = false;
                    code.push('"');
                }
                continue;
            }
            match c {
                '/' if chars.peek() == Some(&'/') => break,
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    in_block_comment = true;
                }
                '"' => {
                    in_string = true;
                    code.push('"');
                }
                '\'' => {
                    // A char literal like '{' must not count as a brace.
                    let rest: String = chars.clone().take(3).collect();
                    if rest.chars().nth(1) == Some('\'') {
                        chars.next();
                        chars.next();
                        code.push_str("' '");
                    } else if rest.starts_with('\\') && rest.chars().nth(2) == Some('\'') {
                        chars.next();
                        chars.next();
                        chars.next();
                        code.push_str("' '");
                    } else {
                        code.push(c);
                    }
                }
                _ => code.push(c),
            }
        }
        let trimmed = code.trim();
        if skip_depth.is_none()
            && test_attribute
            && !trimmed.is_empty()
            && !trimmed.starts_with("#[")
        {
            test_attribute = false;
            if trimmed.ends_with('{') {
                skip_depth = Some(depth);
            } else if !trimmed.ends_with(';') {
                // An item whose body starts on a later line: skip from here too.
                skip_depth = Some(depth);
            }
        }
        if trimmed.starts_with("#[cfg(test)]") {
            test_attribute = true;
        }
        let opens = code.matches('{').count() as i64;
        let closes = code.matches('}').count() as i64;
        let skipping = skip_depth.is_some();
        depth += opens - closes;
        if let Some(d) = skip_depth {
            if depth <= d && closes > 0 {
                skip_depth = None;
            }
        }
        out.push(if skipping { String::new() } else { code });
    }
    out
}

#[test]
fn no_crate_under_crates_depends_on_tauri() {
    for dir in crates() {
        let manifest = read(&dir.join("Cargo.toml"));
        for (n, line) in manifest.lines().enumerate() {
            let name = line.split(['=', '.']).next().unwrap_or("").trim();
            assert!(
                !name.starts_with("tauri"),
                "{}:{}: the core crates never depend on tauri (only the shell in src-tauri/ does)",
                dir.join("Cargo.toml").display(),
                n + 1
            );
        }
    }
}

#[test]
fn only_api_is_public_from_the_core() {
    let lib = root().join("crates/core/src/lib.rs");
    for (n, line) in code_lines(&read(&lib)).iter().enumerate() {
        let line = line.trim();
        if let Some(module) = line.strip_prefix("pub mod ") {
            assert_eq!(
                module, "api;",
                "{}:{}: only `api` is public from the core; make the module private and pass it through api/",
                lib.display(),
                n + 1
            );
        }
        if let Some(used) = line.strip_prefix("pub use ") {
            assert!(
                used.starts_with("api::") || used.starts_with("error::"),
                "{}:{}: the core re-exports only what api/ holds",
                lib.display(),
                n + 1
            );
        }
    }
}

/// The top-level module of the core that `file` belongs to: `api/dto.rs` and `api/error.rs`
/// are the contract's own modules (`dto`, `error`), the rest of `api/` is the door.
fn core_module(file: &Path) -> String {
    let src = root().join("crates/core/src");
    let relative = file.strip_prefix(&src).expect("a core file");
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    match parts.as_slice() {
        [api, leaf] if api == "api" && (leaf == "dto" || leaf == "error") => leaf.clone(),
        [first, ..] => first.clone(),
        [] => String::new(),
    }
}

/// Which of the core's top-level modules each module uses (`crate::x`, `super::x` at the top).
fn core_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("crates/core/src");
    let modules: BTreeSet<String> = rust_files(&src)
        .iter()
        .map(|f| core_module(f))
        .filter(|m| m != "lib")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let from = core_module(&file);
        if from == "lib" {
            continue;
        }
        let lines = code_lines(&read(&file)).join("\n");
        let mut uses = BTreeSet::new();
        for (i, _) in lines.match_indices("crate::") {
            let rest = &lines[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or("");
                for name in group.split(',') {
                    let name = name.trim().split("::").next().unwrap_or("").trim();
                    uses.insert(name.to_owned());
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                uses.insert(name);
            }
        }
        // `Satu` (re-exported at the crate's root) is the door too.
        if uses.remove("Satu") {
            uses.insert("api".to_owned());
        }
        uses.retain(|m| modules.contains(m) && *m != from);
        graph.entry(from).or_default().extend(uses);
    }
    graph
}

#[test]
fn nothing_behind_the_door_uses_the_api() {
    for (module, uses) in core_graph() {
        assert!(
            module == "api" || !uses.contains("api"),
            "crates/core/src/{module}: only front ends call the API; a worker takes `&Context` (crate::context)"
        );
    }
}

#[test]
fn the_core_modules_import_no_circle() {
    let graph = core_graph();
    // Depth-first search for a back edge; the path is the circle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_owned());
            panic!(
                "crates/core/src: an import circle: {} (move the shared part into the lower module, or pass it in)",
                circle.join(" -> ")
            );
        }
        if done.contains(node) {
            return;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(node.to_owned());
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn library_code_has_no_unwrap() {
    let mut dirs: Vec<PathBuf> = crates().iter().map(|c| c.join("src")).collect();
    dirs.push(root().join("src-tauri/src"));
    let mut found = Vec::new();
    for dir in dirs {
        for file in rust_files(&dir) {
            if file.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            for (n, line) in code_lines(&read(&file)).iter().enumerate() {
                if line.contains(".unwrap()") {
                    found.push(format!("{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "`unwrap()` in library code (say what went wrong with `?` and context, or `expect` with why it cannot fail):\n{}",
        found.join("\n")
    );
}

/// FNV-1a, 64 bits: a fixed checksum for the lock of shipped migrations.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn migrations_are_append_only_and_strict() {
    let dir = root().join("crates/store/migrations");
    let mut files: Vec<String> = fs::read_dir(&dir)
        .expect("migrations/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    // Numbered 0001, 0002, … with no gap.
    for (i, name) in files.iter().enumerate() {
        assert!(
            name.starts_with(&format!("{:04}_", i + 1)),
            "crates/store/migrations/{name}: migrations are numbered in order without gaps (expected {:04}_…)",
            i + 1
        );
    }
    // The list in migrations.rs is the files, in order.
    let listed = read(&root().join("crates/store/src/migrations.rs"));
    let mut at = 0;
    for name in &files {
        let include = format!("../migrations/{name}");
        let found = listed[at..].find(&include).unwrap_or_else(|| {
            panic!("crates/store/src/migrations.rs: {name} is missing or out of order")
        });
        at += found + include.len();
    }
    // Shipped migrations never change: each is locked by its checksum in checksums.txt, and a
    // new one is appended there (SATU_BLESS=1 appends it).
    let lock_path = dir.join("checksums.txt");
    let lock = fs::read_to_string(&lock_path).unwrap_or_default();
    let locked: Vec<(String, String)> = lock
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, sum) = l.split_once(' ').expect("`name checksum` lines");
            (name.to_owned(), sum.trim().to_owned())
        })
        .collect();
    for (i, (name, sum)) in locked.iter().enumerate() {
        assert_eq!(
            files.get(i),
            Some(name),
            "crates/store/migrations/{name}: a shipped migration was removed or renamed; add a new one instead"
        );
        let actual = format!("{:016x}", fnv1a(read(&dir.join(name)).as_bytes()));
        assert_eq!(
            &actual, sum,
            "crates/store/migrations/{name}: a shipped migration changed; put the change in a new migration"
        );
    }
    if files.len() > locked.len() {
        let new: Vec<String> = files[locked.len()..]
            .iter()
            .map(|name| format!("{name} {:016x}", fnv1a(read(&dir.join(name)).as_bytes())))
            .collect();
        if std::env::var_os("SATU_BLESS").is_some() {
            let mut text = if lock.is_empty() {
                "# Checksums (FNV-1a 64) of shipped migrations: tests/tidy.rs refuses a change.\n"
                    .to_owned()
            } else {
                lock.clone()
            };
            for line in &new {
                text.push_str(line);
                text.push('\n');
            }
            fs::write(&lock_path, text).expect("write checksums.txt");
        } else {
            panic!(
                "crates/store/migrations/checksums.txt does not lock {}; run `SATU_BLESS=1 cargo test -p satu-cli --test tidy` once the migration is final",
                new.join(", ")
            );
        }
    }
    // Every table is STRICT.
    for name in &files {
        let sql: String = read(&dir.join(name))
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for statement in sql.split(';') {
            let upper = statement.to_ascii_uppercase();
            let is_table =
                upper.contains("CREATE TABLE") && !upper.contains("CREATE VIRTUAL TABLE");
            assert!(
                !is_table || upper.trim_end().ends_with("STRICT"),
                "crates/store/migrations/{name}: every table is STRICT:\n{}",
                statement.trim()
            );
        }
    }
}

#[test]
fn code_lines_skip_tests_comments_and_strings() {
    let text = "fn a() { x.unwrap_or(1) }\n// y.unwrap()\nlet s = \"z.unwrap()\";\n#[cfg(test)]\nmod tests {\n    fn t() { q.unwrap(); }\n}\nfn b() { w.unwrap() }\n";
    let lines = code_lines(text);
    let hits: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains(".unwrap()"))
        .map(|(n, _)| n + 1)
        .collect();
    assert_eq!(hits, [8]);
}

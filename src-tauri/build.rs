//! Build script of the app: tauri-build generates the context (config, embedded UI, ACL).
//! The root package keeps its Tauri files in src-tauri/, so the capabilities are found there.
//!
//! The window's commands get one `allow-COMMAND` permission each (the app manifest): the names
//! are read from `src-tauri/src/commands.rs` (a command is `#[tauri::command]` then `fn NAME(`),
//! and `capabilities/default.json` grants exactly those (the contract test checks it), so a
//! command the window does not have is refused, and so is any plugin command not granted there.

fn commands() -> Result<Vec<&'static str>, String> {
    let source = std::fs::read_to_string("src-tauri/src/commands.rs")
        .map_err(|e| format!("cannot read src-tauri/src/commands.rs: {e}"))?;
    let mut names = Vec::new();
    for chunk in source.split("#[tauri::command]").skip(1) {
        let name = chunk
            .split_once("fn ")
            .and_then(|(_, rest)| rest.split_once('('))
            .map(|(name, _)| name.trim().to_owned())
            .ok_or("a #[tauri::command] without its fn")?;
        names.push(&*Box::leak(name.into_boxed_str()));
    }
    Ok(names)
}

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/src/commands.rs");
    let commands = match commands() {
        Ok(commands) => &*Box::leak(commands.into_boxed_slice()),
        Err(e) => {
            eprintln!("satu: {e}");
            std::process::exit(1);
        }
    };
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("satu: the Tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}

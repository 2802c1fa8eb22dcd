//! Build script of the app: tauri-build generates the context (config, embedded UI, ACL).
//! The root package keeps its Tauri files in src-tauri/, so the capabilities are found there.

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("satu: the Tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}

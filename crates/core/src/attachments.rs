//! Attachments: decoded again from the original message (stored whole) to save, or opened with
//! the system's application.
//!
//! Opening is the dangerous part: the system picks the program by the file's name, so every
//! check runs on the **final** name, the one written to disk ([`file_name`]: separators,
//! controls, bidi marks and the characters Windows forbids replaced, trailing dots and spaces
//! dropped, device names escaped, cut to [`MAX_NAME_BYTES`] in the stem, never in the
//! extension). Only types on an allow-list open directly ([`may_open`]: documents, pictures,
//! sound and video that their usual viewers show without running anything); everything else
//! can only be saved. An opened file carries its origin as the OS expects: the Windows
//! `Zone.Identifier` stream (Mark of the Web), macOS's `com.apple.quarantine`, and on Linux
//! the freedesktop `user.xdg.origin.*` attributes.

use std::path::PathBuf;

use anyhow::Context as _;
use satu_store::Store;

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::links;

/// Attachment `index` (0-based, as `show` lists them) of an item: its metadata and bytes,
/// decoded again from the original message (which is stored whole).
pub(crate) fn get(store: &Store, id: i64, index: u32) -> ApiResult<(dto::Attachment, Vec<u8>)> {
    let Some(info) = store.attachment(id, index)? else {
        let count = store.item(id)?.attachments.len();
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("Item {id} has no attachment {index} (it has {count}; the first is 0)"),
        )
        .with_field("index"));
    };
    let raw = store.raw_message(id)?;
    // The stored list came from the same parse: same order, same names ('' was stored as
    // "attachment"). The HTML body is not read again for this.
    let stored_name = |name: &str| if name.is_empty() { "attachment" } else { name }.to_owned();
    let content = satu_mail::parse_attachments(&raw)
        .into_iter()
        .nth(index as usize)
        .filter(|a| stored_name(&a.name) == info.name && a.mime_type == info.mime_type)
        .map(|a| a.content)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                format!(
                    "The attachment {:?} of item {id} cannot be decoded from the original message again",
                    info.name
                ),
            )
        })?;
    let info = dto::Attachment {
        name: info.name,
        mime_type: info.mime_type,
        size: info.size,
    };
    Ok((info, content))
}

/// Opens attachment `index` of item `id` with the system's application for its type: the
/// bytes are decoded from the original message into a private folder of the data directory
/// (`opened/`), then handed over. Only the types of [`may_open`] open (save the others with
/// [`get`] and check them first). Returns the file's path.
pub(crate) fn open(ctx: &Context, id: i64, index: u32) -> ApiResult<PathBuf> {
    let store = ctx.store();
    let (info, content) = get(store, id, index)?;
    let name = file_name(&info.name);
    if let Err(why) = may_open(&name, &info.mime_type) {
        return Err(ApiError::invalid(
            "index",
            format!(
                "{name:?} {why}: Satu opens only documents, pictures, sound and video from mail. Save it (`satu attachment {id} {index} -o FILE`) and check it first"
            ),
        ));
    }
    sweep_opened(&ctx.data_dir().join("opened"), KEEP_OPENED);
    let dir = ctx.data_dir().join("opened").join(format!("{id}-{index}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("Cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let private = std::fs::Permissions::from_mode(0o700);
        for folder in [ctx.data_dir().join("opened"), dir.clone()] {
            std::fs::set_permissions(&folder, private.clone())
                .with_context(|| format!("Cannot make {} private", folder.display()))?;
        }
    }
    let path = dir.join(&name);
    std::fs::write(&path, &content)
        .with_context(|| format!("Cannot write the attachment to {}", path.display()))?;
    let detail = store.item(id)?;
    let from = detail.row.sender.map(|p| p.address).unwrap_or_default();
    mark_origin(&path, &from, detail.row.message_id.as_deref().unwrap_or(""));
    crate::audit::record_now(
        store,
        "attachment.open",
        Some(detail.row.account_id),
        Some(id),
        serde_json::json!({ "index": index, "name": name, "message_id": detail.row.message_id }),
    )?;
    links::open_in_system(&path.to_string_lossy())?;
    Ok(path)
}

/// The folder saved attachments go to: `SATU_DOWNLOAD_DIR`, else the user's Downloads folder
/// (`XDG_DOWNLOAD_DIR` on Linux), else the home folder.
pub(crate) fn download_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SATU_DOWNLOAD_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_DOWNLOAD_DIR") {
        return PathBuf::from(dir);
    }
    #[cfg(windows)]
    let home = std::env::var_os("USERPROFILE");
    #[cfg(not(windows))]
    let home = std::env::var_os("HOME");
    match home.map(PathBuf::from) {
        Some(home) if home.join("Downloads").is_dir() => home.join("Downloads"),
        Some(home) => home,
        None => PathBuf::from("."),
    }
}

/// Saves attachment `index` of item `id` (every attachment when `None`) into `dir` (the
/// Downloads folder when `None`) under safe names, never over an existing file (`name (2).pdf`
/// instead), each marked as coming from mail. Any type is saved (saving runs nothing). Returns
/// the paths written.
pub(crate) fn save(
    ctx: &Context,
    id: i64,
    index: Option<u32>,
    dir: Option<&std::path::Path>,
) -> ApiResult<Vec<PathBuf>> {
    let store = ctx.store();
    let detail = store.item(id)?;
    let indexes: Vec<u32> = match index {
        Some(index) => vec![index],
        None => (0..detail.attachments.len() as u32).collect(),
    };
    if indexes.is_empty() {
        return Err(ApiError::invalid(
            "id",
            format!("Item {id} has no attachments"),
        ));
    }
    let dir = dir.map(PathBuf::from).unwrap_or_else(download_dir);
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::invalid(
            "dir",
            format!("Cannot make the folder {}: {e}", dir.display()),
        )
    })?;
    let from = detail
        .row
        .sender
        .as_ref()
        .map(|p| p.address.clone())
        .unwrap_or_default();
    let message_id = detail.row.message_id.clone().unwrap_or_default();
    let mut saved = Vec::new();
    for index in indexes {
        let (info, content) = get(store, id, index)?;
        let path = write_new(&dir, &file_name(&info.name), &content)?;
        mark_origin(&path, &from, &message_id);
        crate::audit::record_now(
            store,
            "attachment.save",
            Some(detail.row.account_id),
            Some(id),
            serde_json::json!({ "index": index, "file": path.display().to_string(), "message_id": message_id }),
        )?;
        tracing::info!(item = id, index, path = %path.display(), "Attachment saved.");
        saved.push(path);
    }
    Ok(saved)
}

/// Writes `content` to `dir/name`, or to `name (2)`, `name (3)`, … when taken: never over a file
/// that is there (`create_new`, so not even one made meanwhile).
fn write_new(dir: &std::path::Path, name: &str, content: &[u8]) -> ApiResult<PathBuf> {
    use std::io::Write as _;
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    for n in 1..1000 {
        let candidate = if n == 1 {
            name.to_owned()
        } else {
            format!("{stem} ({n}){extension}")
        };
        let path = dir.join(&candidate);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(content)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| {
                        let _ = std::fs::remove_file(&path);
                        ApiError::internal(format!("Cannot write {}: {e}", path.display()))
                    })?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(ApiError::invalid(
                    "dir",
                    format!("Cannot write in {}: {e}", dir.display()),
                ))
            }
        }
    }
    Err(ApiError::invalid(
        "dir",
        format!(
            "{} already holds 999 files named like {name}",
            dir.display()
        ),
    ))
}

/// How long an opened attachment's copy is kept (the application it was handed to may still
/// read it a while; after that it is only a copy of what the message holds).
const KEEP_OPENED: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// Removes the copies in `opened` (one folder per attachment) whose files are all older than
/// `keep`; what cannot be read or removed stays (and is said in the log).
fn sweep_opened(opened: &std::path::Path, keep: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(opened) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let old = |path: &std::path::Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > keep))
    };
    for entry in entries.flatten() {
        let folder = entry.path();
        let Ok(files) = std::fs::read_dir(&folder) else {
            continue;
        };
        let all_old = files.flatten().all(|f| old(&f.path()));
        if all_old {
            if let Err(e) = std::fs::remove_dir_all(&folder) {
                tracing::info!(path = %folder.display(), error = %e, "An old opened attachment could not be removed.");
            }
        }
    }
}

/// The longest file name written, in bytes (file systems allow 255; room is left for what the
/// system adds, like " (1)").
pub(crate) const MAX_NAME_BYTES: usize = 200;

/// The longest extension kept whole, in bytes.
const MAX_EXTENSION_BYTES: usize = 16;

/// Names Windows keeps for devices, whatever the extension (`nul.txt` is the device too).
const DEVICE_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "conin$", "conout$", "com1", "com2", "com3", "com4", "com5",
    "com6", "com7", "com8", "com9", "com¹", "com²", "com³", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5",
    "lpt6", "lpt7", "lpt8", "lpt9", "lpt¹", "lpt²", "lpt³",
];

/// The file name an attachment called `name` is written under, on every system: no folder
/// parts, no control or bidi characters, none of `:<>"|?*`, no trailing dots or spaces, no
/// leading dot, not a device name, at most [`MAX_NAME_BYTES`] bytes (the stem is cut, the
/// extension kept), never empty.
pub(crate) fn file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !satu_mail::is_bidi_control(*c))
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '<' | '>' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    if cleaned.is_empty() {
        return "attachment".to_owned();
    }
    let (stem, extension) = match cleaned.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && !ext.is_empty()
                && ext.len() <= MAX_EXTENSION_BYTES
                && !ext.contains(char::is_whitespace) =>
        {
            (stem, Some(ext))
        }
        _ => (cleaned, None),
    };
    let room = MAX_NAME_BYTES - extension.map_or(0, |e| e.len() + 1);
    let mut cut = stem.len().min(room);
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = if cut < stem.len() {
        // Cut: no dot or space left at the cut (`name..pdf`).
        stem[..cut].trim_end_matches(|c: char| c == '.' || c.is_whitespace())
    } else {
        stem
    };
    let stem = if stem.is_empty() { "attachment" } else { stem };
    let first = stem.split('.').next().unwrap_or(stem).trim().to_lowercase();
    let stem = if DEVICE_NAMES.contains(&first.as_str()) {
        format!("_{stem}")
    } else {
        stem.to_owned()
    };
    match extension {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    }
}

/// File types that open directly: their usual viewers show them without running anything
/// (no macros, no scripts, no links to programs). Everything else is saved, never opened.
const OPENS_DIRECTLY: &[&str] = &[
    // Documents (the OOXML and OpenDocument formats without macros).
    "pdf", "txt", "md", "log", "docx", "xlsx", "pptx", "odt", "ods", "odp", "ics", "vcf",
    "epub", // Pictures.
    "png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "heic", "heif", "avif",
    // Sound and video.
    "mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "flac", "mp4", "m4v", "mov", "webm", "mkv",
];

/// Whether the attachment written as `name` (from [`file_name`]), of type `mime_type`, may be
/// opened with the system's application; else why not.
pub(crate) fn may_open(name: &str, mime_type: &str) -> Result<(), &'static str> {
    let mime = mime_type.to_ascii_lowercase();
    if mime.contains("executable")
        || mime.contains("x-msdownload")
        || mime.contains("x-sh")
        || mime.contains("java-archive")
        || mime.contains("x-desktop")
        || mime.contains("javascript")
        || mime.contains("macroenabled")
    {
        return Err("is a program or script");
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    if OPENS_DIRECTLY.contains(&extension.as_str()) {
        Ok(())
    } else if links::is_program(name, mime_type) {
        Err("is a program or script")
    } else {
        Err("is not a type Satu opens directly")
    }
}

/// Marks an opened attachment as coming from mail, as the OS expects; a file system that keeps
/// no such marks only loses the mark (said in the log), not the file.
fn mark_origin(path: &std::path::Path, from: &str, message_id: &str) {
    let result = origin_marks(path, from, message_id);
    if let Err(e) = result {
        tracing::info!(path = %path.display(), error = %e, "The opened attachment could not be marked as coming from mail.");
    }
}

#[cfg(windows)]
fn origin_marks(path: &std::path::Path, _from: &str, _message_id: &str) -> std::io::Result<()> {
    // Mark of the Web: zone 3 is the Internet.
    let stream = format!("{}:Zone.Identifier", path.display());
    std::fs::write(stream, "[ZoneTransfer]\r\nZoneId=3\r\n")
}

#[cfg(target_os = "macos")]
fn origin_marks(path: &std::path::Path, _from: &str, _message_id: &str) -> std::io::Result<()> {
    // Gatekeeper's quarantine flag (0081: downloaded, not yet approved), with the agent's name.
    let value = format!("0081;{:08x};Satu;", chrono::Utc::now().timestamp());
    rustix::fs::setxattr(
        path,
        "com.apple.quarantine",
        value.as_bytes(),
        rustix::fs::XattrFlags::empty(),
    )
    .map_err(std::io::Error::from)
}

#[cfg(all(unix, not(target_os = "macos")))]
fn origin_marks(path: &std::path::Path, from: &str, message_id: &str) -> std::io::Result<()> {
    // The freedesktop.org common extended attributes for a file that came with an email.
    let flags = rustix::fs::XattrFlags::empty();
    rustix::fs::setxattr(path, "user.xdg.origin.email.from", from.as_bytes(), flags)?;
    if !message_id.is_empty() {
        rustix::fs::setxattr(
            path,
            "user.xdg.origin.email.message-id",
            message_id.as_bytes(),
            flags,
        )?;
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn origin_marks(_path: &std::path::Path, _from: &str, _message_id: &str) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checks_run_on_the_name_that_is_written() {
        // Cut to length: the extension stays, so `.exe` never surfaces from the middle.
        let long = format!("{}.exe.pdf", "a".repeat(120));
        assert_eq!(file_name(&long), long);
        let longer = format!("{}.exe.pdf", "a".repeat(300));
        let written = file_name(&longer);
        assert!(
            written.len() <= MAX_NAME_BYTES && written.ends_with(".pdf"),
            "{written}"
        );
        assert_eq!(may_open(&written, "application/pdf"), Ok(()));
        let desktop = format!("{}.desktop.txt", "b".repeat(300));
        assert!(file_name(&desktop).ends_with(".txt"));
        // Windows drops trailing dots and spaces; streams and reserved characters never pass.
        assert_eq!(file_name("invoice.exe."), "invoice.exe");
        assert_eq!(file_name("invoice.exe . "), "invoice.exe");
        assert!(may_open(&file_name("invoice.exe."), "application/pdf").is_err());
        assert_eq!(file_name("evil.exe::$DATA"), "evil.exe__$DATA");
        assert!(may_open(&file_name("evil.exe::$DATA"), "application/pdf").is_err());
        assert_eq!(file_name("a<b>c|d?e*f\"g.txt"), "a_b_c_d_e_f_g.txt");
        // A long name in a script of several bytes a character: cut in bytes, on a boundary.
        let wen = format!("{}.pdf", "文".repeat(150));
        let written = file_name(&wen);
        assert!(
            written.len() <= MAX_NAME_BYTES && written.ends_with("文.pdf"),
            "{}",
            written.len()
        );
        // Device names, folders, hidden files, bidi tricks, nothing at all.
        assert_eq!(file_name("CON.txt"), "_CON.txt");
        assert_eq!(file_name("nul"), "_nul");
        assert_eq!(file_name("lpt1.tar.gz"), "_lpt1.tar.gz");
        assert_eq!(file_name("console.txt"), "console.txt");
        assert_eq!(file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(file_name(".bashrc"), "bashrc");
        assert_eq!(file_name("  "), "attachment");
        assert_eq!(file_name("..."), "attachment");
        assert_eq!(file_name("a\u{0}b.txt"), "a_b.txt");
        assert_eq!(file_name("photo\u{202E}gpj.exe"), "photogpj.exe");
        assert!(may_open(&file_name("photo\u{202E}gpj.exe"), "image/jpeg").is_err());
    }

    #[test]
    fn only_types_that_open_without_running_anything_open() {
        for (name, mime) in [
            ("report.pdf", "application/pdf"),
            ("Photo.JPG", "image/jpeg"),
            ("notes.txt", "text/plain"),
            ("plan.docx", "application/octet-stream"),
            ("invite.ics", "text/calendar"),
        ] {
            assert_eq!(may_open(name, mime), Ok(()), "{name} {mime}");
        }
        for (name, mime) in [
            ("setup.exe", "application/octet-stream"),
            ("Invoice.PDF.js", "text/plain"),
            ("run.sh", "text/plain"),
            ("thing.pdf", "application/x-msdownload"),
            ("x.desktop", "application/octet-stream"),
            ("budget.xlsm", "application/octet-stream"),
            (
                "letter.docm",
                "application/vnd.ms-word.document.macroEnabled.12",
            ),
            ("a.terminal", "application/octet-stream"),
            ("a.fileloc", "application/octet-stream"),
            ("a.webloc", "application/octet-stream"),
            ("a.url", "application/octet-stream"),
            ("a.scf", "application/octet-stream"),
            ("a.library-ms", "application/octet-stream"),
            ("a.settingcontent-ms", "application/octet-stream"),
            ("a.appref-ms", "application/octet-stream"),
            ("a.chm", "application/octet-stream"),
            ("a.inf", "application/octet-stream"),
            ("a.msix", "application/octet-stream"),
            ("a.appx", "application/octet-stream"),
            ("a.jnlp", "application/octet-stream"),
            ("disk.iso", "application/octet-stream"),
            ("disk.img", "application/octet-stream"),
            ("disk.vhdx", "application/octet-stream"),
            ("page.html", "text/html"),
            ("image.svg", "image/svg+xml"),
            ("archive.mht", "message/rfc822"),
            ("README", "text/plain"),
        ] {
            assert!(may_open(name, mime).is_err(), "{name} {mime}");
        }
    }

    #[test]
    fn copies_of_opened_attachments_go_after_a_week() {
        let opened = tempfile::tempdir().expect("tempdir");
        let week_old = opened.path().join("1-0");
        let fresh = opened.path().join("2-0");
        for dir in [&week_old, &fresh] {
            std::fs::create_dir(dir).expect("mkdir");
            std::fs::write(dir.join("a.pdf"), b"%PDF").expect("write");
        }
        let eight_days = std::time::Duration::from_secs(8 * 24 * 3600);
        std::fs::File::options()
            .write(true)
            .open(week_old.join("a.pdf"))
            .and_then(|f| f.set_modified(std::time::SystemTime::now() - eight_days))
            .expect("age the copy");
        sweep_opened(opened.path(), KEEP_OPENED);
        assert!(!week_old.exists());
        assert!(fresh.join("a.pdf").exists());
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn an_opened_attachment_says_where_it_came_from() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, b"%PDF").expect("write");
        match origin_marks(&path, "alice@example.com", "1@x") {
            Ok(()) => {
                let mut value = [0u8; 64];
                let n = rustix::fs::getxattr(&path, "user.xdg.origin.email.from", &mut value)
                    .expect("read back");
                assert_eq!(&value[..n], b"alice@example.com");
            }
            // A file system without user attributes (some tmpfs): only the mark is lost.
            Err(e) => assert!(
                matches!(e.raw_os_error(), Some(95)),
                "only 'not supported' is expected: {e}"
            ),
        }
    }

    #[test]
    fn a_saved_file_never_replaces_one_that_is_there() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = write_new(dir.path(), "report.pdf", b"one").expect("first");
        let second = write_new(dir.path(), "report.pdf", b"two").expect("second");
        let plain = write_new(dir.path(), "README", b"x").expect("no extension");
        let again = write_new(dir.path(), "README", b"y").expect("no extension again");
        assert_eq!(
            first.file_name().and_then(|n| n.to_str()),
            Some("report.pdf")
        );
        assert_eq!(
            second.file_name().and_then(|n| n.to_str()),
            Some("report (2).pdf")
        );
        assert_eq!(plain.file_name().and_then(|n| n.to_str()), Some("README"));
        assert_eq!(
            again.file_name().and_then(|n| n.to_str()),
            Some("README (2)")
        );
        assert_eq!(std::fs::read(&first).expect("read"), b"one");
        assert_eq!(std::fs::read(&second).expect("read"), b"two");
    }
}

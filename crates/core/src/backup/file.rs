//! The backup file: an [age](https://age-encryption.org/v1) file encrypted to a passphrase
//! (scrypt), holding a zstd-compressed tar of
//!
//! - `manifest.json` (first, so that a file from a newer Satu is refused before anything else
//!   is read): the format and its version, the schema of the database, what it holds, each
//!   file's size, the audit trail's head;
//! - `satu.db`: the snapshot (`VACUUM INTO`);
//! - `secrets.json`: the accounts' passwords and tokens, only when asked for;
//! - `checksums.json` (last): each file's SHA-256, computed as it was written (one pass over
//!   the snapshot, not two).
//!
//! So a backup opens with standard tools too: `age -d FILE | zstd -d | tar -x`.
//!
//! Written under a temporary name beside the final one, synced, then renamed: a backup killed
//! half-way leaves no file under the final name, and the one before stays as it was.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::{ApiError, ErrorCode};

/// What the manifest's `format` says.
pub(crate) const FORMAT: &str = "satu-backup";
/// The version of the format this build writes and the newest it reads.
pub(crate) const VERSION: u32 = 1;
/// The scrypt work factor backups are encrypted with (2^18: about a second on a laptop, as the
/// age tool's own choice).
const WORK_FACTOR: u8 = 18;
/// The largest work factor a backup may ask for when opened (the age tool may choose more on
/// a fast machine; beyond this, opening takes minutes).
const MAX_WORK_FACTOR: u8 = 22;
/// zstd's level: its default, the best time for the size on mail and chat.
const ZSTD_LEVEL: i32 = 3;

/// The name of the database in a backup.
pub(crate) const DATABASE: &str = "satu.db";
/// The name of the secrets in a backup.
pub(crate) const SECRETS: &str = "secrets.json";
const MANIFEST: &str = "manifest.json";
const CHECKSUMS: &str = "checksums.json";

/// What a backup says of itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The format's version ([`VERSION`] when written by this build).
    pub version: u32,
    /// The Satu that wrote it.
    pub satu: String,
    /// The database's schema version.
    pub schema: i64,
    /// When the snapshot was taken (RFC 3339).
    pub created: String,
    /// What it holds.
    pub counts: Counts,
    /// Its files with their sizes (the checksums come last, in `checksums.json`).
    pub files: Vec<Entry>,
    /// The audit trail's last entry's hash when the snapshot was taken ('' without entries).
    pub audit_head: String,
}

/// Items and accounts in a backup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Counts {
    pub mail: u64,
    pub chat: u64,
    pub tasks: u64,
    pub events: u64,
    pub accounts: u64,
}

impl From<&satu_store::ItemCounts> for Counts {
    fn from(c: &satu_store::ItemCounts) -> Self {
        Counts {
            mail: c.mail,
            chat: c.chat,
            tasks: c.tasks,
            events: c.events,
            accounts: c.accounts,
        }
    }
}

impl Counts {
    pub(crate) fn items(&self) -> u64 {
        self.mail + self.chat + self.tasks + self.events
    }
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub name: String,
    pub bytes: u64,
    /// Hex ('' in the manifest; the trailer has it).
    #[serde(default)]
    pub sha256: String,
}

/// What goes into a backup besides its manifest: a file on disk, or bytes in memory (the
/// secrets never touch the disk unencrypted).
pub(crate) enum Content {
    File(PathBuf),
    Bytes(Vec<u8>),
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest's entry (name and size) of `content` named `name`.
pub(crate) fn entry(name: &str, content: &Content) -> Result<Entry, ApiError> {
    let bytes = match content {
        Content::File(path) => std::fs::metadata(path)
            .map_err(|e| io_error(&format!("Cannot read {}", path.display()), e))?
            .len(),
        Content::Bytes(bytes) => bytes.len() as u64,
    };
    Ok(Entry {
        name: name.to_owned(),
        bytes,
        sha256: String::new(),
    })
}

/// Hashes what passes through it, reading.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn io_error(what: &str, e: std::io::Error) -> ApiError {
    let hint = if e.raw_os_error() == Some(28) {
        " (the disk is full)"
    } else {
        ""
    };
    ApiError::new(ErrorCode::Internal, format!("{what}: {e}{hint}"))
}

/// The temporary name `out` is written under until it is complete.
pub(crate) fn partial_name(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    out.with_file_name(name)
}

/// Writes the backup `out`: `manifest` first, then `contents` (named as in the manifest's
/// files, in order), compressed and encrypted to `passphrase`. Returns its size. `out` appears
/// only complete.
pub(crate) fn write(
    out: &Path,
    passphrase: &SecretString,
    manifest: &Manifest,
    contents: &[(String, Content)],
) -> Result<u64, ApiError> {
    let partial = partial_name(out);
    let result = write_to(&partial, passphrase, manifest, contents).and_then(|()| {
        std::fs::rename(&partial, out).map_err(|e| {
            io_error(
                &format!("Cannot move the backup into place at {}", out.display()),
                e,
            )
        })
    });
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    if let Some(dir) = out.parent().and_then(|d| File::open(d).ok()) {
        let _ = dir.sync_all();
    }
    std::fs::metadata(out)
        .map(|m| m.len())
        .map_err(|e| io_error(&format!("Cannot read {}", out.display()), e))
}

fn write_to(
    path: &Path,
    passphrase: &SecretString,
    manifest: &Manifest,
    contents: &[(String, Content)],
) -> Result<(), ApiError> {
    let failed = |e: std::io::Error| io_error(&format!("Cannot write {}", path.display()), e);
    let mut options = File::options();
    options.write(true).create_new(true);
    // Encrypted, and still the user's own: private to them.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(failed)?;
    let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
    recipient.set_work_factor(WORK_FACTOR);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| ApiError::internal(format!("Cannot encrypt the backup: {e}")))?;
    let encrypted = encryptor
        .wrap_output(BufWriter::with_capacity(1 << 20, file))
        .map_err(failed)?;
    let mut compressed = zstd::Encoder::new(encrypted, ZSTD_LEVEL).map_err(failed)?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    if workers > 1 {
        compressed.multithread(workers).map_err(failed)?;
    }
    let mut tar = tar::Builder::new(compressed);
    let json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| ApiError::internal(format!("Cannot write the manifest: {e}")))?;
    append(&mut tar, MANIFEST, json.len() as u64, json.as_slice()).map_err(failed)?;
    let mut sums = Vec::new();
    for ((name, content), listed) in contents.iter().zip(&manifest.files) {
        let source: Box<dyn Read> = match content {
            Content::File(path) => Box::new(BufReader::with_capacity(
                1 << 20,
                File::open(path)
                    .map_err(|e| io_error(&format!("Cannot read {}", path.display()), e))?,
            )),
            Content::Bytes(bytes) => Box::new(bytes.as_slice()),
        };
        let mut hashing = Hashing {
            inner: source,
            hasher: Sha256::new(),
        };
        append(&mut tar, name, listed.bytes, &mut hashing).map_err(failed)?;
        sums.push(Entry {
            name: name.clone(),
            bytes: listed.bytes,
            sha256: hex(&hashing.hasher.finalize()),
        });
    }
    let trailer = serde_json::to_vec_pretty(&sums)
        .map_err(|e| ApiError::internal(format!("Cannot write the checksums: {e}")))?;
    append(
        &mut tar,
        CHECKSUMS,
        trailer.len() as u64,
        trailer.as_slice(),
    )
    .map_err(failed)?;
    let compressed = tar.into_inner().map_err(failed)?;
    let encrypted = compressed.finish().map_err(failed)?;
    let buffered = encrypted.finish().map_err(failed)?;
    let file = buffered.into_inner().map_err(|e| failed(e.into_error()))?;
    file.sync_all().map_err(failed)
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    size: u64,
    data: impl Read,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, data)
}

/// A backup's passphrase was wrong.
fn wrong_passphrase(file: &Path) -> ApiError {
    ApiError::new(
        ErrorCode::WrongPassphrase,
        format!(
            "The passphrase does not open {}: check it (nothing was changed)",
            file.display()
        ),
    )
    .with_field("passphrase")
}

/// A backup that cannot be read to its end, or whose content does not match its manifest.
pub(crate) fn damaged(file: &Path, why: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::Damaged,
        format!(
            "The backup {} is damaged or incomplete ({why}); nothing was changed",
            file.display()
        ),
    )
    .with_field("file")
}

/// Reads the backup `file` with `passphrase` and writes its files into the directory `into`
/// (which exists), checking each against the manifest. Returns the manifest. Anything wrong
/// (the passphrase, a cut or changed file, a newer format) is an error naming it.
pub(crate) fn read(
    file: &Path,
    passphrase: &SecretString,
    into: &Path,
) -> Result<Manifest, ApiError> {
    let source = File::open(file).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ApiError::not_found("file", format!("No backup at {}", file.display()))
        } else {
            io_error(&format!("Cannot read {}", file.display()), e)
        }
    })?;
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, source))
        .map_err(|e| match e {
            age::DecryptError::Io(e) => damaged(file, e),
            _ => ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{} is not a Satu backup (not an age file: {e})",
                    file.display()
                ),
            )
            .with_field("file"),
        })?;
    if !decryptor.is_scrypt() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!(
                "{} is encrypted to a key, not a passphrase: it is not a Satu backup",
                file.display()
            ),
        )
        .with_field("file"));
    }
    let mut identity = age::scrypt::Identity::new(passphrase.clone());
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let decrypted = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                wrong_passphrase(file)
            }
            age::DecryptError::ExcessiveWork { required, .. } => ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{} asks for too much work to open (scrypt 2^{required}): it was not made by Satu",
                    file.display()
                ),
            )
            .with_field("file"),
            other => damaged(file, other),
        })?;
    let decompressed = zstd::Decoder::new(decrypted).map_err(|e| damaged(file, e))?;
    let mut archive = tar::Archive::new(decompressed);
    let mut entries = archive.entries().map_err(|e| damaged(file, e))?;
    // The manifest, first.
    let manifest: Manifest = {
        let mut first = entries
            .next()
            .ok_or_else(|| damaged(file, "it is empty"))?
            .map_err(|e| damaged(file, e))?;
        let name = first.path().map_err(|e| damaged(file, e))?.into_owned();
        if name != Path::new(MANIFEST) {
            return Err(damaged(file, "it does not start with its manifest"));
        }
        let mut json = Vec::new();
        first
            .by_ref()
            .take(1 << 20)
            .read_to_end(&mut json)
            .map_err(|e| damaged(file, e))?;
        let value: serde_json::Value =
            serde_json::from_slice(&json).map_err(|e| damaged(file, e))?;
        check_version(file, &value)?;
        serde_json::from_value(value).map_err(|e| damaged(file, e))?
    };
    let mut seen: Vec<Entry> = Vec::new();
    let mut trailer: Option<Vec<Entry>> = None;
    for next in entries {
        let mut next = next.map_err(|e| damaged(file, e))?;
        let name = next
            .path()
            .map_err(|e| damaged(file, e))?
            .to_string_lossy()
            .into_owned();
        if name == CHECKSUMS {
            let mut json = Vec::new();
            next.by_ref()
                .take(1 << 20)
                .read_to_end(&mut json)
                .map_err(|e| damaged(file, e))?;
            trailer = Some(serde_json::from_slice(&json).map_err(|e| damaged(file, e))?);
            continue;
        }
        let Some(expected) = manifest.files.iter().find(|f| f.name == name) else {
            return Err(damaged(
                file,
                format!("it holds {name:?}, not in its manifest"),
            ));
        };
        // Names are the manifest's own, never a path.
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(damaged(file, format!("it holds a file named {name:?}")));
        }
        let target = into.join(&name);
        let written = File::create(&target)
            .map_err(|e| io_error(&format!("Cannot write {}", target.display()), e))?;
        let mut tee = Tee {
            inner: BufWriter::with_capacity(1 << 20, written),
            hasher: Sha256::new(),
            bytes: 0,
        };
        std::io::copy(&mut next, &mut tee).map_err(|e| damaged(file, e))?;
        let Tee {
            inner,
            hasher,
            bytes,
        } = tee;
        let written = inner.into_inner().map_err(|e| {
            io_error(
                &format!("Cannot write {}", target.display()),
                e.into_error(),
            )
        })?;
        written
            .sync_all()
            .map_err(|e| io_error(&format!("Cannot write {}", target.display()), e))?;
        if bytes != expected.bytes {
            return Err(damaged(
                file,
                format!(
                    "{name} has {bytes} bytes, its manifest says {}",
                    expected.bytes
                ),
            ));
        }
        seen.push(Entry {
            name,
            bytes,
            sha256: hex(&hasher.finalize()),
        });
    }
    for expected in &manifest.files {
        if !seen.iter().any(|s| s.name == expected.name) {
            return Err(damaged(file, format!("{} is missing", expected.name)));
        }
    }
    let Some(sums) = trailer else {
        return Err(damaged(file, "its checksums are missing"));
    };
    for got in &seen {
        if !sums.iter().any(|s| s == got) {
            return Err(damaged(
                file,
                format!("{} does not match its checksum", got.name),
            ));
        }
    }
    Ok(manifest)
}

/// Refuses a manifest of another format or a newer version, before reading it as this one.
fn check_version(file: &Path, manifest: &serde_json::Value) -> Result<(), ApiError> {
    if manifest["format"] != FORMAT {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("{} is an age file, but not a Satu backup", file.display()),
        )
        .with_field("file"));
    }
    let version = manifest["version"].as_u64().unwrap_or(u64::MAX);
    let schema = manifest["schema"].as_i64().unwrap_or(i64::MAX);
    if version > u64::from(VERSION) || schema > satu_store::LATEST_VERSION {
        return Err(ApiError::new(
            ErrorCode::TooNew,
            format!(
                "{} was made by a newer Satu ({}); update Satu to open it (nothing was changed)",
                file.display(),
                manifest["satu"].as_str().unwrap_or("unknown version")
            ),
        )
        .with_field("file"));
    }
    Ok(())
}

/// Writes through and hashes what it writes.
struct Tee<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

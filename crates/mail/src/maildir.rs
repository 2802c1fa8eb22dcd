//! Reading a Maildir (`cur/` and `new/`), with the flags its file names carry.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// A message file of a Maildir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirEntry {
    /// Path of the file.
    pub path: PathBuf,
    /// `S` flag (or not in `new/`).
    pub seen: bool,
    /// `F` flag.
    pub flagged: bool,
}

/// Lists the messages of the Maildir at `dir`, in file-name order.
pub fn list(dir: &Path) -> Result<Vec<MaildirEntry>> {
    let (cur, new) = (dir.join("cur"), dir.join("new"));
    if !cur.is_dir() && !new.is_dir() {
        anyhow::bail!(
            "{} is not a Maildir: it has neither a cur/ nor a new/ folder",
            dir.display()
        );
    }
    let mut entries = Vec::new();
    for (sub, is_new) in [(&cur, false), (&new, true)] {
        if !sub.is_dir() {
            continue;
        }
        for entry in
            std::fs::read_dir(sub).with_context(|| format!("Cannot list {}", sub.display()))?
        {
            let entry = entry.with_context(|| format!("Cannot list {}", sub.display()))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !path.is_file() {
                continue;
            }
            let flags = name
                .rsplit_once(":2,")
                .map(|(_, f)| f.to_owned())
                .unwrap_or_default();
            entries.push(MaildirEntry {
                path,
                seen: !is_new && flags.contains('S'),
                flagged: flags.contains('F'),
            });
        }
    }
    entries.sort_by(|a, b| a.path.file_name().cmp(&b.path.file_name()));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_cur_and_new_with_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
        }
        std::fs::write(dir.path().join("cur/1.host:2,S"), "Subject: a\n\na").expect("write");
        std::fs::write(dir.path().join("cur/2.host:2,FS"), "Subject: b\n\nb").expect("write");
        std::fs::write(dir.path().join("new/3.host"), "Subject: c\n\nc").expect("write");
        let entries = list(dir.path()).expect("list");
        let flags: Vec<(bool, bool)> = entries.iter().map(|e| (e.seen, e.flagged)).collect();
        assert_eq!(flags, vec![(true, false), (true, true), (false, false)]);
        assert!(
            list(&dir.path().join("cur")).is_err(),
            "cur/ itself is not a Maildir"
        );
    }
}

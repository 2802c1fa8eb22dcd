//! Listing folders (LIST with RFC 6154 special use).

use futures::TryStreamExt as _;

use async_imap::types::NameAttribute;

use super::session::protocol_error;

/// How long listing the folders may take.
const LIST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
use super::{utf7, ImapError, ImapSession};

/// Special use of a folder (RFC 6154), or INBOX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialUse {
    /// INBOX.
    Inbox,
    /// \Sent.
    Sent,
    /// \Drafts.
    Drafts,
    /// \Trash.
    Trash,
    /// \Junk.
    Junk,
    /// \Archive.
    Archive,
    /// \All.
    All,
    /// \Flagged.
    Flagged,
}

/// A folder as the server lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapFolder {
    /// Decoded name (UTF-8).
    pub name: String,
    /// Hierarchy delimiter.
    pub delimiter: String,
    /// Special use, if any.
    pub special_use: Option<SpecialUse>,
    /// False for \Noselect / \NonExistent.
    pub selectable: bool,
}

impl ImapSession {
    /// Lists every folder, INBOX first, then the special-use folders, then the rest by name: the
    /// order in which a sync should visit them.
    pub async fn list_folders(&mut self) -> Result<Vec<ImapFolder>, ImapError> {
        let host = self.host.clone();
        let port = self.port;
        let listing = async {
            self.session
                .list(Some(""), Some("*"))
                .await?
                .try_collect::<Vec<_>>()
                .await
        };
        let names = tokio::time::timeout(LIST_TIMEOUT, listing)
            .await
            .map_err(|_| ImapError::Timeout {
                host: host.clone(),
                port,
                what: "LIST",
            })?
            .map_err(|e| protocol_error(&host, e))?;
        let mut folders: Vec<ImapFolder> = names
            .iter()
            .map(|name| {
                let decoded = utf7::decode(name.name());
                let mut special_use = None;
                let mut selectable = true;
                for attribute in name.attributes() {
                    match attribute {
                        NameAttribute::NoSelect => selectable = false,
                        NameAttribute::Sent => special_use = Some(SpecialUse::Sent),
                        NameAttribute::Drafts => special_use = Some(SpecialUse::Drafts),
                        NameAttribute::Trash => special_use = Some(SpecialUse::Trash),
                        NameAttribute::Junk => special_use = Some(SpecialUse::Junk),
                        NameAttribute::Archive => special_use = Some(SpecialUse::Archive),
                        NameAttribute::All => special_use = Some(SpecialUse::All),
                        NameAttribute::Flagged => special_use = Some(SpecialUse::Flagged),
                        NameAttribute::Extension(ext)
                            if ext.eq_ignore_ascii_case("\\NonExistent") =>
                        {
                            selectable = false
                        }
                        _ => {}
                    }
                }
                if decoded.eq_ignore_ascii_case("INBOX") {
                    special_use = Some(SpecialUse::Inbox);
                }
                ImapFolder {
                    name: if special_use == Some(SpecialUse::Inbox) {
                        "INBOX".to_owned()
                    } else {
                        decoded
                    },
                    delimiter: name.delimiter().unwrap_or("/").to_owned(),
                    special_use,
                    selectable,
                }
            })
            .collect();
        folders.sort_by_key(|f| {
            (
                f.special_use != Some(SpecialUse::Inbox),
                f.special_use.is_none(),
                f.name.clone(),
            )
        });
        Ok(folders)
    }
}

//! Contacts (`contacts`): every address mail came from or the user wrote to, with how often and
//! how lately, kept up to date as mail is stored ([`Tx::note_contacts`]). Completion ranks them
//! (`satu_core::contacts`).

use anyhow::{Context as _, Result};
use rusqlite::params;

use crate::{Store, Tx};

/// An address with what is known of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub address: String,
    /// The name last seen with it ('' when none).
    pub name: String,
    /// Messages the user sent to it.
    pub written: i64,
    /// When the latest went (Unix ms; 0 when never).
    pub last_written_ms: i64,
    /// Messages that came from it.
    pub seen: i64,
    /// When the latest came (Unix ms; 0 when never).
    pub last_seen_ms: i64,
}

/// `text` for a LIKE pattern: its own `%`, `_` and `\` match themselves.
fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The addresses in a "To and Cc" text (`Name <address>, address, …`; a name may hold a comma),
/// with their names.
pub(crate) fn addresses_in(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut piece = String::new();
    for part in text.split(',') {
        if !piece.is_empty() {
            piece.push(',');
        }
        piece.push_str(part);
        let open = piece.find('<');
        let complete = match open {
            Some(open) => piece[open..].contains('>'),
            None => piece.contains('@'),
        };
        if !complete {
            continue;
        }
        let (name, address) = match open {
            Some(open) => {
                let close = piece[open..].find('>').map_or(piece.len(), |c| open + c);
                (
                    piece[..open].trim().trim_matches('"').trim().to_owned(),
                    piece[open + 1..close].trim().to_owned(),
                )
            }
            None => (String::new(), piece.trim().to_owned()),
        };
        if address.contains('@') && !address.contains(char::is_whitespace) {
            found.push((name, address));
        }
        piece.clear();
    }
    found
}

impl Store {
    /// The contacts whose address or name (any word of it) starts with `text`, at most `limit`
    /// of the many that may match (the most written to and seen first; ranking is the core's).
    pub fn contacts_matching(&self, text: &str, limit: u32) -> Result<Vec<Contact>> {
        let prefix = format!("{}%", like_escaped(text.trim()));
        let word = format!("% {}%", like_escaped(text.trim()));
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT address, name, written, last_written, seen, last_seen FROM contacts
                 WHERE address LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\' OR name LIKE ?2 ESCAPE '\\'
                 ORDER BY written DESC, seen DESC, address LIMIT ?3",
            )?
            .query_map(params![prefix, word, limit], |row| {
                Ok(Contact {
                    address: row.get(0)?,
                    name: row.get(1)?,
                    written: row.get(2)?,
                    last_written_ms: row.get(3)?,
                    seen: row.get(4)?,
                    last_seen_ms: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()
            .context("Cannot read the contacts")
        })
    }
}

impl Tx<'_> {
    /// Notes a stored mail: when the sender is one of the account's own addresses, the user
    /// wrote to each of its recipients; otherwise its sender and its other recipients were seen.
    pub(crate) fn note_contacts(
        &mut self,
        account_id: i64,
        sender_name: &str,
        sender_address: &str,
        recipients: &str,
        time_ms: i64,
    ) -> Result<()> {
        let mine: bool = self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1 AND lower(email) = lower(?2))
                     OR EXISTS (SELECT 1 FROM identities WHERE account_id = ?1 AND address = ?2)",
            )?
            .query_row(params![account_id, sender_address], |row| row.get(0))?;
        if mine {
            for (name, address) in addresses_in(recipients) {
                self.conn()
                    .prepare_cached(
                        "INSERT INTO contacts (address, name, written, last_written) VALUES (lower(?1), ?2, 1, ?3)
                         ON CONFLICT (address) DO UPDATE SET written = written + 1,
                             last_written = max(last_written, ?3),
                             name = CASE WHEN name = '' THEN ?2 ELSE name END",
                    )?
                    .execute(params![address, name, time_ms])
                    .context("Cannot note a recipient")?;
            }
            return Ok(());
        }
        let sender = sender_address
            .contains('@')
            .then(|| (sender_name.to_owned(), sender_address.to_owned()));
        let not_mine = |address: &str| -> Result<bool> {
            let mine: bool = self
                .conn()
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1 AND lower(email) = lower(?2))
                         OR EXISTS (SELECT 1 FROM identities WHERE account_id = ?1 AND address = ?2)",
                )?
                .query_row(params![account_id, address], |row| row.get(0))?;
            Ok(!mine)
        };
        let mut seen = Vec::new();
        for (name, address) in sender.into_iter().chain(addresses_in(recipients)) {
            if not_mine(&address)? {
                seen.push((name, address));
            }
        }
        for (name, address) in seen {
            self.conn()
                .prepare_cached(
                    "INSERT INTO contacts (address, name, seen, last_seen) VALUES (lower(?1), ?2, 1, ?3)
                     ON CONFLICT (address) DO UPDATE SET seen = seen + 1, last_seen = max(last_seen, ?3),
                         name = CASE WHEN ?2 != '' THEN ?2 ELSE name END",
                )?
                .execute(params![address, name, time_ms])
                .context("Cannot note an address seen")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::addresses_in;

    #[test]
    fn recipients_text_gives_each_address_with_its_name() {
        let pairs = |text: &str| addresses_in(text);
        assert_eq!(
            pairs("Bob <bob@example.com>, carol@example.org"),
            [
                ("Bob".to_owned(), "bob@example.com".to_owned()),
                (String::new(), "carol@example.org".to_owned())
            ]
        );
        // A comma inside a name stays in the name.
        assert_eq!(
            pairs("Tan, Siti <siti@example.my>, \"Lee\" <lee@x.org>"),
            [
                ("Tan, Siti".to_owned(), "siti@example.my".to_owned()),
                ("Lee".to_owned(), "lee@x.org".to_owned())
            ]
        );
        // Not addresses: nothing.
        assert!(pairs("").is_empty());
        assert!(pairs("undisclosed-recipients:;").is_empty());
        assert!(pairs("Bob <not an address>").is_empty());
    }
}

//! Identities (`identities`): the addresses an account sends from besides its own (aliases), and
//! the signature of each (its own address's too). Which one a message uses is the core's choice.

use anyhow::{Context as _, Result};
use rusqlite::params;

use crate::{Store, Tx};

/// One address an account sends from, with its name and signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The account.
    pub account_id: i64,
    /// The address (as entered; compared without case).
    pub address: String,
    /// The name shown in From ('' for the account's name).
    pub name: String,
    /// Plain text added under new messages, replies and forwards ('' for none).
    pub signature: String,
}

impl Store {
    /// The account's identity rows, in the order they were added.
    pub fn identities(&self, account_id: i64) -> Result<Vec<Identity>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT account_id, address, name, signature FROM identities
                 WHERE account_id = ?1 ORDER BY id",
            )?
            .query_map([account_id], |row| {
                Ok(Identity {
                    account_id: row.get(0)?,
                    address: row.get(1)?,
                    name: row.get(2)?,
                    signature: row.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()
            .context("Cannot read the account's identities")
        })
    }
}

impl Tx<'_> {
    /// Adds an identity, or changes the name and signature of the one with its address.
    pub fn set_identity(&mut self, identity: &Identity) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO identities (account_id, address, name, signature) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id, address) DO UPDATE SET name = ?3, signature = ?4",
            )?
            .execute(params![
                identity.account_id,
                identity.address,
                identity.name,
                identity.signature
            ])
            .context("Cannot store the identity")?;
        Ok(())
    }

    /// Removes the identity with `address`. Returns whether there was one.
    pub fn remove_identity(&mut self, account_id: i64, address: &str) -> Result<bool> {
        let removed = self
            .conn()
            .execute(
                "DELETE FROM identities WHERE account_id = ?1 AND address = ?2",
                params![account_id, address],
            )
            .context("Cannot remove the identity")?;
        Ok(removed > 0)
    }
}

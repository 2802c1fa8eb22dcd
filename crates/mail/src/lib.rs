//! # Mail for Satu
//!
//! Protocol and format code for mail, with no knowledge of the store: MIME parsing
//! ([`parse`]), HTML sanitizing ([`sanitize`]), reading mbox files and Maildirs ([`mbox`],
//! [`maildir`]) and the IMAP client ([`imap`]).

pub mod imap;
pub mod maildir;
pub mod mbox;
pub mod parse;
pub mod sanitize;

pub use parse::{parse_message, ParsedAttachment, ParsedMail};

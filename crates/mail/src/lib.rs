//! # Mail for Satu
//!
//! Protocol and format code for mail, with no knowledge of the store: MIME parsing
//! ([`parse`]), HTML sanitizing ([`sanitize`]), how sessions log in ([`auth`]), reading mbox files and Maildirs ([`mbox`],
//! [`maildir`]), the IMAP client ([`imap`]) and SMTP submission ([`smtp`]). This crate never
//! depends on `satu-store` (ARCHITECTURE.md, "Invariants"): it hands back plain data, and the core
//! decides what to store.

pub mod auth;
pub mod css;
pub mod imap;
pub mod maildir;
pub mod mbox;
pub mod mx;
pub mod parse;
pub mod sanitize;
pub mod smtp;
pub mod unsubscribe;

pub use parse::{
    calendar_parts, header_fields, header_message_id, is_bidi_control, parse_attachments,
    parse_message, reply_addresses, ParsedAttachment, ParsedMail, ReplyAddresses,
};

//! # The Satu core
//!
//! [`api::Satu`] is the only door into the core: the Tauri shell, the `satu` CLI and the tests all
//! call it, and it speaks only in the DTOs of [`dto`] (serializable, stable JSON keys) and
//! [`error::ApiError`] (a code the UI can branch on plus a sentence for people).
//! Behind it: the store (`satu-store`), mail protocols and formats (`satu-mail`), imports,
//! sync and the OS keyring.

mod accounts;
mod actions;
pub mod api;
mod attachments;
mod audit;
mod backup;
mod caldav;
mod contacts;
mod context;
mod diagnostics;
mod discover;
mod export;
mod fault;
mod health;
mod import;
mod instance;
mod links;
mod live;
mod matrix;
mod notify;
mod oauth;
mod offline;
mod pass;
mod print;
mod progress;
mod replay;
mod rules;
mod search_index;
mod secrets;
mod send;
mod settings;
mod snooze;
mod sync;
mod tasks;
mod thrift;
mod timeline;
mod trust;
mod unsubscribe;

pub use api::{dto, error, Satu};
pub use error::{ApiError, ErrorCode};

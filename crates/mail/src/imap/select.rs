//! Selecting a folder: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, and with QRESYNC (RFC 7162) what
//! changed and vanished since a known state, in the same round trip. With QRESYNC enabled (`ENABLE
//! QRESYNC`) and a known (UIDVALIDITY, HIGHESTMODSEQ) the SELECT carries `(QRESYNC (…))`; else
//! `(CONDSTORE)` when offered, so that HIGHESTMODSEQ is reported.

use std::ops::RangeInclusive;

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};

use super::command::quote;
use super::fetch::{uid_and_flags, MessageFlags};
use super::{utf7, ImapError, ImapSession};

/// What SELECT told about a folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selected {
    /// UIDVALIDITY.
    pub uidvalidity: u32,
    /// UIDNEXT (0 when the server did not say).
    pub uid_next: u32,
    /// HIGHESTMODSEQ; `None` without CONDSTORE or for a folder without mod-sequences.
    pub highest_modseq: Option<u64>,
    /// EXISTS: how many messages the folder holds.
    pub exists: u32,
    /// Whether QRESYNC data was asked for: then `vanished` and `changed` are complete since the
    /// given mod-sequence.
    pub qresync: bool,
    /// UIDs expunged since the known mod-sequence (`VANISHED (EARLIER)`), as ranges that may
    /// include UIDs we never saw.
    pub vanished: Vec<RangeInclusive<u32>>,
    /// Flags changed since the known mod-sequence.
    pub changed: Vec<(u32, MessageFlags)>,
}

impl ImapSession {
    /// Turns on QRESYNC (`ENABLE QRESYNC`) when the server offers it; returns whether it is on.
    pub async fn enable_qresync(&mut self) -> Result<bool, ImapError> {
        if self.qresync {
            return Ok(true);
        }
        if !(self.has("QRESYNC") && self.has("ENABLE")) {
            return Ok(false);
        }
        self.command("ENABLE QRESYNC", "ENABLE QRESYNC", |_| {})
            .await?;
        self.qresync = true;
        Ok(true)
    }

    /// Selects `folder` (a decoded name). With QRESYNC enabled and a `known` (UIDVALIDITY,
    /// HIGHESTMODSEQ), asks for what vanished and changed since then; else uses `(CONDSTORE)`
    /// when offered, so that HIGHESTMODSEQ is reported.
    pub async fn select_folder(
        &mut self,
        folder: &str,
        known: Option<(u32, u64)>,
    ) -> Result<Selected, ImapError> {
        let name = quote(&utf7::encode(folder));
        let mut selected = Selected::default();
        let command = match known {
            Some((uidvalidity, modseq)) if self.qresync && uidvalidity > 0 && modseq > 0 => {
                selected.qresync = true;
                format!("SELECT {name} (QRESYNC ({uidvalidity} {modseq}))")
            }
            _ if self.has("CONDSTORE") && !self.qresync => format!("SELECT {name} (CONDSTORE)"),
            _ => format!("SELECT {name}"),
        };
        let mut uidvalidity = None;
        self.command("SELECT", &command, |response| match response {
            Response::Data {
                status: Status::Ok,
                outcome,
            } => match &outcome.code {
                Some(ResponseCode::UidValidity(v)) => uidvalidity = Some(*v),
                Some(ResponseCode::UidNext(n)) => selected.uid_next = *n,
                Some(ResponseCode::HighestModSeq(m)) => selected.highest_modseq = Some(*m),
                _ => {}
            },
            Response::MailboxData(MailboxDatum::Exists(n)) => selected.exists = *n,
            Response::Vanished { uids, .. } => selected.vanished.extend(uids.iter().cloned()),
            Response::Fetch(_, attributes) => selected.changed.extend(uid_and_flags(attributes)),
            _ => {}
        })
        .await?;
        selected.uidvalidity = uidvalidity.ok_or_else(|| ImapError::Server {
            host: self.host.clone(),
            detail: format!("SELECT {folder} gave no UIDVALIDITY"),
        })?;
        tracing::debug!(
            folder,
            uidvalidity = selected.uidvalidity,
            uid_next = selected.uid_next,
            highest_modseq = ?selected.highest_modseq,
            exists = selected.exists,
            vanished = selected.vanished.len(),
            changed = selected.changed.len(),
            "Selected."
        );
        Ok(selected)
    }
}

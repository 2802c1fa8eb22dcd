//! The decisions of an IMAP folder sync, as pure functions from (local state, server state) to
//! what to ask and what to change. The I/O in `sync::imap` only gathers the inputs and applies
//! the actions, so every case is tested here without a server (`imap_plan/tests.rs`).
//!
//! A pass over a folder: SELECT → [`queries`] says what to ask the server → the answers →
//! [`delta_is_consistent`] checks an incremental answer against the message count (else the
//! full UID list is asked for) → [`plan`] gives the actions, applied in order:
//! [`Action::ResetFolder`] (a new UIDVALIDITY), [`Action::Forget`] (expunged),
//! [`Action::UpdateFlags`] (only flags that differ), [`Action::FetchNew`] (batches, newest
//! first), [`Action::SaveCursor`]. The cursor is saved last, so a pass interrupted at any point
//! is simply done again.
//!
//! New messages are taken in [`windows`] (a small first one: the newest screen is readable at
//! once). Each window is looked at header-only first (Message-ID, Gmail's id, size, flags), and
//! [`copies`] says which are copies of messages already stored (Gmail's All Mail and labels, a
//! message filed in two folders): those are linked to the folder, never downloaded again.
//!
//! A server's flag change reaches the store through `UpdateFlags` and `Tx::set_imap_flags`, where
//! a local flag change still queued for the server wins over the server's older view.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use satu_mail::imap::MessageFlags;
use satu_store::ImapCursor;

/// Messages fetched per `UID FETCH` and stored per transaction, at most.
pub const FETCH_BATCH: usize = 200;
/// Bytes fetched per `UID FETCH`, at most (by the messages' RFC822.SIZE): with
/// `sync::imap::FETCH_AHEAD` batches in flight, what a folder of large messages can hold in
/// memory at once stays near 3 × this, not 3 × 200 × the largest message. A message larger than
/// this is a batch of its own.
pub const FETCH_BYTES: u64 = 24 * 1024 * 1024;

/// What the store knows about a folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalFolder {
    /// The cursor saved by the last completed pass.
    pub cursor: Option<ImapCursor>,
    /// UID → flags of the messages stored under the server's current UIDVALIDITY.
    pub messages: BTreeMap<u32, MessageFlags>,
    /// How many stored mappings belong to another UIDVALIDITY.
    pub stale: usize,
}

/// What SELECT said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerFolder {
    /// UIDVALIDITY.
    pub uidvalidity: u32,
    /// UIDNEXT (0: unknown).
    pub uid_next: u32,
    /// HIGHESTMODSEQ (`None`: no CONDSTORE).
    pub highest_modseq: Option<u64>,
    /// Message count.
    pub exists: u32,
}

/// Which UIDs to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UidQuery {
    /// None: nothing was added or removed.
    None,
    /// Every UID (`UID SEARCH ALL`): first sync, new UIDVALIDITY, or no QRESYNC to report
    /// expunges.
    All,
    /// Only UIDs from this one on (`UID SEARCH UID n:*`); expunges come from QRESYNC.
    Since(u32),
}

/// Which flags to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagQuery {
    /// None: nothing stored to update, or nothing changed.
    None,
    /// Every message's flags, compared with the stored ones (no CONDSTORE).
    All,
    /// Flags changed since this mod-sequence (`CHANGEDSINCE`).
    ChangedSince(u64),
}

/// What to ask the server after SELECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queries {
    /// UIDs.
    pub uids: UidQuery,
    /// Flags.
    pub flags: FlagQuery,
}

/// What the server answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// Every UID in the folder ([`UidQuery::All`]).
    pub all_uids: Option<Vec<u32>>,
    /// UIDs from the cursor's UIDNEXT on ([`UidQuery::Since`]).
    pub new_uids: Vec<u32>,
    /// Expunged UIDs reported by QRESYNC (may cover UIDs never stored).
    pub vanished: Vec<RangeInclusive<u32>>,
    /// Flags reported (changed ones, or all).
    pub flags: Vec<(u32, MessageFlags)>,
}

/// One change to apply, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// UIDVALIDITY changed: drop every mapping of another UIDVALIDITY before anything else, so
    /// no stale UID is acted on. The messages are fetched again and rejoin their items by
    /// Message-ID.
    ResetFolder {
        /// The new UIDVALIDITY.
        uidvalidity: u32,
    },
    /// These UIDs were expunged: remove them from the folder.
    Forget(Vec<u32>),
    /// New flags of stored UIDs (only those that differ).
    UpdateFlags(Vec<(u32, MessageFlags)>),
    /// Fetch and store these UIDs (one batch; batches come newest first).
    FetchNew(Vec<u32>),
    /// Everything above is stored: save the cursor.
    SaveCursor(ImapCursor),
}

/// Whether the stored state belongs to the server's UIDVALIDITY.
fn same_uidvalidity(local: &LocalFolder, server: &ServerFolder) -> bool {
    local
        .cursor
        .is_some_and(|c| c.uidvalidity == server.uidvalidity)
}

/// What to ask after SELECT. `qresync` is true when SELECT carried QRESYNC data (vanished and
/// changed since the cursor's mod-sequence).
pub fn queries(local: &LocalFolder, server: &ServerFolder, qresync: bool) -> Queries {
    let Some(cursor) = local.cursor.filter(|_| same_uidvalidity(local, server)) else {
        // First sync or new UIDVALIDITY: list everything. Messages stored by an interrupted
        // first pass (same UIDVALIDITY, no cursor yet) may have changed flags.
        let flags = if local.messages.is_empty() {
            FlagQuery::None
        } else {
            FlagQuery::All
        };
        return Queries {
            uids: UidQuery::All,
            flags,
        };
    };
    let condstore = cursor.highest_modseq > 0 && server.highest_modseq.is_some();
    let modseq_unchanged = condstore && server.highest_modseq == Some(cursor.highest_modseq);
    let flags = if local.messages.is_empty() || qresync || modseq_unchanged {
        FlagQuery::None
    } else if condstore {
        FlagQuery::ChangedSince(cursor.highest_modseq)
    } else {
        FlagQuery::All
    };
    let counts_match = server.exists as usize == local.messages.len();
    let uids = if server.uid_next == 0 {
        UidQuery::All
    } else if qresync || (modseq_unchanged && counts_match) {
        // QRESYNC reported expunges; or nothing at all changed (an expunge or an arrival
        // raises HIGHESTMODSEQ).
        if server.uid_next == cursor.uid_next && counts_match {
            UidQuery::None
        } else {
            UidQuery::Since(cursor.uid_next)
        }
    } else {
        UidQuery::All
    };
    Queries { uids, flags }
}

/// Whether an incremental answer ([`UidQuery::Since`] + vanished) accounts for every message:
/// stored − vanished + new = EXISTS. When not (a lossy server, or a change between SELECT and
/// SEARCH), ask for all UIDs instead.
pub fn delta_is_consistent(local: &LocalFolder, server: &ServerFolder, answers: &Answers) -> bool {
    if answers.all_uids.is_some() {
        return true;
    }
    let vanished = local
        .messages
        .keys()
        .filter(|uid| answers.vanished.iter().any(|r| r.contains(uid)))
        .count();
    let new = answers
        .new_uids
        .iter()
        .filter(|uid| !local.messages.contains_key(uid))
        .count();
    local.messages.len() - vanished + new == server.exists as usize
}

/// The actions that bring the folder to the server's state.
pub fn plan(
    local: &LocalFolder,
    server: &ServerFolder,
    answers: &Answers,
    batch: usize,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let renumbered =
        local.stale > 0 || (local.cursor.is_some() && !same_uidvalidity(local, server));
    if renumbered {
        actions.push(Action::ResetFolder {
            uidvalidity: server.uidvalidity,
        });
    }

    // Expunged: gone from the full list, or reported vanished.
    let gone: BTreeSet<u32> = match &answers.all_uids {
        Some(all) => {
            let present: BTreeSet<u32> = all.iter().copied().collect();
            local
                .messages
                .keys()
                .filter(|uid| !present.contains(uid))
                .copied()
                .collect()
        }
        None => local
            .messages
            .keys()
            .filter(|uid| answers.vanished.iter().any(|r| r.contains(uid)))
            .copied()
            .collect(),
    };
    if !gone.is_empty() {
        actions.push(Action::Forget(gone.iter().copied().collect()));
    }

    // Flags of stored messages that differ; the last report of a UID wins.
    let reported: BTreeMap<u32, MessageFlags> = answers.flags.iter().copied().collect();
    let changed: Vec<(u32, MessageFlags)> = reported
        .into_iter()
        .filter(|(uid, flags)| {
            !gone.contains(uid) && local.messages.get(uid).is_some_and(|old| old != flags)
        })
        .collect();
    if !changed.is_empty() {
        actions.push(Action::UpdateFlags(changed));
    }

    // New: on the server, not stored. Newest first, in batches.
    let candidates: Vec<u32> = match &answers.all_uids {
        Some(all) => all.clone(),
        None => answers.new_uids.clone(),
    };
    let mut new: Vec<u32> = candidates
        .into_iter()
        .filter(|uid| !local.messages.contains_key(uid))
        .collect::<BTreeSet<u32>>()
        .into_iter()
        .collect();
    new.reverse();
    for chunk in new.chunks(batch.max(1)) {
        actions.push(Action::FetchNew(chunk.to_vec()));
    }

    actions.push(Action::SaveCursor(ImapCursor {
        uidvalidity: server.uidvalidity,
        uid_next: server.uid_next,
        highest_modseq: server.highest_modseq.unwrap_or(0),
    }));
    actions
}

/// New messages a folder pass looks at first, header-only, then fetches: few, so that the newest
/// screen of INBOX is readable within a second of an account being added, whatever its size.
pub const FIRST_WINDOW: usize = 50;
/// New messages looked at per window after the first (one `UID FETCH` of their Message-IDs and
/// sizes, then their bodies in batches).
pub const WINDOW: usize = 5_000;

/// The new UIDs (newest first, as [`plan`] emits them) in windows: [`FIRST_WINDOW`], then
/// [`WINDOW`] at a time.
pub fn windows(new: &[u32]) -> Vec<&[u32]> {
    let first = new.len().min(FIRST_WINDOW);
    let (head, rest) = new.split_at(first);
    let mut out = Vec::new();
    if !head.is_empty() {
        out.push(head);
    }
    out.extend(rest.chunks(WINDOW));
    out
}

/// What a header-only look at a window of new messages found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copies {
    /// Copies of stored messages (UID, item, flags): recorded in this folder, not downloaded.
    pub link: Vec<(u32, i64, MessageFlags)>,
    /// UIDs to download whole, in the window's order.
    pub fetch: Vec<u32>,
    /// UIDs older than the folder keeps bodies for (selective offline): their header only.
    pub headers: Vec<u32>,
}

/// Splits a window of new UIDs: a message whose Message-ID (or Gmail id) is already stored for
/// the account (`stored[i]` answers `envelopes[i]`) is a copy, linked to this folder without its
/// body; the rest is downloaded, including a UID the look did not answer for (a message without
/// a Message-ID is named by its whole text only). With `keep_from` (the folder keeps bodies
/// received from then on: selective offline), an older message is fetched header-only.
pub fn copies(
    window: &[u32],
    envelopes: &[satu_mail::imap::Envelope],
    stored: &[Option<i64>],
    keep_from: Option<i64>,
) -> Copies {
    let known: BTreeMap<u32, (i64, MessageFlags)> = envelopes
        .iter()
        .zip(stored)
        .filter_map(|(e, item)| item.map(|item| (e.uid, (item, e.flags))))
        .collect();
    let old: BTreeSet<u32> = match keep_from {
        Some(from) => envelopes
            .iter()
            // Its time in the timeline: the Date header, else when the server received it.
            .filter(|e| e.date_ms.or(e.internal_date_ms).is_some_and(|t| t < from))
            .map(|e| e.uid)
            .collect(),
        None => BTreeSet::new(),
    };
    let mut copies = Copies::default();
    for &uid in window {
        match known.get(&uid) {
            Some(&(item, flags)) => copies.link.push((uid, item, flags)),
            None if old.contains(&uid) => copies.headers.push(uid),
            None => copies.fetch.push(uid),
        }
    }
    copies
}

/// `batches` split again so that none holds more than `max_bytes` by `sizes` (a UID without a
/// size counts nothing; a single message larger than `max_bytes` is a batch alone). The order of
/// the UIDs is kept.
pub fn by_bytes(
    batches: Vec<Vec<u32>>,
    sizes: &BTreeMap<u32, u32>,
    max_bytes: u64,
) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    for batch in batches {
        let mut current = Vec::new();
        let mut bytes = 0u64;
        for uid in batch {
            let size = u64::from(sizes.get(&uid).copied().unwrap_or(0));
            if !current.is_empty() && bytes + size > max_bytes {
                out.push(std::mem::take(&mut current));
                bytes = 0;
            }
            current.push(uid);
            bytes += size;
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

#[cfg(test)]
mod tests;

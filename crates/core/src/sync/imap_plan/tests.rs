//! Every case of the folder sync decisions.

use super::*;

const SEEN: MessageFlags = MessageFlags::SEEN;
const NONE: MessageFlags = MessageFlags::from_bits_const(0);

fn cursor(uidvalidity: u32, uid_next: u32, highest_modseq: u64) -> Option<ImapCursor> {
    Some(ImapCursor {
        uidvalidity,
        uid_next,
        highest_modseq,
    })
}

fn local(c: Option<ImapCursor>, messages: &[(u32, MessageFlags)]) -> LocalFolder {
    LocalFolder {
        cursor: c,
        messages: messages.iter().copied().collect(),
        stale: 0,
    }
}

fn server(
    uidvalidity: u32,
    uid_next: u32,
    highest_modseq: Option<u64>,
    exists: u32,
) -> ServerFolder {
    ServerFolder {
        uidvalidity,
        uid_next,
        highest_modseq,
        exists,
    }
}

fn save(uidvalidity: u32, uid_next: u32, highest_modseq: u64) -> Action {
    Action::SaveCursor(ImapCursor {
        uidvalidity,
        uid_next,
        highest_modseq,
    })
}

#[test]
fn first_sync_lists_everything_and_fetches_newest_first_in_batches() {
    let l = local(None, &[]);
    let s = server(7, 6, Some(10), 5);
    assert_eq!(
        queries(&l, &s, false),
        Queries {
            uids: UidQuery::All,
            flags: FlagQuery::None
        }
    );
    let answers = Answers {
        all_uids: Some(vec![1, 2, 3, 4, 5]),
        ..Answers::default()
    };
    assert_eq!(
        plan(&l, &s, &answers, 2),
        vec![
            Action::FetchNew(vec![5, 4]),
            Action::FetchNew(vec![3, 2]),
            Action::FetchNew(vec![1]),
            save(7, 6, 10),
        ]
    );
}

#[test]
fn an_empty_folder_only_saves_its_cursor() {
    let l = local(None, &[]);
    let s = server(7, 1, Some(1), 0);
    let answers = Answers {
        all_uids: Some(vec![]),
        ..Answers::default()
    };
    assert_eq!(plan(&l, &s, &answers, 200), vec![save(7, 1, 1)]);
}

#[test]
fn an_interrupted_first_sync_resumes_without_refetching() {
    // Batches 5 and 4 were stored, then the process died before the cursor was saved.
    let l = local(None, &[(5, SEEN), (4, NONE)]);
    let s = server(7, 6, Some(10), 5);
    let q = queries(&l, &s, false);
    assert_eq!(q.uids, UidQuery::All);
    assert_eq!(q.flags, FlagQuery::All);
    let answers = Answers {
        all_uids: Some(vec![1, 2, 3, 4, 5]),
        flags: vec![(1, NONE), (2, NONE), (3, NONE), (4, SEEN), (5, SEEN)],
        ..Answers::default()
    };
    assert_eq!(
        plan(&l, &s, &answers, 200),
        vec![
            Action::UpdateFlags(vec![(4, SEEN)]),
            Action::FetchNew(vec![3, 2, 1]),
            save(7, 6, 10),
        ]
    );
}

#[test]
fn nothing_new_with_condstore_asks_nothing() {
    let l = local(cursor(7, 6, 10), &[(1, SEEN), (2, NONE)]);
    let s = server(7, 6, Some(10), 2);
    assert_eq!(
        queries(&l, &s, false),
        Queries {
            uids: UidQuery::None,
            flags: FlagQuery::None
        }
    );
    assert!(delta_is_consistent(&l, &s, &Answers::default()));
    assert_eq!(plan(&l, &s, &Answers::default(), 200), vec![save(7, 6, 10)]);
}

#[test]
fn new_mail_with_condstore_asks_only_for_new_uids_and_changed_flags() {
    let l = local(cursor(7, 6, 10), &[(1, SEEN), (2, NONE)]);
    let s = server(7, 9, Some(13), 4);
    assert_eq!(
        queries(&l, &s, false),
        Queries {
            // Without QRESYNC expunges are only visible in the full list.
            uids: UidQuery::All,
            flags: FlagQuery::ChangedSince(10)
        }
    );
    let answers = Answers {
        all_uids: Some(vec![1, 2, 6, 8]),
        flags: vec![(2, SEEN)],
        ..Answers::default()
    };
    assert_eq!(
        plan(&l, &s, &answers, 200),
        vec![
            Action::UpdateFlags(vec![(2, SEEN)]),
            Action::FetchNew(vec![8, 6]),
            save(7, 9, 13),
        ]
    );
}

#[test]
fn qresync_reports_vanished_and_changed_in_select() {
    let l = local(cursor(7, 6, 10), &[(1, SEEN), (2, NONE), (3, NONE)]);
    let s = server(7, 8, Some(15), 3);
    let q = queries(&l, &s, true);
    assert_eq!(
        q,
        Queries {
            uids: UidQuery::Since(6),
            flags: FlagQuery::None
        }
    );
    let answers = Answers {
        new_uids: vec![7],
        // Ranges may cover UIDs never stored.
        vanished: vec![2..=2, 4..=5],
        flags: vec![(1, NONE), (3, NONE)],
        ..Answers::default()
    };
    assert!(delta_is_consistent(&l, &s, &answers));
    assert_eq!(
        plan(&l, &s, &answers, 200),
        vec![
            Action::Forget(vec![2]),
            Action::UpdateFlags(vec![(1, NONE)]),
            Action::FetchNew(vec![7]),
            save(7, 8, 15),
        ]
    );
}

#[test]
fn an_incomplete_delta_is_detected() {
    let l = local(cursor(7, 6, 10), &[(1, SEEN), (2, NONE), (3, NONE)]);
    // The server holds 2 messages, but reports no vanished UID.
    let s = server(7, 6, Some(12), 2);
    let answers = Answers::default();
    assert!(!delta_is_consistent(&l, &s, &answers));
    // Asking for everything settles it.
    let full = Answers {
        all_uids: Some(vec![1, 3]),
        ..Answers::default()
    };
    assert!(delta_is_consistent(&l, &s, &full));
    assert_eq!(
        plan(&l, &s, &full, 200),
        vec![Action::Forget(vec![2]), save(7, 6, 12)]
    );
}

#[test]
fn flag_changes_without_condstore_compare_every_flag() {
    let l = local(cursor(7, 4, 0), &[(1, SEEN), (2, NONE), (3, NONE)]);
    let s = server(7, 4, None, 3);
    assert_eq!(
        queries(&l, &s, false),
        Queries {
            uids: UidQuery::All,
            flags: FlagQuery::All
        }
    );
    let flagged = MessageFlags::FLAGGED;
    let answers = Answers {
        all_uids: Some(vec![1, 2, 3]),
        flags: vec![(1, SEEN), (2, SEEN.with(flagged)), (3, NONE)],
        ..Answers::default()
    };
    assert_eq!(
        plan(&l, &s, &answers, 200),
        vec![
            Action::UpdateFlags(vec![(2, SEEN.with(flagged))]),
            save(7, 4, 0)
        ]
    );
}

#[test]
fn expunges_without_condstore_come_from_the_full_uid_list() {
    let l = local(cursor(7, 4, 0), &[(1, SEEN), (2, NONE), (3, NONE)]);
    let s = server(7, 5, None, 2);
    let answers = Answers {
        all_uids: Some(vec![3, 4]),
        flags: vec![(3, NONE), (4, NONE)],
        ..Answers::default()
    };
    assert_eq!(
        plan(&l, &s, &answers, 200),
        vec![
            Action::Forget(vec![1, 2]),
            Action::FetchNew(vec![4]),
            save(7, 5, 0)
        ]
    );
}

#[test]
fn a_flag_report_for_an_expunged_or_unknown_uid_is_ignored() {
    let l = local(cursor(7, 4, 0), &[(1, NONE), (2, NONE)]);
    let s = server(7, 4, None, 1);
    let answers = Answers {
        all_uids: Some(vec![1]),
        flags: vec![(2, SEEN), (9, SEEN)],
        ..Answers::default()
    };
    assert_eq!(
        plan(&l, &s, &answers, 200),
        vec![Action::Forget(vec![2]), save(7, 4, 0)]
    );
}

#[test]
fn a_new_uidvalidity_resets_the_folder_and_fetches_everything() {
    // The stored UIDs belong to UIDVALIDITY 7: the caller passes them as stale, not as messages.
    let l = LocalFolder {
        cursor: cursor(7, 6, 10),
        messages: BTreeMap::new(),
        stale: 5,
    };
    let s = server(8, 3, Some(2), 2);
    assert_eq!(
        queries(&l, &s, true),
        Queries {
            uids: UidQuery::All,
            flags: FlagQuery::None
        }
    );
    let answers = Answers {
        all_uids: Some(vec![1, 2]),
        ..Answers::default()
    };
    assert_eq!(
        plan(&l, &s, &answers, 200),
        vec![
            Action::ResetFolder { uidvalidity: 8 },
            Action::FetchNew(vec![2, 1]),
            save(8, 3, 2),
        ]
    );
}

#[test]
fn a_reset_interrupted_before_the_cursor_was_saved_is_finished() {
    // Old mappings were dropped and UID 2 refetched; the cursor still says UIDVALIDITY 7.
    let l = local(cursor(7, 6, 10), &[(2, NONE)]);
    let s = server(8, 3, Some(2), 2);
    let q = queries(&l, &s, false);
    assert_eq!(q.uids, UidQuery::All);
    let answers = Answers {
        all_uids: Some(vec![1, 2]),
        flags: vec![(1, NONE), (2, NONE)],
        ..Answers::default()
    };
    assert_eq!(
        plan(&l, &s, &answers, 200),
        vec![
            Action::ResetFolder { uidvalidity: 8 },
            Action::FetchNew(vec![1]),
            save(8, 3, 2),
        ]
    );
}

#[test]
fn a_server_that_stops_offering_condstore_falls_back_to_full_compares() {
    let l = local(cursor(7, 4, 10), &[(1, NONE)]);
    let s = server(7, 4, None, 1);
    assert_eq!(
        queries(&l, &s, false),
        Queries {
            uids: UidQuery::All,
            flags: FlagQuery::All
        }
    );
}

#[test]
fn a_server_without_uidnext_is_listed_in_full() {
    let l = local(cursor(7, 4, 10), &[(1, NONE)]);
    let s = server(7, 0, Some(10), 1);
    assert_eq!(queries(&l, &s, true).uids, UidQuery::All);
}

#[test]
fn batches_are_bounded_by_bytes_too_and_a_huge_message_goes_alone() {
    let sizes: BTreeMap<u32, u32> = [(9, 10), (8, 10), (7, 100), (6, 10), (5, 10), (4, 10)]
        .into_iter()
        .collect();
    let batches = vec![vec![9, 8, 7, 6], vec![5, 4, 3]];
    assert_eq!(
        by_bytes(batches, &sizes, 25),
        [vec![9, 8], vec![7], vec![6], vec![5, 4, 3]],
        "order kept; 7 alone; 3 has no size and counts nothing"
    );
    assert_eq!(by_bytes(Vec::new(), &sizes, 25), Vec::<Vec<u32>>::new());
    assert_eq!(
        by_bytes(vec![vec![1, 2, 3]], &BTreeMap::new(), 1),
        [vec![1, 2, 3]],
        "no sizes: the count alone bounds"
    );
}

#[test]
fn new_messages_come_in_a_small_first_window_then_large_ones() {
    let new: Vec<u32> = (1..=12_000).rev().collect();
    let w = windows(&new);
    assert_eq!(
        w.iter().map(|w| w.len()).collect::<Vec<_>>(),
        vec![
            FIRST_WINDOW,
            WINDOW,
            WINDOW,
            12_000 - FIRST_WINDOW - 2 * WINDOW
        ]
    );
    assert_eq!(w[0][0], 12_000, "the newest first");
    assert_eq!(windows(&[7, 3]), vec![&[7, 3][..]]);
    assert!(windows(&[]).is_empty());
}

fn envelope(uid: u32, message_id: Option<&str>, flags: MessageFlags) -> satu_mail::imap::Envelope {
    satu_mail::imap::Envelope {
        uid,
        flags,
        internal_date_ms: Some(i64::from(uid) * 1_000),
        date_ms: None,
        size: Some(100),
        message_id: message_id.map(str::to_owned),
        gm_msgid: None,
    }
}

#[test]
fn copies_of_stored_messages_are_linked_and_the_rest_downloaded_in_order() {
    let window = [9, 8, 7, 6];
    let envelopes = [
        envelope(9, Some("a@x"), SEEN),
        envelope(8, Some("b@x"), NONE),
        // 7: the server did not answer for it (expunged meanwhile, or it left it out).
        envelope(6, None, NONE),
    ];
    let found = copies(&window, &envelopes, &[Some(41), None, None], None);
    assert_eq!(found.link, vec![(9, 41, SEEN)]);
    assert_eq!(found.fetch, vec![8, 7, 6]);
    assert!(found.headers.is_empty());
    // Nothing stored: everything is downloaded.
    let none = copies(&window, &envelopes, &[None, None, None], None);
    assert!(none.link.is_empty());
    assert_eq!(none.fetch, window.to_vec());
}

#[test]
fn mail_older_than_the_folder_keeps_bodies_for_is_fetched_header_only() {
    let window = [9, 8, 7, 6];
    let envelopes = [
        envelope(9, Some("a@x"), NONE),
        envelope(8, Some("b@x"), NONE),
        envelope(6, Some("d@x"), NONE),
    ];
    // Bodies kept from 8 s on: 9 and 8 whole; 6 (received at 6 s) header-only; 7 unknown, whole.
    let found = copies(&window, &envelopes, &[None, None, None], Some(8_000));
    assert_eq!(found.fetch, vec![9, 8, 7]);
    assert_eq!(found.headers, vec![6]);
    // A stored copy is linked whatever its age.
    let found = copies(&window, &envelopes, &[None, None, Some(5)], Some(8_000));
    assert_eq!(found.link, vec![(6, 5, NONE)]);
    assert!(found.headers.is_empty());
}

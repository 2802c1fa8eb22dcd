//! Store tests: migrations, timeline order, search, dedupe, threads, the change feed, the queue.

use super::*;
use crate::migrations::{run_to, version};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("satu.db")).expect("open");
    (dir, store)
}

fn mail(account_id: i64, message_id: &str, time_ms: i64, title: &str) -> NewMail {
    NewMail {
        account_id,
        time_ms,
        title: title.to_owned(),
        sender: Some(Person {
            name: Some("Alice Example".into()),
            address: "alice@example.com".into(),
        }),
        unread: true,
        flagged: false,
        snippet: format!("snippet of {title}"),
        message_id: message_id.to_owned(),
        in_reply_to: String::new(),
        references: Vec::new(),
        subject_key: title.to_lowercase(),
        subject_is_reply: false,
        recipients: "bob@example.com".into(),
        body_text: Some(format!("The body of {title}.")),
        body_html: None,
        quarantine: None,
        raw: format!("Subject: {title}\r\n\r\nbody").into_bytes(),
        attachments: Vec::new(),
        folder: None,
        gm_msgid: None,
        remote_size: None,
        progress: None,
    }
}

fn local(store: &Store) -> i64 {
    store
        .write(|tx| tx.local_account("Local"))
        .expect("account")
}

fn titles(rows: &[ItemRow]) -> Vec<&str> {
    rows.iter().map(|r| r.title.as_str()).collect()
}

#[test]
fn migrates_an_empty_database_to_the_latest_version() {
    let (_dir, store) = open();
    let v = store.read(version).expect("version");
    assert_eq!(v, LATEST_VERSION);
    // Every table is STRICT.
    let loose: Vec<String> = store
        .read(|c| {
            let mut s = c.prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                 AND name NOT LIKE 'items_fts%' AND sql NOT LIKE '%STRICT%'",
            )?;
            let r = s
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(r)
        })
        .expect("schema");
    assert!(loose.is_empty(), "tables that are not STRICT: {loose:?}");
}

#[test]
fn migrates_every_older_version_with_its_rows() {
    for start in 1..LATEST_VERSION {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.db");
        {
            let mut conn = connection::open_writer(&path).expect("open");
            run_to(&mut conn, start).expect("old schema");
            assert_eq!(version(&conn).expect("v"), start);
            // Rows as that version wrote them.
            conn.execute(
                "INSERT INTO accounts (kind, name, created_at) VALUES ('local', 'Old', 1)",
                [],
            )
            .expect("account");
            conn.execute(
                "INSERT INTO items (sort_key, kind, account_id, time, title) VALUES (1048576, 'mail', 1, 1, 'Old mail')",
                [],
            )
            .expect("item");
            conn.execute(
                "INSERT INTO mail (item_id, account_id, message_id) VALUES (1, 1, 'old@x')",
                [],
            )
            .expect("mail");
        }
        let store = Store::open(&path).expect("migrate");
        assert_eq!(
            store.read(version).expect("v"),
            LATEST_VERSION,
            "from {start}"
        );
        let rows = store
            .timeline(&TimelineQuery {
                limit: 10,
                ..Default::default()
            })
            .expect("timeline");
        assert_eq!(
            titles(&rows),
            vec!["Old mail"],
            "rows survive migration from {start}"
        );
        // Foreign keys are on again after a migration that rebuilt a table.
        let enforced: i64 = store
            .write(|tx| {
                Ok(tx
                    .conn()
                    .query_row("PRAGMA foreign_keys", [], |r| r.get(0))?)
            })
            .expect("pragma");
        assert_eq!(enforced, 1, "from {start}");
        // The migrated database takes new writes.
        let account = local(&store);
        store
            .write(|tx| tx.insert_mail(&mail(account, "new@x", 5000, "New")))
            .expect("insert");
    }
}

#[test]
fn the_contacts_migration_counts_the_mail_already_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    {
        let mut conn = connection::open_writer(&path).expect("open");
        run_to(&mut conn, 19).expect("schema 19");
        conn.execute_batch(
            "INSERT INTO accounts (kind, name, email, created_at) VALUES ('imap', 'Me', 'me@example.com', 1);
             INSERT INTO items (sort_key, kind, account_id, time, title, sender_name, sender_address)
                 VALUES (1048576, 'mail', 1, 1000, 'Hi', 'Carol', 'carol@example.com'),
                        (2097152, 'mail', 1, 2000, 'Re: Hi', 'Me', 'ME@example.com'),
                        (3145728, 'mail', 1, 3000, 'Plan', 'Me', 'me@example.com');
             INSERT INTO mail (item_id, account_id, message_id, recipients) VALUES
                 (1, 1, 'a@x', 'me@example.com'),
                 (2, 1, 'b@x', 'Carol <carol@example.com>, Tan, Siti <siti@example.my>'),
                 (3, 1, 'c@x', 'carol@example.com');",
        )
        .expect("rows");
    }
    let store = Store::open(&path).expect("migrate");
    let carol = store.contacts_matching("car", 10).expect("contacts");
    assert_eq!(carol.len(), 1, "{carol:?}");
    assert_eq!(
        (
            carol[0].name.as_str(),
            carol[0].written,
            carol[0].last_written_ms,
            carol[0].seen
        ),
        ("Carol", 2, 3000, 1)
    );
    let siti = store.contacts_matching("sit", 10).expect("contacts");
    assert_eq!(siti[0].address, "siti@example.my", "{siti:?}");
    assert_eq!(siti[0].written, 1);
    // Found by a word of the name too; LIKE's own characters match only themselves.
    assert_eq!(store.contacts_matching("Siti", 10).expect("c").len(), 1);
    assert!(store.contacts_matching("%", 10).expect("c").is_empty());
    // The account's own address is no contact of its own.
    assert!(store.contacts_matching("me@", 10).expect("c").is_empty());
}

#[test]
fn refuses_a_database_from_a_newer_satu() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new.db");
    drop(Store::open(&path).expect("open"));
    let conn = rusqlite::Connection::open(&path).expect("conn");
    conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
        .expect("bump");
    drop(conn);
    let err = Store::open(&path).expect_err("must refuse");
    let typed = err.chain().find_map(|e| e.downcast_ref::<StoreError>());
    assert!(
        matches!(typed, Some(StoreError::NewerSchema { .. })),
        "{err:#}"
    );
}

#[test]
fn timeline_is_newest_first_and_pages() {
    let (_dir, store) = open();
    let account = local(&store);
    store
        .write(|tx| {
            // Stored out of time order, and two in the same millisecond.
            for (id, t, title) in [
                ("b", 2_000, "B"),
                ("d", 4_000, "D"),
                ("a", 1_000, "A"),
                ("c", 3_000, "C"),
                ("c2", 3_000, "C2"),
            ] {
                tx.insert_mail(&mail(account, id, t, title))?;
            }
            Ok(())
        })
        .expect("insert");
    let all = store
        .timeline(&TimelineQuery {
            limit: 10,
            ..Default::default()
        })
        .expect("timeline");
    assert_eq!(titles(&all), vec!["D", "C2", "C", "B", "A"]);
    let page = store
        .timeline(&TimelineQuery {
            limit: 2,
            before: Some(all[1].id),
            ..Default::default()
        })
        .expect("page");
    assert_eq!(titles(&page), vec!["C", "B"]);
    let err = store
        .timeline(&TimelineQuery {
            limit: 2,
            before: Some(9999),
            ..Default::default()
        })
        .expect_err("unknown cursor");
    assert!(matches!(
        err.downcast_ref::<StoreError>(),
        Some(StoreError::NoSuchItem(9999))
    ));
}

#[test]
fn timeline_filters_by_kind_unread_and_account() {
    let (_dir, store) = open();
    let a = local(&store);
    let b = store.write(|tx| tx.local_account("Other")).expect("b");
    let ids = store
        .write(|tx| {
            let x = tx.insert_mail(&mail(a, "x", 1_000, "X"))?.id();
            let y = tx.insert_mail(&mail(b, "y", 2_000, "Y"))?.id();
            Ok((x, y))
        })
        .expect("insert");
    store
        .write(|tx| tx.set_item_state(ids.1, Some(false), None))
        .expect("read");
    let unread = store
        .timeline(&TimelineQuery {
            limit: 10,
            unread_only: true,
            ..Default::default()
        })
        .expect("t");
    assert_eq!(titles(&unread), vec!["X"]);
    let only_b = store
        .timeline(&TimelineQuery {
            limit: 10,
            accounts: vec![b],
            ..Default::default()
        })
        .expect("t");
    assert_eq!(titles(&only_b), vec!["Y"]);
    let tasks = store
        .timeline(&TimelineQuery {
            limit: 10,
            kind: Some(ItemKind::Task),
            ..Default::default()
        })
        .expect("t");
    assert!(tasks.is_empty());
}

#[test]
fn search_finds_newest_first_with_prefixes_and_survives_odd_input() {
    let (_dir, store) = open();
    let account = local(&store);
    store
        .write(|tx| {
            tx.insert_mail(&mail(account, "1", 1_000, "Quarterly budget review"))?;
            tx.insert_mail(&mail(account, "2", 3_000, "Budget approved"))?;
            tx.insert_mail(&mail(account, "3", 2_000, "Mesyuarat bajet"))?;
            Ok(())
        })
        .expect("insert");
    // Stored, not yet indexed: found by title and sender, not by body.
    assert_eq!(store.index_pending().expect("pending"), 3);
    assert_eq!(
        titles(&store.search("budget", 50).expect("queued")),
        vec!["Budget approved", "Quarterly budget review"]
    );
    assert_eq!(
        titles(&store.search("ALICE exam", 50).expect("queued")).len(),
        3
    );
    assert!(store.search("body bajet", 50).expect("queued").is_empty());
    assert!(store
        .search("100%", 50)
        .expect("a LIKE wildcard")
        .is_empty());
    assert_eq!(store.index_step(2).expect("index"), (2, 1));
    assert_eq!(store.index_step(2).expect("index"), (1, 0));
    assert_eq!(store.index_step(2).expect("index"), (0, 0));
    let hits = store.search("budget", 50).expect("search");
    assert_eq!(
        titles(&hits),
        vec!["Budget approved", "Quarterly budget review"]
    );
    assert_eq!(
        titles(&store.search("budg", 50).expect("prefix")),
        vec!["Budget approved", "Quarterly budget review"]
    );
    assert_eq!(
        titles(&store.search("budget", 1).expect("limit")),
        vec!["Budget approved"]
    );
    assert_eq!(titles(&store.search("alice", 50).expect("sender")).len(), 3);
    assert_eq!(
        titles(&store.search("body bajet", 50).expect("body")),
        vec!["Mesyuarat bajet"]
    );
    for odd in ["\"", "AND", "a OR", "(", "*", "NEAR(", "''", "   "] {
        store
            .search(odd, 10)
            .unwrap_or_else(|e| panic!("query {odd:?} failed: {e:#}"));
    }
}

#[test]
fn the_same_message_id_is_one_item_that_knows_its_folders() {
    let (_dir, store) = open();
    let account = local(&store);
    let (first, second) = store
        .write(|tx| {
            let inbox = tx.local_folder(account, "INBOX")?;
            let archive = tx.local_folder(account, "Archive")?;
            let mut m = mail(account, "dup@x", 1_000, "Twice");
            m.folder = Some((inbox, 0, 0));
            let first = tx.insert_mail(&m)?;
            m.folder = Some((archive, 0, 0));
            let second = tx.insert_mail(&m)?;
            Ok((first, second))
        })
        .expect("insert");
    assert!(matches!(first, Inserted::Added(_)));
    assert_eq!(second, Inserted::Existing(first.id()));
    let rows = store
        .timeline(&TimelineQuery {
            limit: 10,
            ..Default::default()
        })
        .expect("t");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].folders,
        vec!["Archive".to_owned(), "INBOX".to_owned()]
    );
    assert_eq!(store.search("twice", 10).expect("search").len(), 1);
}

#[test]
fn threads_join_by_references_even_when_replies_come_first() {
    let (_dir, store) = open();
    let account = local(&store);
    let ids = store
        .write(|tx| {
            // Newest-first arrival: the reply to the reply, then the reply, then the root.
            let mut c = mail(account, "c@x", 3_000, "Re: Plan");
            c.in_reply_to = "b@x".into();
            c.references = vec!["a@x".into(), "b@x".into()];
            let c = tx.insert_mail(&c)?.id();
            let mut b = mail(account, "b@x", 2_000, "Re: Plan");
            b.in_reply_to = "a@x".into();
            b.references = vec!["a@x".into()];
            let b = tx.insert_mail(&b)?.id();
            let a = tx.insert_mail(&mail(account, "a@x", 1_000, "Plan"))?.id();
            // Subject fallback: a reply with no headers.
            let mut d = mail(account, "d@x", 4_000, "Re: Plan");
            d.subject_key = "plan".into();
            d.subject_is_reply = true;
            let d = tx.insert_mail(&d)?.id();
            let e = tx
                .insert_mail(&mail(account, "e@x", 5_000, "Unrelated"))?
                .id();
            Ok([a, b, c, d, e])
        })
        .expect("insert");
    let threads: Vec<Option<i64>> = ids
        .iter()
        .map(|&id| store.item(id).expect("item").row.thread)
        .collect();
    assert!(threads[0].is_some());
    assert_eq!(threads[0], threads[1]);
    assert_eq!(threads[0], threads[2]);
    assert_eq!(threads[0], threads[3]);
    assert_ne!(threads[0], threads[4]);
}

#[test]
fn grouped_timeline_shows_each_threads_newest_item_in_the_view() {
    let (_dir, store) = open();
    let account = local(&store);
    let folder = store
        .write(|tx| tx.local_folder(account, "INBOX"))
        .expect("folder");
    let mut rx = store.subscribe();
    let [a, b, c, d] = store
        .write(|tx| {
            // The reply first (newest-first sync), then an unrelated mail, then the root.
            let mut b = mail(account, "b@x", 3_000, "Re: Plan");
            b.in_reply_to = "a@x".into();
            b.folder = Some((folder, 2, 1));
            let b = tx.insert_mail(&b)?.id();
            let c = tx.insert_mail(&mail(account, "c@x", 2_000, "Lunch"))?.id();
            let mut a = mail(account, "a@x", 1_000, "Plan");
            a.folder = Some((folder, 1, 1));
            let a = tx.insert_mail(&a)?.id();
            let d = tx.insert_mail(&mail(account, "d@x", 500, "Old"))?.id();
            Ok([a, b, c, d])
        })
        .expect("insert");
    // The root arriving after its reply moved the reply into its thread: an update on the feed.
    let changes: Vec<(ChangeKind, i64)> = std::iter::from_fn(|| rx.try_recv().ok())
        .map(|c| (c.change, c.item_id))
        .collect();
    assert!(changes.contains(&(ChangeKind::Updated, b)), "{changes:?}");

    let grouped = |query: TimelineQuery| {
        store
            .timeline(&TimelineQuery {
                threads: true,
                ..query
            })
            .expect("timeline")
    };
    let all = grouped(TimelineQuery {
        limit: 10,
        ..Default::default()
    });
    assert_eq!(
        all.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![b, c, d],
        "one row per thread, its newest item"
    );
    assert_eq!((all[0].thread_size, all[0].thread_unread), (2, 2));
    assert_eq!((all[1].thread_size, all[1].thread_unread), (1, 1));
    // Paging: the thread shown on the first page does not come back with its older item.
    let first = grouped(TimelineQuery {
        limit: 1,
        ..Default::default()
    });
    let next = grouped(TimelineQuery {
        limit: 10,
        before: Some(first[0].id),
        ..Default::default()
    });
    assert_eq!(next.iter().map(|r| r.id).collect::<Vec<_>>(), vec![c, d]);

    // The view's filters choose the newest item: in Unread, once the reply is read, the root.
    store
        .write(|tx| tx.set_item_state(b, Some(false), None))
        .expect("mark");
    let unread = grouped(TimelineQuery {
        limit: 10,
        unread_only: true,
        ..Default::default()
    });
    assert_eq!(
        unread.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![c, a, d]
    );
    assert_eq!((unread[1].thread_size, unread[1].thread_unread), (2, 1));
    // One thread's head in a view (what the window asks after a change).
    let key = all[0].thread;
    let head = grouped(TimelineQuery {
        limit: 1,
        thread: key,
        folder: Some(folder),
        ..Default::default()
    });
    assert_eq!(head.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b]);
    // Ungrouped, the same thread filter lists its items.
    let members = store
        .timeline(&TimelineQuery {
            limit: 10,
            thread: key,
            ..Default::default()
        })
        .expect("timeline");
    assert_eq!(members.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b, a]);

    // The conversation: oldest first, with content.
    let conversation = store.thread(b).expect("thread");
    assert_eq!(
        conversation.iter().map(|d| d.row.id).collect::<Vec<_>>(),
        vec![a, b]
    );
    assert_eq!(
        conversation[0].body_text.as_deref(),
        Some("The body of Plan.")
    );
    assert_eq!(store.thread(c).expect("alone").len(), 1);
    assert!(store.thread(9_999).is_err());
}

#[test]
fn change_feed_publishes_committed_changes_only() {
    let (_dir, store) = open();
    let account = local(&store);
    // Flagging would make a task too (its own changes): not what this test is about.
    store
        .write(|tx| tx.set_setting(Setting::TaskFromFlagged, false))
        .expect("setting");
    let mut rx = store.subscribe();
    let before = store.latest_change_seq().expect("seq");
    let id = store
        .write(|tx| tx.insert_mail(&mail(account, "m", 1_000, "Hello")))
        .expect("insert")
        .id();
    let change = rx.try_recv().expect("added");
    assert_eq!(
        (
            change.change,
            change.item_id,
            change.kind,
            change.title.as_str()
        ),
        (ChangeKind::Added, id, ItemKind::Mail, "Hello")
    );

    // A failing transaction publishes nothing and logs nothing.
    let failed: Result<()> = store.write(|tx| {
        tx.set_item_state(id, Some(false), None)?;
        anyhow::bail!("boom")
    });
    assert!(failed.is_err());
    assert!(rx.try_recv().is_err());
    assert!(store.item(id).expect("item").row.unread, "rolled back");

    store
        .write(|tx| tx.set_item_state(id, Some(false), Some(true)))
        .expect("mark");
    assert_eq!(rx.try_recv().expect("updated").change, ChangeKind::Updated);
    // Setting the same state again is not a change.
    assert!(!store
        .write(|tx| tx.set_item_state(id, Some(false), Some(true)))
        .expect("mark"));
    assert!(rx.try_recv().is_err());

    // Another process reads the same changes from the log.
    let logged = store.changes_since(before, 100).expect("log");
    assert_eq!(
        logged.iter().map(|c| c.change).collect::<Vec<_>>(),
        vec![ChangeKind::Added, ChangeKind::Updated]
    );
    store.trim_change_log(1).expect("trim");
    assert_eq!(store.changes_since(0, 100).expect("log").len(), 1);
}

#[test]
fn ops_commit_with_their_local_change_back_off_and_wedge() {
    let (_dir, store) = open();
    let account = local(&store);
    let id = store
        .write(|tx| tx.insert_mail(&mail(account, "m", 1_000, "Hello")))
        .expect("insert")
        .id();
    // Two-phase: local change and job in one transaction; a failure rolls back both.
    let _ = store.write(|tx| -> Result<()> {
        tx.set_item_state(id, Some(false), None)?;
        tx.enqueue_op(account, Some(id), "set_flags", r#"{"seen":true}"#)?;
        anyhow::bail!("crash before commit")
    });
    assert!(store.ops().expect("ops").is_empty());
    assert!(store.item(id).expect("item").row.unread);

    let op = store
        .write(|tx| {
            tx.set_item_state(id, Some(false), None)?;
            tx.enqueue_op(account, Some(id), "set_flags", r#"{"seen":true}"#)
        })
        .expect("two-phase");
    let now = unix_now();
    assert_eq!(store.due_ops(account, now).expect("due").len(), 1);
    assert_eq!(
        store
            .write(|tx| tx.fail_op(op, "server down"))
            .expect("fail"),
        OpState::Pending
    );
    assert!(
        store.due_ops(account, now).expect("due").is_empty(),
        "backing off"
    );
    assert_eq!(store.due_ops(account, now + 3).expect("due").len(), 1);
    for _ in 1..ops::MAX_ATTEMPTS - 1 {
        store
            .write(|tx| tx.fail_op(op, "server down"))
            .expect("fail");
    }
    assert_eq!(
        store
            .write(|tx| tx.fail_op(op, "still down"))
            .expect("fail"),
        OpState::Wedged
    );
    assert!(
        store.due_ops(account, i64::MAX).expect("due").is_empty(),
        "wedged ops wait for the user"
    );
    let listed = store.ops().expect("ops");
    assert_eq!(
        (listed[0].state, listed[0].last_error.as_str()),
        (OpState::Wedged, "still down")
    );
    store.write(|tx| tx.retry_op(op)).expect("retry");
    assert_eq!(store.due_ops(account, now).expect("due").len(), 1);
    store.write(|tx| tx.complete_op(op)).expect("done");
    assert!(store.ops().expect("ops").is_empty());
}

#[test]
fn removing_an_account_removes_its_items_from_timeline_and_index() {
    let (_dir, store) = open();
    let account = local(&store);
    store
        .write(|tx| tx.insert_mail(&mail(account, "m", 1_000, "Searchable")))
        .expect("insert");
    let mut rx = store.subscribe();
    store
        .write(|tx| tx.remove_account(account))
        .expect("remove");
    assert_eq!(rx.try_recv().expect("removed").change, ChangeKind::Removed);
    assert!(store
        .timeline(&TimelineQuery {
            limit: 10,
            ..Default::default()
        })
        .expect("t")
        .is_empty());
    assert!(store.search("searchable", 10).expect("s").is_empty());
    assert!(store.accounts().expect("accounts").is_empty());
}

#[test]
fn folders_and_cursors_round_trip() {
    let (_dir, store) = open();
    let account = local(&store);
    let folders = store
        .write(|tx| {
            tx.replace_folders(
                account,
                &[
                    NewFolder {
                        name: "INBOX".into(),
                        delimiter: "/".into(),
                        role: FolderRole::Inbox,
                        selectable: true,
                    },
                    NewFolder {
                        name: "Old".into(),
                        delimiter: "/".into(),
                        role: FolderRole::None,
                        selectable: true,
                    },
                ],
            )
        })
        .expect("folders");
    assert_eq!(folders.len(), 2);
    let inbox = folders[0].id;
    let cursor = ImapCursor {
        uidvalidity: 7,
        uid_next: 42,
        highest_modseq: 99,
    };
    store
        .write(|tx| tx.set_imap_cursor(inbox, cursor))
        .expect("cursor");
    assert_eq!(store.imap_cursor(inbox).expect("read"), Some(cursor));
    let after = store
        .write(|tx| {
            tx.replace_folders(
                account,
                &[NewFolder {
                    name: "INBOX".into(),
                    delimiter: "/".into(),
                    role: FolderRole::Inbox,
                    selectable: true,
                }],
            )
        })
        .expect("folders");
    assert_eq!(
        after.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        vec!["INBOX"]
    );
}

#[test]
fn fts_query_quotes_every_word() {
    assert_eq!(items::fts_query("  "), None);
    assert_eq!(
        items::fts_query("a \"b").as_deref(),
        Some("\"a\" \"\"\"b\"*")
    );
}

#[test]
fn imap_flags_are_per_folder_and_the_item_state_is_their_union() {
    let (_dir, store) = open();
    let account = local(&store);
    let (inbox, archive) = store
        .write(|tx| {
            Ok((
                tx.local_folder(account, "INBOX")?,
                tx.local_folder(account, "Archive")?,
            ))
        })
        .expect("folders");
    let mut m = mail(account, "same@x", 1_000, "Twice");
    m.folder = Some((inbox, 10, 7));
    store
        .write(|tx| tx.insert_imap_mail(&m, 0))
        .expect("inbox copy");
    m.folder = Some((archive, 3, 9));
    let id = store
        .write(|tx| tx.insert_imap_mail(&m, FLAG_SEEN | FLAG_FLAGGED))
        .expect("archive copy")
        .id();
    let row = store.item_row(id).expect("row");
    assert_eq!(row.folders, vec!["Archive", "INBOX"]);
    assert!(!row.unread && row.flagged, "seen in one folder = read");

    let listed = store.imap_messages(inbox).expect("list");
    assert_eq!(
        listed,
        vec![ImapMessage {
            uid: 10,
            uidvalidity: 7,
            item_id: id,
            flags: 0
        }]
    );
    // Unseen everywhere → unread again.
    store
        .write(|tx| tx.set_imap_flags(archive, 3, 0))
        .expect("flags");
    let row = store.item_row(id).expect("row");
    assert!(row.unread && !row.flagged);
    assert!(!store
        .write(|tx| tx.set_imap_flags(archive, 99, 1))
        .expect("unknown uid"));
}

#[test]
fn forgotten_uids_leave_the_folder_and_orphans_leave_the_timeline() {
    let (_dir, store) = open();
    let account = local(&store);
    let (inbox, archive) = store
        .write(|tx| {
            Ok((
                tx.local_folder(account, "INBOX")?,
                tx.local_folder(account, "Archive")?,
            ))
        })
        .expect("folders");
    let mut both = mail(account, "both@x", 1_000, "Kept elsewhere");
    both.folder = Some((inbox, 1, 7));
    let kept = store
        .write(|tx| tx.insert_imap_mail(&both, 0))
        .expect("a")
        .id();
    both.folder = Some((archive, 1, 9));
    store.write(|tx| tx.insert_imap_mail(&both, 0)).expect("b");
    let mut only = mail(account, "only@x", 2_000, "Uniquely searchable");
    only.folder = Some((inbox, 2, 7));
    let gone = store
        .write(|tx| tx.insert_imap_mail(&only, 0))
        .expect("c")
        .id();

    let removed = store
        .write(|tx| tx.forget_imap_uids(inbox, &[1, 2, 3]))
        .expect("forget");
    assert_eq!(removed, 2);
    assert_eq!(store.item_row(kept).expect("kept").folders, vec!["Archive"]);
    // Not in any folder, but kept until the pass ends (it may reappear in a later folder).
    assert!(store
        .item_row(gone)
        .expect("still there")
        .folders
        .is_empty());
    let mut rx = store.subscribe();
    let orphans = store
        .write(|tx| tx.remove_orphan_mail(account))
        .expect("sweep");
    assert_eq!(orphans, vec![gone]);
    let change = rx.try_recv().expect("removed");
    assert_eq!((change.change, change.item_id), (ChangeKind::Removed, gone));
    assert!(store.item_row(gone).is_err());
    assert!(store.search("uniquely", 10).expect("search").is_empty());
    assert_eq!(store.search("kept", 10).expect("search").len(), 1);
}

#[test]
fn stale_uids_are_dropped_and_refetched_messages_rejoin_their_item() {
    let (_dir, store) = open();
    let account = local(&store);
    let inbox = store
        .write(|tx| tx.local_folder(account, "INBOX"))
        .expect("folder");
    let mut m = mail(account, "renumbered@x", 1_000, "Renumbered");
    m.folder = Some((inbox, 5, 7));
    let id = store
        .write(|tx| tx.insert_imap_mail(&m, 0))
        .expect("a")
        .id();
    assert_eq!(
        store
            .write(|tx| tx.forget_stale_uids(inbox, 8))
            .expect("reset"),
        1
    );
    m.folder = Some((inbox, 1, 8));
    let again = store
        .write(|tx| tx.insert_imap_mail(&m, FLAG_SEEN))
        .expect("refetch");
    assert_eq!(again, Inserted::Existing(id));
    assert!(store
        .write(|tx| tx.remove_orphan_mail(account))
        .expect("sweep")
        .is_empty());
    let listed = store.imap_messages(inbox).expect("list");
    assert_eq!((listed[0].uid, listed[0].uidvalidity), (1, 8));
    assert!(!store.item_row(id).expect("row").unread);
}

#[test]
fn inbox_is_always_pushed_other_folders_when_chosen() {
    let (_dir, store) = open();
    let account = local(&store);
    let folder = |name: &str, role, selectable| NewFolder {
        name: name.to_owned(),
        delimiter: "/".to_owned(),
        role,
        selectable,
    };
    let listed = [
        folder("INBOX", FolderRole::Inbox, true),
        folder("Archive", FolderRole::Archive, true),
        folder("Projects", FolderRole::None, false),
    ];
    store
        .write(|tx| tx.replace_folders(account, &listed))
        .expect("folders");
    let pushed = |store: &Store| -> Vec<String> {
        let folders = store.folders(account).expect("folders");
        folders
            .into_iter()
            .filter(|f| f.pushed())
            .map(|f| f.name)
            .collect()
    };
    assert_eq!(pushed(&store), ["INBOX"]);
    let archive = store
        .write(|tx| tx.set_folder_push(account, "Archive", true))
        .expect("push")
        .expect("found");
    assert!(archive.push && archive.pushed());
    // A folder that cannot hold messages is never watched; an unknown one is not found.
    store
        .write(|tx| tx.set_folder_push(account, "Projects", true))
        .expect("push");
    assert!(store
        .write(|tx| tx.set_folder_push(account, "Nowhere", true))
        .expect("push")
        .is_none());
    // The choice survives the next folder list from the server.
    store
        .write(|tx| tx.replace_folders(account, &listed))
        .expect("folders");
    assert_eq!(pushed(&store), ["INBOX", "Archive"]);
    store
        .write(|tx| tx.set_folder_push(account, "Archive", false))
        .expect("unpush");
    assert_eq!(pushed(&store), ["INBOX"]);
}

#[test]
fn a_task_made_from_a_mail_links_both_ways_once() {
    let (_dir, store) = open();
    let account = local(&store);
    let mail_id = store
        .write(|tx| tx.insert_mail(&mail(account, "m1@x", 1_000, "Budget review")))
        .expect("mail")
        .id();
    let mut rx = store.subscribe();
    let (task, made) = store
        .write(|tx| tx.task_from_mail(mail_id, Some(9_000_000)))
        .expect("task");
    assert!(made);
    let changes: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok())
        .map(|c| (c.change, c.item_id))
        .collect();
    assert_eq!(
        changes,
        [(ChangeKind::Added, task), (ChangeKind::Updated, mail_id)]
    );
    let row = store.item_row(task).expect("task row");
    assert_eq!(row.kind, ItemKind::Task);
    assert_eq!(row.title, "Budget review");
    assert_eq!(row.time_ms, 9_000_000, "a task with a due date sits at it");
    let todo = row.todo.expect("todo");
    assert_eq!(todo.status, TaskStatus::NeedsAction);
    assert_eq!(todo.due_ms, Some(9_000_000));
    assert_eq!(todo.mail_message_id.as_deref(), Some("m1@x"));
    assert_eq!(todo.mail_item, Some(mail_id));
    assert_eq!(store.item_row(mail_id).expect("mail").task, Some(task));
    assert!(store.item_row(mail_id).expect("mail").todo.is_none());
    // Once: asking again returns the same task.
    assert_eq!(
        store
            .write(|tx| tx.task_from_mail(mail_id, None))
            .expect("again"),
        (task, false)
    );
    // Searchable, and only mail can become a task.
    assert_eq!(
        titles(&store.search("budget", 10).expect("search")).len(),
        2
    );
    let err = store
        .write(|tx| tx.task_from_mail(task, None))
        .expect_err("a task from a task");
    assert!(matches!(
        err.downcast_ref::<StoreError>(),
        Some(StoreError::NotMail(id)) if *id == task
    ));
}

#[test]
fn flagging_a_mail_makes_its_task_unless_the_user_said_no() {
    let (_dir, store) = open();
    let account = local(&store);
    let insert = |id: &str, title: &str, flagged: bool| {
        let mut m = mail(account, id, 1_000, title);
        m.flagged = flagged;
        store.write(|tx| tx.insert_mail(&m)).expect("mail").id()
    };
    let plain = insert("a@x", "Plain", false);
    assert!(store.tasks().expect("tasks").is_empty());
    store
        .write(|tx| tx.set_item_state(plain, None, Some(true)))
        .expect("flag");
    let task = store.item_row(plain).expect("row").task.expect("a task");
    // Unflagging keeps the task (nothing the user made is lost); flagging again makes no second.
    store
        .write(|tx| tx.set_item_state(plain, None, Some(false)))
        .expect("unflag");
    store
        .write(|tx| tx.set_item_state(plain, None, Some(true)))
        .expect("flag again");
    assert_eq!(store.item_row(plain).expect("row").task, Some(task));
    // Stored flagged (flagged on another device before it was fetched): a task too.
    let flagged = insert("b@x", "Flagged elsewhere", true);
    assert!(store.item_row(flagged).expect("row").task.is_some());
    assert_eq!(store.tasks().expect("tasks").len(), 2);

    assert!(store.setting(Setting::TaskFromFlagged).expect("default"));
    store
        .write(|tx| tx.set_setting(Setting::TaskFromFlagged, false))
        .expect("off");
    assert!(!store.setting(Setting::TaskFromFlagged).expect("off"));
    let later = insert("c@x", "Later", true);
    assert!(store.item_row(later).expect("row").task.is_none());
    assert_eq!(store.tasks().expect("tasks").len(), 2);
}

#[test]
fn a_task_finds_its_mail_again_after_the_mail_is_stored_anew() {
    let (_dir, store) = open();
    let account = local(&store);
    let first = store
        .write(|tx| tx.insert_mail(&mail(account, "again@x", 1_000, "Renumbered")))
        .expect("mail")
        .id();
    let (task, _) = store
        .write(|tx| tx.task_from_mail(first, None))
        .expect("task");
    store.write(|tx| tx.delete_item(first)).expect("delete");
    let todo = store
        .item_row(task)
        .expect("task stays")
        .todo
        .expect("todo");
    assert_eq!(todo.mail_item, None);
    assert_eq!(todo.mail_message_id.as_deref(), Some("again@x"));
    let second = store
        .write(|tx| tx.insert_mail(&mail(account, "again@x", 1_000, "Renumbered")))
        .expect("mail again")
        .id();
    assert_ne!(first, second);
    assert_eq!(store.item_row(second).expect("mail").task, Some(task));
    let todo = store.item_row(task).expect("task").todo.expect("todo");
    assert_eq!(todo.mail_item, Some(second));
}

#[test]
fn completing_a_task_stamps_it_and_lists_it_after_the_open_ones() {
    let (_dir, store) = open();
    let account = local(&store);
    let mut tasks = Vec::new();
    for (i, due) in [None, Some(5_000_000), Some(3_000_000)]
        .into_iter()
        .enumerate()
    {
        let m = mail(
            account,
            &format!("t{i}@x"),
            1_000 + i as i64,
            &format!("Task {i}"),
        );
        let id = store.write(|tx| tx.insert_mail(&m)).expect("mail").id();
        tasks.push(
            store
                .write(|tx| tx.task_from_mail(id, due))
                .expect("task")
                .0,
        );
    }
    let order = |store: &Store| -> Vec<i64> {
        store.tasks().expect("tasks").iter().map(|r| r.id).collect()
    };
    // Open ones by due date, those without one last.
    assert_eq!(order(&store), [tasks[2], tasks[1], tasks[0]]);
    assert!(store
        .write(|tx| tx.set_task_status(tasks[2], TaskStatus::Completed))
        .expect("done"));
    assert!(!store
        .write(|tx| tx.set_task_status(tasks[2], TaskStatus::Completed))
        .expect("done twice"));
    let done = store.item_row(tasks[2]).expect("row").todo.expect("todo");
    assert_eq!(done.status, TaskStatus::Completed);
    assert!(done.completed_ms.is_some());
    assert_eq!(order(&store), [tasks[1], tasks[0], tasks[2]]);
    store
        .write(|tx| tx.set_task_status(tasks[2], TaskStatus::NeedsAction))
        .expect("reopen");
    let open = store.item_row(tasks[2]).expect("row").todo.expect("todo");
    assert_eq!(open.completed_ms, None);
    let err = store
        .write(|tx| tx.set_task_status(999, TaskStatus::Completed))
        .expect_err("no such task");
    assert!(matches!(
        err.downcast_ref::<StoreError>(),
        Some(StoreError::NotTask(999))
    ));
}

fn matrix_account(store: &Store) -> i64 {
    store
        .write(|tx| {
            let id = tx.add_account(&NewAccount {
                kind: AccountKind::Matrix,
                name: "@me:x".into(),
                email: String::new(),
                imap: (String::new(), 0),
                smtp: (String::new(), 0),
                security: Security::Tls,
                username: "@me:x".into(),
                ca_file: None,
                smtp_security: None,
                url: "http://127.0.0.1:8008/".into(),
            })?;
            tx.set_matrix_device(id, "@me:x", "DEV")?;
            Ok(id)
        })
        .expect("account")
}

fn chat(room: i64, event: &str, sender: &str, time_ms: i64, body: &str) -> NewChatMessage {
    NewChatMessage {
        room,
        event_id: event.into(),
        sender: sender.into(),
        time_ms,
        msgtype: "m.text".into(),
        body: body.into(),
        unread: sender != "@me:x",
        ..NewChatMessage::default()
    }
}

#[test]
fn chat_messages_are_stored_once_named_after_their_room_and_searchable() {
    let (_dir, store) = open();
    let account = matrix_account(&store);
    let (room, first) = store
        .write(|tx| {
            let room = tx.chat_room(account, "!r")?;
            tx.set_chat_member(room, "@bob:x", "Bob", "join")?;
            tx.update_chat_room(
                room,
                &RoomUpdate {
                    explicit_name: Some("Lunch".into()),
                    ..RoomUpdate::default()
                },
                "@me:x",
            )?;
            let first =
                tx.insert_chat_message(&chat(room, "$1", "@bob:x", 1_000, "noodles at noon"))?;
            let again =
                tx.insert_chat_message(&chat(room, "$1", "@bob:x", 1_000, "noodles at noon"))?;
            assert_eq!(again, None, "an event is stored once");
            Ok((room, first.expect("stored")))
        })
        .expect("write");
    let row = store.item_row(first).expect("row");
    assert_eq!((row.kind, row.title.as_str()), (ItemKind::Chat, "Lunch"));
    assert_eq!(
        row.sender.as_ref().and_then(|p| p.name.as_deref()),
        Some("Bob")
    );
    let info = row.chat.expect("chat info");
    assert_eq!((info.room, info.event_id.as_deref()), (room, Some("$1")));
    assert_eq!(store.search("noodles", 10).expect("search").len(), 1);
    // A rename reaches the room's items.
    store
        .write(|tx| {
            tx.update_chat_room(
                room,
                &RoomUpdate {
                    explicit_name: Some("Makan".into()),
                    ..RoomUpdate::default()
                },
                "@me:x",
            )
        })
        .expect("rename");
    assert_eq!(store.item_row(first).expect("row").title, "Makan");
}

#[test]
fn a_queued_message_becomes_the_event_sync_brings_back_by_its_transaction_id() {
    let (_dir, store) = open();
    let account = matrix_account(&store);
    let (room, queued) = store
        .write(|tx| {
            let room = tx.chat_room(account, "!r")?;
            let id = tx.queue_chat_message(room, "@me:x", "txn-1", "on my way", "", 5_000)?;
            Ok((room, id))
        })
        .expect("queue");
    assert_eq!(
        store.due_chat_messages(account, 5_000).expect("due").len(),
        1
    );
    let mut echo = chat(room, "$9", "@me:x", 5_100, "on my way");
    echo.txn_id = Some("txn-1".into());
    let added = store
        .write(|tx| tx.insert_chat_message(&echo))
        .expect("echo");
    assert_eq!(added, None, "no second item for our own message");
    let info = store.item_row(queued).expect("row").chat.expect("chat");
    assert_eq!(
        (info.event_id.as_deref(), info.state.as_str()),
        (Some("$9"), "sent")
    );
    assert!(store
        .due_chat_messages(account, i64::MAX)
        .expect("due")
        .is_empty());
    // The same event stored on its own (no transaction id came with it): the queued copy goes.
    let again = store
        .write(|tx| tx.queue_chat_message(room, "@me:x", "txn-2", "twice?", "", 6_000))
        .expect("queue");
    let server = store
        .write(|tx| tx.insert_chat_message(&chat(room, "$10", "@me:x", 6_100, "twice?")))
        .expect("insert")
        .expect("stored");
    store.write(|tx| tx.chat_sent(again, "$10")).expect("sent");
    assert!(store.item_row(again).is_err(), "the queued copy is gone");
    assert_eq!(store.item_row(server).expect("row").snippet, "twice?");
}

#[test]
fn edits_only_by_the_sender_and_redactions_remove_the_text() {
    let (_dir, store) = open();
    let account = matrix_account(&store);
    let id = store
        .write(|tx| {
            let room = tx.chat_room(account, "!r")?;
            Ok(tx
                .insert_chat_message(&chat(room, "$1", "@bob:x", 1_000, "helo"))?
                .expect("stored"))
        })
        .expect("write");
    let applied = store
        .write(|tx| {
            Ok((
                tx.edit_chat_message(account, "$1", "@eve:x", "$2", 2_000, "pwned", None)?,
                tx.edit_chat_message(account, "$1", "@bob:x", "$3", 3_000, "hello", None)?,
                tx.edit_chat_message(account, "$1", "@bob:x", "$4", 2_500, "older edit", None)?,
            ))
        })
        .expect("edits");
    assert_eq!(applied, (false, true, false));
    let (info, body, _) = store.chat_message(id).expect("read").expect("chat");
    assert_eq!((body.as_str(), info.edited), ("hello", true));
    assert!(store.search("helo", 10).expect("search").is_empty());
    assert_eq!(store.search("hello", 10).expect("search").len(), 1);
    assert!(store
        .write(|tx| tx.redact_chat_message(account, "$1"))
        .expect("redact"));
    let (info, body, _) = store.chat_message(id).expect("read").expect("chat");
    assert!(info.redacted && body.is_empty());
    assert!(store.search("hello", 10).expect("search").is_empty());
    // A redacted message cannot be edited back.
    assert!(!store
        .write(|tx| tx.edit_chat_message(account, "$1", "@bob:x", "$5", 9_000, "back", None))
        .expect("edit"));
}

#[test]
fn read_markers_read_up_to_their_event_and_never_move_back() {
    let (_dir, store) = open();
    let account = matrix_account(&store);
    let (room, ids) = store
        .write(|tx| {
            let room = tx.chat_room(account, "!r")?;
            let mut ids = Vec::new();
            for (n, event) in ["$1", "$2", "$3"].iter().enumerate() {
                let time = 1_000 * (n as i64 + 1);
                ids.push(
                    tx.insert_chat_message(&chat(room, event, "@bob:x", time, "m"))?
                        .expect("stored"),
                );
            }
            Ok((room, ids))
        })
        .expect("write");
    let unread = |id: i64| store.item_row(id).expect("row").unread;
    // Read here up to the second: the first two are read, the marker waits to be pushed.
    store.write(|tx| tx.chat_mark_read(ids[1])).expect("mark");
    assert_eq!(
        (unread(ids[0]), unread(ids[1]), unread(ids[2])),
        (false, false, true)
    );
    let pending = store.read_markers_to_push(account).expect("markers");
    assert_eq!(pending, [(room, "!r".to_owned(), "$2".to_owned())]);
    store
        .write(|tx| tx.chat_read_pushed(room, "$2"))
        .expect("pushed");
    assert!(store
        .read_markers_to_push(account)
        .expect("markers")
        .is_empty());
    // The server's older marker does not move it back; a newer one reads the rest.
    store
        .write(|tx| tx.chat_read_up_to(room, "$1", None, true))
        .expect("older");
    // The server is behind: ours goes up again.
    assert_eq!(
        store.read_markers_to_push(account).expect("markers"),
        [(room, "!r".to_owned(), "$2".to_owned())]
    );
    assert_eq!(
        store
            .chat_room_by_id(room)
            .expect("room")
            .expect("room")
            .read_event,
        "$2"
    );
    store
        .write(|tx| tx.chat_read_up_to(room, "$3", None, true))
        .expect("newer");
    assert!(!unread(ids[2]));
    assert!(store
        .read_markers_to_push(account)
        .expect("markers")
        .is_empty());
}

#[test]
fn a_chat_message_becomes_a_task_once_with_a_matrix_link() {
    let (_dir, store) = open();
    let account = matrix_account(&store);
    let id = store
        .write(|tx| {
            let room = tx.chat_room(account, "!room:x")?;
            Ok(tx
                .insert_chat_message(&chat(
                    room,
                    "$ev",
                    "@bob:x",
                    1_000,
                    "send the slides\nby Friday",
                ))?
                .expect("stored"))
        })
        .expect("write");
    let (task, made) = store.write(|tx| tx.task_from_mail(id, None)).expect("task");
    assert!(made);
    assert_eq!(store.item_row(task).expect("row").title, "send the slides");
    assert_eq!(store.item_row(id).expect("row").task, Some(task));
    let todo = store.item_row(task).expect("row").todo.expect("todo");
    assert_eq!(todo.mail_item, Some(id), "the task names its chat message");
    let (again, made) = store.write(|tx| tx.task_from_chat(id, None)).expect("task");
    assert_eq!((again, made), (task, false));
    assert_eq!(matrix_uri("!room:x", "$ev"), "matrix:roomid/room:x/e/ev");
}

#[test]
fn the_indexer_takes_the_newest_first_and_a_deleted_or_moved_item_leaves_no_trace() {
    let (_dir, store) = open();
    let account = local(&store);
    let ids = store
        .write(|tx| {
            let mut ids = Vec::new();
            for (n, title) in ["old alpha", "middle alpha", "new alpha"]
                .iter()
                .enumerate()
            {
                match tx.insert_mail(&mail(
                    account,
                    &n.to_string(),
                    1_000 * (n as i64 + 1),
                    title,
                ))? {
                    Inserted::Added(id) => ids.push(id),
                    Inserted::Existing(_) => anyhow::bail!("a duplicate"),
                }
            }
            Ok(ids)
        })
        .expect("insert");
    // The newest first: "new alpha" is searchable by its body before the others.
    assert_eq!(store.index_step(1).expect("index"), (1, 2));
    assert_eq!(
        titles(&store.search("body", 50).expect("search")),
        vec!["new alpha"]
    );
    // A queued item deleted: its queue row goes with it, and no index entry is touched.
    store.write(|tx| tx.delete_item(ids[0])).expect("delete");
    assert_eq!(store.index_pending().expect("pending"), 1);
    // Indexing now or later makes no duplicate and leaves the index consistent.
    store
        .write(|tx| tx.index_now(&[ids[1], ids[2]]))
        .expect("index now");
    assert_eq!(store.index_pending().expect("pending"), 0);
    assert_eq!(
        titles(&store.search("alpha", 50).expect("search")),
        vec!["new alpha", "middle alpha"]
    );
    store
        .write(|tx| {
            tx.conn().execute(
                "INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 0)",
                [],
            )?;
            Ok(())
        })
        .expect("the index is consistent");
}

/// Storing a message reuses its compiled statements: the first one it runs is still the same
/// compiled statement after many messages (its run count keeps growing) instead of being evicted
/// by the others and compiled again for each message.
#[test]
fn storing_mail_reuses_its_compiled_statements() {
    let (_dir, store) = open();
    let account = local(&store);
    store
        .write(|tx| {
            for n in 0..5 {
                let mut m = mail(account, &format!("m{n}"), 1_000 + n, "Reuse");
                m.in_reply_to = "m0".into();
                m.flagged = n % 2 == 0;
                tx.insert_mail(&m)?;
            }
            let stmt = tx.conn().prepare_cached(
                "SELECT item_id FROM mail WHERE account_id = ?1 AND message_id = ?2",
            )?;
            assert_eq!(stmt.get_status(rusqlite::StatementStatus::Run), 5);
            Ok(())
        })
        .expect("insert");
}

/// Every view's first page walks the sort-key index newest first and stops at the page's end: no
/// view sorts its matches (an Inbox page took 2.4 s of sorting in a 1 000 000-item store).
#[test]
fn every_view_walks_the_timeline_newest_first_without_sorting() {
    let (_dir, store) = open();
    let account = local(&store);
    store
        .write(|tx| {
            let inbox = tx.local_folder(account, "INBOX")?;
            for n in 0..20 {
                let mut m = mail(account, &format!("v{n}"), 1_000 + n, "View");
                m.folder = Some((inbox, 0, 0));
                tx.insert_mail(&m)?;
            }
            Ok(())
        })
        .expect("insert");
    let views = [
        ("unified", TimelineQuery::default()),
        (
            "inbox",
            TimelineQuery {
                inbox: true,
                ..TimelineQuery::default()
            },
        ),
        (
            "inbox by conversation",
            TimelineQuery {
                inbox: true,
                threads: true,
                ..TimelineQuery::default()
            },
        ),
        (
            "unread",
            TimelineQuery {
                unread_only: true,
                ..TimelineQuery::default()
            },
        ),
    ];
    for (name, mut query) in views {
        query.limit = 50;
        query.unified = true;
        // (parent step, detail) of each step of the plan; the page's own steps have parent 0
        // (a column's subquery may sort its few rows).
        let plan: Vec<(i64, String)> = store
            .read(|conn| {
                let (sql, args) = crate::items::timeline_sql(conn, &query)?;
                let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                    Ok((r.get::<_, i64>(1)?, r.get::<_, String>(3)?))
                })?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .expect("plan");
        assert!(
            !plan
                .iter()
                .any(|(parent, step)| *parent == 0 && step.contains("TEMP B-TREE FOR ORDER BY")),
            "the {name} view sorts its matches: {plan:#?}"
        );
    }
}

#[test]
fn sender_checks_are_kept_listed_when_waiting_and_filter_the_timeline() {
    let (_dir, store) = open();
    let a = local(&store);
    let (old, new, newer) = store
        .write(|tx| {
            let old = tx.insert_mail(&mail(a, "old", 1_000, "Old"))?.id();
            let new = tx.insert_mail(&mail(a, "new", 5_000, "New"))?.id();
            let newer = tx.insert_mail(&mail(a, "newer", 6_000, "Newer"))?.id();
            Ok((old, new, newer))
        })
        .expect("insert");
    // Waiting since 2 000 ms: the two newer ones, newest first; the old one is older.
    let waiting: Vec<i64> = store
        .unchecked_mail(2_000, 10)
        .expect("waiting")
        .iter()
        .map(|u| u.item_id)
        .collect();
    assert_eq!(waiting, [newer, new]);
    let check = |item_id, verdict: &str| SenderCheck {
        item_id,
        verdict: verdict.into(),
        guard: verdict == "failed",
        warnings: 0,
        details: "{}".into(),
        checked_at: 7_000,
    };
    store
        .write(|tx| {
            tx.put_sender_check(&check(newer, "failed"))?;
            tx.put_sender_check(&check(new, "verified"))?;
            // A second check replaces the first.
            tx.put_sender_check(&check(new, "verified"))
        })
        .expect("keep");
    assert!(store.unchecked_mail(2_000, 10).expect("waiting").is_empty());
    assert_eq!(
        store
            .sender_check(newer)
            .expect("read")
            .expect("kept")
            .verdict,
        "failed"
    );
    assert_eq!(store.sender_check(old).expect("read"), None);
    let unverified = store
        .timeline(&TimelineQuery {
            limit: 10,
            unverified: true,
            ..Default::default()
        })
        .expect("t");
    assert_eq!(titles(&unverified), ["Newer"]);
    assert_eq!(
        store.sender_check_counts().expect("counts"),
        [("failed".to_owned(), 1), ("verified".to_owned(), 1)]
    );
}

#[test]
fn sender_knowledge_reads_who_the_user_writes_to() {
    let (_dir, store) = open();
    let a = store
        .write(|tx| {
            tx.add_account(&NewAccount {
                kind: AccountKind::Imap,
                name: "Me".into(),
                email: "me@company.test".into(),
                imap: ("127.0.0.1".into(), 143),
                smtp: ("127.0.0.1".into(), 25),
                security: Security::Plain,
                username: "me".into(),
                ca_file: None,
                smtp_security: None,
                url: String::new(),
            })
        })
        .expect("account");
    let mut sent = mail(a, "sent", 1_000, "Hello");
    sent.sender = Some(Person {
        name: Some("Me".into()),
        address: "me@company.test".into(),
    });
    sent.recipients = "Aminah Rahman <aminah@partner.test>, ops@vendor.test".into();
    let mut came = mail(a, "came", 2_000, "Hi");
    came.sender = Some(Person {
        name: Some("Bob".into()),
        address: "bob@elsewhere.test".into(),
    });
    store
        .write(|tx| {
            tx.insert_mail(&sent)?;
            tx.insert_mail(&came)?;
            Ok(())
        })
        .expect("insert");
    let k = store
        .sender_knowledge("aminah.ceo@free.test", "aminah rahman")
        .expect("knowledge");
    assert_eq!(
        k.domains.iter().map(String::as_str).collect::<Vec<_>>(),
        ["partner.test", "vendor.test"]
    );
    assert_eq!(k.same_name, ["aminah@partner.test"]);
    assert!(!k.known_sender);
    // Bob wrote once (this very mail): not known yet; the user wrote to Aminah: known.
    assert!(
        !store
            .sender_knowledge("bob@elsewhere.test", "Bob")
            .expect("k")
            .known_sender
    );
    assert!(
        store
            .sender_knowledge("aminah@partner.test", "")
            .expect("k")
            .known_sender
    );
}

-- 0023: selective offline. An account, or one of its folders, may keep message bodies only for
-- the last N days; older mail is stored with its header alone (listed, threaded, found by
-- subject and sender) and its body is downloaded when opened, or found by the server's SEARCH.
-- offline_days: NULL keeps every body (the default); on a folder, NULL follows the account.
ALTER TABLE accounts ADD COLUMN offline_days INTEGER;
ALTER TABLE folders ADD COLUMN offline_days INTEGER;

-- 1 when only the message's header is stored (`mail_raw.raw` holds the header, `size` is the
-- whole message's size on the server, no body text or HTML): the body is on the server.
ALTER TABLE mail ADD COLUMN remote INTEGER NOT NULL DEFAULT 0;

-- Whether an account has header-only mail at all, asked on every search (the servers are asked
-- only then): a lookup, not a scan of every message.
CREATE INDEX mail_remote ON mail (account_id) WHERE remote = 1;

-- Not about offline mail, but shipped with it: the mail of a thread that became tasks, found
-- without walking the whole thread each time a message of it is stored (`note_task_activity`).
CREATE INDEX items_thread_task ON items (thread_id) WHERE task_id IS NOT NULL;

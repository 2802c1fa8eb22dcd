-- satu: rebuilds tables
-- 0011: sources beyond mail. An account can now be a CalDAV server (tasks and calendars) or a
-- Matrix homeserver (chat): `accounts.kind` allows them (SQLite cannot change a CHECK in place,
-- so the table is rebuilt; the runner turns foreign keys off around this migration and checks
-- them before it commits), with the server's URL. Calendars and task lists of CalDAV accounts
-- are rows of `calendars`, each with its sync cursor (the RFC 6578 sync-token, else the ctag).

CREATE TABLE accounts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('imap', 'local', 'caldav', 'matrix')),
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    imap_host TEXT NOT NULL DEFAULT '',
    imap_port INTEGER NOT NULL DEFAULT 0,
    smtp_host TEXT NOT NULL DEFAULT '',
    smtp_port INTEGER NOT NULL DEFAULT 0,
    security TEXT NOT NULL DEFAULT 'tls' CHECK (security IN ('tls', 'starttls', 'plain')),
    username TEXT NOT NULL DEFAULT '',
    ca_file TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    notify INTEGER NOT NULL DEFAULT 1 CHECK (notify IN (0, 1)),
    in_timeline INTEGER NOT NULL DEFAULT 1 CHECK (in_timeline IN (0, 1)),
    smtp_security TEXT NOT NULL DEFAULT '' CHECK (smtp_security IN ('', 'tls', 'starttls', 'plain')),
    smtp_saves_sent INTEGER CHECK (smtp_saves_sent IN (0, 1)),
    -- CalDAV: the URL given, and what discovery found there ('' until then).
    url TEXT NOT NULL DEFAULT '',
    principal TEXT NOT NULL DEFAULT '',
    home TEXT NOT NULL DEFAULT ''
) STRICT;

INSERT INTO accounts_new (id, kind, name, email, imap_host, imap_port, smtp_host, smtp_port, security,
    username, ca_file, created_at, notify, in_timeline, smtp_security, smtp_saves_sent)
SELECT id, kind, name, email, imap_host, imap_port, smtp_host, smtp_port, security,
    username, ca_file, created_at, notify, in_timeline, smtp_security, smtp_saves_sent
FROM accounts;

DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

-- A calendar or task list of a CalDAV account.
CREATE TABLE calendars (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The collection's path on the server (an absolute path, as in DAV:href).
    href TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    color TEXT NOT NULL DEFAULT '',
    -- What it holds: 'VEVENT', 'VTODO' or both, space separated.
    components TEXT NOT NULL DEFAULT '',
    -- Sync cursors: RFC 6578 sync-token, else the CalendarServer ctag ('' until the first sync).
    sync_token TEXT NOT NULL DEFAULT '',
    ctag TEXT NOT NULL DEFAULT '',
    -- Where tasks made from mail go (at most one per account).
    task_default INTEGER NOT NULL DEFAULT 0 CHECK (task_default IN (0, 1)),
    UNIQUE (account_id, href)
) STRICT;

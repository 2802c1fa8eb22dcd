-- 0028: the audit trail (audit.rs). Every action that changes or discloses data, appended in
-- the transaction of the change, hash-chained: each entry's `hash` covers its fields and the
-- previous entry's hash (`prev`), so a changed or removed entry breaks the chain at that
-- point. No foreign keys: the trail outlives the accounts and items it names.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    -- Unix ms.
    at_ms INTEGER NOT NULL,
    -- Who: the OS user and the device (`ana@laptop`).
    actor TEXT NOT NULL,
    -- Where it came from: 'window', 'cli', 'rule', 'server' (a change made on another device,
    -- brought by the sync), 'schedule'.
    origin TEXT NOT NULL,
    -- The account and item it is about (NULL: none).
    account_id INTEGER,
    item_id INTEGER,
    -- What: e.g. 'mail.flag', 'mail.send', 'task.done', 'backup.create' (audit.rs lists them).
    kind TEXT NOT NULL,
    -- The particulars, as JSON (a Message-ID and recipients, a folder, a file).
    detail TEXT NOT NULL,
    -- The hash of the entry before (hex SHA-256; for the first, the anchor's or '').
    prev TEXT NOT NULL,
    -- SHA-256 of this entry's fields and `prev` (hex).
    hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_at ON audit (at_ms);

-- Where the chain starts after old days were pruned (retention): the hash of the last entry
-- pruned, which the first kept entry's `prev` must equal. One row at most.
CREATE TABLE audit_anchor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    prev TEXT NOT NULL,
    -- The id of the last entry pruned: ids go on from it.
    last_id INTEGER NOT NULL,
    -- Entries pruned so far, and the newest time pruned (Unix ms).
    pruned INTEGER NOT NULL,
    pruned_before_ms INTEGER NOT NULL
) STRICT;

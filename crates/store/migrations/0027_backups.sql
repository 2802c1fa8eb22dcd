-- 0027: backups (backup.rs). Every backup Satu made of this store: where it was written, when,
-- its size, what it holds, and whether reading it back verified it. Scheduled backups are
-- pruned from the oldest only after a newer one verified.
CREATE TABLE backups (
    id INTEGER PRIMARY KEY,
    -- Unix seconds, when the snapshot was taken.
    at INTEGER NOT NULL,
    -- The file (absolute path).
    path TEXT NOT NULL,
    -- Its size in bytes.
    bytes INTEGER NOT NULL,
    -- Items in the snapshot.
    items INTEGER NOT NULL,
    -- 1: read back, decrypted and checked after writing; 0: not (yet).
    verified INTEGER NOT NULL DEFAULT 0,
    -- 1: made by the schedule (and pruned by it); 0: by hand.
    scheduled INTEGER NOT NULL DEFAULT 0,
    -- 1: the file was pruned (or found missing), or never written.
    gone INTEGER NOT NULL DEFAULT 0,
    -- Why the attempt failed ('' when it did not): a failed scheduled backup is a row too, so
    -- that the Health view can say why and the schedule waits before trying again.
    error TEXT NOT NULL DEFAULT ''
) STRICT;

-- 0029: sender checks (trust.rs). What DKIM, SPF, DMARC and ARC said about a mail's sender, and
-- the look-alike warnings, computed once when the mail arrived (or when it was first opened)
-- and kept: offline mail shows the verdict of that moment, with the moment.
CREATE TABLE sender_checks (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    verdict TEXT NOT NULL CHECK (verdict IN ('verified', 'unverified', 'failed')),
    -- 1: a failure under p=quarantine/reject: the reading pane guards the mail.
    guard INTEGER NOT NULL DEFAULT 0 CHECK (guard IN (0, 1)),
    -- Look-alike and impersonation warnings (how many).
    warnings INTEGER NOT NULL DEFAULT 0,
    -- The whole check as JSON (the core's `Authentication`).
    details TEXT NOT NULL,
    -- Unix ms.
    checked_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sender_checks_verdict ON sender_checks (verdict);

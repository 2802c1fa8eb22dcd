-- 0009: sending mail. The outbox holds every message from the moment it is queued until it is
-- sent (or has failed with a reason the user sees); its Message-ID and bytes are fixed when it is
-- queued, so a retry sends the very same message and the Sent folder can be searched for it.

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Without angle brackets; assigned once, when the message is queued.
    message_id TEXT NOT NULL UNIQUE,
    -- The SMTP envelope: the sender and every recipient (To, Cc and Bcc), one per line.
    mail_from TEXT NOT NULL,
    rcpt TEXT NOT NULL,
    -- The message as it goes out (no Bcc header).
    raw BLOB NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    -- To and Cc as shown to the user.
    recipients TEXT NOT NULL DEFAULT '',
    -- The item this replies to (or forwards), when there is one.
    reply_to_item INTEGER REFERENCES items (id) ON DELETE SET NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    -- How far the current or last attempt got: '' (nothing handed to the server), 'smtp' (the
    -- envelope is being sent: nothing delivered yet), 'data' (the message itself is being or
    -- was handed over: the server may have it, so the Sent folder is searched before any retry).
    stage TEXT NOT NULL DEFAULT '' CHECK (stage IN ('', 'smtp', 'data')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Unix milliseconds: not before then (undo delay, send later, backoff).
    not_before INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    -- The sent message is in the Sent folder (appended by us, or saved there by the server).
    in_sent INTEGER NOT NULL DEFAULT 0 CHECK (in_sent IN (0, 1))
) STRICT;

CREATE INDEX outbox_due ON outbox (state, not_before);

-- SMTP security of its own (IMAP and submission often differ: 993 implicit TLS, 587 STARTTLS),
-- and whether the submission server saves what it sends in the Sent folder itself (NULL:
-- not known yet; found out by the first send).
ALTER TABLE accounts ADD COLUMN smtp_security TEXT NOT NULL DEFAULT ''
    CHECK (smtp_security IN ('', 'tls', 'starttls', 'plain'));
ALTER TABLE accounts ADD COLUMN smtp_saves_sent INTEGER CHECK (smtp_saves_sent IN (0, 1));

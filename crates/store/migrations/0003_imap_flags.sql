-- 0003: IMAP flags per (message, folder), so that an item's read/flagged state is the union over
-- the folders holding it and a flag change in one folder is applied without guessing.

-- Bit set of the message's flags in that folder: 1 \Seen, 2 \Flagged, 4 \Answered, 8 \Draft,
-- 16 \Deleted. 0 for local folders (their items keep the state the import gave them).
ALTER TABLE mail_folders ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;

-- 0019: identities. An account sends from its own address and from the aliases added here, each
-- with the name shown and a signature (plain text, '' for none). A row with the account's own
-- address holds that address's signature.
CREATE TABLE identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    address TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    signature TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, address)
) STRICT;

-- The address a draft is written from ('' for the account's own).
ALTER TABLE drafts ADD COLUMN from_address TEXT NOT NULL DEFAULT '';

-- 0022: Gmail's id of a message (`X-GM-MSGID`), the same in INBOX, "All Mail" and every label.
-- The sync asks for it on servers that offer `X-GM-EXT-1` and recognises a copy of a stored
-- message by it (or by its Message-ID) from a header-only look, so each body is downloaded
-- once. NULL elsewhere.
ALTER TABLE mail ADD COLUMN gm_msgid INTEGER;

CREATE INDEX mail_gm_msgid ON mail (account_id, gm_msgid) WHERE gm_msgid IS NOT NULL;

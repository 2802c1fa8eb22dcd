-- 0004: why a message could be read only in part (malformed MIME, a resource limit, a parser
-- panic). The message is kept with what could be recovered and its original bytes; NULL when it
-- parsed cleanly.
ALTER TABLE mail ADD COLUMN quarantine TEXT;

-- 0005: attachments keep only their metadata. Their bytes are in the original message
-- (mail_raw), which is decoded again when an attachment is opened: storing them twice cost
-- about 12 % of an initial sync and 23 % of the disk (tests/bench/RESULTS.md).
ALTER TABLE attachments DROP COLUMN content;

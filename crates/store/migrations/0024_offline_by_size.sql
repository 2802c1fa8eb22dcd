-- 0024: a new mail account keeps every message body when its mailbox is under a size the user
-- sets (`offline.all_under_mb`), else those of the last `offline.days_when_larger` days: chosen
-- once, at its first sync, from the sizes its server gives. 0 while that waits; 1 once chosen
-- (by that first look or by the user). Accounts made before this keep what they had.
ALTER TABLE accounts ADD COLUMN offline_chosen INTEGER NOT NULL DEFAULT 1;

-- 0006: folders the user chose to have pushed (IMAP IDLE on a connection of their own) besides
-- INBOX, which is always pushed. The others are brought up to date by the periodic full pass.
ALTER TABLE folders ADD COLUMN push INTEGER NOT NULL DEFAULT 0 CHECK (push IN (0, 1));

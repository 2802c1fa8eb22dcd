-- 0020: the addresses seen in mail, for completing addresses as the user types: how often and
-- how lately the user wrote to each (recipients of mail sent from one of the account's
-- addresses) and how often and how lately each was seen in mail that came (its sender, its
-- other recipients). Kept up to date as mail is stored.
CREATE TABLE contacts (
    address TEXT PRIMARY KEY COLLATE NOCASE,
    -- The name last seen with it ('' when none).
    name TEXT NOT NULL DEFAULT '',
    -- Messages the user sent to it, and when the latest went (Unix ms; 0 when never).
    written INTEGER NOT NULL DEFAULT 0,
    last_written INTEGER NOT NULL DEFAULT 0,
    -- Messages that came from it, and when the latest came (Unix ms; 0 when never).
    seen INTEGER NOT NULL DEFAULT 0,
    last_seen INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX contacts_name ON contacts (name COLLATE NOCASE);

-- The senders of the mail that came (not the accounts' own).
INSERT INTO contacts (address, name, seen, last_seen)
SELECT lower(i.sender_address), max(i.sender_name), count(*), max(i.time)
FROM items i JOIN accounts a ON a.id = i.account_id
WHERE i.kind = 'mail' AND i.sender_address LIKE '%_@_%'
  AND lower(i.sender_address) != lower(a.email)
  AND NOT EXISTS (SELECT 1 FROM identities d WHERE d.account_id = a.id AND d.address = i.sender_address)
GROUP BY lower(i.sender_address);

-- The recipients of the mail the accounts sent (from their own address or an identity's), from
-- the "To and Cc" text: "Name <address>, address, ...".
WITH RECURSIVE sent (rest, time) AS (
    SELECT m.recipients || ',', i.time
    FROM items i JOIN mail m ON m.item_id = i.id JOIN accounts a ON a.id = i.account_id
    WHERE i.kind = 'mail' AND i.sender_address != ''
      AND (lower(i.sender_address) = lower(a.email)
           OR EXISTS (SELECT 1 FROM identities d WHERE d.account_id = a.id AND d.address = i.sender_address))
), pieces (piece, rest, time) AS (
    SELECT '', rest, time FROM sent
    UNION ALL
    SELECT trim(substr(rest, 1, instr(rest, ',') - 1)), substr(rest, instr(rest, ',') + 1), time
    FROM pieces WHERE rest != ''
), addresses (address, name, time) AS (
    SELECT lower(CASE WHEN instr(piece, '<') > 0
                      THEN substr(piece, instr(piece, '<') + 1, instr(piece, '>') - instr(piece, '<') - 1)
                      ELSE piece END),
           CASE WHEN instr(piece, '<') > 1 THEN trim(substr(piece, 1, instr(piece, '<') - 1), ' "') ELSE '' END,
           time
    FROM pieces WHERE piece LIKE '%_@_%'
)
INSERT INTO contacts (address, name, written, last_written)
SELECT address, max(name), count(*), max(time) FROM addresses
WHERE address LIKE '%_@_%' AND address NOT LIKE '% %'
GROUP BY address
ON CONFLICT (address) DO UPDATE SET
    written = excluded.written,
    last_written = excluded.last_written,
    name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END;

-- The other recipients of the mail that came (colleagues in Cc, say): seen.
WITH RECURSIVE sent (rest, time, me) AS (
    SELECT m.recipients || ',', i.time, lower(a.email)
    FROM items i JOIN mail m ON m.item_id = i.id JOIN accounts a ON a.id = i.account_id
    WHERE i.kind = 'mail' AND i.sender_address != ''
      AND NOT (lower(i.sender_address) = lower(a.email)
           OR EXISTS (SELECT 1 FROM identities d WHERE d.account_id = a.id AND d.address = i.sender_address))
), pieces (piece, rest, time, me) AS (
    SELECT '', rest, time, me FROM sent
    UNION ALL
    SELECT trim(substr(rest, 1, instr(rest, ',') - 1)), substr(rest, instr(rest, ',') + 1), time, me
    FROM pieces WHERE rest != ''
), addresses (address, name, time, me) AS (
    SELECT lower(CASE WHEN instr(piece, '<') > 0
                      THEN substr(piece, instr(piece, '<') + 1, instr(piece, '>') - instr(piece, '<') - 1)
                      ELSE piece END),
           CASE WHEN instr(piece, '<') > 1 THEN trim(substr(piece, 1, instr(piece, '<') - 1), ' "') ELSE '' END,
           time, me
    FROM pieces WHERE piece LIKE '%_@_%'
)
INSERT INTO contacts (address, name, seen, last_seen)
SELECT address, max(name), count(*), max(time) FROM addresses
WHERE address LIKE '%_@_%' AND address NOT LIKE '% %' AND address != me
  AND NOT EXISTS (SELECT 1 FROM identities d WHERE d.address = addresses.address)
GROUP BY address
ON CONFLICT (address) DO UPDATE SET
    seen = seen + excluded.seen,
    last_seen = max(last_seen, excluded.last_seen),
    name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END;

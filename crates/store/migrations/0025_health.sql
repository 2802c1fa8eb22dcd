-- 0025: sync health (health.rs). What the sync measured of its own traffic, rolled up per hour
-- and per account, kept 30 days: timings as a histogram (delivery delay, push, read status up
-- and down) and counts (logins and passes, by outcome).
CREATE TABLE health_hours (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Unix time / 3600.
    hour INTEGER NOT NULL,
    -- e.g. 'delivery_delay' (a timing), 'login_ok', 'login_password', 'pass_network' (counts).
    metric TEXT NOT NULL,
    -- Samples (a timing) or events (a count).
    count INTEGER NOT NULL,
    -- Timings: the sum of the samples, ms (0 for counts).
    sum_ms INTEGER NOT NULL DEFAULT 0,
    -- Timings: how many samples fell in each bucket of `HEALTH_BUCKETS_MS`, comma separated, the
    -- last one for anything above ('' for counts).
    buckets TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, hour, metric)
) WITHOUT ROWID, STRICT;

-- When each calendar or task list last synced without an error (Unix seconds; 0: never).
ALTER TABLE calendars ADD COLUMN synced_at INTEGER NOT NULL DEFAULT 0;

-- 0026: the diagnostics the live sync ran by itself (health.rs), when an account's delivery
-- delay turned bad: the last run per account, its findings as the core's JSON (`Finding`s).
CREATE TABLE diagnoses (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- Unix ms.
    at_ms INTEGER NOT NULL,
    -- What set it off, in plain words.
    why TEXT NOT NULL,
    -- A JSON array of findings.
    findings TEXT NOT NULL
) STRICT;

-- 0030: rules (rules.rs). What the user wrote (`satu rule add --when … --do …`), in order; each
-- (rule, mail) that ran, so that a rule acts on a mail once, across restarts; and how far new
-- mail has been looked at (items.id, the order mail was stored in).
CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- The order rules are looked at in (lowest first).
    position INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- The conditions as written (`--when`).
    conditions TEXT NOT NULL,
    -- The actions as written, one per line (`--do`).
    actions TEXT NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE rule_runs (
    rule_id INTEGER NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    at_ms INTEGER NOT NULL,
    -- What it did, one action per line ('' when an earlier rule had done it all).
    done TEXT NOT NULL DEFAULT '',
    -- The run it belonged to (`satu rule run` on existing mail; 0 for new mail).
    run INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (rule_id, item_id)
) STRICT;

CREATE INDEX rule_runs_item ON rule_runs (item_id);

-- The last stored mail the rules looked at (items.id); new mail is what comes after. No row:
-- nothing looked at yet (the first look starts at the newest mail then, not the oldest).
CREATE TABLE rule_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    item_id INTEGER NOT NULL
) STRICT;

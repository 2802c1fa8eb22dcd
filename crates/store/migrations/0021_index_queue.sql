-- 0021: mail waiting for the full-text index. Storing a message no longer writes its words into
-- `items_fts` in the same transaction (a third of the sync's CPU); it queues the item here, and
-- the background indexer (`search_index.rs`) indexes the queue newest first, deleting each row in
-- the transaction that indexed it. A queued item is found by search through its title and sender
-- only, and search says the index is incomplete while this table has rows. Deleting an item
-- drops its queue row with it.
CREATE TABLE index_queue (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE
) STRICT;

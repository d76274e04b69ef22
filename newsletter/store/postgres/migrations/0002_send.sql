-- 0002, ported from store/sqlite/migrations/0002_send.sql.

ALTER TABLE issues ADD COLUMN since TEXT;
ALTER TABLE issues ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE issues ADD COLUMN archive_path TEXT NOT NULL DEFAULT '';

ALTER TABLE issue_items ADD COLUMN section TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN summary_html TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN summary_text TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN published TEXT NOT NULL DEFAULT '';

ALTER TABLE deliveries ADD COLUMN failure TEXT NOT NULL DEFAULT ''
    CHECK (failure IN ('', 'bounce', 'skipped', 'error'));

-- At most one issue is being sent. CreateIssue also takes an advisory
-- lock, so that a second sender waits and then joins the issue instead
-- of failing on this index.
CREATE UNIQUE INDEX issues_one_sending ON issues (status) WHERE status = 'sending';

CREATE INDEX deliveries_subscriber_state ON deliveries (subscriber_id, state, id);

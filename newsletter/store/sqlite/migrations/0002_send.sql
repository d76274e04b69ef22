-- 0002: what agora send needs beyond the tables 0001 created.

-- An issue freezes its items: a resumed send, days later, mails exactly
-- what the first run chose, even if a tip was edited or deleted since.
-- since is the previous issue's cutoff (NULL for the first issue), for
-- the archive page and the report.
ALTER TABLE issues ADD COLUMN since TEXT;
ALTER TABLE issues ADD COLUMN subject TEXT NOT NULL DEFAULT '';
-- The site path of the issue's archive page ("/newsletter/2026-05-04-issue-3/"),
-- the "view in browser" link of every message.
ALTER TABLE issues ADD COLUMN archive_path TEXT NOT NULL DEFAULT '';

ALTER TABLE issue_items ADD COLUMN section TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN title TEXT NOT NULL DEFAULT '';
-- Absolute URL, built with the site's baseURL (sub-path included).
ALTER TABLE issue_items ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN summary_html TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN summary_text TEXT NOT NULL DEFAULT '';
-- Normalised tag keys joined by commas, matched against subscribers' topics.
ALTER TABLE issue_items ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE issue_items ADD COLUMN published TEXT NOT NULL DEFAULT '';

-- Why a row ended failed: 'bounce' (a 5xx reply: a hard bounce, three in
-- a row make the subscriber bounced), 'skipped' (no longer active, or
-- nothing matched their topics any more, when the row's turn came), or
-- 'error' (the message could not be made). '' while not failed.
ALTER TABLE deliveries ADD COLUMN failure TEXT NOT NULL DEFAULT ''
    CHECK (failure IN ('', 'bounce', 'skipped', 'error'));

-- At most one issue is being sent: a rerun resumes it, and two agoras
-- starting at once cannot both create one.
CREATE UNIQUE INDEX issues_one_sending ON issues (status) WHERE status = 'sending';

-- Counting a subscriber's hard bounces since their last delivery.
CREATE INDEX deliveries_subscriber_state ON deliveries (subscriber_id, state, id);

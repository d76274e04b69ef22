-- Subscribers, the history of their statuses, and the tables the mail step
-- writes (issues, their items, the send journal), created now so that the
-- first `agora send` finds its schema in place.
--
-- Times are TEXT in UTC, fixed width (2006-01-02T15:04:05.000Z), so that
-- they sort as strings and read the same in the sqlite3 shell.

CREATE TABLE subscribers (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL,
    -- The identity: the address in lower case (see subscriber.Key).
    email_key   TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL DEFAULT '',
    -- Normalised topic keys joined by commas; a key never holds a comma.
    topics      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced')),
    consent_at  TEXT NOT NULL,
    consent_how TEXT NOT NULL,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL
);

-- The sender's cursor walks active subscribers by id.
CREATE INDEX subscribers_status_id ON subscribers (status, id);

-- Every change of status, with when and how. from_status is NULL when the
-- subscriber was created; to_status 'removed' marks an erasure. The
-- subscriber_id is set to NULL by an erasure, so that the counts survive
-- and nothing points at the person any more. An unsubscribe is a change
-- with a from_status: a row created unsubscribed (from_status NULL) is an
-- import of someone who left another list, not a loss of this one.
CREATE TABLE subscriber_events (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
    at            TEXT NOT NULL,
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    how           TEXT NOT NULL
);

CREATE INDEX subscriber_events_at ON subscriber_events (at);
CREATE INDEX subscriber_events_subscriber ON subscriber_events (subscriber_id);

-- One digest. A send in progress has status 'sending': a rerun resumes it
-- instead of starting another. cutoff is the send clock: the next issue
-- gathers what was published after it.
CREATE TABLE issues (
    id      INTEGER PRIMARY KEY,
    number  INTEGER NOT NULL UNIQUE,
    created TEXT NOT NULL,
    cutoff  TEXT NOT NULL,
    sent_at TEXT,
    status  TEXT NOT NULL CHECK (status IN ('sending', 'sent'))
);

-- The pages in an issue, by their stable identity (front-matter id, else
-- the content path), so that no tip is ever sent twice.
CREATE TABLE issue_items (
    issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item_id  TEXT NOT NULL,
    PRIMARY KEY (issue_id, item_id)
);

CREATE INDEX issue_items_item ON issue_items (item_id);

-- The send journal: one row per (issue, subscriber), moved queued ->
-- sending -> sent or failed around every SMTP transaction. An erasure
-- sets subscriber_id to NULL and clears last_error, which may quote the
-- address, and keeps the row for the issue's counts.
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    issue_id      INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    message_id    TEXT NOT NULL DEFAULT '',
    updated       TEXT NOT NULL,
    UNIQUE (issue_id, subscriber_id)
);

CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id);
CREATE INDEX deliveries_issue_state ON deliveries (issue_id, state);

-- 0006: several agora send and agora listen processes on one database
-- (PostgreSQL; SQLite has the same schema, so a copy between the engines
-- moves every table as it is).

-- A running agora send. Its heartbeat is its lease on the deliveries it
-- holds at sending: when the heartbeat is older than the lease the
-- process is taken for dead and the rows return to the queue. IDs are
-- never reused (AUTOINCREMENT): a new sender must not inherit a dead
-- one's rows.
CREATE TABLE senders (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    host      TEXT NOT NULL,
    pid       INTEGER NOT NULL,
    started   TEXT NOT NULL,
    heartbeat TEXT NOT NULL
);

-- Which sender holds a row at sending (and which sent it). No foreign
-- key: a sender's registration is removed when it stops, and rows that
-- point at no live sender are exactly the ones to take back.
ALTER TABLE deliveries ADD COLUMN sender_id INTEGER;

-- Claims walk the queued rows of an issue in subscriber order.
CREATE INDEX deliveries_claim ON deliveries (issue_id, state, subscriber_id);
DROP INDEX deliveries_issue_state;

-- Rates shared by every process, as GCRA (the "theoretical arrival
-- time" of the next event, in microseconds since 1970): 'send' is the
-- newsletter's [newsletter] rate, 'net:<prefix>' a client network's
-- sign-ups. One row update takes a token, or a batch of send slots.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat INTEGER NOT NULL
);

-- The welcome series' rows are claimed as the digest's are: which sender
-- holds a row at sending, so that another one takes it over only when
-- that sender is dead (PostgreSQL; on SQLite the welcome lock file
-- leaves one sender, which takes over every row at sending).
ALTER TABLE welcome_deliveries ADD COLUMN sender_id INTEGER;

-- When a sign-up service claimed a queued confirmation (DueConfirmations),
-- NULL when none holds it. mail_due is the claim's lease end meanwhile;
-- the hourly cap counts the live claims with the mails sent, so that two
-- services cannot each fill the hour.
ALTER TABLE signups ADD COLUMN mail_claimed TEXT;

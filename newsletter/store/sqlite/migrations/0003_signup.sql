-- 0003: the sign-up service (agora listen).
--
-- One row per subscriber who used the sign-up form. What a visitor typed
-- waits here until the owner of the address confirms it: it must never
-- change a subscriber who did not agree, and an unsubscribed address stays
-- unsubscribed until its owner confirms again. The row also remembers when
-- the address was last sent a confirmation, so that the limit of one an
-- hour survives a restart of the service.
--
-- Deleting the subscriber (an erasure) deletes the row: mail_error may
-- quote the address.
CREATE TABLE signups (
    subscriber_id INTEGER PRIMARY KEY REFERENCES subscribers (id) ON DELETE CASCADE,
    -- The open request: when it was made, NULL when there is none (never
    -- made, confirmed, or dropped by an unsubscribe).
    requested     TEXT,
    name          TEXT NOT NULL DEFAULT '',
    -- Normalised topic keys joined by commas, as subscribers.topics.
    topics        TEXT NOT NULL DEFAULT '',
    -- The confirmation mail: when one was last queued (the per-address
    -- limit), its state, and when to try again after a failure.
    mail_queued   TEXT,
    mail_state    TEXT NOT NULL DEFAULT 'none'
        CHECK (mail_state IN ('none', 'queued', 'sent', 'failed')),
    mail_due      TEXT,
    mail_attempts INTEGER NOT NULL DEFAULT 0,
    mail_error    TEXT NOT NULL DEFAULT ''
);

-- The mail worker's queue.
CREATE INDEX signups_mail_due ON signups (mail_due) WHERE mail_state = 'queued';
-- Finding requests nobody confirmed, to forget their addresses.
CREATE INDEX signups_requested ON signups (requested) WHERE requested IS NOT NULL;

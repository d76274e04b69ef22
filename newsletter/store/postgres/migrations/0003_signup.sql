-- 0003, ported from store/sqlite/migrations/0003_signup.sql.

CREATE TABLE signups (
    subscriber_id BIGINT PRIMARY KEY REFERENCES subscribers (id) ON DELETE CASCADE,
    requested     TEXT,
    name          TEXT NOT NULL DEFAULT '',
    topics        TEXT NOT NULL DEFAULT '',
    mail_queued   TEXT,
    mail_state    TEXT NOT NULL DEFAULT 'none'
        CHECK (mail_state IN ('none', 'queued', 'sent', 'failed')),
    mail_due      TEXT,
    mail_attempts BIGINT NOT NULL DEFAULT 0,
    mail_error    TEXT NOT NULL DEFAULT ''
);

CREATE INDEX signups_mail_due ON signups (mail_due) WHERE mail_state = 'queued';
CREATE INDEX signups_requested ON signups (requested) WHERE requested IS NOT NULL;

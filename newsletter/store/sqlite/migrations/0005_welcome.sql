-- 0005: the welcome series' journal (agora send, agora listen).
--
-- One row per (step, subscriber), as deliveries is per (issue, subscriber):
-- committed as 'sending' before the SMTP transaction starts and as 'sent'
-- or 'failed' after, so that a step goes to each person exactly once and a
-- run killed mid-step sends again only the rows it had in flight, with the
-- same message_id. 'queued' is a message the server deferred: the next run
-- tries it again. step is the step page's identity (front-matter id, else
-- its content path), so an edited step is not sent again and a removed one
-- simply has no more rows. An erasure sets subscriber_id to NULL and
-- clears last_error, which may quote the address; the row stays for the
-- report's counts.
CREATE TABLE welcome_deliveries (
    id            INTEGER PRIMARY KEY,
    step          TEXT NOT NULL,
    subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
    state         TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    failure       TEXT NOT NULL DEFAULT '' CHECK (failure IN ('', 'bounce', 'skipped', 'error')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    message_id    TEXT NOT NULL DEFAULT '',
    created       TEXT NOT NULL,
    updated       TEXT NOT NULL,
    -- When the server took the message: the report counts unsubscribes in
    -- the 7 days after it.
    sent_at       TEXT,
    UNIQUE (step, subscriber_id)
);

CREATE INDEX welcome_deliveries_subscriber ON welcome_deliveries (subscriber_id);

-- Finding who consented in a step's window.
CREATE INDEX subscribers_status_consent ON subscribers (status, consent_at);

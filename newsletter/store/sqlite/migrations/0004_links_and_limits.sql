-- 0004: links that cannot outlive their subscriber, and limits on
-- confirmation mail that hold whatever way an address is spelt.
--
-- Before this, subscribers.id was an INTEGER PRIMARY KEY without
-- AUTOINCREMENT, so erasing the highest row gave its ID to the next
-- person, and links named only the ID: a kept link acted on a stranger.
-- Now IDs never come back, and every link names an opaque random handle
-- and is signed with a random secret of its subscriber (see package
-- token), both erased with the row.
--
-- SQLite cannot add AUTOINCREMENT to a table, so subscribers is rebuilt
-- (SQLite's documented procedure: new table, copy, drop, rename). The
-- migration runs with foreign keys off, so that dropping the old table
-- does not fire its ON DELETE actions on the history and the journal, and
-- they are checked before the commit (see migrate.go).
--
-- The random values come from SQLite's randomblob(), a ChaCha20 stream
-- seeded from the operating system; rows made later get theirs from Go's
-- crypto/rand.

CREATE TABLE subscribers_0004 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    email        TEXT NOT NULL,
    email_key    TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL DEFAULT '',
    topics       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced')),
    consent_at   TEXT NOT NULL,
    consent_how  TEXT NOT NULL,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL,
    -- What the links name (32 hex digits) and what signs them with the
    -- service's key (64 hex digits, never in a link).
    link_handle  TEXT NOT NULL UNIQUE,
    link_secret  TEXT NOT NULL,
    -- 1 when links in the format before this migration, which name the
    -- ID, are still honoured for this row: only when the row is provably
    -- the first ever to hold its ID, so every such link was made for
    -- this person. Without AUTOINCREMENT each insert took one more than
    -- the highest ID left, so the k-th row ever inserted got ID k unless
    -- an ID had been reused before it; every insert is logged as an event
    -- with no from_status. A row whose ID equals the number of inserts up
    -- to its own is the first holder; any other might not be (some that
    -- are, after an erasure, are refused too: refusing is the safe side).
    legacy_links INTEGER NOT NULL DEFAULT 0 CHECK (legacy_links IN (0, 1))
);

INSERT INTO subscribers_0004 (id, email, email_key, name, topics, status, consent_at, consent_how, created, updated,
                              link_handle, link_secret, legacy_links)
SELECT s.id, s.email, s.email_key, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated,
       lower(hex(randomblob(16))), lower(hex(randomblob(32))),
       CASE WHEN s.id = (SELECT COUNT(*) FROM subscriber_events e
                         WHERE e.from_status IS NULL
                           AND e.id <= (SELECT MIN(c.id) FROM subscriber_events c
                                        WHERE c.subscriber_id = s.id AND c.from_status IS NULL))
            THEN 1 ELSE 0 END
FROM subscribers s;

DROP TABLE subscribers;
ALTER TABLE subscribers_0004 RENAME TO subscribers;
CREATE INDEX subscribers_status_id ON subscribers (status, id);

-- The next ID is past any ever issued: no insert ever got more than the
-- number of inserts before it plus one, and erased rows leave their
-- inserts in the history.
INSERT INTO sqlite_sequence (name, seq)
SELECT 'subscribers', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'subscribers');
UPDATE sqlite_sequence
SET seq = MAX(seq,
              (SELECT COUNT(*) FROM subscriber_events WHERE from_status IS NULL),
              COALESCE((SELECT MAX(subscriber_id) FROM subscriber_events), 0),
              COALESCE((SELECT MAX(subscriber_id) FROM deliveries), 0))
WHERE name = 'subscribers';

-- A sign-up request is named by a random nonce that its confirmation link
-- carries: the link confirms that one request, once. request is NULL when
-- no request is open; confirmed_request is the last one confirmed (its
-- link's page says "You are subscribed"); mail_sent is when its mail went.
ALTER TABLE signups ADD COLUMN request TEXT;
ALTER TABLE signups ADD COLUMN confirmed_request TEXT;
ALTER TABLE signups ADD COLUMN mail_sent TEXT;
-- Requests open now whose mail went out were mailed a link in the old
-- format: 'legacy' lets that link confirm this request only (see
-- listen's confirm). The others get a nonce their mail will carry.
UPDATE signups
SET request = CASE WHEN mail_state = 'sent' THEN 'legacy' ELSE lower(hex(randomblob(16))) END
WHERE requested IS NOT NULL;
UPDATE signups SET mail_sent = mail_queued WHERE mail_state = 'sent';

-- What the form posts waits here until the mail worker reads it, in
-- order of arrival: a request's answer then costs the same whatever the
-- address, and the decision (limits, mail or not) is never timed by the
-- visitor. Rows live milliseconds; an erasure deletes its address's.
CREATE TABLE signup_inbox (
    id        INTEGER PRIMARY KEY,
    received  TEXT NOT NULL,
    email     TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name      TEXT NOT NULL DEFAULT '',
    topics    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX signup_inbox_email ON signup_inbox (email_key);

-- Form tokens already used, by SHA-256 of their nonce, until they expire:
-- a form token makes one sign-up.
CREATE TABLE form_tokens_used (
    token_hash TEXT PRIMARY KEY,
    expires    TEXT NOT NULL
);
CREATE INDEX form_tokens_used_expires ON form_tokens_used (expires);

-- One row per confirmation mail queued, by SHA-256 of the canonical
-- mailbox (subscriber.Mailbox), kept 30 days: the per-mailbox limits. A
-- hash, because the limit needs no address; the purge of unconfirmed
-- sign-ups keeps it (else waiting a week would reset the month), and an
-- erasure deletes it.
CREATE TABLE confirmation_mailboxes (
    mailbox TEXT NOT NULL,
    queued  TEXT NOT NULL
);
CREATE INDEX confirmation_mailboxes_mailbox ON confirmation_mailboxes (mailbox, queued);
CREATE INDEX confirmation_mailboxes_queued ON confirmation_mailboxes (queued);

-- One row per confirmation mail the server took, kept an hour: the global
-- cap ([newsletter] confirm_per_hour), shared by every agora listen on
-- the database.
CREATE TABLE confirmation_sends (
    sent TEXT NOT NULL
);
CREATE INDEX confirmation_sends_sent ON confirmation_sends (sent);

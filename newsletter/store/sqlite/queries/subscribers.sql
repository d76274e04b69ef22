-- Every statement the store runs, prepared when the database is opened so
-- that a broken one fails at start-up, not halfway through an import.
-- Each block starts with a "-- name:" line; the Go code refers to blocks by
-- name and a block it does not use is an error too.

-- name: get-subscriber
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE email_key = ?;

-- name: insert-subscriber
-- DO NOTHING on a known address: the caller decides, inside the same
-- transaction, what an existing row means.
INSERT INTO subscribers (email, email_key, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (email_key) DO NOTHING
RETURNING id;

-- name: update-subscriber
UPDATE subscribers
SET name = ?, topics = ?, status = ?, consent_at = ?, consent_how = ?, updated = ?
WHERE id = ?;

-- name: delete-subscriber
DELETE FROM subscribers WHERE id = ?;

-- name: scrub-deliveries
-- A server's error text often quotes the address ("550 <ada@…>: no such
-- user"); an erasure must not leave it behind.
UPDATE deliveries SET last_error = '' WHERE subscriber_id = ?;

-- name: scrub-signup-inbox
-- An erasure also takes the address out of requests not yet read.
DELETE FROM signup_inbox WHERE email_key = ?;

-- name: scrub-confirmation-mailboxes
DELETE FROM confirmation_mailboxes WHERE mailbox = ?;

-- name: insert-event
INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, how)
VALUES (?, ?, ?, ?, ?);

-- name: list-subscribers
-- Keyset pages: each page starts after the last address of the one before,
-- so no read transaction stays open while the caller writes its output.
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE (?1 = '' OR status = ?1) AND email_key > ?2
ORDER BY email_key
LIMIT ?3;

-- name: count-by-status
SELECT status, COUNT(*) FROM subscribers GROUP BY status;

-- name: active-subscribers
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE status = 'active' AND id > ?
ORDER BY id
LIMIT ?;

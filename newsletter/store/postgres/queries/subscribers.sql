-- Every statement the store runs, ported from store/sqlite/queries with
-- $n placeholders; each is prepared when the database is opened, so that
-- a broken one fails at start-up. The Go code refers to blocks by name and
-- a block it does not use is an error too.

-- name: get-subscriber
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE email_key = $1;

-- name: insert-subscriber
INSERT INTO subscribers (email, email_key, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (email_key) DO NOTHING
RETURNING id;

-- name: import-subscribers
-- A page of an import in one statement: the arrays hold one element per
-- subscriber. Known addresses are left alone; the new rows come back.
INSERT INTO subscribers (email, email_key, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[])
ON CONFLICT (email_key) DO NOTHING
RETURNING id, email_key;

-- name: get-subscribers
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE email_key = ANY ($1::text[]);

-- name: import-events
INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, how)
SELECT id, $1, NULL, st, how FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(id, st, how);

-- name: update-subscriber
UPDATE subscribers
SET name = $1, topics = $2, status = $3, consent_at = $4, consent_how = $5, updated = $6
WHERE id = $7;

-- name: delete-subscriber
DELETE FROM subscribers WHERE id = $1;

-- name: scrub-deliveries
UPDATE deliveries SET last_error = '' WHERE subscriber_id = $1;

-- name: scrub-welcome
UPDATE welcome_deliveries SET last_error = '' WHERE subscriber_id = $1;

-- name: scrub-signup-inbox
-- An erasure also takes the address out of requests not yet read.
DELETE FROM signup_inbox WHERE email_key = $1;

-- name: scrub-confirmation-mailboxes
DELETE FROM confirmation_mailboxes WHERE mailbox = $1;

-- name: insert-event
INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, how)
VALUES ($1, $2, $3, $4, $5);

-- name: list-subscribers
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE ($1::text = '' OR status = $1) AND email_key > $2
ORDER BY email_key
LIMIT $3;

-- name: count-by-status
SELECT status, COUNT(*) FROM subscribers GROUP BY status;

-- name: active-subscribers
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE status = 'active' AND id > $1
ORDER BY id
LIMIT $2;

-- The sign-up service's statements, ported from store/sqlite/queries/signup.sql.

-- name: get-subscriber-by-id
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE id = $1;

-- A subscriber and their sign-up row in one read, as on SQLite.

-- name: signup-by-handle
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated, s.link_handle, s.link_secret,
       g.requested, COALESCE(g.name, ''), COALESCE(g.topics, ''), COALESCE(g.request, ''), COALESCE(g.confirmed_request, ''),
       COALESCE(g.mail_sent, ''), COALESCE(g.mail_queued, '')
FROM subscribers s LEFT JOIN signups g ON g.subscriber_id = s.id
WHERE s.link_handle = $1;

-- name: signup-by-legacy-id
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated, s.link_handle, s.link_secret,
       g.requested, COALESCE(g.name, ''), COALESCE(g.topics, ''), COALESCE(g.request, ''), COALESCE(g.confirmed_request, ''),
       COALESCE(g.mail_sent, ''), COALESCE(g.mail_queued, '')
FROM subscribers s LEFT JOIN signups g ON g.subscriber_id = s.id
WHERE s.id = $1 AND s.legacy_links = 1;

-- name: signup-by-id
-- FOR UPDATE OF s: a confirmation and an unsubscribe of one person on two
-- services take turns, so that the second sees what the first did.
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated, s.link_handle, s.link_secret,
       g.requested, COALESCE(g.name, ''), COALESCE(g.topics, ''), COALESCE(g.request, ''), COALESCE(g.confirmed_request, ''),
       COALESCE(g.mail_sent, ''), COALESCE(g.mail_queued, '')
FROM subscribers s LEFT JOIN signups g ON g.subscriber_id = s.id
WHERE s.id = $1
FOR UPDATE OF s;

-- name: signup-by-email
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated, s.link_handle, s.link_secret,
       g.requested, COALESCE(g.name, ''), COALESCE(g.topics, ''), COALESCE(g.request, ''), COALESCE(g.confirmed_request, ''),
       COALESCE(g.mail_sent, ''), COALESCE(g.mail_queued, '')
FROM subscribers s LEFT JOIN signups g ON g.subscriber_id = s.id
WHERE s.email_key = $1;

-- name: spend-form-token
-- No row back: the token was spent already, here or on another service.
INSERT INTO form_tokens_used (token_hash, expires) VALUES ($1, $2)
ON CONFLICT (token_hash) DO NOTHING
RETURNING token_hash;

-- name: insert-inbox
INSERT INTO signup_inbox (received, email, email_key, name, topics) VALUES ($1, $2, $3, $4, $5);

-- name: lock-inbox
-- One service at a time applies the inbox (see ProcessSignups).
SELECT pg_advisory_xact_lock(7262957439);

-- name: read-inbox
SELECT id, received, email, name, topics FROM signup_inbox ORDER BY id LIMIT $1;

-- name: delete-inbox
DELETE FROM signup_inbox WHERE id = $1;

-- name: mailbox-mails
SELECT COUNT(*), COALESCE(MAX(queued), '') FROM confirmation_mailboxes WHERE mailbox = $1 AND queued > $2;

-- name: log-mailbox-mail
INSERT INTO confirmation_mailboxes (mailbox, queued) VALUES ($1, $2);

-- name: open-request
INSERT INTO signups (subscriber_id, requested, name, topics, request, mail_state, mail_queued, mail_due,
                     mail_attempts, mail_error, mail_sent, mail_claimed)
VALUES ($1, $2, $3, $4, $5, 'queued', $2, $2, 0, '', NULL, NULL)
ON CONFLICT (subscriber_id) DO UPDATE
SET requested = excluded.requested, name = excluded.name, topics = excluded.topics, request = excluded.request,
    mail_state = 'queued', mail_queued = excluded.mail_queued, mail_due = excluded.mail_due,
    mail_attempts = 0, mail_error = '', mail_sent = NULL, mail_claimed = NULL;

-- name: confirm-request
UPDATE signups
SET requested = NULL, name = '', topics = '', confirmed_request = request, request = NULL,
    mail_state = CASE WHEN mail_state = 'queued' THEN 'none' ELSE mail_state END
WHERE subscriber_id = $1;

-- name: close-signup
UPDATE signups
SET requested = NULL, name = '', topics = '', request = NULL, confirmed_request = NULL,
    mail_state = CASE WHEN mail_state = 'queued' THEN 'none' ELSE mail_state END
WHERE subscriber_id = $1;

-- name: lock-confirmations
-- Claims with the hourly cap take turns, so that the count and the claim
-- are one step for every service on the database.
SELECT pg_advisory_xact_lock(7262957440);

-- name: claimed-confirmations
-- The hourly cap's count: mails sent after $1, and mails claimed by a
-- service and not yet settled, whose lease runs past now ($2).
SELECT (SELECT COUNT(*) FROM confirmation_sends WHERE sent > $1),
       (SELECT COUNT(*) FROM signups WHERE mail_state = 'queued' AND mail_claimed IS NOT NULL AND mail_due > $2);

-- name: due-confirmations
-- Claims the due mails: SKIP LOCKED keeps two services from taking the
-- same ones, and moving mail_due to the lease's end ($3) keeps them from
-- taking them after this commit.
WITH due AS (
    SELECT subscriber_id, mail_due FROM signups
    WHERE mail_state = 'queued' AND mail_due <= $1
    ORDER BY mail_due, subscriber_id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE signups g SET mail_due = $3, mail_claimed = $1
FROM due, subscribers s
WHERE g.subscriber_id = due.subscriber_id AND s.id = g.subscriber_id
RETURNING g.subscriber_id, s.email, s.link_handle, s.link_secret, COALESCE(g.request, ''), g.mail_attempts, due.mail_due;

-- name: next-confirmation-due
SELECT MIN(mail_due) FROM signups WHERE mail_state = 'queued';

-- name: confirmations-sent
SELECT COUNT(*), COALESCE(MIN(sent), '') FROM confirmation_sends WHERE sent > $1;

-- name: log-confirmation-send
INSERT INTO confirmation_sends (sent) VALUES ($1);

-- name: confirmation-sent
UPDATE signups SET mail_state = 'sent', mail_error = '', mail_sent = $1, mail_claimed = NULL
WHERE subscriber_id = $2 AND mail_state = 'queued' AND request = $3;

-- name: confirmation-retry
UPDATE signups SET mail_attempts = mail_attempts + 1, mail_due = $1, mail_error = $2, mail_claimed = NULL
WHERE subscriber_id = $3 AND mail_state = 'queued' AND request = $4;

-- name: confirmation-failed
UPDATE signups SET mail_state = 'failed', mail_attempts = mail_attempts + 1, mail_error = $1, mail_claimed = NULL
WHERE subscriber_id = $2 AND mail_state = 'queued' AND request = $3;

-- name: confirmation-untried
UPDATE signups SET mail_due = $1, mail_claimed = NULL
WHERE subscriber_id = $2 AND mail_state = 'queued' AND request = $3;

-- name: log-unconfirmed
INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, how)
SELECT s.id, $1, s.status, 'removed', 'listen:unconfirmed'
FROM subscribers s JOIN signups g ON g.subscriber_id = s.id
WHERE s.status = 'pending' AND s.consent_how = 'form' AND g.requested < $2
  AND g.mail_state <> 'queued' AND COALESCE(g.mail_sent, g.requested) < $2;

-- name: delete-unconfirmed
DELETE FROM subscribers
WHERE status = 'pending' AND consent_how = 'form'
  AND id IN (SELECT subscriber_id FROM signups
             WHERE requested < $1 AND mail_state <> 'queued' AND COALESCE(mail_sent, requested) < $1);

-- name: close-unconfirmed
UPDATE signups
SET requested = NULL, name = '', topics = '', request = NULL
WHERE requested < $1 AND mail_state <> 'queued' AND COALESCE(mail_sent, requested) < $1;

-- name: prune-mailboxes
DELETE FROM confirmation_mailboxes WHERE queued < $1;

-- name: prune-sends
DELETE FROM confirmation_sends WHERE sent < $1;

-- name: prune-form-tokens
DELETE FROM form_tokens_used WHERE expires < $1;

-- name: take-token
INSERT INTO rate_limits (key, tat) VALUES ($1, $2::bigint + $3::bigint)
ON CONFLICT (key) DO UPDATE SET tat = GREATEST(rate_limits.tat, $2::bigint) + $3::bigint
WHERE GREATEST(rate_limits.tat, $2::bigint) + $3::bigint - $2::bigint <= $4::bigint
RETURNING tat;

-- name: token-tat
SELECT tat FROM rate_limits WHERE key = $1;

-- name: forget-full-buckets
DELETE FROM rate_limits WHERE key LIKE 'net:%' AND tat < $1;

-- name: savepoint
SAVEPOINT signup_op;

-- name: rollback-to-savepoint
ROLLBACK TO SAVEPOINT signup_op;

-- name: release-savepoint
RELEASE SAVEPOINT signup_op;

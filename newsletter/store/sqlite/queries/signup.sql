-- The sign-up service's statements (agora listen): the inbox of requests
-- from the form and the limits applied to it, confirmations, preferences
-- and unsubscribes by the handle in a signed link, and the queue of
-- confirmation mails. See migrations/0003_signup.sql, 0004 and 0006.

-- name: get-subscriber-by-id
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret
FROM subscribers
WHERE id = ?;

-- A subscriber and their sign-up row in one read: every link the service
-- is shown costs one, so they are joined.

-- name: signup-by-handle
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated, s.link_handle, s.link_secret,
       g.requested, COALESCE(g.name, ''), COALESCE(g.topics, ''), COALESCE(g.request, ''), COALESCE(g.confirmed_request, ''),
       COALESCE(g.mail_sent, ''), COALESCE(g.mail_queued, '')
FROM subscribers s LEFT JOIN signups g ON g.subscriber_id = s.id
WHERE s.link_handle = ?;

-- name: signup-by-legacy-id
-- A link in the format before 0004 names an ID: honoured only for a row
-- that is provably the first to hold it (see 0004's legacy_links).
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated, s.link_handle, s.link_secret,
       g.requested, COALESCE(g.name, ''), COALESCE(g.topics, ''), COALESCE(g.request, ''), COALESCE(g.confirmed_request, ''),
       COALESCE(g.mail_sent, ''), COALESCE(g.mail_queued, '')
FROM subscribers s LEFT JOIN signups g ON g.subscriber_id = s.id
WHERE s.id = ? AND s.legacy_links = 1;

-- name: signup-by-id
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated, s.link_handle, s.link_secret,
       g.requested, COALESCE(g.name, ''), COALESCE(g.topics, ''), COALESCE(g.request, ''), COALESCE(g.confirmed_request, ''),
       COALESCE(g.mail_sent, ''), COALESCE(g.mail_queued, '')
FROM subscribers s LEFT JOIN signups g ON g.subscriber_id = s.id
WHERE s.id = ?;

-- name: signup-by-email
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated, s.link_handle, s.link_secret,
       g.requested, COALESCE(g.name, ''), COALESCE(g.topics, ''), COALESCE(g.request, ''), COALESCE(g.confirmed_request, ''),
       COALESCE(g.mail_sent, ''), COALESCE(g.mail_queued, '')
FROM subscribers s LEFT JOIN signups g ON g.subscriber_id = s.id
WHERE s.email_key = ?;

-- name: spend-form-token
-- No row back: the token was spent already.
INSERT INTO form_tokens_used (token_hash, expires) VALUES (?, ?)
ON CONFLICT (token_hash) DO NOTHING
RETURNING token_hash;

-- name: insert-inbox
INSERT INTO signup_inbox (received, email, email_key, name, topics) VALUES (?, ?, ?, ?, ?);

-- name: read-inbox
SELECT id, received, email, name, topics FROM signup_inbox ORDER BY id LIMIT ?;

-- name: delete-inbox
DELETE FROM signup_inbox WHERE id = ?;

-- name: mailbox-mails
-- The confirmation mails queued to a mailbox since ?2, and the last one.
SELECT COUNT(*), COALESCE(MAX(queued), '') FROM confirmation_mailboxes WHERE mailbox = ?1 AND queued > ?2;

-- name: log-mailbox-mail
INSERT INTO confirmation_mailboxes (mailbox, queued) VALUES (?, ?);

-- name: open-request
-- A request replaces an earlier one, whose link stops working, and queues
-- its mail; the mail columns start afresh.
INSERT INTO signups (subscriber_id, requested, name, topics, request, mail_state, mail_queued, mail_due,
                     mail_attempts, mail_error, mail_sent)
VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?2, ?2, 0, '', NULL)
ON CONFLICT (subscriber_id) DO UPDATE
SET requested = excluded.requested, name = excluded.name, topics = excluded.topics, request = excluded.request,
    mail_state = 'queued', mail_queued = excluded.mail_queued, mail_due = excluded.mail_due,
    mail_attempts = 0, mail_error = '', mail_sent = NULL, mail_claimed = NULL;

-- name: confirm-request
-- The request is closed and remembered as confirmed, so that its link's
-- page says so.
UPDATE signups
SET requested = NULL, name = '', topics = '', confirmed_request = request, request = NULL,
    mail_state = CASE WHEN mail_state = 'queued' THEN 'none' ELSE mail_state END
WHERE subscriber_id = ?;

-- name: close-signup
-- After an unsubscribe: no open request, and an unsent confirmation is
-- not sent. mail_queued stays: it is the per-address limit of databases
-- from before 0004.
UPDATE signups
SET requested = NULL, name = '', topics = '', request = NULL, confirmed_request = NULL,
    mail_state = CASE WHEN mail_state = 'queued' THEN 'none' ELSE mail_state END
WHERE subscriber_id = ?;

-- name: due-confirmations
SELECT g.subscriber_id, s.email, s.link_handle, s.link_secret, COALESCE(g.request, ''), g.mail_attempts
FROM signups g JOIN subscribers s ON s.id = g.subscriber_id
WHERE g.mail_state = 'queued' AND g.mail_due <= ?
ORDER BY g.mail_due, g.subscriber_id
LIMIT ?;

-- name: hold-confirmations
-- The claim of due-confirmations' rows (?3, a JSON array of IDs): not due
-- again until the lease (?1) ends, so another service leaves them.
UPDATE signups SET mail_due = ?1, mail_claimed = ?2
WHERE mail_state = 'queued' AND subscriber_id IN (SELECT j.value FROM json_each(?3) AS j);

-- name: claimed-confirmations
-- The hourly cap's count: mails sent after ?1, and mails claimed by a
-- service and not yet settled, whose lease runs past now (?2).
SELECT (SELECT COUNT(*) FROM confirmation_sends WHERE sent > ?1),
       (SELECT COUNT(*) FROM signups WHERE mail_state = 'queued' AND mail_claimed IS NOT NULL AND mail_due > ?2);

-- name: confirmation-untried
-- A claimed mail that was not tried (the relay was down): due at once.
UPDATE signups SET mail_due = ?1, mail_claimed = NULL
WHERE subscriber_id = ?2 AND mail_state = 'queued' AND request = ?3;

-- name: next-confirmation-due
SELECT MIN(mail_due) FROM signups WHERE mail_state = 'queued';

-- name: confirmations-sent
-- Those after ?: one sent exactly an hour ago is out of the last hour.
SELECT COUNT(*), COALESCE(MIN(sent), '') FROM confirmation_sends WHERE sent > ?;

-- name: log-confirmation-send
INSERT INTO confirmation_sends (sent) VALUES (?);

-- name: confirmation-sent
-- Only for the request the mail was made for: a later request queued
-- meanwhile still needs its own.
UPDATE signups SET mail_state = 'sent', mail_error = '', mail_sent = ?1, mail_claimed = NULL
WHERE subscriber_id = ?2 AND mail_state = 'queued' AND request = ?3;

-- name: confirmation-retry
UPDATE signups SET mail_attempts = mail_attempts + 1, mail_due = ?, mail_error = ?, mail_claimed = NULL
WHERE subscriber_id = ? AND mail_state = 'queued' AND request = ?;

-- name: confirmation-failed
UPDATE signups SET mail_state = 'failed', mail_attempts = mail_attempts + 1, mail_error = ?, mail_claimed = NULL
WHERE subscriber_id = ? AND mail_state = 'queued' AND request = ?;

-- name: log-unconfirmed
-- The erasure's events come first and lose their subscriber_id with the
-- delete, as Remove's do. Only rows the form created (consent 'form') and
-- never confirmed: a pending subscriber the operator added is theirs. A
-- request's time runs from its mail; one still queued is kept.
INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, how)
SELECT s.id, ?1, s.status, 'removed', 'listen:unconfirmed'
FROM subscribers s JOIN signups g ON g.subscriber_id = s.id
WHERE s.status = 'pending' AND s.consent_how = 'form' AND g.requested < ?2
  AND g.mail_state <> 'queued' AND COALESCE(g.mail_sent, g.requested) < ?2;

-- name: delete-unconfirmed
DELETE FROM subscribers
WHERE status = 'pending' AND consent_how = 'form'
  AND id IN (SELECT subscriber_id FROM signups
             WHERE requested < ?1 AND mail_state <> 'queued' AND COALESCE(mail_sent, requested) < ?1);

-- name: close-unconfirmed
-- Requests of other subscribers that nobody confirmed in time: what the
-- visitor typed is not kept.
UPDATE signups
SET requested = NULL, name = '', topics = '', request = NULL
WHERE requested < ?1 AND mail_state <> 'queued' AND COALESCE(mail_sent, requested) < ?1;

-- name: prune-mailboxes
DELETE FROM confirmation_mailboxes WHERE queued < ?;

-- name: prune-sends
DELETE FROM confirmation_sends WHERE sent < ?;

-- name: prune-form-tokens
DELETE FROM form_tokens_used WHERE expires < ?;

-- name: take-token
-- GCRA on a client network's bucket (see 0006): ?2 now, ?3 the time per
-- token, ?4 the burst's length (burst × ?3), all in microseconds. No row
-- comes back when the bucket is empty.
INSERT INTO rate_limits (key, tat) VALUES (?1, ?2 + ?3)
ON CONFLICT (key) DO UPDATE SET tat = MAX(rate_limits.tat, ?2) + ?3
WHERE MAX(rate_limits.tat, ?2) + ?3 - ?2 <= ?4
RETURNING tat;

-- name: token-tat
SELECT tat FROM rate_limits WHERE key = ?;

-- name: forget-full-buckets
-- A bucket whose theoretical arrival time has passed is full again: as
-- if never seen.
DELETE FROM rate_limits WHERE key LIKE 'net:%' AND tat < ?;

-- ApplySignups wraps each request of a group commit in a savepoint, so
-- that one that fails is undone alone and the others are still committed.

-- name: savepoint
SAVEPOINT signup_op;

-- name: rollback-to-savepoint
ROLLBACK TO signup_op;

-- name: release-savepoint
RELEASE signup_op;

-- The sign-up service's statements (agora listen): requests from the form,
-- confirmations, preferences and unsubscribes by the ID in a signed link,
-- and the queue of confirmation mails. See migrations/0003_signup.sql.

-- name: get-subscriber-by-id
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated
FROM subscribers
WHERE id = ?;

-- name: get-signup
SELECT requested, name, topics FROM signups WHERE subscriber_id = ?;

-- name: upsert-signup
-- A later request replaces an earlier one's details and restarts its
-- confirmation window; the mail columns are left to queue-confirmation.
INSERT INTO signups (subscriber_id, requested, name, topics)
VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (subscriber_id) DO UPDATE
SET requested = excluded.requested, name = excluded.name, topics = excluded.topics;

-- name: queue-confirmation
-- Queues a mail only if none is waiting and none was queued since ?3 (now
-- minus the per-address interval): the caller reads the row count.
UPDATE signups
SET mail_state = 'queued', mail_queued = ?1, mail_due = ?1, mail_attempts = 0, mail_error = ''
WHERE subscriber_id = ?2
  AND mail_state != 'queued'
  AND (mail_queued IS NULL OR mail_queued <= ?3);

-- name: close-signup
-- After a confirmation or an unsubscribe: no open request, and an unsent
-- confirmation is not sent. mail_queued stays, for the per-address limit.
UPDATE signups
SET requested = NULL, name = '', topics = '',
    mail_state = CASE WHEN mail_state = 'queued' THEN 'none' ELSE mail_state END
WHERE subscriber_id = ?;

-- name: due-confirmations
SELECT g.subscriber_id, s.email, g.mail_attempts
FROM signups g JOIN subscribers s ON s.id = g.subscriber_id
WHERE g.mail_state = 'queued' AND g.mail_due <= ?
ORDER BY g.mail_due, g.subscriber_id
LIMIT ?;

-- name: hold-confirmations
-- The claim of due-confirmations' rows (?2, a JSON array of IDs): not
-- due again until the lease (?1) ends, so another service leaves them.
UPDATE signups SET mail_due = ?1
WHERE mail_state = 'queued' AND subscriber_id IN (SELECT j.value FROM json_each(?2) AS j);

-- name: next-confirmation-due
SELECT MIN(mail_due) FROM signups WHERE mail_state = 'queued';

-- name: confirmation-sent
UPDATE signups SET mail_state = 'sent', mail_error = ''
WHERE subscriber_id = ? AND mail_state = 'queued';

-- name: confirmation-retry
UPDATE signups SET mail_attempts = mail_attempts + 1, mail_due = ?, mail_error = ?
WHERE subscriber_id = ? AND mail_state = 'queued';

-- name: confirmation-failed
UPDATE signups SET mail_state = 'failed', mail_attempts = mail_attempts + 1, mail_error = ?
WHERE subscriber_id = ? AND mail_state = 'queued';

-- name: log-unconfirmed
-- The erasure's events come first and lose their subscriber_id with the
-- delete, as Remove's do. Only rows the form created (consent 'form') and
-- never confirmed: a pending subscriber the operator added is theirs.
INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, how)
SELECT s.id, ?1, s.status, 'removed', 'listen:unconfirmed'
FROM subscribers s JOIN signups g ON g.subscriber_id = s.id
WHERE s.status = 'pending' AND s.consent_how = 'form' AND g.requested < ?2;

-- name: delete-unconfirmed
DELETE FROM subscribers
WHERE status = 'pending' AND consent_how = 'form'
  AND id IN (SELECT subscriber_id FROM signups WHERE requested < ?);

-- name: take-token
-- GCRA on a client network's bucket (see 0004): ?2 now, ?3 the time per
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

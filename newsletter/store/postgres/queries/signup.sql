-- The sign-up service's statements, ported from store/sqlite/queries/signup.sql.

-- name: get-subscriber-by-id
SELECT id, email, name, topics, status, consent_at, consent_how, created, updated
FROM subscribers
WHERE id = $1;

-- name: get-signup
SELECT requested, name, topics FROM signups WHERE subscriber_id = $1;

-- name: upsert-signup
INSERT INTO signups (subscriber_id, requested, name, topics)
VALUES ($1, $2, $3, $4)
ON CONFLICT (subscriber_id) DO UPDATE
SET requested = excluded.requested, name = excluded.name, topics = excluded.topics;

-- name: queue-confirmation
-- Two services queueing for one address at once: the row lock makes the
-- second wait, and it then sees the first's mail_state and queues nothing.
UPDATE signups
SET mail_state = 'queued', mail_queued = $1, mail_due = $1, mail_attempts = 0, mail_error = ''
WHERE subscriber_id = $2
  AND mail_state != 'queued'
  AND (mail_queued IS NULL OR mail_queued <= $3);

-- name: close-signup
UPDATE signups
SET requested = NULL, name = '', topics = '',
    mail_state = CASE WHEN mail_state = 'queued' THEN 'none' ELSE mail_state END
WHERE subscriber_id = $1;

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
UPDATE signups g SET mail_due = $3
FROM due, subscribers s
WHERE g.subscriber_id = due.subscriber_id AND s.id = g.subscriber_id
RETURNING g.subscriber_id, s.email, g.mail_attempts, due.mail_due;

-- name: next-confirmation-due
SELECT MIN(mail_due) FROM signups WHERE mail_state = 'queued';

-- name: confirmation-sent
UPDATE signups SET mail_state = 'sent', mail_error = ''
WHERE subscriber_id = $1 AND mail_state = 'queued';

-- name: confirmation-retry
UPDATE signups SET mail_attempts = mail_attempts + 1, mail_due = $1, mail_error = $2
WHERE subscriber_id = $3 AND mail_state = 'queued';

-- name: confirmation-failed
UPDATE signups SET mail_state = 'failed', mail_attempts = mail_attempts + 1, mail_error = $1
WHERE subscriber_id = $2 AND mail_state = 'queued';

-- name: log-unconfirmed
INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, how)
SELECT s.id, $1, s.status, 'removed', 'listen:unconfirmed'
FROM subscribers s JOIN signups g ON g.subscriber_id = s.id
WHERE s.status = 'pending' AND s.consent_how = 'form' AND g.requested < $2;

-- name: delete-unconfirmed
DELETE FROM subscribers
WHERE status = 'pending' AND consent_how = 'form'
  AND id IN (SELECT subscriber_id FROM signups WHERE requested < $1);

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

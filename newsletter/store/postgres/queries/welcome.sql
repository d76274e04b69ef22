-- The welcome series' journal, ported from store/sqlite/queries/welcome.sql.

-- name: welcome-due
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated,
       s.link_handle, s.link_secret,
       COALESCE(w.state, ''), COALESCE(w.attempts, 0)
FROM subscribers s
LEFT JOIN welcome_deliveries w ON w.step = $1 AND w.subscriber_id = s.id
WHERE s.status = 'active' AND s.consent_at > $2 AND s.consent_at <= $3 AND s.id > $4
  AND (w.state IS NULL OR w.state IN ('queued', 'sending'))
ORDER BY s.id
LIMIT $5;

-- name: claim-welcome
-- A page of claims in one statement: the arrays hold one element per
-- claim ($1 steps, $2 subscriber IDs, $3 Message-IDs), $5 the sender
-- (NULL for none), $6 exclusive, $7 now minus the lease. Two senders
-- claiming one row at once: the second waits for the first's commit, then
-- sees its row held by a live sender and leaves it. The claimed rows come
-- back.
INSERT INTO welcome_deliveries (step, subscriber_id, state, message_id, created, updated, sender_id)
SELECT c.step, s.id, 'sending', c.message_id, $4, $4, $5
FROM unnest($1::text[], $2::bigint[], $3::text[]) AS c(step, subscriber_id, message_id)
JOIN subscribers s ON s.id = c.subscriber_id AND s.status = 'active'
ORDER BY s.id
ON CONFLICT (step, subscriber_id) DO UPDATE
SET state = 'sending', message_id = excluded.message_id, updated = excluded.updated, sender_id = excluded.sender_id
WHERE welcome_deliveries.state = 'queued'
   OR welcome_deliveries.state = 'sending'
      AND ($6 OR NOT EXISTS (SELECT 1 FROM senders w
                             WHERE w.id = welcome_deliveries.sender_id AND w.heartbeat >= $7))
RETURNING step, subscriber_id;

-- name: record-welcome
UPDATE welcome_deliveries
SET state = $1, attempts = attempts + $2, failure = $3, last_error = $4, updated = $5,
    sent_at = CASE WHEN $1 = 'sent' THEN $5 ELSE sent_at END
WHERE step = $6 AND subscriber_id = $7 AND state <> 'sent'
  AND ($1 = 'sent' OR $8 = 0 OR sender_id = $8);

-- name: welcome-rows
SELECT w.step, w.state, w.failure, COALESCE(w.sent_at, ''),
       COALESCE((SELECT MIN(e.at) FROM subscriber_events e
                 WHERE e.subscriber_id = w.subscriber_id AND e.to_status = 'unsubscribed'
                   AND e.from_status IS NOT NULL AND e.at >= w.sent_at), '')
FROM welcome_deliveries w
ORDER BY w.step;

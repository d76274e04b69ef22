-- The welcome series' journal (migrations/0005_welcome.sql, 0006). See
-- store.Welcome for what each statement is for.

-- name: welcome-due
-- ?1 step, ?2 the step's date (consent must be after it), ?3 the latest
-- consent for which the step is due now (now minus the step's delay), ?4
-- the cursor, ?5 the page size. Rows at 'sending' are included: their run
-- died, and they go again with the same Message-ID.
SELECT s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated,
       s.link_handle, s.link_secret,
       COALESCE(w.state, ''), COALESCE(w.attempts, 0)
FROM subscribers s
LEFT JOIN welcome_deliveries w ON w.step = ?1 AND w.subscriber_id = s.id
WHERE s.status = 'active' AND s.consent_at > ?2 AND s.consent_at <= ?3 AND s.id > ?4
  AND (w.state IS NULL OR w.state IN ('queued', 'sending'))
ORDER BY s.id
LIMIT ?5;

-- name: claim-welcome
-- Claims the row for a subscriber who is still active, for sender ?5
-- (NULL for none), unless it is finished (sent or failed) or another
-- sender holds it: one whose registration is there with a heartbeat at
-- or after ?7 (now minus the lease). With ?6 (the caller holds the
-- welcome lock) every row at sending is a dead run's. The caller reads
-- the row count.
INSERT INTO welcome_deliveries (step, subscriber_id, state, message_id, created, updated, sender_id)
SELECT ?1, s.id, 'sending', ?3, ?4, ?4, ?5 FROM subscribers s WHERE s.id = ?2 AND s.status = 'active'
ON CONFLICT (step, subscriber_id) DO UPDATE
SET state = 'sending', message_id = excluded.message_id, updated = excluded.updated, sender_id = excluded.sender_id
WHERE welcome_deliveries.state = 'queued'
   OR welcome_deliveries.state = 'sending'
      AND (?6 OR NOT EXISTS (SELECT 1 FROM senders w
                             WHERE w.id = welcome_deliveries.sender_id AND w.heartbeat >= ?7));

-- name: record-welcome
-- A row that is sent never moves again; nor does one that sender ?8 (0
-- for any) no longer holds, except to sent.
UPDATE welcome_deliveries
SET state = ?1, attempts = attempts + ?2, failure = ?3, last_error = ?4, updated = ?5,
    sent_at = CASE WHEN ?1 = 'sent' THEN ?5 ELSE sent_at END
WHERE step = ?6 AND subscriber_id = ?7 AND state <> 'sent'
  AND (?1 = 'sent' OR ?8 = 0 OR sender_id = ?8);

-- name: welcome-rows
-- Every row with the first unsubscribe of its subscriber at or after the
-- message, for the report; the window is counted by the caller.
SELECT w.step, w.state, w.failure, COALESCE(w.sent_at, ''),
       COALESCE((SELECT MIN(e.at) FROM subscriber_events e
                 WHERE e.subscriber_id = w.subscriber_id AND e.to_status = 'unsubscribed'
                   AND e.from_status IS NOT NULL AND e.at >= w.sent_at), '')
FROM welcome_deliveries w
ORDER BY w.step;

-- name: scrub-welcome
-- An erasure: the server's text may quote the address.
UPDATE welcome_deliveries SET last_error = '' WHERE subscriber_id = ?;

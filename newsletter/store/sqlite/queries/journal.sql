-- The send journal and the issues (agora send, agora report). See
-- store.Journal for what each statement is for.

-- name: open-issue
SELECT id, number, created, COALESCE(since, ''), cutoff, COALESCE(sent_at, ''), status, subject, archive_path
FROM issues
WHERE status = 'sending';

-- name: last-issue
SELECT id, number, created, COALESCE(since, ''), cutoff, COALESCE(sent_at, ''), status, subject, archive_path
FROM issues
ORDER BY number DESC
LIMIT 1;

-- name: item-sent
SELECT EXISTS (SELECT 1 FROM issue_items WHERE item_id = ?);

-- name: insert-issue
INSERT INTO issues (number, created, since, cutoff, status, subject, archive_path)
VALUES ((SELECT COALESCE(MAX(number), 0) + 1 FROM issues), ?, ?, ?, 'sending', ?, '')
RETURNING id, number;

-- name: set-issue-archive
UPDATE issues SET archive_path = ? WHERE id = ?;

-- name: insert-item
INSERT INTO issue_items (issue_id, position, item_id, section, title, url, summary_html, summary_text, tags, published)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: issue-items
SELECT item_id, section, title, url, summary_html, summary_text, tags, published
FROM issue_items
WHERE issue_id = ?
ORDER BY position;

-- name: queue-deliveries
-- A page of recipients in one statement: ?3 is a JSON array of their IDs.
INSERT INTO deliveries (issue_id, subscriber_id, state, updated)
SELECT ?1, j.value, 'queued', ?2 FROM json_each(?3) AS j;

-- name: pending-deliveries
-- Joined with the subscriber as they are now: someone who unsubscribed
-- after the issue was created must not be mailed.
SELECT d.state, d.attempts, d.message_id,
       s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated,
       s.link_handle, s.link_secret
FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
WHERE d.issue_id = ? AND d.state IN ('queued', 'sending') AND d.subscriber_id > ?
ORDER BY d.subscriber_id
LIMIT ?;

-- name: count-pending
-- What Pending yields, counted: the rows queued or in flight whose
-- subscriber still exists.
SELECT COUNT(*) FROM deliveries
WHERE issue_id = ? AND state IN ('queued', 'sending') AND subscriber_id IS NOT NULL;

-- name: skip-orphans
UPDATE deliveries
SET state = 'failed', failure = 'skipped', last_error = 'erased before it was sent', updated = ?
WHERE issue_id = ? AND subscriber_id IS NULL AND state IN ('queued', 'sending');

-- name: update-delivery
-- A row that is sent already never moves again: a stale update from a
-- run that was stopped cannot undo it. Nor does a sender (?9) whose
-- lease lapsed move a row that another took over, except to sent.
UPDATE deliveries
SET state = ?1, message_id = CASE WHEN ?2 = '' THEN message_id ELSE ?2 END,
    attempts = attempts + ?3, failure = ?4, last_error = ?5, updated = ?6
WHERE issue_id = ?7 AND subscriber_id = ?8 AND state <> 'sent'
  AND (?1 = 'sent' OR ?9 = 0 OR sender_id = ?9);

-- name: hard-bounces
SELECT COUNT(*) FROM deliveries
WHERE subscriber_id = ?1 AND state = 'failed' AND failure = 'bounce'
  AND id > COALESCE((SELECT MAX(id) FROM deliveries WHERE subscriber_id = ?1 AND state = 'sent'), 0);

-- name: finish-issue
UPDATE issues SET status = 'sent', sent_at = ?2
WHERE id = ?1 AND status = 'sending'
  AND NOT EXISTS (SELECT 1 FROM deliveries WHERE issue_id = ?1 AND state IN ('queued', 'sending'));

-- name: unsent-deliveries
SELECT COALESCE(s.email, ''), d.state, d.failure, d.last_error
FROM deliveries d LEFT JOIN subscribers s ON s.id = d.subscriber_id
WHERE d.issue_id = ? AND d.state <> 'sent'
ORDER BY d.state, s.email_key;

-- name: issue-stats
SELECT i.id, i.number, i.created, COALESCE(i.since, ''), i.cutoff, COALESCE(i.sent_at, ''), i.status, i.subject, i.archive_path,
       COUNT(d.id),
       COALESCE(SUM(d.state = 'sent'), 0),
       COALESCE(SUM(d.state = 'failed' AND d.failure <> 'skipped'), 0),
       COALESCE(SUM(d.state = 'failed' AND d.failure = 'skipped'), 0),
       COALESCE(SUM(d.state IN ('queued', 'sending')), 0),
       COALESCE(SUM(d.failure = 'bounce'), 0),
       (SELECT COUNT(*) FROM issue_items it WHERE it.issue_id = i.id),
       -- An unsubscribe is a change to unsubscribed from another status
       -- (see 0001): an import of someone already unsubscribed is not one.
       (SELECT COUNT(*) FROM subscriber_events e
        WHERE e.to_status = 'unsubscribed' AND e.from_status IS NOT NULL AND e.at >= i.created
          AND e.at < COALESCE((SELECT MIN(n.created) FROM issues n WHERE n.number > i.number), '9999'))
FROM issues i LEFT JOIN deliveries d ON d.issue_id = i.id
GROUP BY i.id
ORDER BY i.number;

-- name: all-events
SELECT at, COALESCE(from_status, ''), to_status, how
FROM subscriber_events
ORDER BY at, id;

-- Several senders (0004). See store.Journal's Claim.

-- name: register-sender
INSERT INTO senders (host, pid, started, heartbeat) VALUES (?1, ?2, ?3, ?3) RETURNING id;

-- name: forget-senders
-- The send lock's holder knows every other sender is dead.
DELETE FROM senders;

-- name: heartbeat
UPDATE senders SET heartbeat = ? WHERE id = ?;

-- name: retire-sender
DELETE FROM senders WHERE id = ?;

-- name: claim-stale
-- Rows at sending whose sender is gone or silent for longer than the
-- lease (?2), whatever the cursor.
SELECT d.subscriber_id FROM deliveries d
WHERE d.issue_id = ?1 AND d.state = 'sending' AND d.subscriber_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM senders w WHERE w.id = d.sender_id AND w.heartbeat >= ?2)
ORDER BY d.subscriber_id
LIMIT ?3;

-- name: claim-queued
SELECT subscriber_id FROM deliveries
WHERE issue_id = ?1 AND state = 'queued' AND subscriber_id > ?2
ORDER BY subscriber_id
LIMIT ?3;

-- name: take-deliveries
-- ?4 is a JSON array of subscriber IDs; the rows come back with their
-- subscribers as they are now.
UPDATE deliveries SET state = 'sending', sender_id = ?2, updated = ?3
WHERE issue_id = ?1 AND subscriber_id IN (SELECT j.value FROM json_each(?4) AS j);

-- name: claimed-deliveries
SELECT d.state, d.attempts, d.message_id,
       s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated,
       s.link_handle, s.link_secret
FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
WHERE d.issue_id = ?1 AND d.subscriber_id IN (SELECT j.value FROM json_each(?2) AS j)
ORDER BY d.subscriber_id;

-- name: reserve-slots
-- GCRA: the batch's slots start at the later of now (?1) and the end of
-- the slots taken before; ?2 is their length. Returns the new end.
INSERT INTO rate_limits (key, tat) VALUES ('send', ?1 + ?2)
ON CONFLICT (key) DO UPDATE SET tat = MAX(rate_limits.tat, ?1) + ?2
RETURNING tat;

-- name: in-flight
SELECT COUNT(*) FROM deliveries d JOIN senders w ON w.id = d.sender_id
WHERE d.issue_id = ?1 AND d.state = 'sending' AND d.sender_id <> ?2 AND w.heartbeat >= ?3;

-- The send journal and the issues, ported from store/sqlite/queries/journal.sql.

-- name: open-issue
SELECT id, number, created, COALESCE(since, ''), cutoff, COALESCE(sent_at, ''), status, subject, archive_path
FROM issues
WHERE status = 'sending';

-- name: last-issue
SELECT id, number, created, COALESCE(since, ''), cutoff, COALESCE(sent_at, ''), status, subject, archive_path
FROM issues
ORDER BY number DESC
LIMIT 1;

-- name: items-sent
SELECT DISTINCT item_id FROM issue_items WHERE item_id = ANY ($1::text[]);

-- name: lock-issues
-- Taken by CreateIssue until its commit: a second sender creating an
-- issue at the same moment waits here, then finds the first one's issue
-- open and joins it.
SELECT pg_advisory_xact_lock(7262957437);

-- name: insert-issue
INSERT INTO issues (number, created, since, cutoff, status, subject, archive_path)
VALUES ((SELECT COALESCE(MAX(number), 0) + 1 FROM issues), $1, $2, $3, 'sending', $4, '')
RETURNING id, number;

-- name: set-issue-archive
UPDATE issues SET archive_path = $1 WHERE id = $2;

-- name: insert-item
INSERT INTO issue_items (issue_id, position, item_id, section, title, url, summary_html, summary_text, tags, published)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: issue-items
SELECT item_id, section, title, url, summary_html, summary_text, tags, published
FROM issue_items
WHERE issue_id = $1
ORDER BY position;

-- name: queue-deliveries
INSERT INTO deliveries (issue_id, subscriber_id, state, updated)
SELECT $1, id, 'queued', $2 FROM unnest($3::bigint[]) AS u(id);

-- name: pending-deliveries
SELECT d.state, d.attempts, d.message_id,
       s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated,
       s.link_handle, s.link_secret
FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
WHERE d.issue_id = $1 AND d.state IN ('queued', 'sending') AND d.subscriber_id > $2
ORDER BY d.subscriber_id
LIMIT $3;

-- name: count-pending
SELECT COUNT(*) FROM deliveries
WHERE issue_id = $1 AND state IN ('queued', 'sending') AND subscriber_id IS NOT NULL;

-- name: skip-orphans
UPDATE deliveries
SET state = 'failed', failure = 'skipped', last_error = 'erased before it was sent', updated = $1
WHERE issue_id = $2 AND subscriber_id IS NULL AND state IN ('queued', 'sending');

-- name: update-deliveries
-- A group commit's updates in one statement, one array element each (no
-- row twice: the store splits such a group). A row that is sent already
-- never moves again; a sender whose lease lapsed moves a row another took
-- over only to sent.
UPDATE deliveries d
SET state = u.state, message_id = CASE WHEN u.message_id = '' THEN d.message_id ELSE u.message_id END,
    attempts = d.attempts + u.attempts, failure = u.failure, last_error = u.last_error, updated = $1
FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::bigint[])
     AS u(issue_id, subscriber_id, state, message_id, attempts, failure, last_error, sender)
WHERE d.issue_id = u.issue_id AND d.subscriber_id = u.subscriber_id AND d.state <> 'sent'
  AND (u.state = 'sent' OR u.sender = 0 OR d.sender_id = u.sender);

-- name: hard-bounces
SELECT COUNT(*) FROM deliveries
WHERE subscriber_id = $1 AND state = 'failed' AND failure = 'bounce'
  AND id > COALESCE((SELECT MAX(id) FROM deliveries WHERE subscriber_id = $1 AND state = 'sent'), 0);

-- name: finish-issue
UPDATE issues SET status = 'sent', sent_at = $2
WHERE id = $1 AND status = 'sending'
  AND NOT EXISTS (SELECT 1 FROM deliveries WHERE issue_id = $1 AND state IN ('queued', 'sending'));

-- name: unsent-deliveries
SELECT COALESCE(s.email, ''), d.state, d.failure, d.last_error
FROM deliveries d LEFT JOIN subscribers s ON s.id = d.subscriber_id
WHERE d.issue_id = $1 AND d.state <> 'sent'
ORDER BY d.state, s.email_key;

-- name: issue-stats
SELECT i.id, i.number, i.created, COALESCE(i.since, ''), i.cutoff, COALESCE(i.sent_at, ''), i.status, i.subject, i.archive_path,
       COUNT(d.id),
       COUNT(*) FILTER (WHERE d.state = 'sent'),
       COUNT(*) FILTER (WHERE d.state = 'failed' AND d.failure <> 'skipped'),
       COUNT(*) FILTER (WHERE d.state = 'failed' AND d.failure = 'skipped'),
       COUNT(*) FILTER (WHERE d.state IN ('queued', 'sending')),
       COUNT(*) FILTER (WHERE d.failure = 'bounce'),
       (SELECT COUNT(*) FROM issue_items it WHERE it.issue_id = i.id),
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
INSERT INTO senders (host, pid, started, heartbeat) VALUES ($1, $2, $3, $3) RETURNING id;

-- name: forget-senders
DELETE FROM senders;

-- name: heartbeat
UPDATE senders SET heartbeat = $1 WHERE id = $2;

-- name: retire-sender
DELETE FROM senders WHERE id = $1;

-- name: claim-deliveries
-- Rows left at sending by a sender gone or silent for longer than the
-- lease ($3), whatever the cursor, then queued rows above the cursor
-- ($2), locked with SKIP LOCKED so that senders claiming at the same
-- moment each get other rows, and moved to sending for sender $5 ($7:
-- queued rows only, no look for stale ones). The
-- subscribers come back as they are now, with the state each row had.
WITH stale AS (
    SELECT d.id, d.subscriber_id FROM deliveries d
    WHERE NOT $7::boolean AND d.issue_id = $1 AND d.state = 'sending' AND d.subscriber_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM senders w WHERE w.id = d.sender_id AND w.heartbeat >= $3)
    ORDER BY d.subscriber_id
    LIMIT $4
    FOR UPDATE OF d SKIP LOCKED
), queued AS (
    SELECT d.id, d.subscriber_id FROM deliveries d
    WHERE d.issue_id = $1 AND d.state = 'queued' AND d.subscriber_id > $2
    ORDER BY d.subscriber_id
    LIMIT $4
    FOR UPDATE OF d SKIP LOCKED
), picked AS (
    SELECT id FROM (SELECT * FROM stale UNION ALL SELECT * FROM queued) c
    ORDER BY (c.id IN (SELECT id FROM stale)) DESC, c.subscriber_id
    LIMIT $4
), before AS (
    SELECT d.id, d.state, d.attempts, d.message_id FROM deliveries d JOIN picked p ON p.id = d.id
)
UPDATE deliveries d SET state = 'sending', sender_id = $5, updated = $6
FROM before b, subscribers s
WHERE d.id = b.id AND s.id = d.subscriber_id
RETURNING b.state, b.attempts, b.message_id,
          s.id, s.email, s.name, s.topics, s.status, s.consent_at, s.consent_how, s.created, s.updated,
          s.link_handle, s.link_secret;

-- name: reserve-slots
INSERT INTO rate_limits (key, tat) VALUES ('send', $1::bigint + $2::bigint)
ON CONFLICT (key) DO UPDATE SET tat = GREATEST(rate_limits.tat, $1::bigint) + $2::bigint
RETURNING tat;

-- name: in-flight
SELECT COUNT(*) FROM deliveries d JOIN senders w ON w.id = d.sender_id
WHERE d.issue_id = $1 AND d.state = 'sending' AND d.sender_id <> $2 AND w.heartbeat >= $3;

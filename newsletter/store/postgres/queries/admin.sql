-- agora db: status and copy, ported from store/sqlite/queries/admin.sql.
-- A copy writes each table with COPY, naming the columns that read-TABLE
-- returns.

-- name: table-counts
SELECT (SELECT COUNT(*) FROM subscribers),
       (SELECT COUNT(*) FROM subscriber_events),
       (SELECT COUNT(*) FROM issues),
       (SELECT COUNT(*) FROM issue_items),
       (SELECT COUNT(*) FROM senders),
       (SELECT COUNT(*) FROM deliveries),
       (SELECT COUNT(*) FROM signups),
       (SELECT COUNT(*) FROM rate_limits);

-- name: deliveries-by-state
SELECT state, COUNT(*) FROM deliveries WHERE issue_id = $1 GROUP BY state;

-- name: list-senders
SELECT w.id, w.host, w.pid, w.started, w.heartbeat,
       (SELECT COUNT(*) FROM deliveries d
        WHERE d.issue_id = $1 AND d.state = 'sending' AND d.sender_id = w.id)
FROM senders w
ORDER BY w.id;

-- name: queued-confirmations
SELECT COUNT(*) FROM signups WHERE mail_state = 'queued';

-- name: schema-version
SELECT COALESCE(MAX(version), 0) FROM schema_migrations;

-- name: clear-tables
TRUNCATE subscribers, subscriber_events, issues, issue_items, senders, deliveries, signups, rate_limits;

-- name: reset-identities
-- After a copy: the next ID of each table follows the highest copied.
SELECT setval(pg_get_serial_sequence('subscribers', 'id'), GREATEST((SELECT MAX(id) FROM subscribers), 0) + 1, false),
       setval(pg_get_serial_sequence('subscriber_events', 'id'), GREATEST((SELECT MAX(id) FROM subscriber_events), 0) + 1, false),
       setval(pg_get_serial_sequence('issues', 'id'), GREATEST((SELECT MAX(id) FROM issues), 0) + 1, false),
       setval(pg_get_serial_sequence('senders', 'id'), GREATEST((SELECT MAX(id) FROM senders), 0) + 1, false),
       setval(pg_get_serial_sequence('deliveries', 'id'), GREATEST((SELECT MAX(id) FROM deliveries), 0) + 1, false);

-- name: read-subscribers
SELECT id, email, email_key, name, topics, status, consent_at, consent_how, created, updated
FROM subscribers
ORDER BY id;

-- name: read-subscriber_events
SELECT id, subscriber_id, at, from_status, to_status, how
FROM subscriber_events
ORDER BY id;

-- name: read-issues
SELECT id, number, created, cutoff, sent_at, status, since, subject, archive_path
FROM issues
ORDER BY id;

-- name: read-issue_items
SELECT issue_id, position, item_id, section, title, url, summary_html, summary_text, tags, published
FROM issue_items
ORDER BY issue_id, position;

-- name: read-senders
SELECT id, host, pid, started, heartbeat
FROM senders
ORDER BY id;

-- name: read-deliveries
SELECT id, issue_id, subscriber_id, state, attempts, last_error, message_id, updated, failure, sender_id
FROM deliveries
ORDER BY id;

-- name: read-signups
SELECT subscriber_id, requested, name, topics, mail_queued, mail_state, mail_due, mail_attempts, mail_error
FROM signups
ORDER BY subscriber_id;

-- name: read-rate_limits
SELECT key, tat
FROM rate_limits
ORDER BY key;

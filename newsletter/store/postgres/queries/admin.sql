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
       (SELECT COUNT(*) FROM signup_inbox),
       (SELECT COUNT(*) FROM form_tokens_used),
       (SELECT COUNT(*) FROM confirmation_mailboxes),
       (SELECT COUNT(*) FROM confirmation_sends),
       (SELECT COUNT(*) FROM welcome_deliveries),
       (SELECT COUNT(*) FROM rate_limits);

-- name: deliveries-by-state
SELECT state, COUNT(*) FROM deliveries WHERE issue_id = $1 GROUP BY state;

-- name: list-senders
SELECT w.id, w.host, w.pid, w.started, w.heartbeat,
       (SELECT COUNT(*) FROM deliveries d
        WHERE d.issue_id = $1 AND d.state = 'sending' AND d.sender_id = w.id)
       + (SELECT COUNT(*) FROM welcome_deliveries c WHERE c.state = 'sending' AND c.sender_id = w.id)
FROM senders w
ORDER BY w.id;

-- name: welcome-by-state
SELECT state, COUNT(*) FROM welcome_deliveries GROUP BY state;

-- name: subscriber-ids
-- The identity's counter: the highest ID it handed out (NULL before the
-- first), or a copied row's above it.
SELECT GREATEST(COALESCE(pg_sequence_last_value(pg_get_serial_sequence('subscribers', 'id')::regclass), 0),
                COALESCE((SELECT MAX(id) FROM subscribers), 0));

-- name: queued-confirmations
SELECT COUNT(*) FROM signups WHERE mail_state = 'queued';

-- name: schema-version
SELECT COALESCE(MAX(version), 0) FROM schema_migrations;

-- name: clear-tables
TRUNCATE subscribers, subscriber_events, issues, issue_items, senders, deliveries, signups, signup_inbox,
         form_tokens_used, confirmation_mailboxes, confirmation_sends, welcome_deliveries, rate_limits;

-- name: reset-identities
-- After a copy: the next ID of each table follows the highest copied; for
-- subscribers also the source's counter ($1) and this database's own, so
-- that no subscriber ID is ever handed out twice.
SELECT setval(pg_get_serial_sequence('subscribers', 'id'),
              GREATEST((SELECT MAX(id) FROM subscribers), $1::bigint,
                       COALESCE(pg_sequence_last_value(pg_get_serial_sequence('subscribers', 'id')::regclass), 0), 0) + 1, false),
       setval(pg_get_serial_sequence('subscriber_events', 'id'), GREATEST((SELECT MAX(id) FROM subscriber_events), 0) + 1, false),
       setval(pg_get_serial_sequence('issues', 'id'), GREATEST((SELECT MAX(id) FROM issues), 0) + 1, false),
       setval(pg_get_serial_sequence('senders', 'id'), GREATEST((SELECT MAX(id) FROM senders), 0) + 1, false),
       setval(pg_get_serial_sequence('deliveries', 'id'), GREATEST((SELECT MAX(id) FROM deliveries), 0) + 1, false),
       setval(pg_get_serial_sequence('signup_inbox', 'id'), GREATEST((SELECT MAX(id) FROM signup_inbox), 0) + 1, false),
       setval(pg_get_serial_sequence('welcome_deliveries', 'id'), GREATEST((SELECT MAX(id) FROM welcome_deliveries), 0) + 1, false);

-- name: read-subscribers
SELECT id, email, email_key, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret, legacy_links
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
SELECT subscriber_id, requested, name, topics, mail_queued, mail_state, mail_due, mail_attempts, mail_error, request, confirmed_request, mail_sent, mail_claimed
FROM signups
ORDER BY subscriber_id;

-- name: read-signup_inbox
SELECT id, received, email, email_key, name, topics
FROM signup_inbox
ORDER BY id;

-- name: read-form_tokens_used
SELECT token_hash, expires
FROM form_tokens_used
ORDER BY token_hash;

-- name: read-confirmation_mailboxes
SELECT mailbox, queued
FROM confirmation_mailboxes
ORDER BY mailbox, queued;

-- name: read-confirmation_sends
SELECT sent
FROM confirmation_sends
ORDER BY sent;

-- name: read-welcome_deliveries
SELECT id, step, subscriber_id, state, failure, attempts, last_error, message_id, created, updated, sent_at, sender_id
FROM welcome_deliveries
ORDER BY id;

-- name: read-rate_limits
SELECT key, tat
FROM rate_limits
ORDER BY key;

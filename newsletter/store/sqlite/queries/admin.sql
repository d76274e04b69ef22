-- agora db: status and copy. A copy reads each table with its read-TABLE
-- query and writes it with copy-TABLE (PostgreSQL: COPY with the same
-- columns); a migration that adds a column adds it to both, and a test
-- checks that these name every column of the schema. TABLE is one of
-- store.CopyOrder.

-- name: table-counts
-- In store.CopyOrder's order.
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
SELECT state, COUNT(*) FROM deliveries WHERE issue_id = ? GROUP BY state;

-- name: list-senders
SELECT w.id, w.host, w.pid, w.started, w.heartbeat,
       (SELECT COUNT(*) FROM deliveries d
        WHERE d.issue_id = ?1 AND d.state = 'sending' AND d.sender_id = w.id)
       + (SELECT COUNT(*) FROM welcome_deliveries c WHERE c.state = 'sending' AND c.sender_id = w.id)
FROM senders w
ORDER BY w.id;

-- name: welcome-by-state
SELECT state, COUNT(*) FROM welcome_deliveries GROUP BY state;

-- name: subscriber-ids
-- AUTOINCREMENT's counter: the highest ID ever issued.
SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'subscribers'), 0);

-- name: seed-subscriber-ids
-- The counter's row is there once a subscriber was inserted.
INSERT INTO sqlite_sequence (name, seq)
SELECT 'subscribers', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'subscribers');

-- name: raise-subscriber-ids
-- After a copy: past the source's counter too.
UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'subscribers';

-- name: queued-confirmations
SELECT COUNT(*) FROM signups WHERE mail_state = 'queued';

-- name: schema-version
SELECT COALESCE(MAX(version), 0) FROM schema_migrations;

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

-- name: copy-subscribers
INSERT INTO subscribers (id, email, email_key, name, topics, status, consent_at, consent_how, created, updated, link_handle, link_secret, legacy_links)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: copy-subscriber_events
INSERT INTO subscriber_events (id, subscriber_id, at, from_status, to_status, how)
VALUES (?, ?, ?, ?, ?, ?);

-- name: copy-issues
INSERT INTO issues (id, number, created, cutoff, sent_at, status, since, subject, archive_path)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: copy-issue_items
INSERT INTO issue_items (issue_id, position, item_id, section, title, url, summary_html, summary_text, tags, published)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: copy-senders
INSERT INTO senders (id, host, pid, started, heartbeat)
VALUES (?, ?, ?, ?, ?);

-- name: copy-deliveries
INSERT INTO deliveries (id, issue_id, subscriber_id, state, attempts, last_error, message_id, updated, failure, sender_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: copy-signups
INSERT INTO signups (subscriber_id, requested, name, topics, mail_queued, mail_state, mail_due, mail_attempts, mail_error, request, confirmed_request, mail_sent, mail_claimed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: copy-signup_inbox
INSERT INTO signup_inbox (id, received, email, email_key, name, topics)
VALUES (?, ?, ?, ?, ?, ?);

-- name: copy-form_tokens_used
INSERT INTO form_tokens_used (token_hash, expires)
VALUES (?, ?);

-- name: copy-confirmation_mailboxes
INSERT INTO confirmation_mailboxes (mailbox, queued)
VALUES (?, ?);

-- name: copy-confirmation_sends
INSERT INTO confirmation_sends (sent)
VALUES (?);

-- name: copy-welcome_deliveries
INSERT INTO welcome_deliveries (id, step, subscriber_id, state, failure, attempts, last_error, message_id, created, updated, sent_at, sender_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: copy-rate_limits
INSERT INTO rate_limits (key, tat)
VALUES (?, ?);

-- name: clear-subscribers
DELETE FROM subscribers;

-- name: clear-subscriber_events
DELETE FROM subscriber_events;

-- name: clear-issues
DELETE FROM issues;

-- name: clear-issue_items
DELETE FROM issue_items;

-- name: clear-senders
DELETE FROM senders;

-- name: clear-deliveries
DELETE FROM deliveries;

-- name: clear-signups
DELETE FROM signups;

-- name: clear-signup_inbox
DELETE FROM signup_inbox;

-- name: clear-form_tokens_used
DELETE FROM form_tokens_used;

-- name: clear-confirmation_mailboxes
DELETE FROM confirmation_mailboxes;

-- name: clear-confirmation_sends
DELETE FROM confirmation_sends;

-- name: clear-welcome_deliveries
DELETE FROM welcome_deliveries;

-- name: clear-rate_limits
DELETE FROM rate_limits;

-- 0004 is taken by the sign-up hardening work (never-reused subscriber IDs,
-- per-subscriber token secrets) being written in parallel. This file only
-- keeps the versions without a gap on this branch so that 0005 applies:
-- the merge replaces it with that migration. It changes nothing.
SELECT 1;

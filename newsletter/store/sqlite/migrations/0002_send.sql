-- 0002: the send journal's additions (agora send). Filled in with the mail step.
SELECT 1;

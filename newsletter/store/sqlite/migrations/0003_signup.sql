-- 0003: the sign-up service's additions (agora listen). Filled in with agora listen.
SELECT 1;

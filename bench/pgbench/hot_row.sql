-- The database floor for a hot row: one client-side statement per
-- transaction, every client on the same row (see bench/stack.py).
UPDATE bench_hot_row SET q = q - 1 WHERE id = 1;

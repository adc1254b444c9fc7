-- One row holding a quantity far larger than any run can sell.
DROP TABLE IF EXISTS bench_hot_row;
CREATE TABLE bench_hot_row (id integer PRIMARY KEY, q bigint NOT NULL);
INSERT INTO bench_hot_row VALUES (1, 1000000000000);

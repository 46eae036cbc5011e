-- The first $wanted valid NHS numbers of the test range 999 000 0000 - 999 999 9999
-- in an order shuffled by the seed (all of them when more are wanted than exist);
-- patient g gets number idx = g mod the count. Modulus 11: the first nine digits
-- weighted 10..2, check digit 11 minus the remainder (11 -> 0; a remainder giving
-- 10 means the nine digits have no valid number and are skipped).
CREATE OR REPLACE TABLE sy_nhs AS
WITH nine AS (
    SELECT 999000000 + b AS first9, b FROM range(1000000) t(b)
),
weighted AS (
    SELECT first9,
        9 * 10 + 9 * 9 + 9 * 8
        + (b // 100000 % 10) * 7 + (b // 10000 % 10) * 6 + (b // 1000 % 10) * 5
        + (b // 100 % 10) * 4 + (b // 10 % 10) * 3 + (b % 10) * 2 AS total
    FROM nine
),
checked AS (
    SELECT first9, (11 - total % 11) % 11 AS check_digit, hash($seed::BIGINT, first9) AS shuffle
    FROM weighted
),
chosen AS (
    SELECT * FROM checked WHERE check_digit <> 10 ORDER BY shuffle, first9 LIMIT $wanted
)
SELECT row_number() OVER (ORDER BY shuffle, first9) - 1 AS idx, first9 * 10 + check_digit AS nhs
FROM chosen
ORDER BY idx;

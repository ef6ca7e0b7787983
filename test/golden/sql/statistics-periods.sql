-- statistics-periods: the statements sent, in order (test/integration/golden-sql.test.ts)

WITH bounds AS (SELECT array_agg(x ORDER BY x) AS b
    FROM (SELECT $1::timestamptz AS x UNION SELECT $2::timestamptz UNION SELECT l AT TIME ZONE $3::text
        FROM generate_series(date_trunc('week', $1::timestamptz AT TIME ZONE $3::text), $2::timestamptz AT TIME ZONE $3::text,
                             $4::int * interval '7 days') AS l) AS s
    WHERE x >= $1::timestamptz AND x <= $2::timestamptz)
SELECT b[k] AS start, b[k + 1] AS "end" FROM bounds CROSS JOIN generate_series(1, array_length(b, 1) - 1) AS k ORDER BY k;

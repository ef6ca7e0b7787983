/**
 * How usage is priced in SQL, at query time, from the cards stored: a change of price changes
 * the cost of past usage in the next query, and nothing is stored twice.
 */

/** Whether card `pc` may price record `e`: its meter, and its partition and priority unless the card leaves them open. */
const matches = (e: string) =>
  `pc.meter_id = ${e}.meter_id AND (pc.partition IS NULL OR pc.partition = ${e}.partition) AND (pc.priority IS NULL OR pc.priority = ${e}.priority)`;

/** The card that prices record e at instant t: of those valid then, the most specific (partition before priority). */
export function cardAtSql(e: string, t: string): string {
  return `SELECT pc.id, pc.unit_price, pc.currency FROM price_cards pc
          WHERE ${matches(e)} AND pc.valid_from <= ${t} AND (pc.valid_to IS NULL OR pc.valid_to > ${t})
          ORDER BY pc.partition IS NULL, pc.priority IS NULL LIMIT 1`;
}

/**
 * The parts of record e's time within [a, b), cut wherever one of its cards begins or ends, each
 * with the card valid over it (none: unpriced): seconds (null for a record without duration),
 * share (of the record's volume: seconds over the record's duration; 1 without duration), card,
 * unit_price, currency. A record without duration is one part, at its start.
 */
export function pricedPartsSql(e: string, a: string, b: string): string {
  const timed = `${e}.end_time > ${e}.start_time`;
  const end = `CASE WHEN ${timed} THEN ${b} ELSE ${a} + interval '1 microsecond' END`;
  return `SELECT CASE WHEN ${timed} THEN extract(epoch FROM cut.t - cut.s) END AS seconds,
                 CASE WHEN ${timed} THEN extract(epoch FROM cut.t - cut.s) / extract(epoch FROM ${e}.end_time - ${e}.start_time) ELSE 1 END AS share,
                 c.id AS card, c.unit_price, c.currency
          FROM (SELECT x AS s, lead(x) OVER (ORDER BY x) AS t
                FROM (SELECT ${a} AS x UNION SELECT ${end}
                      UNION SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
                            WHERE ${matches(e)} AND v.x > ${a} AND v.x < ${end}) AS xs) AS cut
          LEFT JOIN LATERAL (${cardAtSql(e, 'cut.s')}) AS c ON true
          WHERE cut.t IS NOT NULL`;
}

/**
 * A lateral row `pr` pricing record e over [a, b) (prorated), or at its start (whole): price_share
 * (the cost of one unit of the record's whole volume: null when no part is priced),
 * unpriced_share (the share of its volume without a price), currency, and the ids of the cards
 * used, comma-separated.
 */
export function priceLateralSql(e: string, span: { a: string; b: string } | 'whole', start = 'start_time'): string {
  if (span === 'whole') {
    return `LEFT JOIN LATERAL (SELECT c.unit_price AS price_share, CASE WHEN c.id IS NULL THEN 1 ELSE 0 END AS unpriced_share,
                                      c.currency, c.id::text AS cards
                               FROM (SELECT 1) AS one LEFT JOIN LATERAL (${cardAtSql(e, `${e}.${start}`)}) AS c ON true) AS pr ON true`;
  }
  return `CROSS JOIN LATERAL (
          SELECT sum(pp.share * pp.unit_price) AS price_share, coalesce(sum(pp.share) FILTER (WHERE pp.card IS NULL), 0) AS unpriced_share,
                 min(pp.currency) AS currency, string_agg(DISTINCT pp.card::text, ',') AS cards
          FROM (${pricedPartsSql(e, span.a, span.b)}) AS pp) AS pr`;
}

/** Aggregates of priced records: volume and factor of the whole record; pr from priceLateralSql. */
export function costAggregates(volume: string, factor: string): string {
  return `sum(${volume}::numeric * pr.price_share) AS cost, sum(${volume}::numeric * ${factor}::numeric * pr.price_share) AS weighted_cost,
         sum(${volume}::numeric * pr.unpriced_share) AS unpriced_volume, count(*) FILTER (WHERE pr.unpriced_share > 0) AS unpriced_count,
         min(pr.currency) AS currency, string_agg(DISTINCT pr.cards, ',') AS cards`;
}

/**
 * The same columns from rollups `e`, each bucket priced at its start: the statement reads rollups
 * only when no card of its meters begins or ends inside a bucket. Exact: sum(volume) x price is
 * the sum of volume x price in numeric arithmetic.
 */
export const ROLLUP_COST_AGGREGATES = `sum(e.sum * pr.price_share) AS cost, sum(e.weighted_sum * pr.price_share) AS weighted_cost,
         sum(e.sum * pr.unpriced_share) AS unpriced_volume, coalesce(sum(e.count) FILTER (WHERE pr.unpriced_share > 0), 0) AS unpriced_count,
         min(pr.currency) AS currency, string_agg(DISTINCT pr.cards, ',') AS cards`;

/** The same columns for what is never priced (additional metrics): v is the volume counted in the row. */
export function unpricedAggregates(v: string): string {
  return `NULL::numeric AS cost, NULL::numeric AS weighted_cost, sum(${v}) AS unpriced_volume, count(*) AS unpriced_count,
         NULL::text AS currency, NULL::text AS cards`;
}

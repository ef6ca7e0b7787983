/**
 * How usage is priced in SQL, at query time, from the cards stored: a change of price changes
 * the cost of past usage in the next query, and nothing is stored twice.
 */

/** A record's meter, partition and priority, as SQL expressions: what decides which cards may price it. */
interface Scope {
  meter: string;
  partition: string;
  priority: string;
}
const ofRecord = (e: string): Scope => ({ meter: `${e}.meter_id`, partition: `${e}.partition`, priority: `${e}.priority` });

/** Whether card `pc` may price a record of the scope: its meter, and its partition and priority unless the card leaves them open. */
const matches = (s: Scope) =>
  `pc.meter_id = ${s.meter} AND (pc.partition IS NULL OR pc.partition = ${s.partition}) AND (pc.priority IS NULL OR pc.priority = ${s.priority})`;

/** The card that prices a record of the scope at instant t: of those valid then, the most specific (partition before priority). */
function cardOfScopeAtSql(s: Scope, t: string): string {
  return `SELECT pc.id, pc.unit_price, pc.currency FROM price_cards pc
          WHERE ${matches(s)} AND pc.valid_from <= ${t} AND (pc.valid_to IS NULL OR pc.valid_to > ${t})
          ORDER BY pc.partition IS NULL, pc.priority IS NULL LIMIT 1`;
}

/** The card that prices record e at instant t: of those valid then, the most specific (partition before priority). */
export function cardAtSql(e: string, t: string): string {
  return cardOfScopeAtSql(ofRecord(e), t);
}

/**
 * The scopes whose cards differ, for the meters (an int[] expression; null: every meter): each
 * meter with every partition and every priority that one of its cards names, or null, and every
 * pair of them. A record's scope among them is its partition if a card of its meter names it (else
 * null), and its priority likewise (recordScopeSql): the cards that may price it are exactly the
 * scope's.
 */
export function cardScopesSql(meters: string | null): string {
  const named = (column: 'partition' | 'priority') =>
    `SELECT NULL::text AS ${column} UNION SELECT pc.${column} FROM price_cards pc WHERE pc.meter_id = m.id AND pc.${column} IS NOT NULL`;
  return `SELECT m.id AS meter_id, ARRAY[pa.partition, pr.priority] AS scope
          FROM meters m CROSS JOIN LATERAL (${named('partition')}) AS pa CROSS JOIN LATERAL (${named('priority')}) AS pr
          ${meters ? `WHERE m.id = ANY(${meters})` : ''}`;
}

/**
 * Joins that give record e its scope among cardScopesSql's: \`scope\` is ARRAY[np.partition,
 * nq.priority], each null unless a card of its meter names the record's. With no card for a
 * partition or priority (the usual case) both lookups are empty and cost nothing a record.
 */
export function recordScopeJoinsSql(e: string): { joins: string; scope: string } {
  return {
    joins: `LEFT JOIN (SELECT DISTINCT meter_id, partition FROM price_cards WHERE partition IS NOT NULL OFFSET 0) AS np
              ON np.meter_id = ${e}.meter_id AND np.partition = ${e}.partition
            LEFT JOIN (SELECT DISTINCT meter_id, priority FROM price_cards WHERE priority IS NOT NULL OFFSET 0) AS nq
              ON nq.meter_id = ${e}.meter_id AND nq.priority = ${e}.priority`,
    scope: 'ARRAY[np.partition, nq.priority]',
  };
}

/**
 * The price timeline of each scope that `scopes` (a query of meter_id and scope, an array of
 * partition and priority) yields: its segments [s, t) from -infinity to infinity, cut wherever one
 * of its cards begins or ends, each with the card valid over it (none: unpriced), card,
 * unit_price, currency. A record's part inside [a, b) overlapping a segment is exactly one of the
 * parts pricedPartsSql cuts it into, priced by the same card: a join on the scope and the
 * overlap prices thousands of parts at once, where pricedPartsSql sorts each record's cuts alone.
 * The array compares nulls as equal, and hashes.
 */
export function cardSegmentsSql(scopes: string): string {
  const k: Scope = { meter: 'k.meter_id', partition: 'k.scope[1]', priority: 'k.scope[2]' };
  return `SELECT k.meter_id, k.scope, cut.s, cut.t, c.id AS card, c.unit_price, c.currency
          FROM (${scopes}) AS k
          CROSS JOIN LATERAL (SELECT x AS s, lead(x) OVER (ORDER BY x) AS t
                FROM (SELECT timestamptz '-infinity' AS x UNION SELECT timestamptz 'infinity'
                      UNION SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
                            WHERE ${matches(k)} AND v.x IS NOT NULL) AS xs) AS cut
          LEFT JOIN LATERAL (${cardOfScopeAtSql(k, 'cut.s')}) AS c ON true
          WHERE cut.t IS NOT NULL`;
}

/**
 * A numerator over a denominator, to at least 24 decimal places. Money divides last: volume x
 * price x seconds is exact in numeric, and only the one division by the record's duration is cut
 * short. PostgreSQL keeps a quotient to 16 significant digits or the operands' scales, whichever is
 * more (12 places for a million); the numerator's scale of 24 makes that at least 24, so a quotient
 * with a finite decimal such as 1.0566725 is exact, and the one rounding to 6 places that follows
 * rounds a half-way tie away from zero instead of finding 1.05667249999... below it.
 */
export function quotientSql(numerator: string, denominator: string): string {
  return `(${numerator} + 0.${'0'.repeat(24)}) / ${denominator}`;
}

/**
 * The parts of record e's time within [a, b), cut wherever one of its cards begins or ends, each
 * with the card valid over it (none: unpriced): seconds (null for a record without duration), part
 * and whole (its share of the record's volume is part / whole: its seconds over the record's, or
 * 1 / 1 without duration; kept apart so that callers multiply by volume and price first and divide
 * last, see quotientSql), card, unit_price, currency. A record without duration is one part, at
 * its start.
 */
export function pricedPartsSql(e: string, a: string, b: string): string {
  const timed = `${e}.end_time > ${e}.start_time`;
  const end = `CASE WHEN ${timed} THEN ${b} ELSE ${a} + interval '1 microsecond' END`;
  return `SELECT CASE WHEN ${timed} THEN extract(epoch FROM cut.t - cut.s) END AS seconds,
                 CASE WHEN ${timed} THEN extract(epoch FROM cut.t - cut.s) ELSE 1 END AS part,
                 CASE WHEN ${timed} THEN extract(epoch FROM ${e}.end_time - ${e}.start_time) ELSE 1 END AS whole,
                 c.id AS card, c.unit_price, c.currency
          FROM (SELECT x AS s, lead(x) OVER (ORDER BY x) AS t
                FROM (SELECT ${a} AS x UNION SELECT ${end}
                      UNION SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
                            WHERE ${matches(ofRecord(e))} AND v.x > ${a} AND v.x < ${end}) AS xs) AS cut
          LEFT JOIN LATERAL (${cardAtSql(e, 'cut.s')}) AS c ON true
          WHERE cut.t IS NOT NULL`;
}

/**
 * A lateral row `pr` pricing record e over [a, b) (prorated), or at its start (whole), in fractions
 * of the record's volume over `whole` (its duration in seconds prorated, else 1): price_part (the sum
 * of its priced parts x their unit prices: null when no part is priced), unpriced_part (the sum of
 * its parts without a price), whole, currency, and the ids of the cards used, comma-separated.
 */
export function priceLateralSql(e: string, span: { a: string; b: string } | 'whole', start = 'start_time'): string {
  if (span === 'whole') {
    return `LEFT JOIN LATERAL (SELECT c.unit_price AS price_part, CASE WHEN c.id IS NULL THEN 1 ELSE 0 END AS unpriced_part, 1 AS whole,
                                      c.currency, c.id::text AS cards
                               FROM (SELECT 1) AS one LEFT JOIN LATERAL (${cardAtSql(e, `${e}.${start}`)}) AS c ON true) AS pr ON true`;
  }
  return `CROSS JOIN LATERAL (
          SELECT sum(pp.part * pp.unit_price) AS price_part, coalesce(sum(pp.part) FILTER (WHERE pp.card IS NULL), 0) AS unpriced_part,
                 min(pp.whole) AS whole, min(pp.currency) AS currency, string_agg(DISTINCT pp.card::text, ',') AS cards
          FROM (${pricedPartsSql(e, span.a, span.b)}) AS pp) AS pr`;
}

/**
 * Aggregates of records priced by priceLateralSql: volume and factor of the whole record. Prorated,
 * each record's money is divided by its whole last (quotientSql); at its start, whole is 1 and
 * everything is exact without a division.
 */
export function costAggregates(volume: string, factor: string, prorated: boolean): string {
  const per = (numerator: string) => (prorated ? quotientSql(numerator, 'pr.whole') : numerator);
  return `sum(${per(`${volume}::numeric * pr.price_part`)}) AS cost,
         sum(${per(`${volume}::numeric * ${factor}::numeric * pr.price_part`)}) AS weighted_cost,
         sum(${per(`${volume}::numeric * pr.unpriced_part`)}) AS unpriced_volume, count(*) FILTER (WHERE pr.unpriced_part > 0) AS unpriced_count,
         min(pr.currency) AS currency, string_agg(DISTINCT pr.cards, ',') AS cards`;
}

/**
 * The same columns from rollups `e`, each bucket priced at its start (whole is 1): the statement
 * reads rollups only when no card of its meters begins or ends inside a bucket. Exact: sum(volume)
 * x price is the sum of volume x price in numeric arithmetic.
 */
export const ROLLUP_COST_AGGREGATES = `sum(e.sum * pr.price_part) AS cost, sum(e.weighted_sum * pr.price_part) AS weighted_cost,
         sum(e.sum * pr.unpriced_part) AS unpriced_volume, coalesce(sum(e.count) FILTER (WHERE pr.unpriced_part > 0), 0) AS unpriced_count,
         min(pr.currency) AS currency, string_agg(DISTINCT pr.cards, ',') AS cards`;

/** The same columns for what is never priced (additional metrics): v is the volume counted in the row. */
export function unpricedAggregates(v: string): string {
  return `NULL::numeric AS cost, NULL::numeric AS weighted_cost, sum(${v}) AS unpriced_volume, count(*) AS unpriced_count,
         NULL::text AS currency, NULL::text AS cards`;
}

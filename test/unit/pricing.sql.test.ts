import { chargebackSql, type ChargebackQuery } from '../../src/modules/chargeback/chargeback.sql';
import {
  cardScopesSql,
  cardSegmentsSql,
  costAggregates,
  priceLateralSql,
  pricedPartsSql,
  quotientSql,
  ROLLUP_COST_AGGREGATES,
} from '../../src/modules/pricing/pricing.sql';
import { statisticsSql, type StatisticsQuery } from '../../src/modules/statistics/statistics.sql';

const squash = (sql: string) => sql.replace(/\s+/g, ' ');
/** The scale that keeps a quotient to 24 places (quotientSql). */
const SCALE = '0.000000000000000000000000';

describe('quotientSql', () => {
  test('raises the numerator to a scale of 24 and divides once', () => {
    expect(quotientSql('a * b', 'c')).toBe(`(a * b + ${SCALE}) / c`);
    expect(SCALE.split('.')[1]).toHaveLength(24);
  });
});

describe('pricedPartsSql', () => {
  const text = squash(pricedPartsSql('e', 'A', 'B'));
  test.each([
    ['seconds, null without duration', 'CASE WHEN e.end_time > e.start_time THEN extract(epoch FROM cut.t - cut.s) END AS seconds'],
    [
      'part: the seconds, or 1 without duration',
      'CASE WHEN e.end_time > e.start_time THEN extract(epoch FROM cut.t - cut.s) ELSE 1 END AS part',
    ],
    [
      "whole: the record's duration, or 1",
      'CASE WHEN e.end_time > e.start_time THEN extract(epoch FROM e.end_time - e.start_time) ELSE 1 END AS whole',
    ],
    ['the card of each part, at its start', 'LEFT JOIN LATERAL (SELECT pc.id, pc.unit_price, pc.currency FROM price_cards pc'],
  ])('%s', (_, sql) => {
    expect(text).toContain(sql);
  });

  test('never divides: a share cut short would shift a half-way tie', () => {
    expect(text).not.toContain('/');
  });
});

describe('priceLateralSql', () => {
  test.each([
    [
      'at its start',
      priceLateralSql('e', 'whole'),
      ['c.unit_price AS price_part', 'CASE WHEN c.id IS NULL THEN 1 ELSE 0 END AS unpriced_part', '1 AS whole', 'e.start_time'],
    ],
    [
      'a rollup bucket at its start',
      priceLateralSql('e', 'whole', 'bucket_start'),
      ['c.unit_price AS price_part', '1 AS whole', 'e.bucket_start'],
    ],
    [
      'prorated over [a, b)',
      priceLateralSql('e', { a: 'A', b: 'B' }),
      [
        'sum(pp.part * pp.unit_price) AS price_part',
        'coalesce(sum(pp.part) FILTER (WHERE pp.card IS NULL), 0) AS unpriced_part',
        'min(pp.whole) AS whole',
      ],
    ],
  ])('%s: sums of parts over the whole, not yet divided', (_, sql, fragments) => {
    for (const fragment of fragments) expect(squash(sql)).toContain(fragment);
    expect(sql).not.toContain('/');
  });
});

describe('costAggregates', () => {
  test.each([
    [
      'by start: no division, whole is 1',
      false,
      [
        'sum(e.volume::numeric * pr.price_part) AS cost',
        'sum(e.volume::numeric * e.contingent_factor::numeric * pr.price_part) AS weighted_cost',
        'sum(e.volume::numeric * pr.unpriced_part) AS unpriced_volume',
      ],
    ],
    [
      'prorated: volume x price x seconds first, the duration last',
      true,
      [
        `sum((e.volume::numeric * pr.price_part + ${SCALE}) / pr.whole) AS cost`,
        `sum((e.volume::numeric * e.contingent_factor::numeric * pr.price_part + ${SCALE}) / pr.whole) AS weighted_cost`,
        `sum((e.volume::numeric * pr.unpriced_part + ${SCALE}) / pr.whole) AS unpriced_volume`,
      ],
    ],
  ])('%s', (_, prorated, fragments) => {
    const text = squash(costAggregates('e.volume', 'e.contingent_factor', prorated));
    for (const fragment of fragments) expect(text).toContain(fragment);
    expect(text).toContain('count(*) FILTER (WHERE pr.unpriced_part > 0) AS unpriced_count');
    if (!prorated) expect(text).not.toContain('/');
  });

  test('rollups are priced by start: sums x price, exact without a division', () => {
    expect(squash(ROLLUP_COST_AGGREGATES)).toContain(
      'sum(e.sum * pr.price_part) AS cost, sum(e.weighted_sum * pr.price_part) AS weighted_cost',
    );
    expect(ROLLUP_COST_AGGREGATES).not.toContain('/');
  });
});

describe('statisticsSql with cost', () => {
  const base: StatisticsQuery = {
    meterIds: [7],
    metrics: null,
    from: new Date('2026-05-01T00:00:00Z'),
    to: new Date('2026-05-03T00:00:00Z'),
    filter: null,
    groupBy: [],
    groupByMetadata: [],
    period: null,
    timeZone: 'UTC',
    prorate: false,
    rollups: false,
    cost: true,
  };

  test.each([
    ['by start', { prorate: false }, 'sum(e.volume::numeric * pr.price_part) AS cost', ['$1', '$2', '$3']],
    ['prorated', { prorate: true }, `sum((e.volume::numeric * pr.price_part + ${SCALE}) / pr.whole) AS cost`, ['$1', '$2', '$3']],
    ['from rollups', { rollups: true }, 'sum(e.sum * pr.price_part) AS cost', ['$1', '$2', '$3', '$4']],
  ])('%s: the money columns, rounded once to 6 places', (_, override, cost, placeholders) => {
    const { text, values } = statisticsSql({ ...base, ...override });
    expect(squash(text)).toContain(cost);
    expect(squash(text)).toContain(
      'round(a.cost, 6) AS cost, round(a.weighted_cost, 6) AS weighted_cost, round(a.unpriced_volume, 9) AS unpriced_volume',
    );
    expect(values).toHaveLength(placeholders.length);
    expect(values.slice(0, 3)).toEqual(expect.arrayContaining([base.from, base.to, [7]]));
  });
});

describe('cardSegmentsSql', () => {
  const text = squash(cardSegmentsSql('SELECT 3 AS meter_id, ARRAY[NULL, NULL]::text[] AS scope'));
  test.each([
    [
      'every instant, cut where a card of the scope begins or ends',
      "SELECT timestamptz '-infinity' AS x UNION SELECT timestamptz 'infinity'",
    ],
    [
      "the scope's cards: its meter, and its partition and priority unless the card leaves them open",
      'pc.meter_id = k.meter_id AND (pc.partition IS NULL OR pc.partition = k.scope[1]) AND (pc.priority IS NULL OR pc.priority = k.scope[2])',
    ],
    ['the card of each segment, at its start, the most specific first', 'ORDER BY pc.partition IS NULL, pc.priority IS NULL LIMIT 1'],
  ])('%s', (_, sql) => {
    expect(text).toContain(sql);
  });
});

describe('cardScopesSql', () => {
  test('each meter with the partitions and priorities its cards name, or null, in every pair', () => {
    const text = squash(cardScopesSql('$5::int[]'));
    expect(text).toContain('SELECT m.id AS meter_id, ARRAY[pa.partition, pr.priority] AS scope');
    expect(text).toContain(
      'SELECT NULL::text AS partition UNION SELECT pc.partition FROM price_cards pc WHERE pc.meter_id = m.id AND pc.partition IS NOT NULL',
    );
    expect(text).toContain('WHERE m.id = ANY($5::int[])');
    expect(squash(cardScopesSql(null))).not.toContain('WHERE m.id');
  });
});

describe('chargebackSql', () => {
  const q: ChargebackQuery = {
    projects: ['tie1'],
    meterIds: [3],
    from: new Date('2026-05-01T00:00:00Z'),
    to: new Date('2026-05-03T00:00:00Z'),
    timeZone: 'Europe/Berlin',
    daily: true,
    detail: false,
  };

  test.each([
    ['DAILY', { daily: true, detail: false }],
    ['DAILY with detail', { daily: true, detail: true }],
    ['PERIOD', { daily: false, detail: false }],
    ['PERIOD with detail', { daily: false, detail: true }],
  ])('%s: each part divided last, each line rounded once, then summed', (_, override) => {
    const { text, values } = chargebackSql({ ...q, ...override });
    const sql = squash(text);
    // Parts are the pieces' overlaps with their cards' segments; a part shorter than its record is divided last.
    expect(sql).toContain('JOIN segments g ON g.meter_id = p.meter_id AND g.scope = p.scope AND g.s < p.z AND g.t > p.a');
    const span = 'least(p.z, g.t) - greatest(p.a, g.s)';
    expect(sql).toContain(
      `sum(CASE WHEN p.whole IS NULL OR ${span} = p.whole THEN p.volume::numeric * g.unit_price ELSE (p.volume::numeric * g.unit_price * extract(epoch FROM ${span}) + ${SCALE}) / extract(epoch FROM p.whole) END) AS cost`,
    );
    // A record's scope: its partition and priority where a card of its meter names them.
    expect(sql).toContain('ARRAY[np.partition, nq.priority] AS scope');
    expect(sql).toContain('round(sum(usage_cost), 6) AS allocation_cost');
    expect(sql).toContain('coalesce(sum(l.allocation_cost), 0) + coalesce(sum(l.fixed_cost), 0) END AS total');
    expect(values).toEqual([q.from, q.to, 'Europe/Berlin', ['tie1'], [3], 1]);
  });
});

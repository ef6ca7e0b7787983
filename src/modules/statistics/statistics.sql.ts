import { bind, ident, sql, SqlParams, type Sql } from '../../common/sql';
import { costAggregates, priceLateralSql, ROLLUP_COST_AGGREGATES, unpricedAggregates } from '../pricing/pricing.sql';
import { distinctValueAggregates, eventAggregates, ROLLUP_AGGREGATES } from '../usage/aggregates.sql';
import type { PeriodSpec } from '../usage/usage.calendar';
import { boundariesSql, HOUR_ROLLUP_ZONE_SQL, overlappedBucketsSql, overlappingSql } from '../usage/usage.sql';
import { usageFilterSql, type UsageFilter } from '../usage/usage-filter';
import { GroupBy, MEASURES, type Measure } from './statistics.types';

/** A validated statistics request, in terms of rows of the database. */
export interface StatisticsQuery {
  /** Meters to aggregate; null with metrics, or for every meter. */
  meterIds: number[] | null;
  /** Additional metrics to aggregate instead of meters. */
  metrics: string[] | null;
  from: Date;
  to: Date;
  filter: UsageFilter | null | undefined;
  groupBy: GroupBy[];
  groupByMetadata: string[];
  period: PeriodSpec | null;
  timeZone: string;
  prorate: boolean;
  /** Whether rollups may answer, where the query allows it. */
  rollups: boolean;
  /** Whether to price the records (cost, weighted cost, unpriced volume, the cards used). */
  cost: boolean;
  /** The measures to return (null: all): a row's other columns are read by PostgreSQL and parsed by pg for nothing. */
  measures?: ReadonlySet<Measure> | null;
}

/** Each measure of a row as a column of the statement. */
const MEASURE_SQL: Record<Measure, string> = {
  count: 'a.count',
  operations: 'a.operations',
  sum: 'a.sum',
  avg: 'a.sum / a.count AS avg',
  min: 'a.min',
  max: 'a.max',
  stddev: 'sqrt(greatest(a.sum_squares / a.count - (a.sum / a.count) ^ 2, 0)) AS stddev',
  weightedSum: 'a.weighted_sum',
  durationSum: 'a.duration_sum',
  durationAvg: 'a.duration_sum / nullif(a.duration_count, 0) AS duration_avg',
};

/** Each dimension: the column grouped by in the aggregate, and how its name is found afterwards. */
const GROUPS: Record<GroupBy, { alias: string; key: string; table?: string; name?: string }> = {
  USER: { alias: 'g_user', key: 'e.user_id', table: 'users', name: 'name' },
  PROJECT: { alias: 'g_project', key: 'e.project_id', table: 'projects', name: 'name' },
  COMPUTE_PROJECT: { alias: 'g_compute_project', key: 'e.compute_project_id', table: 'compute_projects', name: 'name' },
  SOURCE: { alias: 'g_source', key: 'e.source_id', table: 'sources', name: 'name' },
  RESOURCE: { alias: 'g_resource', key: 'e.resource_id', table: 'resources', name: 'external_id' },
  PARTITION: { alias: 'g_partition', key: 'e.partition' },
  PRIORITY: { alias: 'g_priority', key: 'e.priority' },
  COMPONENT: { alias: 'g_component', key: 'gm.component_id', table: 'components', name: 'name' },
};

/** Whether rollups can hold the answer: they keep every dimension but the resource, by start. */
function rollupShaped(q: StatisticsQuery): boolean {
  return (
    q.rollups &&
    q.metrics === null &&
    q.meterIds !== null &&
    !q.prorate &&
    q.groupByMetadata.length === 0 &&
    !q.groupBy.includes(GroupBy.RESOURCE) &&
    !q.filter?.resources &&
    !q.filter?.metadata
  );
}

/**
 * The grain of rollups that answers the query, or NULL for events: none while an hour of the
 * range is dirty; else the coarsest grain every period boundary falls on (a month or day of the
 * query's zone, if that zone's rollups are built; or a UTC hour, which is a local hour in every
 * zone with a whole-hour offset).
 */
function choiceSql(meters: string, from: string, to: string, tz: string, cost: boolean): string {
  // Priced, a bucket has one price only if no card of its meters begins or ends inside it: the
  // cards' boundaries must fall on the grain too.
  const cardEdges = cost
    ? ` UNION ALL SELECT v.x FROM price_cards pc CROSS JOIN LATERAL (VALUES (pc.valid_from), (pc.valid_to)) AS v(x)
         WHERE pc.meter_id = ANY(${meters}) AND v.x > ${from} AND v.x < ${to}`
    : '';
  const aligned = (test: string) => `(SELECT bool_and(${test}) FROM (SELECT unnest(bounds.b) AS x FROM bounds${cardEdges}) AS edges)`;
  const zoneBuilt = `EXISTS (SELECT 1 FROM usage_rollup_zones WHERE time_zone = ${tz})`;
  return `SELECT CASE
    WHEN EXISTS (SELECT 1 FROM usage_rollup_dirty d WHERE d.meter_id = ANY(${meters}) AND d.hour >= ${from} AND d.hour < ${to}) THEN NULL
    WHEN ${zoneBuilt} AND ${aligned(`date_trunc('month', x AT TIME ZONE ${tz}) AT TIME ZONE ${tz} = x`)} THEN 'month'
    WHEN ${zoneBuilt} AND ${aligned(`date_trunc('day', x AT TIME ZONE ${tz}) AT TIME ZONE ${tz} = x`)} THEN 'day'
    WHEN ${aligned(`date_bin('1 hour', x, timestamptz '2000-01-01 00:00:00+00') = x`)} THEN 'hour'
  END AS grain`;
}

export function statisticsSql(q: StatisticsQuery): { text: string; values: unknown[] } {
  const p = new SqlParams();
  const fromSql = sql`${bind(q.from)}::timestamptz`;
  const toSql = sql`${bind(q.to)}::timestamptz`;
  const from = p.sql(fromSql);
  const to = p.sql(toSql);
  // Bound only where used: PostgreSQL cannot type a parameter that no expression uses.
  let tzSql: Sql | undefined;
  const zoneSql = () => (tzSql ??= sql`${bind(q.timeZone)}::text`);
  const zone = () => p.sql(zoneSql());
  const bounds = p.sql(boundariesSql(q, fromSql, toSql, zoneSql));
  const byMetric = q.metrics !== null;
  const groups = q.groupBy.map((g) => GROUPS[g]);
  const groupJoins: string[] = [];
  if (q.groupBy.includes(GroupBy.COMPONENT)) groupJoins.push('JOIN meters gm ON gm.id = e.meter_id');
  const keyAliases = ['series', 'bucket', ...groups.map((g) => g.alias), ...q.groupByMetadata.map((_, i) => `md_${i}`)];

  // Each meter once: the rollups branch reads once per element.
  const meters = q.meterIds ? `${p.add([...new Set(q.meterIds)])}::int[]` : null;
  const useRollups = rollupShaped(q);
  const context = { from, to, meters, groups, groupJoins, keyAliases };
  let agg: string;
  let choice = '';
  if (!useRollups) {
    agg = eventsAggregateSql(q, context, p);
  } else {
    const tz = zone();
    choice = `,\nchoice AS (${choiceSql(meters!, from, to, tz, q.cost)})`;
    const { discrete, ...filter } = q.filter ?? {};
    const where = [
      'e.grain = (SELECT grain FROM choice)',
      `e.time_zone = CASE (SELECT grain FROM choice) WHEN 'hour' THEN ${p.sql(HOUR_ROLLUP_ZONE_SQL)} ELSE ${tz} END`,
      'e.meter_id = qm.id',
      `e.bucket_start >= ${from}`,
      `e.bucket_start < ${to}`,
      ...(discrete == null ? [] : [`e.discrete = ${p.add(discrete)}::boolean`]),
      ...usageFilterSql(filter).map((f) => p.sql(f)),
    ];
    // One aggregate per meter, each reading the index with the meter as an equality: with
    // meter_id = ANY(array) a generic plan (the statement is prepared) expects ten meters and a
    // row or so, and so filters the meter after the index instead of seeking it, reading every
    // meter's rollups of the project and year (38,000 rows for Q2's 310 at 1 M events).
    const viaRollups = `SELECT qm.id AS series, r.*, 'rollup:' || (SELECT grain FROM choice) AS source
  FROM unnest(${meters}) AS qm(id) CROSS JOIN LATERAL (
    SELECT width_bucket(e.bucket_start, bounds.b) AS bucket,
         ${groups.map((g) => `${g.key} AS ${g.alias}, `).join('')}${p.sql(ROLLUP_AGGREGATES)}${q.cost ? `,\n         ${ROLLUP_COST_AGGREGATES}` : ''}
    FROM usage_rollups e CROSS JOIN bounds
    ${q.cost ? priceLateralSql('e', 'whole', 'bucket_start') : ''}
    ${groupJoins.join('\n    ')}
    WHERE ${where.join('\n      AND ')}
    GROUP BY ${keyAliases.filter((k) => k !== 'series').join(', ')}) AS r`;
    agg = `${viaRollups}
  UNION ALL
  ${eventsAggregateSql(q, context, p, '(SELECT grain FROM choice) IS NULL')}`;
  }

  const names = groups.filter((g) => g.table);
  const outerJoins = [
    ...(byMetric ? [] : ['JOIN meters om ON om.id = a.series', 'JOIN components oc ON oc.id = om.component_id']),
    ...names.map((g) => `LEFT JOIN ${g.table} n_${g.alias} ON n_${g.alias}.id = a.${g.alias}`),
  ];
  const groupColumns = groups.map((g) => (g.table ? `n_${g.alias}.${g.name}` : `a.${g.alias}`) + ` AS ${g.alias}`);
  const component = q.groupBy.includes(GroupBy.COMPONENT) ? `n_g_component.name` : byMetric ? 'NULL::text' : 'oc.name';

  // avg, stddev and durationAvg by one formula from the composable aggregates, whichever path.
  const text = `WITH bounds AS (${bounds})${choice},
agg AS (
  ${agg}
)
SELECT ${byMetric ? 'NULL::text AS meter, NULL::text AS unit, a.series AS metric' : 'om.name AS meter, om.unit, NULL::text AS metric'},
       ${component} AS component,
       ${[...groupColumns, ...q.groupByMetadata.map((_, i) => `a.md_${i}`)].map((c) => `${c}, `).join('')}${epochMs('bounds.b[a.bucket]')} AS period_start, ${epochMs('bounds.b[a.bucket + 1]')} AS period_end,
       ${measureColumns(q.measures)}, a.source${
         q.cost
           ? `,
       round(a.cost, 6) AS cost, round(a.weighted_cost, 6) AS weighted_cost, round(a.unpriced_volume, 9) AS unpriced_volume,
       a.unpriced_count, a.currency, a.cards`
           : ''
       }
FROM agg a CROSS JOIN bounds
${outerJoins.join('\n')}
ORDER BY 1, 3, period_start${groups.map((g) => `, ${g.alias}`).join('')}${q.groupByMetadata.map((_, i) => `, a.md_${i}::text`).join('')}`;
  return { text, values: p.values };
}

/**
 * An instant as milliseconds since the epoch, a float8 (exact: meterql's instants are whole
 * milliseconds): pg turns it into a number with parseFloat, where a timestamptz costs a regular
 * expression and a Date's construction from its parts, two a row.
 */
const epochMs = (instant: string) => `(extract(epoch FROM ${instant}) * 1000)::float8`;

/** The measure columns, in one order; the full list reads as it always did. */
function measureColumns(measures: ReadonlySet<Measure> | null | undefined): string {
  const chosen = MEASURES.filter((m) => !measures || measures.has(m));
  if (!measures) {
    return `${chosen
      .slice(0, 6)
      .map((m) => MEASURE_SQL[m])
      .join(', ')},
       ${MEASURE_SQL.stddev},
       ${chosen
         .slice(7)
         .map((m) => MEASURE_SQL[m])
         .join(', ')}`;
  }
  // A row always has its count: a query that asks for no measure still learns that the row exists.
  return (chosen.length > 0 ? chosen : (['count'] as const)).map((m) => MEASURE_SQL[m]).join(', ');
}

/** The aggregation over events (or, with metrics, their additional metrics). */
function eventsAggregateSql(
  q: StatisticsQuery,
  ctx: { from: string; to: string; meters: string | null; groups: (typeof GROUPS)[GroupBy][]; groupJoins: string[]; keyAliases: string[] },
  p: SqlParams,
  condition?: string,
): string {
  const { from, to } = ctx;
  const byMetric = q.metrics !== null;
  const series = byMetric ? 'um.metric' : 'e.meter_id';
  const volume = byMetric ? ident('um.volume') : ident('e.volume');
  const factor = byMetric ? ident('um.contingent_factor') : ident('e.contingent_factor');
  const source = byMetric
    ? 'usage_metrics um JOIN usage_events e ON e.project_id = um.project_id AND e.id = um.event_id'
    : 'usage_events e';

  const where: string[] = condition ? [condition] : [];
  if (q.metrics) where.push(`um.metric = ANY(${p.add(q.metrics)}::text[])`);
  if (ctx.meters) where.push(`e.meter_id = ANY(${ctx.meters})`);
  let bucket: string;
  let share = '';
  let v: Sql;
  let duration: Sql;
  if (q.prorate) {
    // Each record is split over the periods it overlaps, by time: a record's share of a period
    // is the overlap over its whole duration. Discrete and zero-length records count at their start.
    where.push(...overlappingSql(from, to, ctx.meters));
    share = `CROSS JOIN LATERAL (
        SELECT k.bucket,
               CASE WHEN e.end_time > e.start_time
                    THEN extract(epoch FROM least(e.end_time, bounds.b[k.bucket + 1]) - greatest(e.start_time, bounds.b[k.bucket]))
                    END AS overlap
        FROM ${overlappedBucketsSql(from, to)} AS k) AS i`;
    bucket = 'i.bucket';
    v = sql`(CASE WHEN e.end_time > e.start_time THEN ${volume}::numeric * i.overlap / extract(epoch FROM e.end_time - e.start_time)
               ELSE ${volume}::numeric END)`;
    duration = ident('COALESCE(i.overlap, e.duration::numeric)');
    if (q.cost && !byMetric) {
      share += `\n  ${priceLateralSql('e', { a: 'greatest(e.start_time, bounds.b[i.bucket])', b: 'least(e.end_time, bounds.b[i.bucket + 1])' })}`;
    }
  } else {
    where.push(`e.start_time >= ${from}`, `e.start_time < ${to}`);
    bucket = 'width_bucket(e.start_time, bounds.b)';
    v = sql`${volume}::numeric`;
    duration = ident('e.duration::numeric');
    if (q.cost && !byMetric) share = priceLateralSql('e', 'whole');
  }
  where.push(...usageFilterSql(q.filter).map((f) => p.sql(f)));

  const joins = [...ctx.groupJoins];
  if (q.groupByMetadata.length > 0) {
    // The metadata versions that can hold the start of a record counted, each key read once a
    // version; only of a resource of the record's project, so that no project reads another's
    // metadata. A subquery fenced by OFFSET 0 is read once into a hash table, and PostgreSQL still
    // sees the columns' statistics: as a CTE it had none and chose a merge join, sorting a month's
    // records (275,000 at 10 M events) by resource; inlined, a generic plan (the statement is
    // prepared) probed the versions' GiST index once a record.
    const versions = `SELECT rm.resource_id, mr.project_id, rm.valid_from, rm.valid_to${q.groupByMetadata.map((key, i) => `, rm.metadata -> ${p.add(key)}::text AS md_${i}`).join('')}
                FROM resource_metadata rm JOIN resources mr ON mr.id = rm.resource_id
                WHERE rm.valid_from < ${to}${q.prorate ? '' : ` AND (rm.valid_to IS NULL OR rm.valid_to > ${from})`}
                OFFSET 0`;
    // The version valid at the record's start: what the resource was when it was used.
    joins.push(`LEFT JOIN (${versions}) AS rm ON rm.resource_id = e.resource_id AND rm.project_id = e.project_id
                AND rm.valid_from <= e.start_time AND (rm.valid_to IS NULL OR rm.valid_to > e.start_time)`);
  }
  const keys = [
    `${series} AS series`,
    `${bucket} AS bucket`,
    ...ctx.groups.map((g) => `${g.key} AS ${g.alias}`),
    ...q.groupByMetadata.map((_, i) => `rm.md_${i}`),
  ];
  if (!q.prorate && !q.cost) {
    const agg = distinctValueAggregates(volume, factor, ident('e.duration'));
    const outerKeys = ctx.keyAliases.map((k) => `x.${k}`).join(', ');
    return `SELECT ${outerKeys},
         ${p.sql(agg.outer)}, 'events' AS source
  FROM (
    SELECT ${keys.join(', ')},
         ${p.sql(agg.inner)}
    FROM ${source} CROSS JOIN bounds
    ${joins.join('\n    ')}
    WHERE ${where.join('\n      AND ')}
    GROUP BY ${p.sql(agg.innerKeys)}, ${ctx.keyAliases.join(', ')}) AS x
  GROUP BY ${outerKeys}`;
  }
  const minMax = q.prorate ? v : volume;
  return `SELECT ${keys.join(', ')},
         ${p.sql(eventAggregates(v, factor, duration, minMax))}${
           q.cost ? `,\n         ${byMetric ? unpricedAggregates(p.sql(v)) : costAggregates(p.sql(volume), p.sql(factor), q.prorate)}` : ''
         }, 'events' AS source
  FROM ${source} CROSS JOIN bounds ${share}
  ${joins.join('\n  ')}
  WHERE ${where.join('\n    AND ')}
  GROUP BY ${ctx.keyAliases.join(', ')}`;
}

import { DEFAULT_LIMITS } from '../src/config';
import { connectDatabase } from '../src/db/database';
import { SYSTEM } from '../src/modules/auth/auth.types';
import { ChargebackPeriod } from '../src/modules/chargeback/chargeback.types';
import { UsageEventOrder } from '../src/modules/events/events.types';
import { GroupBy, type UsageStatisticsInput } from '../src/modules/statistics/statistics.types';
import { PeriodUnit } from '../src/modules/usage/usage.calendar';
import { createServices, type Services } from '../src/services';

/**
 * Which of usage_events' indexes each statement shape needs, on the bench's dataset: every case
 * of test/integration/golden-sql.test.ts (and a few more filters), with the arguments of a real
 * question about the busiest meter, project and user; for each, the indexes PostgreSQL scanned
 * and whether it read the table from end to end. Each case runs on connections of its own, closed
 * before the counters are read, so that its backends have reported what they scanned; each case
 * runs twice, and what it scanned both times is what it needs.
 */
export interface IndexUse {
  case: string;
  indexes: string[];
  seqScans: number;
}

export interface Busy {
  meter: string;
  project: string;
  user: string;
  resource: string;
}

const at = (iso: string) => new Date(iso);
const MONTH = { from: at('2026-06-01T00:00:00Z'), to: at('2026-07-01T00:00:00Z') };
const WEEK = { from: at('2026-06-01T00:00:00Z'), to: at('2026-06-08T00:00:00Z') };
const LATER = { from: at('2031-01-01T00:00:00Z'), to: at('2031-01-01T02:00:00Z') };

function cases(busy: Busy): Record<string, (s: Services) => Promise<unknown>> {
  const stats =
    (input: Partial<UsageStatisticsInput>, cost = false) =>
    (s: Services) =>
      s.statistics.statistics(SYSTEM, { meters: [busy.meter], ...MONTH, ...input } as UsageStatisticsInput, { cost });
  const job = (volume: number) => ({
    project: busy.project,
    user: busy.user,
    meter: busy.meter,
    source: 'index-audit',
    resource: 'index-audit-1',
    start: LATER.from,
    end: LATER.to,
    volume,
    additionalMetrics: [{ metric: 'energy_kwh', volume: 1 }],
    additionalResources: [{ meter: 'job.core_hours', volume: 2 }],
  });
  return {
    'statistics by project, a month (rollups)': stats({ groupBy: [GroupBy.PROJECT] }),
    'statistics of a project, daily, a year, Europe/Berlin': stats({
      from: at('2025-12-31T23:00:00Z'),
      to: at('2026-12-31T23:00:00Z'),
      period: { unit: PeriodUnit.DAY, size: 1 },
      timeZone: 'Europe/Berlin',
      filter: { projects: [busy.project] },
    }),
    'statistics by resource (events)': stats({ groupBy: [GroupBy.RESOURCE] }),
    'statistics by metadata as of the start': stats({ groupByMetadata: ['flavor'] }),
    'statistics filtered by metadata and user': stats({ filter: { metadata: { zone: 'zone-a' }, users: [busy.user] } }),
    'statistics of one resource': stats({ filter: { resources: [busy.resource] } }),
    'statistics prorated, daily': stats({ meters: ['job.core_hours'], period: { unit: PeriodUnit.DAY, size: 1 }, prorate: true }),
    'statistics priced, by start': stats({ period: { unit: PeriodUnit.MONTH, size: 1 } }, true),
    'chargeback of a project, DAILY': (s) =>
      s.chargeback.report(SYSTEM, { ...MONTH, period: ChargebackPeriod.DAILY, projects: [busy.project], timeZone: 'UTC' }),
    'chargeback, PERIOD by resource': (s) =>
      s.chargeback.report(SYSTEM, {
        ...MONTH,
        period: ChargebackPeriod.PERIOD,
        detail: true,
        projects: [busy.project],
        meters: [busy.meter],
      }),
    'contingent status': (s) => s.contingents.status(SYSTEM, busy.project, at('2026-12-01T12:34:00Z')),
    'events of a user and meter, a week': (s) =>
      s.events.events(SYSTEM, { ...WEEK, users: [busy.user], meters: [busy.meter] }, { first: 100 }),
    'events of a project, newest first': (s) =>
      s.events.events(SYSTEM, { ...WEEK, projects: [busy.project] }, { first: 100 }, UsageEventOrder.START_DESC),
    'events of a resource': (s) => s.events.events(SYSTEM, { ...MONTH, resources: [busy.resource] }, { first: 100 }),
    'events of a meter': (s) => s.events.events(SYSTEM, { ...WEEK, meters: [busy.meter] }, { first: 100 }),
    'events of every meter, a week': (s) => s.events.events(SYSTEM, WEEK, { first: 100 }),
    'users with usage in a month': (s) => s.discovery.list(SYSTEM, 'users', MONTH, { first: 1000 }),
    'sources with usage of a project': (s) => s.discovery.list(SYSTEM, 'sources', { ...MONTH, project: busy.project }, { first: 1000 }),
    'ingestion: new reports': (s) => s.ingestion.reportUsage(SYSTEM, [job(1)]),
    'ingestion: an overwrite (its children replaced)': (s) => s.ingestion.reportUsage(SYSTEM, [job(2)]),
    'rollups: refresh of the dirty hours': (s) => s.rollups.refresh(),
  };
}

export async function auditIndexes(url: string, busy: Busy): Promise<IndexUse[]> {
  const reader = connectDatabase(url, { max: 1 });
  const counters = async () => {
    const { rows } = await reader.pool.query<{ name: string; scans: string; seq: string }>(
      `SELECT indexrelname AS name, idx_scan AS scans, (SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'usage_events') AS seq
       FROM pg_stat_user_indexes WHERE relname = 'usage_events'`,
    );
    return { indexes: new Map(rows.map((r) => [r.name, Number(r.scans)])), seq: Number(rows[0]?.seq ?? 0) };
  };
  const out: IndexUse[] = [];
  // Autovacuum's scans would count as some case's.
  await reader.pool.query('ALTER TABLE usage_events SET (autovacuum_enabled = false)');
  try {
    // Two passes, and only what a case scanned both times: a backend's counts can arrive late, in another case's window.
    const passes: IndexUse[][] = [];
    for (let pass = 0; pass < 2; pass++) {
      const use: IndexUse[] = [];
      for (const [name, run] of Object.entries(cases(busy))) {
        const before = await counters();
        const db = connectDatabase(url, { max: 2 });
        try {
          await run(createServices(db, { limits: DEFAULT_LIMITS, anonymousAdmin: false, rollupTimeZones: ['UTC', 'Europe/Berlin'] }));
        } finally {
          await db.close();
        }
        // A backend reports its counts as it exits; the reader's next snapshot sees them.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const after = await counters();
        use.push({
          case: name,
          indexes: [...after.indexes].filter(([k, v]) => v > (before.indexes.get(k) ?? 0)).map(([k]) => k),
          seqScans: after.seq - before.seq,
        });
      }
      passes.push(use);
    }
    for (const [i, first] of passes[0].entries()) {
      const second = passes[1][i];
      out.push({
        case: first.case,
        indexes: first.indexes.filter((name) => second.indexes.includes(name)),
        seqScans: Math.min(first.seqScans, second.seqScans),
      });
    }
    await reader.pool.query("DELETE FROM usage_events WHERE source_id = (SELECT id FROM sources WHERE name = 'index-audit')");
  } finally {
    await reader.pool.query('ALTER TABLE usage_events RESET (autovacuum_enabled)');
    await reader.close();
  }
  return out;
}

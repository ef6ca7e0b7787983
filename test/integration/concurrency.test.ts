import type { TestDatabase } from '../helpers/database';
import { defineMeters } from '../helpers/fixtures';
import type { TestServer } from '../helpers/server';
import { closeTestApi, openTestApi } from '../helpers/setup';

let t: TestDatabase;
let api: TestServer;
beforeAll(async () => {
  ({ t, api } = await openTestApi());
  await defineMeters(t.services, [{ name: 'cpu.hours' }, { name: 'gpu.hours' }]);
});
afterAll(() => closeTestApi({ t, api }));

/** A deterministic shuffle, so that clients lock in different orders unless meterql sorts. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

test('eight clients sending overlapping batches with the same match keys end with one row per key', async () => {
  const KEYS = 600;
  const report = (k: number, client: number) => ({
    project: `proj-${k % 4}`,
    user: `user-${k % 13}`,
    // New names in every batch race to be created too.
    source: `src-${k % 5}`,
    // A resource belongs to one project: the project's own VMs.
    resource: `vm-${k % 4}-${k % 17}`,
    meter: 'cpu.hours',
    start: new Date(Date.UTC(2026, 0, 1) + k * 3_600_000).toISOString(),
    end: new Date(Date.UTC(2026, 0, 1) + (k + 1) * 3_600_000).toISOString(),
    volume: k + client / 10,
    additionalMetrics: [{ metric: 'util', volume: client }],
    additionalResources: [{ meter: 'gpu.hours', volume: client }],
  });
  // Each batch: 300 keys from a window that overlaps the other clients' windows.
  const window = (client: number, round: number) => {
    const first = (client * 75 + round * 50) % (KEYS - 300);
    return Array.from({ length: 300 }, (_, i) => first + i);
  };
  const clients = Array.from({ length: 8 }, async (_, client) => {
    const answers = [];
    for (let round = 0; round < 4; round++) {
      const keys = shuffled(window(client, round), client * 31 + round);
      answers.push(
        await api.gql('mutation R($r: [UsageReportInput!]!) { reportUsage(reports: $r) { created updated unchanged } }', {
          r: keys.map((k) => report(k, client)),
        }),
      );
    }
    return answers;
  });
  const answers = (await Promise.all(clients)).flat();

  expect(answers.filter((a) => a.errors)).toEqual([]);
  const [events] = await t.sql(
    `SELECT count(*) FILTER (WHERE parent_id IS NULL)::int AS reports, count(*) FILTER (WHERE parent_id IS NOT NULL)::int AS children,
            count(DISTINCT (project_id, start_time)) FILTER (WHERE parent_id IS NULL)::int AS keys
     FROM usage_events`,
  );
  const touched = new Set(Array.from({ length: 8 }, (_, client) => [0, 1, 2, 3].flatMap((round) => window(client, round))).flat());
  expect(events).toEqual({ reports: touched.size, children: touched.size, keys: touched.size });
  const [metrics] = await t.sql('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS events FROM usage_metrics');
  expect(metrics).toEqual({ n: touched.size, events: touched.size });
  const [{ n: names }] = await t.sql("SELECT count(*)::int AS n FROM sources WHERE name LIKE 'src-%'");
  expect(names).toBe(5);
  const created = answers.reduce((s, a) => s + a.data.reportUsage.created, 0);
  expect(created).toBe(touched.size);
});

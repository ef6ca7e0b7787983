import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * docs/scaling.md plans meterql on Citus, distributed by project. Its table of tables says which
 * are distributed; Citus then requires the distribution column in each of their primary keys,
 * unique keys and exclusion constraints, on both sides of a foreign key between two of them, and
 * no foreign key from another table into one of them. Read from the migrated database's catalog,
 * so that a migration that breaks the plan, or a table the plan does not place, fails here.
 */
const DISTRIBUTION_COLUMN = 'project_id';
const scaling = readFileSync(path.resolve(__dirname, '../../docs/scaling.md'), 'utf8');

/** The rows of the table whose header is `| table | kind | ...`: each table's name and kind. */
function plannedTables(markdown: string): Map<string, string> {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*table\s*\|\s*kind\s*\|/.test(line));
  if (header < 0) throw new Error('docs/scaling.md has no "| table | kind |" table');
  const planned = new Map<string, string>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [tables, kind] = line
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    for (const [, name] of tables.matchAll(/`([^`]+)`/g)) planned.set(name, kind);
  }
  return planned;
}

const planned = plannedTables(scaling);
const distributed = [...planned]
  .filter(([, kind]) => kind.startsWith('distributed'))
  .map(([name]) => name)
  .sort();

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('docs/scaling.md: the schema keeps the Citus plan possible', () => {
  test('the plan places every table of the database, and distributes the usage tables', async () => {
    const tables = await t.sql<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')",
    );
    expect([...planned.keys()].sort()).toEqual(tables.map((r) => r.relname).sort());
    expect(distributed).toEqual(expect.arrayContaining(['usage_events', 'usage_metrics', 'usage_rollups', 'usage_rollup_dirty']));
    for (const [name, kind] of planned) expect([name, kind]).toEqual([name, expect.stringMatching(/^(distributed|reference)\b/)]);
  });

  test('its deployment distributes exactly those tables, by project_id, co-located', () => {
    const created = [...scaling.matchAll(/create_distributed_table\('(\w+)', '(\w+)'(?:, colocate_with => '(\w+)')?\)/g)];
    expect(created.map(([, table]) => table).sort()).toEqual(distributed);
    for (const [, table, column, colocateWith] of created) {
      expect({ table, column, colocated: table === 'usage_events' || colocateWith === 'usage_events' }).toEqual({
        table,
        column: DISTRIBUTION_COLUMN,
        colocated: true,
      });
    }
  });

  test('every primary key, unique key and exclusion constraint of a distributed table holds project_id', async () => {
    const keys = await t.sql<{ name: string; table: string; columns: string[] }>(
      `SELECT ic.relname AS name, t.relname AS table,
              array(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)::text[] AS columns
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'x'
       WHERE (i.indisunique OR c.oid IS NOT NULL) AND t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1::text[])`,
      [distributed],
    );
    // The keys the plan names: the query reads them.
    expect(keys.map((k) => k.name)).toEqual(
      expect.arrayContaining([
        'usage_events_pkey',
        'usage_events_match_key',
        'usage_metrics_pkey',
        'usage_rollups_pkey',
        'usage_rollup_dirty_pkey',
      ]),
    );
    expect(keys.filter((k) => !k.columns.includes(DISTRIBUTION_COLUMN))).toEqual([]);
  });

  test('a foreign key between distributed tables pairs project_id with project_id; none reaches one from another table', async () => {
    const foreign = await t.sql<{ name: string; table: string; target: string; pairs: string[][] }>(
      `SELECT c.conname AS name, t.relname AS table, ft.relname AS target,
              array(SELECT array[a.attname, fa.attname]::text[] FROM unnest(c.conkey, c.confkey) AS k(attnum, fattnum)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                    JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.fattnum) AS pairs
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class ft ON ft.oid = c.confrelid
       WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
    );
    const isDistributed = (table: string) => distributed.includes(table);
    const between = foreign.filter((k) => isDistributed(k.table) && isDistributed(k.target));
    // The plan's two: additional metrics and additional resources point at their reports.
    expect(between.map((k) => k.name).sort()).toEqual(expect.arrayContaining(['usage_events_parent_fkey', 'usage_metrics_event_fkey']));
    const unpaired = between.filter(
      (k) => !k.pairs.some(([column, target]) => column === DISTRIBUTION_COLUMN && target === DISTRIBUTION_COLUMN),
    );
    expect(unpaired).toEqual([]);
    expect(foreign.filter((k) => !isDistributed(k.table) && isDistributed(k.target))).toEqual([]);
  });
});

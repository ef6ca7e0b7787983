import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { parsePrismaSchema } from '../helpers/prisma-schema';

const schema = parsePrismaSchema(readFileSync(path.resolve(__dirname, '../../prisma/schema.prisma'), 'utf8'));

const PG_TYPES: Record<string, string> = {
  Int: 'integer',
  BigInt: 'bigint',
  String: 'text',
  Float: 'double precision',
  Boolean: 'boolean',
  DateTime: 'timestamp with time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
  Decimal: 'numeric',
};

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('prisma/schema.prisma describes the migrated database', () => {
  test('the parser read every model and enum', () => {
    expect([...schema.models.keys()].sort()).toEqual(
      [
        'ApiKey',
        'Component',
        'ComputeProject',
        'Contingent',
        'FixedCost',
        'PriceCard',
        'Meter',
        'Project',
        'RecordDuration',
        'Resource',
        'ResourceMetadata',
        'Source',
        'UsageEvent',
        'UsageMetric',
        'UsageRollup',
        'UsageRollupDirty',
        'UsageRollupZone',
        'User',
      ].sort(),
    );
    expect(schema.enums.get('MeterType')).toEqual({ dbName: 'meter_type', values: ['CUMULATIVE', 'GAUGE', 'DELTA', 'EVENT'] });
  });

  test('the same tables', async () => {
    const tables = await t.sql<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'",
    );
    expect(tables.map((r) => r.table_name).sort()).toEqual([...schema.models.values()].map((m) => m.table).sort());
  });

  test.each([...schema.models.values()].map((m) => [m.name, m] as const))(
    '%s: the same columns, types and nullability',
    async (_, model) => {
      const columns = await t.sql<{ column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
        "SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [model.table],
      );
      const inDb = Object.fromEntries(
        columns.map((c) => [
          c.column_name,
          { type: c.data_type === 'USER-DEFINED' ? c.udt_name : c.data_type, nullable: c.is_nullable === 'YES' },
        ]),
      );
      const inModel = Object.fromEntries(
        model.fields
          .filter((f) => !schema.models.has(f.type))
          .map((f) => [
            f.column,
            { type: f.list ? 'ARRAY' : (PG_TYPES[f.type] ?? schema.enums.get(f.type)?.dbName), nullable: f.optional },
          ]),
      );
      expect(inDb).toEqual(inModel);
    },
  );

  test.each([...schema.models.values()].map((m) => [m.name, m] as const))('%s: every relation is a foreign key', async (_, model) => {
    const keys = await t.sql<{ columns: string[]; target: string; target_columns: string[] }>(
      `SELECT array_agg(a.attname ORDER BY k.ord)::text[] AS columns, ct.relname AS target,
              array_agg(ta.attname ORDER BY k.ord)::text[] AS target_columns
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class ct ON ct.oid = c.confrelid
       CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, fcol, ord)
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
       JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = k.fcol
       WHERE c.contype = 'f' AND t.relname = $1
       GROUP BY c.oid, ct.relname`,
      [model.table],
    );
    const column = (m: string, field: string) => schema.models.get(m)!.fields.find((f) => f.name === field)!.column;
    const expected = model.fields
      .filter((f) => f.relation)
      .map((f) => ({
        columns: f.relation!.fields.map((x) => column(model.name, x)),
        target: schema.models.get(f.type)!.table,
        target_columns: f.relation!.references.map((x) => column(f.type, x)),
      }));
    const sort = (xs: object[]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(sort(keys)).toEqual(sort(expected));
  });

  test('every named index and unique constraint of the models exists', async () => {
    const indexes = await t.sql<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'");
    const names = new Set(indexes.map((i) => i.indexname));
    const missing = [...schema.models.values()].flatMap((m) => m.indexNames).filter((n) => !names.has(n));
    expect(missing).toEqual([]);
  });
});

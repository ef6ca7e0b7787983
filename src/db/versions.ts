import type { PoolClient } from 'pg';
import { bind, ident, join, query, sql, type Sql } from '../common/sql';

/** PostgreSQL's SQLSTATE when an exclusion constraint refuses a row: versions that would overlap. */
export const EXCLUSION_VIOLATION = '23P01';

/** The columns a versioned row may name: what it versions, and the values it sets. */
type VersionColumn =
  | 'resource_id'
  | 'metadata'
  | 'meter_id'
  | 'partition'
  | 'priority'
  | 'unit_price'
  | 'currency'
  | 'description'
  | 'project_id'
  | 'name'
  | 'amount'
  | 'per';

/** A row versioned by validity over [valid_from, valid_to): its table, the columns that name what it versions, and the values it sets. */
export interface Version {
  table: 'resource_metadata' | 'price_cards' | 'fixed_costs';
  key: Partial<Record<VersionColumn, unknown>>;
  validFrom: Date;
  /** null: until the key's next version begins, or open. */
  validTo: Date | null;
  values: Partial<Record<VersionColumn, unknown>>;
}

/**
 * Adds a version in the caller's transaction: a row of the same key and start is replaced;
 * otherwise the key's open row that began before validFrom ends there, and the new row ends at
 * validTo or where the key's next row begins. An overlap with a closed row is left to the table's
 * exclusion constraint to refuse. Returns the `returning` columns of the row written.
 */
export async function addVersion<T extends object>(client: PoolClient, v: Version, returning: Sql = ident('id')): Promise<T> {
  const table = ident(v.table);
  const columns = (record: Version['key']) =>
    (Object.entries(record) as [VersionColumn, unknown][]).map(([column, value]) => ({ column: ident(column), value: bind(value) }));
  const key = columns(v.key);
  const values = columns(v.values);
  const from = bind(v.validFrom);
  const to = bind(v.validTo);
  const keyMatch = join(
    key.map(({ column, value }) => sql`${column} IS NOT DISTINCT FROM ${value}`),
    ' AND ',
  );
  const replaced = await client.query<T>(
    query(sql`UPDATE ${table} SET ${join(values.map(({ column, value }) => sql`${column} = ${value}`))}, valid_to = COALESCE(${to}::timestamptz, valid_to)
     WHERE ${keyMatch} AND valid_from = ${from} RETURNING ${returning}`),
  );
  if (replaced.rows.length > 0) return replaced.rows[0];
  await client.query(query(sql`UPDATE ${table} SET valid_to = ${from} WHERE ${keyMatch} AND valid_to IS NULL AND valid_from < ${from}`));
  const written = [...key, ...values];
  const {
    rows: [inserted],
  } = await client.query<T>(
    query(sql`INSERT INTO ${table} (${join(written.map((c) => c.column))}, valid_from, valid_to)
     VALUES (${join(written.map((c) => sql`${c.value}`))}, ${from},
             COALESCE(${to}::timestamptz, (SELECT min(valid_from) FROM ${table} WHERE ${keyMatch} AND valid_from > ${from})))
     RETURNING ${returning}`),
  );
  return inserted;
}

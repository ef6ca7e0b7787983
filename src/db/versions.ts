import type { PoolClient } from 'pg';
import { SqlParams } from '../common/sql';

/** PostgreSQL's SQLSTATE when an exclusion constraint refuses a row: versions that would overlap. */
export const EXCLUSION_VIOLATION = '23P01';

/** A row versioned by validity over [valid_from, valid_to): its table, the columns that name what it versions, and the values it sets. */
export interface Version {
  table: 'resource_metadata' | 'price_cards' | 'fixed_costs';
  key: Record<string, unknown>;
  validFrom: Date;
  /** null: until the key's next version begins, or open. */
  validTo: Date | null;
  values: Record<string, unknown>;
}

/**
 * Adds a version in the caller's transaction: a row of the same key and start is replaced;
 * otherwise the key's open row that began before validFrom ends there, and the new row ends at
 * validTo or where the key's next row begins. An overlap with a closed row is left to the table's
 * exclusion constraint to refuse. Returns the `returning` columns of the row written.
 */
export async function addVersion<T extends object>(client: PoolClient, v: Version, returning = 'id'): Promise<T> {
  const p = new SqlParams();
  const keyMatch = Object.entries(v.key).map(([column, value]) => `${column} IS NOT DISTINCT FROM ${p.add(value)}`).join(' AND ');
  const from = p.add(v.validFrom);
  const valueColumns = Object.keys(v.values);
  const valueParams = Object.values(v.values).map((value) => p.add(value));
  const to = p.add(v.validTo);
  const replaced = await client.query<T>(
    `UPDATE ${v.table} SET ${valueColumns.map((c, i) => `${c} = ${valueParams[i]}`).join(', ')}, valid_to = COALESCE(${to}::timestamptz, valid_to)
     WHERE ${keyMatch} AND valid_from = ${from} RETURNING ${returning}`,
    p.values,
  );
  if (replaced.rows.length > 0) return replaced.rows[0];
  await client.query(`UPDATE ${v.table} SET valid_to = ${from} WHERE ${keyMatch} AND valid_to IS NULL AND valid_from < ${from}`, p.values.slice(0, -1 - valueParams.length));
  const keyColumns = Object.keys(v.key);
  const { rows: [inserted] } = await client.query<T>(
    `INSERT INTO ${v.table} (${[...keyColumns, ...valueColumns, 'valid_from', 'valid_to'].join(', ')})
     VALUES (${[...keyColumns.map((_, i) => `$${i + 1}`), ...valueParams].join(', ')}, ${from},
             COALESCE(${to}::timestamptz, (SELECT min(valid_from) FROM ${v.table} WHERE ${keyMatch} AND valid_from > ${from})))
     RETURNING ${returning}`,
    p.values,
  );
  return inserted;
}

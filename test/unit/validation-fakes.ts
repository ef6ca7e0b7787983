import type { Pool } from 'pg';
import { TimeZones } from '../../src/common/time-zones';
import type { Problems } from '../../src/errors/errors';
import type { CatalogRepository } from '../../src/modules/catalog/catalog.repository';
import { CatalogService } from '../../src/modules/catalog/catalog.service';

/**
 * The lookups of input checks without a database: TimeZones and CatalogService themselves, over
 * a PostgreSQL that knows a few zones and a catalog of a few meters, so that their messages are
 * the ones clients read.
 */
export function fakeZones(known = ['UTC', 'Europe/Berlin']): TimeZones {
  const pool = { query: async () => ({ rows: known.map((name) => ({ name: name.toLowerCase() })) }) };
  return new TimeZones(pool as unknown as Pool);
}

export function fakeCatalog(meters: Record<string, number> = { 'cpu.hours': 1, 'gpu.hours': 2 }): CatalogService {
  const repository = {
    meterKeys: async (names: string[]) => names.filter((n) => n in meters).map((name) => ({ name, id: meters[name], recordType: null })),
  };
  return new CatalogService(repository as unknown as CatalogRepository);
}

/** The problems a check added, as plain objects in order; none when the input is valid. */
export function problemsOf(problems: Problems): { path: (string | number)[]; message: string }[] {
  return problems.all.map((p) => ({ path: [...p.path], message: p.message }));
}

export const ZONE_MESSAGE = (zone: string) =>
  `"${zone}" is not a time zone that both meterql and its database know (an IANA name such as Europe/Berlin)`;

import { checkTimeRange } from '../../common/time-range';
import { DEFAULT_TIME_ZONE, type TimeZones } from '../../common/time-zones';
import type { Path, Problems } from '../../errors/errors';
import type { CatalogService } from '../catalog/catalog.service';
import { estimatePeriods, PeriodUnit } from '../usage/usage.calendar';
import { ChargebackPeriod, type ChargebackInput } from './chargeback.types';

/** What checking a chargeback input asks the database, and the most days one report may cover. */
export interface ChargebackChecks {
  maxPeriods: number;
  zones: Pick<TimeZones, 'check'>;
  catalog: Pick<CatalogService, 'meterIds'>;
}

/**
 * Checks a chargeback input, adding each problem at its path: [from, to), a zone both meterql and
 * its database know, at most maxPeriods days in [from, to), and defined meters. Returns it with
 * its defaults filled in and its meters' ids (null: every meter).
 */
export async function checkChargebackInput(
  input: ChargebackInput,
  problems: Problems,
  checks: ChargebackChecks,
  path: Path = ['input'],
): Promise<{ timeZone: string; period: ChargebackPeriod; detail: boolean; meterIds: number[] | null }> {
  checkTimeRange(input, problems, path);
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  await checks.zones.check(timeZone, problems, [...path, 'timeZone']);
  // Days are computed for PERIOD too: it is their sum.
  if (input.from < input.to && estimatePeriods(input.from, input.to, { unit: PeriodUnit.DAY, size: 1 }) > checks.maxPeriods) {
    problems.add([...path, 'to'], `[from, to) holds more than ${checks.maxPeriods} days; use a shorter range`);
  }
  const meterIds = input.meters?.length ? await checks.catalog.meterIds(input.meters, problems, [...path, 'meters']) : null;
  return { timeZone, period: input.period ?? ChargebackPeriod.PERIOD, detail: input.detail ?? false, meterIds };
}

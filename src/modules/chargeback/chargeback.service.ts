import { checkTimeRange } from '../../common/time-range';
import { Problems } from '../../errors/errors';
import { visibleProjects, type Caller } from '../auth/auth.types';
import type { CatalogService } from '../catalog/catalog.service';
import { DEFAULT_TIME_ZONE, type TimeZones } from '../../common/time-zones';
import { estimatePeriods, PeriodUnit } from '../usage/usage.calendar';
import { fromDbChargebackRow } from './chargeback.mapping';
import type { ChargebackRepository } from './chargeback.repository';
import { ChargebackPeriod, type ChargebackInput, type ChargebackReport } from './chargeback.types';

/** Chargeback: usage and fixed costs as money per project, priced at query time. */
export class ChargebackService {
  constructor(
    private readonly repository: ChargebackRepository,
    private readonly catalog: CatalogService,
    private readonly zones: TimeZones,
    private readonly options: { maxPeriods: number },
  ) {}

  async report(caller: Caller, input: ChargebackInput): Promise<ChargebackReport> {
    const problems = new Problems();
    checkTimeRange(input, problems, ['input']);
    const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
    await this.zones.check(timeZone, problems, ['input', 'timeZone']);
    // Days are computed for PERIOD too: it is their sum.
    if (input.from < input.to && estimatePeriods(input.from, input.to, { unit: PeriodUnit.DAY, size: 1 }) > this.options.maxPeriods) {
      problems.add(['input', 'to'], `[from, to) holds more than ${this.options.maxPeriods} days; use a shorter range`);
    }
    const meterIds = input.meters?.length ? await this.catalog.meterIds(input.meters, problems, ['input', 'meters']) : null;
    problems.throwIfAny();
    const period = input.period ?? ChargebackPeriod.PERIOD;
    const rows = await this.repository.report({
      projects: visibleProjects(input.projects, caller),
      meterIds,
      from: input.from,
      to: input.to,
      timeZone,
      daily: period === ChargebackPeriod.DAILY,
      detail: input.detail ?? false,
    });
    return { from: input.from, to: input.to, timeZone, period, rows: rows.map(fromDbChargebackRow) };
  }
}

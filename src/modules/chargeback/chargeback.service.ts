import { Problems } from '../../errors/errors';
import { visibleProjects, type Caller } from '../auth/auth.types';
import type { CatalogService } from '../catalog/catalog.service';
import type { TimeZones } from '../../common/time-zones';
import { fromDbChargebackRow } from './chargeback.mapping';
import type { ChargebackRepository } from './chargeback.repository';
import { ChargebackPeriod, type ChargebackInput, type ChargebackReport } from './chargeback.types';
import { checkChargebackInput } from './chargeback.validation';

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
    const { timeZone, period, detail, meterIds } = await checkChargebackInput(input, problems, {
      maxPeriods: this.options.maxPeriods,
      zones: this.zones,
      catalog: this.catalog,
    });
    problems.throwIfAny();
    const rows = await this.repository.report({
      projects: visibleProjects(input.projects, caller),
      meterIds,
      from: input.from,
      to: input.to,
      timeZone,
      daily: period === ChargebackPeriod.DAILY,
      detail,
    });
    return { from: input.from, to: input.to, timeZone, period, rows: rows.map(fromDbChargebackRow) };
  }
}

import { pageRequest, toPage, type Page } from '../../common/pagination';
import { checkTimeRange } from '../../common/time-range';
import { Problems } from '../../errors/errors';
import type { CatalogService } from '../catalog/catalog.service';
import { visibleProjects, type Caller } from '../auth/auth.types';
import { checkUsageFilter } from '../usage/usage-filter';
import { fromDbEvent, fromDbMetric } from './events.mapping';
import type { EventsRepository } from './events.repository';
import { UsageEventOrder, type AdditionalMetric, type UsageEvent, type UsageEventFilter } from './events.types';

export class EventsService {
  constructor(
    private readonly repository: EventsRepository,
    private readonly catalog: CatalogService,
    private readonly limits: { maxPageSize: number },
  ) {}

  async events(
    caller: Caller,
    filter: UsageEventFilter,
    page: { first?: number | null; after?: string | null },
    order: UsageEventOrder = UsageEventOrder.START_ASC,
  ): Promise<Page<UsageEvent>> {
    const problems = new Problems();
    checkTimeRange(filter, problems, ['filter']);
    checkUsageFilter(filter, problems, ['filter']);
    const { first, after } = pageRequest(page, problems, this.limits.maxPageSize);
    const cursor = after && parseEventCursor(after);
    if (after && !cursor) problems.add(['after'], 'is not a cursor returned by this query');
    const meterIds = filter.meters ? await this.catalog.meterIds(filter.meters, problems, ['filter', 'meters']) : null;
    problems.throwIfAny();

    const rows = await this.repository.page({
      from: filter.from,
      to: filter.to,
      meterIds,
      filter: { ...filter, projects: visibleProjects(filter.projects, caller) },
      descending: order === UsageEventOrder.START_DESC,
      after: cursor || null,
      limit: first + 1,
    });
    return toPage(rows, first, (r) => [r.start_time.toISOString(), r.id], fromDbEvent);
  }

  /** For the additionalMetrics loader: each event's metrics, in key order. */
  async metricsOf(eventIds: readonly string[]): Promise<AdditionalMetric[][]> {
    const rows = await this.repository.metrics(eventIds);
    const byEvent = new Map<string, AdditionalMetric[]>();
    for (const row of rows) byEvent.set(row.event_id, [...(byEvent.get(row.event_id) ?? []), fromDbMetric(row)]);
    return eventIds.map((id) => byEvent.get(id) ?? []);
  }
}

function parseEventCursor(key: unknown[]): { start: Date; id: string } | undefined {
  const [start, id] = key;
  if (key.length !== 2 || typeof start !== 'string' || typeof id !== 'string' || !/^\d{1,19}$/.test(id)) return undefined;
  const date = new Date(start);
  return Number.isNaN(date.getTime()) ? undefined : { start: date, id };
}

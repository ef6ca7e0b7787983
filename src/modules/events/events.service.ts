import { pageRequest, toPage, type CursorKey, type Page } from '../../common/pagination';
import { parseInstant } from '../../common/scalars';
import { checkTimeRange } from '../../common/time-range';
import { Problems } from '../../errors/errors';
import type { CatalogService } from '../catalog/catalog.service';
import { visibleProjects, type Caller } from '../auth/auth.types';
import { checkUsageFilter } from '../usage/usage-filter';
import { columnsFor, fromDbEvent, fromDbMetric, type DbEventRow } from './events.mapping';
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
    /** The fields of UsageEvent the query selects: only their columns are read (all when unknown). */
    fields?: ReadonlySet<string>,
  ): Promise<Page<UsageEvent>> {
    const problems = new Problems();
    checkTimeRange(filter, problems, ['filter']);
    checkUsageFilter(filter, problems, ['filter']);
    const { first, after } = pageRequest(page, problems, { maxPageSize: this.limits.maxPageSize, cursor: EVENT_CURSOR });
    const meterIds = filter.meters ? await this.catalog.meterIds(filter.meters, problems, ['filter', 'meters']) : null;
    problems.throwIfAny();

    const rows = await this.repository.page({
      from: filter.from,
      to: filter.to,
      meterIds,
      filter: { ...filter, projects: visibleProjects(filter.projects, caller) },
      descending: order === UsageEventOrder.START_DESC,
      after: after ?? null,
      limit: first + 1,
      columns: columnsFor(fields),
    });
    return toPage(rows, first, EVENT_CURSOR, fromDbEvent);
  }

  /** For the additionalMetrics loader: each event's metrics, in key order. */
  async metricsOf(eventIds: readonly string[]): Promise<AdditionalMetric[][]> {
    const rows = await this.repository.metrics(eventIds);
    const byEvent = new Map<string, AdditionalMetric[]>();
    for (const row of rows) byEvent.set(row.event_id, [...(byEvent.get(row.event_id) ?? []), fromDbMetric(row)]);
    return eventIds.map((id) => byEvent.get(id) ?? []);
  }
}

const MAX_BIGINT = 2n ** 63n - 1n;

/**
 * Events are paged in the order of (start_time, id): their cursor holds both, as an instant of a
 * DateTime's range and a bigint, which no other value could take the place of in the statement.
 */
const EVENT_CURSOR: CursorKey<DbEventRow, { start: Date; id: string }> = {
  of: (row) => [new Date(row.start_time).toISOString(), row.id],
  parse(key) {
    const [start, id] = key;
    if (key.length !== 2 || typeof start !== 'string' || typeof id !== 'string' || !/^\d{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT)
      return undefined;
    const date = parseInstant(start);
    return date && { start: date, id };
  },
};

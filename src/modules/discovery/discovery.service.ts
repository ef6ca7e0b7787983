import { nameCursor, pageRequest, toPage, type Page } from '../../common/pagination';
import { checkTimeRange } from '../../common/time-range';
import { Problems } from '../../errors/errors';
import type { Caller } from '../auth/auth.types';
import type { DimensionName, DimensionRow, DiscoveryRepository } from './discovery.repository';
import type { DiscoveryFilter } from './discovery.types';

/** Names are paged in their order. */
const NAME_CURSOR = nameCursor((row: DimensionRow) => row.name);

export interface Named {
  name: string;
  firstSeen: Date;
}

/** Users, projects, compute projects and sources: all of them, or those with usage in a window or project. */
export class DiscoveryService {
  constructor(
    private readonly repository: DiscoveryRepository,
    private readonly limits: { maxPageSize: number },
  ) {}

  async list(
    caller: Caller,
    dimension: DimensionName,
    filter: DiscoveryFilter | null | undefined,
    page: { first?: number | null; after?: string | null },
  ): Promise<Page<Named>> {
    const problems = new Problems();
    const { first, after } = pageRequest(page, problems, { maxPageSize: this.limits.maxPageSize, cursor: NAME_CURSOR });
    const from = filter?.from ?? null;
    const to = filter?.to ?? null;
    if ((from === null) !== (to === null)) problems.add(['filter', from === null ? 'from' : 'to'], 'from and to go together');
    if (from && to) checkTimeRange({ from, to }, problems, ['filter']);
    problems.throwIfAny();

    const rows = await this.repository.list(dimension, {
      project: filter?.project ?? null,
      visible: caller.projects ? [...caller.projects] : null,
      from,
      to,
      after: after ?? null,
      limit: first + 1,
    });
    return toPage(rows, first, NAME_CURSOR, (r) => ({ name: r.name, firstSeen: r.created_at }));
  }
}

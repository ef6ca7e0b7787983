import DataLoader from 'dataloader';
import type { Caller } from '../auth/auth.types';
import type { StatisticsService } from './statistics.service';
import type { UsageStatisticsRow } from './statistics.types';

type ResourceUsageKey = { resource: string; from: Date; to: Date; prorate: boolean; cost: boolean };

export function createStatisticsLoaders(statistics: StatisticsService, caller: Caller) {
  return {
    resourceUsage: new DataLoader<ResourceUsageKey, UsageStatisticsRow[], string>((keys) => statistics.resourceUsage(caller, keys), {
      cacheKeyFn: (k) => `${k.resource}/${k.from.getTime()}/${k.to.getTime()}/${k.prorate}/${k.cost}`,
    }),
  };
}

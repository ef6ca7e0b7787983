import { createCatalogLoaders } from './modules/catalog/catalog.loaders';
import { createEventLoaders } from './modules/events/events.loaders';
import { createResourceLoaders } from './modules/resources/resources.loaders';
import { createStatisticsLoaders } from './modules/statistics/statistics.loaders';
import type { Services } from './services';

/** Born per request: loaders cache only what this request read, so nothing leaks between callers. */
export function createContext(services: Services) {
  return {
    services,
    loaders: {
      catalog: createCatalogLoaders(services.catalog),
      events: createEventLoaders(services.events),
      resources: createResourceLoaders(services.resources),
      statistics: createStatisticsLoaders(services.statistics),
    },
  };
}

export type Context = ReturnType<typeof createContext>;

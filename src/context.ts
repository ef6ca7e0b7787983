import { createCatalogLoaders } from './modules/catalog/catalog.loaders';
import { createResourceLoaders } from './modules/resources/resources.loaders';
import type { Services } from './services';

/** Born per request: loaders cache only what this request read, so nothing leaks between callers. */
export function createContext(services: Services) {
  return {
    services,
    loaders: {
      catalog: createCatalogLoaders(services.catalog),
      resources: createResourceLoaders(services.resources),
    },
  };
}

export type Context = ReturnType<typeof createContext>;

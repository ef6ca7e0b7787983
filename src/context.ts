import type { DomainError } from './errors/errors';
import { NOBODY, type Caller } from './modules/auth/auth.types';
import { createCatalogLoaders } from './modules/catalog/catalog.loaders';
import { createEventLoaders } from './modules/events/events.loaders';
import { createPricingLoaders } from './modules/pricing/pricing.loaders';
import { createResourceLoaders } from './modules/resources/resources.loaders';
import { createStatisticsLoaders } from './modules/statistics/statistics.loaders';
import type { RequestRecord } from './ops/http';
import type { Services } from './services';

/**
 * Born per request: the caller, and loaders that cache only what this request read, so nothing
 * leaks between callers.
 */
export function createContext(services: Services, caller: Caller | null, request: RequestRecord, authError?: DomainError) {
  return {
    requestId: request.id,
    /** Logs with the request's id on every line. */
    log: request.log,
    request,
    caller,
    /** Why there is no caller, when credentials were sent but could not be checked. */
    authError,
    services,
    loaders: {
      catalog: createCatalogLoaders(services.catalog),
      events: createEventLoaders(services.events),
      pricing: createPricingLoaders(services.pricing),
      resources: createResourceLoaders(services.resources),
      statistics: createStatisticsLoaders(services.statistics, caller ?? NOBODY),
    },
  };
}

export type Context = ReturnType<typeof createContext>;

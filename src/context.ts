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
 * A request's loaders, each made when a field first asks for it: most requests use one or two of
 * them. They cache only what this request read, so nothing leaks between callers.
 */
class RequestLoaders {
  private made: {
    catalog?: ReturnType<typeof createCatalogLoaders>;
    events?: ReturnType<typeof createEventLoaders>;
    pricing?: ReturnType<typeof createPricingLoaders>;
    resources?: ReturnType<typeof createResourceLoaders>;
    statistics?: ReturnType<typeof createStatisticsLoaders>;
  } = {};

  constructor(
    private readonly services: Services,
    private readonly caller: Caller | null,
  ) {}

  get catalog() {
    return (this.made.catalog ??= createCatalogLoaders(this.services.catalog));
  }
  get events() {
    return (this.made.events ??= createEventLoaders(this.services.events));
  }
  get pricing() {
    return (this.made.pricing ??= createPricingLoaders(this.services.pricing));
  }
  get resources() {
    return (this.made.resources ??= createResourceLoaders(this.services.resources));
  }
  get statistics() {
    return (this.made.statistics ??= createStatisticsLoaders(this.services.statistics, this.caller ?? NOBODY));
  }
}

/** Born per request: the caller and the request's loaders. */
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
    loaders: new RequestLoaders(services, caller),
  };
}

export type Context = ReturnType<typeof createContext>;

import { DEFAULT_LIMITS, type Limits } from './config';
import type { Database } from './db/database';
import { AuthRepository } from './modules/auth/auth.repository';
import { AuthService } from './modules/auth/auth.service';
import { ChargebackRepository } from './modules/chargeback/chargeback.repository';
import { ChargebackService } from './modules/chargeback/chargeback.service';
import { CatalogRepository } from './modules/catalog/catalog.repository';
import { CatalogService } from './modules/catalog/catalog.service';
import { ContingentsRepository } from './modules/contingents/contingents.repository';
import { ContingentsService } from './modules/contingents/contingents.service';
import { DiscoveryRepository } from './modules/discovery/discovery.repository';
import { DiscoveryService } from './modules/discovery/discovery.service';
import { EventsRepository } from './modules/events/events.repository';
import { EventsService } from './modules/events/events.service';
import { IngestionRepository } from './modules/ingestion/ingestion.repository';
import { IngestionService } from './modules/ingestion/ingestion.service';
import { PricingRepository } from './modules/pricing/pricing.repository';
import { PricingService } from './modules/pricing/pricing.service';
import { ResourcesRepository } from './modules/resources/resources.repository';
import { ResourcesService } from './modules/resources/resources.service';
import { RollupsRepository } from './modules/usage/rollups.repository';
import { RollupsService } from './modules/usage/rollups.service';
import { UsageRepository } from './modules/usage/usage.repository';
import { StatisticsRepository } from './modules/statistics/statistics.repository';
import { StatisticsService } from './modules/statistics/statistics.service';
import { DatabaseHealth } from './ops/health';
import { DEFAULT_TIME_ZONE, TimeZones } from './common/time-zones';

export interface ServiceOptions {
  limits: Limits;
  anonymousAdmin: boolean;
  /** Zones whose day and month rollups are kept; statistics read no rollups when this is null. */
  rollupTimeZones?: string[] | null;
  /** How long a verified API key is trusted without asking the database again (default 0). */
  keyCacheMs?: number;
  /** How long a readiness check waits for the database (default 2000). */
  readyTimeoutMs?: number;
}

/** The domain services, wired once per process from one database. */
export function createServices(db: Database, options: ServiceOptions = { limits: DEFAULT_LIMITS, anonymousAdmin: false }) {
  const { limits } = options;
  const rollupTimeZones = options.rollupTimeZones === undefined ? [DEFAULT_TIME_ZONE] : options.rollupTimeZones;
  const catalog = new CatalogService(new CatalogRepository(db.prisma));
  const zones = new TimeZones(db.pool);
  const rollups = new RollupsRepository();
  return {
    auth: new AuthService(new AuthRepository(db.prisma), { anonymousAdmin: options.anonymousAdmin, cacheMs: options.keyCacheMs ?? 0 }),
    catalog,
    contingents: new ContingentsService(new ContingentsRepository(db.pool), catalog, zones),
    events: new EventsService(new EventsRepository(db.pool), catalog, limits),
    ingestion: new IngestionService(db, new IngestionRepository(), rollups, catalog, limits),
    resources: new ResourcesService(db, new ResourcesRepository(db.pool), limits),
    pricing: new PricingService(db, new PricingRepository(db.pool), catalog),
    chargeback: new ChargebackService(new ChargebackRepository(db.pool), catalog, zones, { maxPeriods: limits.maxPeriods }),
    discovery: new DiscoveryService(new DiscoveryRepository(db.pool), limits),
    statistics: new StatisticsService(new StatisticsRepository(db.pool), catalog, zones, new UsageRepository(db.pool), {
      maxPeriods: limits.maxPeriods,
      rollups: rollupTimeZones !== null,
    }),
    rollups: new RollupsService(db, rollups, { timeZones: rollupTimeZones ?? [], hoursPerRound: 2000, rebuildFrom: 20_000 }),
    health: new DatabaseHealth(db.pool, { timeoutMs: options.readyTimeoutMs ?? 2000 }),
  };
}

export type Services = ReturnType<typeof createServices>;

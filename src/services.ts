import type { Database } from './db/database';
import { CatalogRepository } from './modules/catalog/catalog.repository';
import { CatalogService } from './modules/catalog/catalog.service';
import { EventsRepository } from './modules/events/events.repository';
import { EventsService } from './modules/events/events.service';
import { DiscoveryRepository } from './modules/discovery/discovery.repository';
import { DiscoveryService } from './modules/discovery/discovery.service';
import { IngestionRepository } from './modules/ingestion/ingestion.repository';
import { IngestionService } from './modules/ingestion/ingestion.service';
import { StatisticsRepository } from './modules/statistics/statistics.repository';
import { StatisticsService } from './modules/statistics/statistics.service';
import { ResourcesRepository } from './modules/resources/resources.repository';
import { ResourcesService } from './modules/resources/resources.service';

/** The domain services, wired once per process from one database. */
export function createServices(db: Database) {
  const catalog = new CatalogService(new CatalogRepository(db.prisma));
  return {
    catalog,
    events: new EventsService(new EventsRepository(db.pool), catalog),
    ingestion: new IngestionService(db, new IngestionRepository(db.pool)),
    resources: new ResourcesService(db, new ResourcesRepository(db.pool)),
    discovery: new DiscoveryService(new DiscoveryRepository(db.pool)),
    statistics: new StatisticsService(new StatisticsRepository(db.pool), catalog),
  };
}

export type Services = ReturnType<typeof createServices>;

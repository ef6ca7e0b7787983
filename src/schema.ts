import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './modules/auth/auth.checker';
import { ChargebackResolver } from './modules/chargeback/chargeback.resolver';
import { CatalogResolver, ComponentResolver } from './modules/catalog/catalog.resolver';
import { ContingentsResolver } from './modules/contingents/contingents.resolver';
import { DiscoveryResolver } from './modules/discovery/discovery.resolver';
import { EventsResolver } from './modules/events/events.resolver';
import {
  ResourceUsageResolver,
  StatisticsPeriodsResolver,
  StatisticsResolver,
  StatisticsRowResolver,
} from './modules/statistics/statistics.resolver';
import { IngestionResolver } from './modules/ingestion/ingestion.resolver';
import { PricingResolver } from './modules/pricing/pricing.resolver';
import { ResourcesResolver } from './modules/resources/resources.resolver';

/** The one list of resolvers. schema.graphql is printed from it (npm run schema). */
export const resolvers = [
  CatalogResolver,
  ChargebackResolver,
  ComponentResolver,
  ContingentsResolver,
  DiscoveryResolver,
  EventsResolver,
  IngestionResolver,
  PricingResolver,
  ResourcesResolver,
  ResourceUsageResolver,
  StatisticsPeriodsResolver,
  StatisticsResolver,
  StatisticsRowResolver,
] as const;

export function createSchema(): Promise<GraphQLSchema> {
  // Inputs are validated by the services, which report every problem of an input at once.
  return buildSchema({ resolvers, validate: false, authChecker, authMode: 'error' });
}

/** The schema as committed in schema.graphql: sorted, so that its diff shows only real changes. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

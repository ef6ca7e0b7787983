import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, READER, callerOf } from '../auth/auth.checker';
import type { Context } from '../../context';
import { PageArgs } from '../../common/pagination';
import { selectedFields } from '../../common/selection';
import { JSONObjectScalar } from '../../common/scalars';
import { Meter } from '../catalog/catalog.types';
import { Resource } from '../resources/resources.types';
import { AdditionalMetric, UsageEvent, UsageEventConnection, UsageEventFilter, UsageEventOrder } from './events.types';

/**
 * What the nested fields read of their event. Typed as a plain shape (not the UsageEvent class), so
 * that type-graphql hands the node over as it is instead of copying it into a new UsageEvent.
 */
type EventKeys = Pick<UsageEvent, 'id' | 'meterKey' | 'projectKey' | 'resourceKey' | 'start'>;

@Resolver(() => UsageEvent)
export class EventsResolver {
  @Query(() => UsageEventConnection, {
    description: 'Raw usage records with from <= start < to, in a total order by (start, id), a page at a time.',
  })
  @Authorized(ADMIN, READER)
  usageEvents(
    @Ctx() ctx: Context,
    @Arg('filter', () => UsageEventFilter) filter: UsageEventFilter,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('orderBy', () => UsageEventOrder, { nullable: true, defaultValue: UsageEventOrder.START_ASC }) orderBy: UsageEventOrder,
    @Info() info: GraphQLResolveInfo,
  ): Promise<UsageEventConnection> {
    return ctx.services.events.events(callerOf(ctx), filter, page, orderBy, selectedFields(info, ['edges', 'node']));
  }

  @FieldResolver(() => Meter)
  meter(@Root() event: EventKeys, @Ctx() ctx: Context): Promise<Meter> {
    return ctx.loaders.catalog.meter.load(event.meterKey);
  }

  @FieldResolver(() => Resource, { nullable: true })
  resource(@Root() event: EventKeys, @Ctx() ctx: Context): Promise<Resource | null> | null {
    return event.resourceKey === null
      ? null
      : ctx.loaders.resources.resource.load({ resource: event.resourceKey, project: event.projectKey });
  }

  @FieldResolver(() => JSONObjectScalar, { nullable: true, description: "The resource's metadata version valid at the record's start." })
  resourceMetadata(@Root() event: EventKeys, @Ctx() ctx: Context): Promise<Record<string, unknown> | null> | null {
    return event.resourceKey === null
      ? null
      : ctx.loaders.resources.metadataAt.load({ resource: event.resourceKey, project: event.projectKey, at: event.start });
  }

  @FieldResolver(() => [AdditionalMetric])
  additionalMetrics(@Root() event: EventKeys, @Ctx() ctx: Context): Promise<AdditionalMetric[]> {
    return ctx.loaders.events.metrics.load(event.id);
  }
}

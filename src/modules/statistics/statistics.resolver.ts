import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { loadAll } from '../../common/loaders';
import { selectedFields, selects } from '../../common/selection';
import { PriceCard } from '../pricing/pricing.types';
import { ADMIN, READER, callerOf } from '../auth/auth.checker';
import type { Context } from '../../context';
import { DateTimeScalar } from '../../common/scalars';
import { Resource } from '../resources/resources.types';
import { MEASURES, StatisticsPeriod, UsageStatistics, UsageStatisticsInput, UsageStatisticsRow } from './statistics.types';

@Resolver()
export class StatisticsResolver {
  @Query(() => UsageStatistics, {
    description:
      'Sum, avg, min, max, count and stddev of volume, weighted sums and durations of usage in [from, to), per meter ' +
      '(or metric), group and calendar period of a time zone; optionally prorated. One SQL statement.',
  })
  @Authorized(ADMIN, READER)
  usageStatistics(
    @Arg('input', () => UsageStatisticsInput) input: UsageStatisticsInput,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<UsageStatistics> {
    const fields = selectedFields(info, ['rows']);
    return ctx.services.statistics.statistics(callerOf(ctx), input, {
      cost: [...COST_FIELDS].some((f) => fields.has(f)),
      measures: new Set(MEASURES.filter((m) => fields.has(m))),
    });
  }
}

@Resolver(() => UsageStatistics)
export class StatisticsPeriodsResolver {
  @FieldResolver(() => [StatisticsPeriod], {
    description:
      'Every period of [from, to) in order, rows or none: calendar periods of the time zone (a Berlin day is 23, 24 or 25 hours), ' +
      "the first and last clipped to the range; without a period, [from, to) itself. A row's periodStart is one of their starts.",
  })
  periods(@Root() statistics: UsageStatistics, @Ctx() ctx: Context): Promise<StatisticsPeriod[]> {
    return ctx.services.statistics.periods(statistics);
  }
}

/** The fields of a row that need its records priced: only a query that asks for one of them prices them. */
const COST_FIELDS = new Set(['cost', 'weightedCost', 'currency', 'unpricedVolume', 'unpricedCount', 'prices']);

@Resolver(() => UsageStatisticsRow)
export class StatisticsRowResolver {
  @FieldResolver(() => [PriceCard], { description: 'The price cards that priced the records of the row.' })
  prices(@Root() row: UsageStatisticsRow, @Ctx() ctx: Context): Promise<PriceCard[]> {
    return loadAll(ctx.loaders.pricing.price, row.priceIds);
  }
}

@Resolver(() => Resource)
export class ResourceUsageResolver {
  @FieldResolver(() => [UsageStatisticsRow], { description: "Per-meter statistics of this resource's usage in [from, to)." })
  usage(
    @Root() resource: Resource,
    @Ctx() ctx: Context,
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Arg('prorate', () => Boolean, { nullable: true, defaultValue: false }) prorate: boolean,
    @Info() info: GraphQLResolveInfo,
  ): Promise<UsageStatisticsRow[]> {
    return ctx.loaders.statistics.resourceUsage.load({ resource: resource.id, from, to, prorate, cost: selects(info, [], COST_FIELDS) });
  }
}

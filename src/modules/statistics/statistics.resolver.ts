import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, READER } from '../auth/auth.checker';
import type { Context } from '../../context';
import { DateTimeScalar } from '../../common/scalars';
import { Resource } from '../resources/resources.types';
import { UsageStatistics, UsageStatisticsInput, UsageStatisticsRow } from './statistics.types';

@Resolver()
export class StatisticsResolver {
  @Query(() => UsageStatistics, {
    description:
      'Sum, avg, min, max, count and stddev of volume, weighted sums and durations of usage in [from, to), per meter ' +
      '(or metric), group and calendar period of a time zone; optionally prorated. One SQL statement.',
  })
  @Authorized(ADMIN, READER)
  usageStatistics(@Arg('input', () => UsageStatisticsInput) input: UsageStatisticsInput, @Ctx() ctx: Context): Promise<UsageStatistics> {
    return ctx.services.statistics.statistics(ctx.caller!, input);
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
  ): Promise<UsageStatisticsRow[]> {
    return ctx.loaders.statistics.resourceUsage.load({ resource: resource.id, from, to, prorate });
  }
}

import { DEFAULT_TIME_ZONE } from '../../common/time-zones';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, DecimalScalar, JSONObjectScalar } from '../../common/scalars';
import { PeriodUnit } from '../usage/usage.calendar';
import { UsageFilter } from '../usage/usage-filter';

export enum GroupBy {
  USER = 'USER',
  PROJECT = 'PROJECT',
  COMPUTE_PROJECT = 'COMPUTE_PROJECT',
  SOURCE = 'SOURCE',
  RESOURCE = 'RESOURCE',
  PARTITION = 'PARTITION',
  PRIORITY = 'PRIORITY',
  COMPONENT = 'COMPONENT',
}
registerEnumType(GroupBy, { name: 'GroupBy', description: 'A dimension whose values split the rows.' });

/** The measures of a row: a query that selects only some of them gets only those computed and returned. */
export const MEASURES = ['count', 'operations', 'sum', 'avg', 'min', 'max', 'stddev', 'weightedSum', 'durationSum', 'durationAvg'] as const;
export type Measure = (typeof MEASURES)[number];

@InputType({ description: 'Calendar periods of `size` units.' })
export class PeriodInput {
  @Field(() => PeriodUnit)
  unit!: PeriodUnit;

  @Field(() => Int, { nullable: true, defaultValue: 1 })
  size?: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'One period of a statistics query: [start, end).' })
export class StatisticsPeriod {
  @Field(() => DateTimeScalar)
  start!: Date;

  @Field(() => DateTimeScalar)
  end!: Date;
}

@ObjectType({ simpleResolvers: true })
export class Period {
  @Field(() => PeriodUnit)
  unit!: PeriodUnit;

  @Field(() => Int)
  size!: number;
}

@InputType()
export class UsageStatisticsInput {
  @Field(() => [String], { nullable: true, description: 'Meters to aggregate; rows are always per meter. Give meters or metrics.' })
  meters?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Additional metrics to aggregate, by name, instead of meters.' })
  metrics?: string[] | null;

  @Field(() => DateTimeScalar, { description: 'Start of the range, included.' })
  from!: Date;

  @Field(() => DateTimeScalar, { description: 'End of the range, excluded.' })
  to!: Date;

  @Field(() => UsageFilter, { nullable: true })
  filter?: UsageFilter | null;

  @Field(() => [GroupBy], { nullable: true })
  groupBy?: GroupBy[] | null;

  @Field(() => [String], {
    nullable: true,
    description: "Resource-metadata keys to group by, each valued as of the record's start (the version then valid).",
  })
  groupByMetadata?: string[] | null;

  @Field(() => PeriodInput, { nullable: true, description: 'Calendar periods; none: one row over the whole range.' })
  period?: PeriodInput | null;

  @Field(() => String, {
    nullable: true,
    defaultValue: DEFAULT_TIME_ZONE,
    description: 'An IANA time zone for the periods: Europe/Berlin.',
  })
  timeZone?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      'false: a record counts wholly in the period holding its start. true: a record with an end contributes to each ' +
      'period, and to [from, to) itself, the share of its volume and duration that overlaps it; discrete events count at their start.',
  })
  prorate?: boolean | null;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'Aggregates of the records of one meter (or metric), group and period. Volumes and durations are Float (measurements, ' +
    'summed exactly and given as the nearest Float); money is Decimal, an exact decimal string (see the Decimal scalar).',
})
export class UsageStatisticsRow {
  @Field(() => String, { nullable: true })
  meter!: string | null;

  @Field(() => String, { nullable: true, description: "The meter's unit." })
  unit!: string | null;

  @Field(() => String, { nullable: true })
  metric!: string | null;

  @Field(() => String, { nullable: true, description: "The meter's component; with COMPONENT grouping, the group's." })
  component!: string | null;

  @Field(() => String, { nullable: true })
  user!: string | null;

  @Field(() => String, { nullable: true })
  project!: string | null;

  @Field(() => String, { nullable: true })
  computeProject!: string | null;

  @Field(() => String, { nullable: true })
  source!: string | null;

  @Field(() => String, { nullable: true })
  resource!: string | null;

  @Field(() => String, { nullable: true })
  partition!: string | null;

  @Field(() => String, { nullable: true })
  priority!: string | null;

  @Field(() => JSONObjectScalar, {
    nullable: true,
    description: 'The groupByMetadata keys and their values (null where a record had none).',
  })
  metadata!: Record<string, unknown> | null;

  @Field(() => DateTimeScalar, { description: 'Start of the period, clipped to from.' })
  periodStart!: Date;

  @Field(() => DateTimeScalar, { description: 'End of the period (excluded), clipped to to.' })
  periodEnd!: Date;

  @Field(() => Int, { description: 'Records in the row (with prorate: records overlapping the period).' })
  count!: number;

  @Field(() => Float, { description: 'Sum of operationCount.' })
  operations!: number;

  @Field(() => Float, { description: 'Sum of volume (with prorate: of the shares of volume in the period).' })
  sum!: number;

  @Field(() => Float)
  avg!: number;

  @Field(() => Float)
  min!: number;

  @Field(() => Float)
  max!: number;

  @Field(() => Float, { description: 'Population standard deviation.' })
  stddev!: number;

  @Field(() => Float, { description: 'Sum of volume x contingentFactor.' })
  weightedSum!: number;

  @Field(() => Float, { nullable: true, description: 'Sum of durations in seconds; null when no record has an end.' })
  durationSum!: number | null;

  @Field(() => Float, { nullable: true, description: 'Average duration in seconds of the records that have an end.' })
  durationAvg!: number | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      "Sum of volume x the unit price of the card valid at the record's start (with prorate: each part of a record priced by the " +
      'card valid over it), rounded to 6 decimal places; null when no record of the row has a price: see unpricedVolume.',
  })
  cost!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Sum of volume x contingentFactor x unit price.' })
  weightedCost!: string | null;

  @Field(() => String, { nullable: true, description: 'The currency of cost; null when nothing is priced.' })
  currency!: string | null;

  @Field(() => Float, {
    nullable: true,
    description: 'The volume (share) of the records without a price at the time; 0 when all are priced.',
  })
  unpricedVolume!: number | null;

  @Field(() => Int, { nullable: true, description: 'Records of the row with volume that no card priced.' })
  unpricedCount!: number | null;

  /** The ids of the price cards used; resolved by StatisticsRowResolver.prices. */
  priceIds!: string[];
}

@ObjectType({ simpleResolvers: true })
export class UsageStatistics {
  @Field(() => DateTimeScalar)
  from!: Date;

  @Field(() => DateTimeScalar)
  to!: Date;

  @Field()
  timeZone!: string;

  @Field(() => Period, { nullable: true })
  period!: Period | null;

  @Field()
  prorate!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'What the rows were computed from: "events", or rollups ("rollup:hour", "rollup:day", "rollup:month"), which give the same ' +
      'results faster; null when there are no rows.',
  })
  aggregatedFrom!: string | null;

  @Field(() => [UsageStatisticsRow], { description: 'By meter (or metric), period start, then group values; empty periods are omitted.' })
  rows!: UsageStatisticsRow[];
}

import { DEFAULT_TIME_ZONE } from '../../common/time-zones';
import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../common/scalars';

export enum ChargebackPeriod {
  DAILY = 'DAILY',
  PERIOD = 'PERIOD',
}
registerEnumType(ChargebackPeriod, {
  name: 'ChargebackPeriod',
  description: 'DAILY: a row per calendar day of the time zone; PERIOD: one row for the whole range, the sum of the daily rows.',
});

@InputType()
export class ChargebackInput {
  @Field(() => [String], { nullable: true, description: 'The projects (services) to charge; none: every project the caller may see.' })
  projects?: string[] | null;

  @Field(() => DateTimeScalar, { description: 'Start of the range, included.' })
  from!: Date;

  @Field(() => DateTimeScalar, { description: 'End of the range, excluded.' })
  to!: Date;

  @Field(() => ChargebackPeriod, { nullable: true, defaultValue: ChargebackPeriod.PERIOD })
  period?: ChargebackPeriod | null;

  @Field(() => String, {
    nullable: true,
    defaultValue: DEFAULT_TIME_ZONE,
    description: 'The IANA time zone of the days (and of the months of monthly fixed costs).',
  })
  timeZone?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: "true: a row per resource of each project (null: usage without a resource, and the project's own fixed costs).",
  })
  detail?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'Only the usage of these meters; none: of every meter.' })
  meters?: string[] | null;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'What a project (or, with detail, one of its resources) is charged for a day or the whole range, in one currency. Usage is ' +
    'prorated: a record spanning days is charged to each by its share of time, each part at the price valid then. Figures are ' +
    'rounded to 6 decimal places per project, resource, day and currency before they are added up, so DAILY rows sum to PERIOD exactly.',
})
export class ChargebackRow {
  @Field()
  project!: string;

  @Field(() => String, { nullable: true })
  resource!: string | null;

  @Field(() => DateTimeScalar)
  periodStart!: Date;

  @Field(() => DateTimeScalar)
  periodEnd!: Date;

  @Field(() => String, { nullable: true, description: 'null: usage that no price card priced; its money fields are null.' })
  currency!: string | null;

  @Field(() => DecimalScalar, { description: 'Sum of the durations of the usage, in minutes (records without an end add none).' })
  allocationMinutes!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'Sum of volume x unit price of the usage.' })
  allocationCost!: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'The fixed costs accrued: each a share of its amount per day or month, by time.',
  })
  fixedCost!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'allocationCost + fixedCost.' })
  total!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class ChargebackReport {
  @Field(() => DateTimeScalar)
  from!: Date;

  @Field(() => DateTimeScalar)
  to!: Date;

  @Field()
  timeZone!: string;

  @Field(() => ChargebackPeriod)
  period!: ChargebackPeriod;

  @Field(() => [ChargebackRow], { description: 'By project, resource (with detail), period start and currency.' })
  rows!: ChargebackRow[];
}

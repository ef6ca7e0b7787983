import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../common/pagination';
import { DateTimeScalar, JSONObjectScalar } from '../../common/scalars';
import { UsageFilter } from '../usage/usage-filter';

export enum UsageEventOrder {
  START_ASC = 'START_ASC',
  START_DESC = 'START_DESC',
}
registerEnumType(UsageEventOrder, {
  name: 'UsageEventOrder',
  description: 'Events are ordered by start, then by id: a total, stable order.',
});

@InputType({ description: 'Which events: those with from <= start < to, of the given meters, narrowed further by the filter fields.' })
export class UsageEventFilter extends UsageFilter {
  @Field(() => DateTimeScalar)
  from!: Date;

  @Field(() => DateTimeScalar)
  to!: Date;

  @Field(() => [String], { nullable: true })
  meters?: string[] | null;
}

@ObjectType({ simpleResolvers: true, description: 'A named quantity reported with a usage record.' })
export class AdditionalMetric {
  @Field()
  metric!: string;

  @Field(() => Float)
  volume!: number;

  @Field(() => Float)
  contingentFactor!: number;

  @Field(() => Float, { description: 'volume x contingentFactor' })
  weightedVolume!: number;
}

@ObjectType({ simpleResolvers: true, description: 'One usage record.' })
export class UsageEvent {
  /** Row ids for loaders; not part of the API. */
  meterKey!: number;
  projectKey!: number;
  resourceKey!: number | null;

  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'For an additional resource: the id of the record it was reported with.' })
  parentId!: string | null;

  @Field()
  project!: string;

  @Field(() => String, { nullable: true })
  computeProject!: string | null;

  @Field(() => String, { nullable: true })
  user!: string | null;

  @Field()
  source!: string;

  @Field(() => DateTimeScalar)
  start!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'null for a discrete event.' })
  end!: Date | null;

  @Field(() => Float, { nullable: true, description: 'end - start in seconds; null for a discrete event.' })
  duration!: number | null;

  @Field(() => Float)
  volume!: number;

  @Field(() => Float)
  contingentFactor!: number;

  @Field(() => Float, { description: 'volume x contingentFactor' })
  weightedVolume!: number;

  @Field(() => Int)
  operationCount!: number;

  @Field(() => String, { nullable: true })
  partition!: string | null;

  @Field(() => String, { nullable: true })
  priority!: string | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  additionalData!: Record<string, unknown> | null;
}

@ObjectType({ simpleResolvers: true })
export class UsageEventConnection extends Connection('UsageEvent', UsageEvent) {}

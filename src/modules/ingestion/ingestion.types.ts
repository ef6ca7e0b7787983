import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONObjectScalar } from '../../common/scalars';

@InputType({ description: 'A named quantity reported with usage that is not a meter; aggregated by name.' })
export class AdditionalMetricInput {
  @Field()
  metric!: string;

  @Field(() => Float)
  volume!: number;

  @Field(() => Float, { nullable: true, defaultValue: 1 })
  contingentFactor?: number | null;
}

@InputType({
  description: "Usage of another meter over the same interval and key as its report (the GPU hours of a VM's CPU hours).",
})
export class AdditionalResourceInput {
  @Field()
  meter!: string;

  @Field(() => Float)
  volume!: number;

  @Field(() => Float, { nullable: true, defaultValue: 1 })
  contingentFactor?: number | null;
}

@InputType({
  description:
    'One usage record. Its match key is (source, project, computeProject, meter, resource, start, end, user, partition, ' +
    'priority): a report whose key matches a stored one overwrites it whole; an absent value matches an absent value.',
})
export class UsageReportInput {
  @Field()
  project!: string;

  @Field(() => String, { nullable: true, description: "The project's allocation on a compute system." })
  computeProject?: string | null;

  @Field({ description: 'A defined meter.' })
  meter!: string;

  @Field(() => DateTimeScalar)
  start!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Absent for a discrete event. Not before start.' })
  end?: Date | null;

  @Field(() => Float, { description: "An absolute amount in the meter's unit, from 0 to 1e15." })
  volume!: number;

  @Field(() => Float, {
    nullable: true,
    defaultValue: 1,
    description: 'Weight of the usage against the contingent, from 0 to 1000; 0 shows usage without counting it.',
  })
  contingentFactor?: number | null;

  @Field(() => String, { nullable: true })
  user?: string | null;

  @Field(() => String, { nullable: true, description: 'A batch-system partition or queue.' })
  partition?: string | null;

  @Field(() => String, { nullable: true })
  priority?: string | null;

  @Field(() => String, { nullable: true, defaultValue: 'default', description: 'Where the data came from: a collector, a cluster.' })
  source?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The thing metered: a VM, a volume, a job. A resource belongs to the project that first reports it (or that its metadata names).',
  })
  resource?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 1, description: 'How many operations an aggregated record stands for, >= 1.' })
  operationCount?: number | null;

  @Field(() => [AdditionalMetricInput], { nullable: true })
  additionalMetrics?: AdditionalMetricInput[] | null;

  @Field(() => [AdditionalResourceInput], { nullable: true })
  additionalResources?: AdditionalResourceInput[] | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  additionalData?: Record<string, unknown> | null;
}

@ObjectType({
  simpleResolvers: true,
  description: 'What a reportUsage batch did. created + updated + unchanged + superseded = reports sent.',
})
export class ReportUsagePayload {
  @Field(() => Int, { description: 'Reports whose match key was new.' })
  created!: number;

  @Field(() => Int, { description: 'Reports that overwrote a stored report with other content.' })
  updated!: number;

  @Field(() => Int, { description: 'Reports identical to the stored report with their key: nothing was written.' })
  unchanged!: number;

  @Field(() => Int, { description: 'Reports followed, in the same batch, by another report with the same match key, which won.' })
  superseded!: number;
}

import { Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../common/scalars';

export enum ContingentPeriod {
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  YEAR = 'YEAR',
  CUSTOM = 'CUSTOM',
}
registerEnumType(ContingentPeriod, {
  name: 'ContingentPeriod',
  description: "A calendar month, quarter or year of the contingent's time zone, or CUSTOM: any [from, to).",
});

@ObjectType({
  simpleResolvers: true,
  description:
    'The weighted volume (volume x contingent factor) a project may use of a meter over [from, to), for the whole ' +
    'project or for one of its compute projects.',
})
export class Contingent {
  /** The meter's row id, for the meter loader; not part of the API. */
  meterKey!: number;

  @Field(() => ID)
  id!: string;

  @Field()
  project!: string;

  @Field(() => String, { nullable: true, description: 'The compute project it is limited to; null: the whole project.' })
  computeProject!: string | null;

  @Field(() => ContingentPeriod)
  period!: ContingentPeriod;

  @Field({ description: 'The IANA time zone whose calendar a MONTH, QUARTER or YEAR follows.' })
  timeZone!: string;

  @Field(() => DateTimeScalar)
  from!: Date;

  @Field(() => DateTimeScalar, { description: 'The end of the period, excluded.' })
  to!: Date;

  @Field(() => Float, { description: 'The weighted volume allowed over the period, in the unit of the meter.' })
  amount!: number;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'How much of a contingent was used at an instant.' })
export class ContingentStatus {
  @Field(() => Contingent)
  contingent!: Contingent;

  @Field(() => DateTimeScalar, { description: 'The instant of the status.' })
  at!: Date;

  @Field(() => Float, {
    description:
      'The weighted volume (volume x contingent factor) of the records of the project and meter (and compute project, if ' +
      'the contingent has one) that started in [from, at). A record counts wholly by its start, as in statistics without ' +
      'prorate; records with contingent factor 0 count nothing.',
  })
  used!: number;

  @Field(() => Float, { description: 'amount - used; negative when the contingent is exceeded.' })
  remaining!: number;

  @Field(() => Float, { nullable: true, description: 'used / amount (1 is all of it); null when the amount is 0.' })
  shareUsed!: number | null;

  @Field(() => Float, { description: 'Hours from at to the end of the period.' })
  hoursLeft!: number;

  @Field(() => Float, {
    description: 'The weighted volume per hour that would use the remainder exactly by the end of the period; 0 when nothing remains.',
  })
  requiredRate!: number;

  @Field(() => Float, { nullable: true, description: 'used per hour from the start of the period to at; null at its very start.' })
  averageRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'What the whole period would use at averageRate: used x (to - from) / (at - from); null at its very start.',
  })
  projectedUse!: number | null;
}

@InputType({
  description:
    'A contingent. With an id it replaces that contingent; without, it creates one, or updates the one with the same ' +
    'project, meter, compute project, from and to: setting the same input again changes nothing.',
})
export class SetContingentInput {
  @Field(() => ID, { nullable: true })
  id?: string | null;

  @Field({ description: 'A project that has reported usage.' })
  project!: string;

  @Field({ description: 'A defined meter.' })
  meter!: string;

  @Field(() => String, { nullable: true, description: 'Limits the contingent to usage of this compute project; none: the whole project.' })
  computeProject?: string | null;

  @Field(() => ContingentPeriod)
  period!: ContingentPeriod;

  @Field(() => DateTimeScalar, { description: 'The start of the period: for MONTH, QUARTER and YEAR the start of one in timeZone.' })
  from!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'The end of the period, excluded: required for CUSTOM; for MONTH, QUARTER and YEAR computed (when given it must agree).',
  })
  to?: Date | null;

  @Field(() => String, { nullable: true, description: 'An IANA time zone, for MONTH, QUARTER and YEAR; default UTC.' })
  timeZone?: string | null;

  @Field(() => Float, { description: 'The weighted volume allowed over the period, >= 0.' })
  amount!: number;

  @Field(() => String, { nullable: true, description: 'Left out, an update keeps the stored description; null clears it.' })
  description?: string | null;
}

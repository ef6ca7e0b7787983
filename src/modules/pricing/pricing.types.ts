import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../common/scalars';

export enum FixedCostPer {
  DAY = 'DAY',
  MONTH = 'MONTH',
}
registerEnumType(FixedCostPer, {
  name: 'FixedCostPer',
  description: "What a fixed amount is charged for: each calendar day, or each calendar month, of the report's time zone.",
});

@ObjectType({
  simpleResolvers: true,
  description:
    "The price of a meter's usage over [validFrom, validTo); validTo null: until further notice. Partition and priority " +
    'refine it (null: any); a record is priced by the most specific card valid at the instant, partition before priority.',
})
export class PriceCard {
  @Field(() => ID)
  id!: string;

  @Field()
  meter!: string;

  @Field(() => String, { nullable: true })
  partition!: string | null;

  @Field(() => String, { nullable: true })
  priority!: string | null;

  @Field(() => DecimalScalar, { description: "Per unit of the meter's volume." })
  unitPrice!: string;

  @Field({ description: 'ISO 4217 code; every card of a meter has the same.' })
  currency!: string;

  @Field(() => DateTimeScalar)
  validFrom!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  validTo!: Date | null;

  @Field(() => String, { nullable: true })
  description!: string | null;
}

@InputType({
  description:
    'A price from validFrom. The card of the same meter, partition and priority that was open then ends at validFrom; the new ' +
    'one ends at validTo, or where the next card begins. Setting a card with the same validFrom replaces it.',
})
export class SetPriceInput {
  @Field()
  meter!: string;

  @Field(() => String, { nullable: true })
  partition?: string | null;

  @Field(() => String, { nullable: true })
  priority?: string | null;

  @Field(() => DecimalScalar)
  unitPrice!: string;

  @Field()
  currency!: string;

  @Field(() => DateTimeScalar)
  validFrom!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  validTo?: Date | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'A named fixed cost of a project, or of one of its resources: an amount per calendar day or month over [validFrom, validTo), ' +
    'charged in proportion to the part of each day or month that a report covers.',
})
export class FixedCost {
  @Field(() => ID)
  id!: string;

  @Field()
  project!: string;

  @Field(() => String, { nullable: true, description: 'The resource it is charged to; null: the project as a whole.' })
  resource!: string | null;

  @Field()
  name!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field()
  currency!: string;

  @Field(() => FixedCostPer)
  per!: FixedCostPer;

  @Field(() => DateTimeScalar)
  validFrom!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  validTo!: Date | null;

  @Field(() => String, { nullable: true })
  description!: string | null;
}

@InputType({
  description:
    'A fixed cost from validFrom, versioned like prices: the version of the same project, resource and name open then ends at ' +
    'validFrom; the same validFrom replaces it.',
})
export class SetFixedCostInput {
  @Field()
  project!: string;

  @Field(() => String, { nullable: true })
  resource?: string | null;

  @Field()
  name!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field()
  currency!: string;

  @Field(() => FixedCostPer)
  per!: FixedCostPer;

  @Field(() => DateTimeScalar)
  validFrom!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  validTo?: Date | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

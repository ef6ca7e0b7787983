import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MeterType } from '../../generated/prisma/enums';

export { MeterType };

registerEnumType(MeterType, {
  name: 'MeterType',
  description: 'How a meter measures.',
  valuesConfig: {
    CUMULATIVE: { description: 'A running total that only grows (bytes sent since boot).' },
    GAUGE: { description: 'A level sampled at a moment (memory in use).' },
    DELTA: { description: 'The amount used over an interval (CPU hours of a job).' },
    EVENT: { description: 'A discrete happening, counted (an instance creation); it may have no end.' },
  },
});

@ObjectType({ description: 'A service that provides meters: compute, storage, network, a batch scheduler.' })
export class Component {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;
}

@ObjectType({ description: 'A kind of usage that is measured, in one unit.' })
export class Meter {
  @Field()
  name!: string;

  @Field({ description: 'The unit of volume: h, GiB-h, byte, ...' })
  unit!: string;

  @Field(() => MeterType)
  type!: MeterType;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Component)
  component!: Component;
}

@InputType()
export class DefineComponentInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class DefineMeterInput {
  @Field()
  name!: string;

  @Field({ description: 'The component that provides the meter; it must be defined first.' })
  component!: string;

  @Field()
  unit!: string;

  @Field(() => MeterType)
  type!: MeterType;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

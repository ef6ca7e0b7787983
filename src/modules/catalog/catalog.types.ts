import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MeterType } from '../../generated/prisma/enums';
import { RecordFieldType, TYPE_DESCRIPTIONS, type RecordTypeDefinition } from './record-types';

export { MeterType, RecordFieldType };

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

registerEnumType(RecordFieldType, {
  name: 'RecordFieldType',
  description: 'The type of a field of additionalData that a record type names.',
  valuesConfig: Object.fromEntries(
    Object.values(RecordFieldType).map((type) => [
      type,
      { description: `${TYPE_DESCRIPTIONS[type][0].toUpperCase()}${TYPE_DESCRIPTIONS[type].slice(1)}.` },
    ]),
  ),
});

@ObjectType({ simpleResolvers: true, description: 'A field that reports of a meter carry in additionalData.' })
export class RecordField {
  @Field()
  name!: string;

  @Field(() => RecordFieldType)
  type!: RecordFieldType;

  @Field({ description: 'Whether a report without it (or with null) is refused.' })
  required!: boolean;

  @Field(() => String, { nullable: true })
  description!: string | null;
}

@ObjectType({
  simpleResolvers: true,
  description:
    "What a meter's reports must carry in additionalData (a job meter's reports a jobId): their required fields, and the type " +
    'of each field when present. Other fields are allowed.',
})
export class RecordType {
  @Field(() => String, { nullable: true, description: 'JobUsageRecord, StorageUsageRecord, ...' })
  name!: string | null;

  @Field(() => [RecordField])
  fields!: RecordField[];
}

@ObjectType({ simpleResolvers: true, description: 'A service that provides meters: compute, storage, network, a batch scheduler.' })
export class Component {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A kind of usage that is measured, in one unit.' })
export class Meter {
  @Field()
  name!: string;

  @Field({ description: 'The unit of volume: h, GiB-h, byte, ...' })
  unit!: string;

  @Field(() => MeterType)
  type!: MeterType;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => RecordType, { nullable: true, description: 'What its reports must carry in additionalData; null: anything.' })
  recordType!: RecordType | null;

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
export class RecordFieldInput {
  @Field({ description: 'A plain identifier: letters, digits and _, not starting with a digit.' })
  name!: string;

  @Field(() => RecordFieldType)
  type!: RecordFieldType;

  @Field({ defaultValue: true, description: 'Whether a report without it (or with null) is refused.' })
  required?: boolean;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class RecordTypeInput implements RecordTypeDefinition {
  @Field(() => String, { nullable: true, description: 'A plain identifier, such as JobUsageRecord.' })
  name?: string | null;

  @Field(() => [RecordFieldInput], { description: 'At least one; names unique.' })
  fields!: RecordFieldInput[];
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

  @Field(() => RecordTypeInput, {
    nullable: true,
    description:
      'What its reports must carry in additionalData. Absent: left as it is; null: none. A change applies to reports from then on; ' +
      'stored records are not checked again.',
  })
  recordType?: RecordTypeInput | null;
}

import { Field, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../../common/pagination';
import { DateTimeScalar, JSONObjectScalar } from '../../common/scalars';

@ObjectType({ simpleResolvers: true, description: 'What a resource was over [validFrom, validTo); validTo null: still valid.' })
export class ResourceMetadataVersion {
  @Field(() => DateTimeScalar)
  validFrom!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  validTo!: Date | null;

  @Field(() => JSONObjectScalar)
  metadata!: Record<string, unknown>;
}

@ObjectType({ simpleResolvers: true, description: 'The thing metered: a VM, a volume, a job, a node.' })
export class Resource {
  /** The row id, for loaders; not part of the API. */
  key!: number;

  @Field({ description: 'The identifier reports use for it.' })
  id!: string;

  @Field(() => String, { nullable: true })
  type!: string | null;

  @Field(() => String, { nullable: true })
  project!: string | null;

  @Field(() => String, { nullable: true })
  user!: string | null;

  @Field(() => DateTimeScalar, { description: 'When meterql first heard of it.' })
  firstSeen!: Date;
}

@ObjectType({ simpleResolvers: true })
export class ResourceConnection extends Connection('Resource', Resource) {}

@InputType()
export class ResourceFilter {
  @Field(() => String, { nullable: true })
  project?: string | null;

  @Field(() => String, { nullable: true })
  user?: string | null;

  @Field(() => String, { nullable: true })
  type?: string | null;

  @Field(() => JSONObjectScalar, {
    nullable: true,
    description: 'JSON that the metadata valid at `at` must contain (PostgreSQL @>): {"flavor": "m1.large"}.',
  })
  metadata?: Record<string, unknown> | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'The instant whose metadata `metadata` is matched against; default now.' })
  at?: Date | null;
}

@InputType()
export class SetResourceMetadataInput {
  @Field({ description: 'The resource id; a resource not seen before is created.' })
  resource!: string;

  @Field(() => DateTimeScalar, {
    description:
      'Start of the new version. The version open at that instant is closed there; a version that would overlap a ' +
      'closed one is refused. A version starting at the same instant as a stored one replaces its metadata.',
  })
  validFrom!: Date;

  @Field(() => JSONObjectScalar)
  metadata!: Record<string, unknown>;

  @Field(() => String, { nullable: true, description: 'Sets the resource type (vm, volume, job, ...).' })
  type?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The resource's project, for a resource that has none yet; a key limited to projects must name one of them.",
  })
  project?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class SetResourceMetadataPayload {
  @Field(() => Resource)
  resource!: Resource;

  @Field(() => ResourceMetadataVersion)
  version!: ResourceMetadataVersion;
}

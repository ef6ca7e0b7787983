import { Field, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../../common/pagination';
import { DateTimeScalar } from '../../common/scalars';

// The fields every dimension has; referenced by no field itself, so it stays out of the schema.
@ObjectType()
abstract class Dimension {
  @Field()
  name!: string;

  @Field(() => DateTimeScalar, { description: 'When a report first named it.' })
  firstSeen!: Date;
}

@ObjectType({ description: 'A person or account that uses resources.' })
export class User extends Dimension {}

@ObjectType({ description: 'A project that usage is accounted to.' })
export class Project extends Dimension {}

@ObjectType({ description: "A project's allocation on a compute system." })
export class ComputeProject extends Dimension {}

@ObjectType({ description: 'Where usage data came from: a collector, a cluster.' })
export class Source extends Dimension {}

@ObjectType()
export class UserConnection extends Connection('User', User) {}

@ObjectType()
export class ProjectConnection extends Connection('Project', Project) {}

@ObjectType()
export class ComputeProjectConnection extends Connection('ComputeProject', ComputeProject) {}

@ObjectType()
export class SourceConnection extends Connection('Source', Source) {}

@InputType({
  description:
    'Narrows discovery to what has usage: a record with from <= start < to (the rule of usageEvents), and of the ' +
    'project, when one is named. from and to go together.',
})
export class DiscoveryFilter {
  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date | null;

  @Field(() => String, { nullable: true })
  project?: string | null;
}

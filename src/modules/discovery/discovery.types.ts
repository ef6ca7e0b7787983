import { Field, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../../common/pagination';
import { DateTimeScalar } from '../../common/scalars';

// The fields every dimension has; referenced by no field itself, so it stays out of the schema.
@ObjectType({ simpleResolvers: true })
abstract class Dimension {
  @Field()
  name!: string;

  @Field(() => DateTimeScalar, { description: 'When a report first named it.' })
  firstSeen!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'A person or account that uses resources.' })
export class User extends Dimension {}

@ObjectType({ simpleResolvers: true, description: 'A project that usage is accounted to.' })
export class Project extends Dimension {}

@ObjectType({ simpleResolvers: true, description: "A project's allocation on a compute system." })
export class ComputeProject extends Dimension {}

@ObjectType({ simpleResolvers: true, description: 'Where usage data came from: a collector, a cluster.' })
export class Source extends Dimension {}

@ObjectType({ simpleResolvers: true })
export class UserConnection extends Connection('User', User) {}

@ObjectType({ simpleResolvers: true })
export class ProjectConnection extends Connection('Project', Project) {}

@ObjectType({ simpleResolvers: true })
export class ComputeProjectConnection extends Connection('ComputeProject', ComputeProject) {}

@ObjectType({ simpleResolvers: true })
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

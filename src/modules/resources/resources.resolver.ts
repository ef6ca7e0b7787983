import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, READER, REPORTER, callerOf } from '../auth/auth.checker';
import type { Context } from '../../context';
import { PageArgs } from '../../common/pagination';
import { DateTimeScalar, JSONObjectScalar } from '../../common/scalars';
import {
  Resource,
  ResourceConnection,
  ResourceFilter,
  ResourceMetadataVersion,
  SetResourceMetadataInput,
  SetResourceMetadataPayload,
} from './resources.types';

@Resolver(() => Resource)
export class ResourcesResolver {
  @Query(() => Resource, { nullable: true, description: 'One resource by its id; null when there is none.' })
  @Authorized(ADMIN, READER)
  resource(@Arg('id', () => String) id: string, @Ctx() ctx: Context): Promise<Resource | null> {
    return ctx.services.resources.resource(callerOf(ctx), id);
  }

  @Query(() => ResourceConnection, { description: 'Resources by id, filtered.' })
  @Authorized(ADMIN, READER)
  resources(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => ResourceFilter, { nullable: true }) filter?: ResourceFilter | null,
  ): Promise<ResourceConnection> {
    return ctx.services.resources.resources(callerOf(ctx), filter, page);
  }

  @FieldResolver(() => JSONObjectScalar, { nullable: true, description: 'The metadata valid at `at` (default now); null when none was.' })
  metadata(
    @Root() resource: Resource,
    @Ctx() ctx: Context,
    @Arg('at', () => DateTimeScalar, { nullable: true }) at?: Date | null,
  ): Promise<Record<string, unknown> | null> {
    return ctx.loaders.resources.metadataAt.load({ resource: resource.key, project: null, at: at ?? null });
  }

  @FieldResolver(() => [ResourceMetadataVersion], { description: 'Every metadata version, oldest first.' })
  metadataHistory(@Root() resource: Resource, @Ctx() ctx: Context): Promise<ResourceMetadataVersion[]> {
    return ctx.loaders.resources.history.load(resource.key);
  }

  @Mutation(() => SetResourceMetadataPayload, {
    description: 'Records what a resource is from validFrom on, so that usage is attributed to what it was when used.',
  })
  @Authorized(ADMIN, REPORTER)
  setResourceMetadata(
    @Arg('input', () => SetResourceMetadataInput) input: SetResourceMetadataInput,
    @Ctx() ctx: Context,
  ): Promise<SetResourceMetadataPayload> {
    return ctx.services.resources.setMetadata(callerOf(ctx), input);
  }
}

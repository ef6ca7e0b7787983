import { Arg, Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { ADMIN, READER, callerOf } from '../auth/auth.checker';
import type { Context } from '../../context';
import { PageArgs } from '../../common/pagination';
import { ComputeProjectConnection, DiscoveryFilter, ProjectConnection, SourceConnection, UserConnection } from './discovery.types';

const filterArg = () => Arg('filter', () => DiscoveryFilter, { nullable: true });

@Resolver()
export class DiscoveryResolver {
  @Query(() => UserConnection, { description: 'Users by name; optionally those with usage in a window or project.' })
  @Authorized(ADMIN, READER)
  users(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs, @filterArg() filter?: DiscoveryFilter | null) {
    return ctx.services.discovery.list(callerOf(ctx), 'users', filter, page);
  }

  @Query(() => ProjectConnection, { description: 'Projects by name; optionally those with usage in a window.' })
  @Authorized(ADMIN, READER)
  projects(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs, @filterArg() filter?: DiscoveryFilter | null) {
    return ctx.services.discovery.list(callerOf(ctx), 'projects', filter, page);
  }

  @Query(() => ComputeProjectConnection, { description: 'Compute projects by name; optionally those with usage in a window or project.' })
  @Authorized(ADMIN, READER)
  computeProjects(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs, @filterArg() filter?: DiscoveryFilter | null) {
    return ctx.services.discovery.list(callerOf(ctx), 'computeProjects', filter, page);
  }

  @Query(() => SourceConnection, { description: 'Sources by name; optionally those with usage in a window or project.' })
  @Authorized(ADMIN, READER)
  sources(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs, @filterArg() filter?: DiscoveryFilter | null) {
    return ctx.services.discovery.list(callerOf(ctx), 'sources', filter, page);
  }
}

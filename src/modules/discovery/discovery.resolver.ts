import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { PageArgs } from '../../common/pagination';
import {
  ComputeProjectConnection,
  DiscoveryFilter,
  ProjectConnection,
  SourceConnection,
  UserConnection,
} from './discovery.types';

const filterArg = () => Arg('filter', () => DiscoveryFilter, { nullable: true });

@Resolver()
export class DiscoveryResolver {
  @Query(() => UserConnection, { description: 'Users by name; optionally those with usage in a window or project.' })
  users(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs, @filterArg() filter?: DiscoveryFilter | null) {
    return ctx.services.discovery.list('users', filter, page);
  }

  @Query(() => ProjectConnection, { description: 'Projects by name; optionally those with usage in a window.' })
  projects(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs, @filterArg() filter?: DiscoveryFilter | null) {
    return ctx.services.discovery.list('projects', filter, page);
  }

  @Query(() => ComputeProjectConnection, { description: 'Compute projects by name; optionally those with usage in a window or project.' })
  computeProjects(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs, @filterArg() filter?: DiscoveryFilter | null) {
    return ctx.services.discovery.list('computeProjects', filter, page);
  }

  @Query(() => SourceConnection, { description: 'Sources by name; optionally those with usage in a window or project.' })
  sources(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs, @filterArg() filter?: DiscoveryFilter | null) {
    return ctx.services.discovery.list('sources', filter, page);
  }
}

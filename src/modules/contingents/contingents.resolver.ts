import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN, READER, callerOf } from '../auth/auth.checker';
import type { Context } from '../../context';
import { DateTimeScalar } from '../../common/scalars';
import { Meter } from '../catalog/catalog.types';
import { Contingent, ContingentStatus, SetContingentInput } from './contingents.types';

@Resolver(() => Contingent)
export class ContingentsResolver {
  @Query(() => [Contingent], {
    description:
      'Contingents of the projects the caller may see (or of one of them), optionally of one meter and overlapping ' +
      '[from, to) (either end may be left open).',
  })
  @Authorized(ADMIN, READER)
  contingents(
    @Ctx() ctx: Context,
    @Arg('project', () => String, { nullable: true }) project?: string | null,
    @Arg('meter', () => String, { nullable: true }) meter?: string | null,
    @Arg('from', () => DateTimeScalar, { nullable: true }) from?: Date | null,
    @Arg('to', () => DateTimeScalar, { nullable: true }) to?: Date | null,
  ): Promise<Contingent[]> {
    return ctx.services.contingents.contingents(callerOf(ctx), { project, meter, from, to });
  }

  @Query(() => [ContingentStatus], {
    description:
      "How much of each of the project's contingents whose period holds `at` was used by then, and at what rate the " +
      'rest would be used by the end of the period. One SQL statement.',
  })
  @Authorized(ADMIN, READER)
  contingentStatus(
    @Ctx() ctx: Context,
    @Arg('project', () => String) project: string,
    @Arg('at', () => DateTimeScalar) at: Date,
  ): Promise<ContingentStatus[]> {
    return ctx.services.contingents.status(callerOf(ctx), project, at);
  }

  @FieldResolver(() => Meter)
  meter(@Root() contingent: Contingent, @Ctx() ctx: Context): Promise<Meter> {
    return ctx.loaders.catalog.meter.load(contingent.meterKey);
  }

  @Mutation(() => Contingent, {
    description:
      'Sets a contingent: replaces the one with the id, or creates one (updating the one with the same project, meter, ' +
      'compute project and period, so that sending it again changes nothing). Overlapping contingents are refused.',
  })
  @Authorized(ADMIN)
  setContingent(@Arg('input', () => SetContingentInput) input: SetContingentInput, @Ctx() ctx: Context): Promise<Contingent> {
    return ctx.services.contingents.set(input);
  }

  @Mutation(() => Boolean, { description: 'Deletes a contingent; false when there is none with this id.' })
  @Authorized(ADMIN)
  deleteContingent(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.contingents.delete(id);
  }
}

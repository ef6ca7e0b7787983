import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ADMIN } from '../auth/auth.checker';
import type { Context } from '../../context';
import { Component, DefineComponentInput, DefineMeterInput, Meter } from './catalog.types';

@Resolver()
export class CatalogResolver {
  @Query(() => [Component], { description: 'Every component, by name.' })
  @Authorized()
  components(@Ctx() ctx: Context): Promise<Component[]> {
    return ctx.services.catalog.components();
  }

  @Query(() => [Meter], { description: 'Every meter, by name; optionally only those of one component.' })
  @Authorized()
  meters(@Ctx() ctx: Context, @Arg('component', () => String, { nullable: true }) component?: string | null): Promise<Meter[]> {
    return ctx.services.catalog.meters(component);
  }

  @Mutation(() => Component, { description: 'Creates a component, or updates its description. Idempotent.' })
  @Authorized(ADMIN)
  defineComponent(@Arg('input', () => DefineComponentInput) input: DefineComponentInput, @Ctx() ctx: Context): Promise<Component> {
    return ctx.services.catalog.defineComponent(input);
  }

  @Mutation(() => Meter, {
    description:
      "Creates a meter of a defined component, or updates its description and record type. Idempotent; a meter's component, unit " +
      'and type never change.',
  })
  @Authorized(ADMIN)
  defineMeter(@Arg('input', () => DefineMeterInput) input: DefineMeterInput, @Ctx() ctx: Context): Promise<Meter> {
    return ctx.services.catalog.defineMeter(input);
  }
}

@Resolver(() => Component)
export class ComponentResolver {
  @FieldResolver(() => [Meter], { description: 'The meters this component provides.' })
  meters(@Root() component: Component, @Ctx() ctx: Context): Promise<Meter[]> {
    return ctx.loaders.catalog.metersOfComponent.load(component.name);
  }
}

import { Problems, ValidationError, type Path } from '../../errors/errors';
import { toApiComponent, toApiMeter } from './catalog.mapping';
import type { CatalogRepository } from './catalog.repository';
import type { Component, DefineComponentInput, DefineMeterInput, Meter } from './catalog.types';
import { MeterType } from './catalog.types';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/;
const NAME_RULE = 'must be 1-128 characters: letters, digits and _ . : - /, starting with a letter or digit';

/** Components and meters: defined once, idempotently, before usage is reported against them. */
export class CatalogService {
  /** A meter's id never changes and a meter is never removed: name to id is cached for good. */
  private readonly idsByName = new Map<string, number>();

  constructor(private readonly repository: CatalogRepository) {}

  async components(): Promise<Component[]> {
    return (await this.repository.listComponents()).map(toApiComponent);
  }

  async meters(component?: string | null): Promise<Meter[]> {
    return (await this.repository.listMeters(component == null ? undefined : [component])).map(toApiMeter);
  }

  /** Meters of the given components, in the order asked, for the Component.meters loader. */
  async metersOfComponents(components: readonly string[]): Promise<Meter[][]> {
    const meters = (await this.repository.listMeters(components)).map(toApiMeter);
    return components.map((name) => meters.filter((m) => m.component.name === name));
  }

  /** For the meter loader: meters by row id, in key order. */
  async metersByIds(ids: readonly number[]): Promise<Meter[]> {
    const rows = await this.repository.metersByIds(ids);
    return ids.map((id) => toApiMeter(rows.find((r) => r.id === id)!));
  }

  /** Row ids of named meters; each unknown name is a problem at path[index]. */
  async meterIds(names: readonly string[], problems: Problems, path: Path): Promise<number[]> {
    const known = await this.knownMeters(names);
    names.forEach((name, i) => {
      if (!known.has(name)) problems.add([...path, i], `meter "${name}" is not defined`);
    });
    return [...new Set(known.values())];
  }

  /** The ids of those of the named meters that are defined, by name; the database is asked only about names not seen yet. */
  async knownMeters(names: readonly string[]): Promise<Map<string, number>> {
    const unknown = [...new Set(names)].filter((name) => !this.idsByName.has(name));
    if (unknown.length > 0) for (const row of await this.repository.meterKeys(unknown)) this.idsByName.set(row.name, row.id);
    return new Map(names.filter((name) => this.idsByName.has(name)).map((name) => [name, this.idsByName.get(name)!]));
  }

  /** Creates the component, or updates its description; defining it again changes nothing else. */
  async defineComponent(input: DefineComponentInput): Promise<Component> {
    const problems = new Problems();
    if (!NAME.test(input.name)) problems.add(['input', 'name'], NAME_RULE);
    problems.throwIfAny();
    return toApiComponent(await this.repository.upsertComponent(input.name, input.description));
  }

  /**
   * Creates the meter, or returns it when it exists with the same component, unit and type
   * (updating its description). Those three never change: usage already reported in one unit
   * would silently be read in another.
   */
  async defineMeter(input: DefineMeterInput): Promise<Meter> {
    const problems = new Problems();
    if (!NAME.test(input.name)) problems.add(['input', 'name'], NAME_RULE);
    if (input.unit.trim() === '' || input.unit.length > 64) problems.add(['input', 'unit'], 'must be 1-64 characters');
    if (!Object.values(MeterType).includes(input.type)) problems.add(['input', 'type'], 'is not a meter type');
    const component = await this.repository.findComponent(input.component);
    if (!component) problems.add(['input', 'component'], `component "${input.component}" is not defined`);
    problems.throwIfAny();

    await this.repository.createMeterIfMissing({
      name: input.name,
      componentId: component!.id,
      unit: input.unit,
      type: input.type,
      description: input.description ?? null,
    });
    const meter = (await this.repository.findMeter(input.name))!;
    const changed = (
      [
        ['component', meter.component.name, input.component],
        ['unit', meter.unit, input.unit],
        ['type', meter.type, input.type],
      ] as const
    ).filter(([, stored, asked]) => stored !== asked);
    if (changed.length > 0) {
      throw new ValidationError(
        changed.map(([field, stored]) => ({
          path: ['input', field],
          message: `meter "${input.name}" exists with ${field} "${stored}"; a meter's component, unit and type never change (define a new meter instead)`,
        })),
      );
    }
    if (input.description !== undefined && input.description !== meter.description) {
      return toApiMeter(await this.repository.updateMeterDescription(input.name, input.description));
    }
    return toApiMeter(meter);
  }
}

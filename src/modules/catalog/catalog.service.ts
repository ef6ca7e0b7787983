import { Problems, ValidationError, type Path } from '../../errors/errors';
import { fromDbRecordType, toApiComponent, toApiMeter, toDbRecordType, type DbRecordType } from './catalog.mapping';
import type { CatalogRepository } from './catalog.repository';
import type { Component, DefineComponentInput, DefineMeterInput, Meter } from './catalog.types';
import { MeterType } from './catalog.types';
import { validateRecordType, type RecordType } from './record-types';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/;
const NAME_RULE = 'must be 1-128 characters: letters, digits and _ . : - /, starting with a letter or digit';

/** What ingestion needs to know of a meter. */
export interface KnownMeter {
  id: number;
  recordType: RecordType | null;
}

interface CachedMeter extends KnownMeter {
  /** The order of the read or write that produced it: a read that started earlier never replaces it. */
  seq: number;
  /** When its record type was read; -Infinity: read it again before it is next used. */
  readAt: number;
}

export interface CatalogOptions {
  /**
   * How long a meter's record type is trusted without asking the database again. A change made
   * through this service applies at once; one made by another process sharing the database
   * applies within this time.
   */
  recordTypeCacheMs?: number;
  now?: () => number;
}

/** Components and meters: defined once, idempotently, before usage is reported against them. */
export class CatalogService {
  /**
   * Meters by name. A meter's id never changes and a meter is never removed, so an id is
   * trusted for good; a record type may change, so it is read again after recordTypeCacheMs.
   */
  private readonly cache = new Map<string, CachedMeter>();
  private seq = 0;
  private readonly recordTypeCacheMs: number;
  private readonly now: () => number;

  constructor(
    private readonly repository: CatalogRepository,
    options: CatalogOptions = {},
  ) {
    this.recordTypeCacheMs = options.recordTypeCacheMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

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
    await this.read([...new Set(names)].filter((name) => !this.cache.has(name)));
    return new Map(names.filter((name) => this.cache.has(name)).map((name) => [name, this.cache.get(name)!.id]));
  }

  /**
   * Id and record type of those of the named meters that are defined, by name: one query at
   * most, for the names not seen yet or whose record type is older than recordTypeCacheMs.
   */
  async meterDefinitions(names: readonly string[]): Promise<Map<string, KnownMeter>> {
    const now = this.now();
    const distinct = [...new Set(names)];
    await this.read(distinct.filter((name) => !(now - (this.cache.get(name)?.readAt ?? -Infinity) <= this.recordTypeCacheMs)));
    const known = new Map<string, KnownMeter>();
    for (const name of distinct) {
      const cached = this.cache.get(name);
      if (cached) known.set(name, { id: cached.id, recordType: cached.recordType });
    }
    return known;
  }

  private async read(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const seq = ++this.seq;
    const readAt = this.now();
    for (const row of await this.repository.meterKeys(names)) {
      // A defineMeter that changed the record type while this read ran has the newer entry.
      if ((this.cache.get(row.name)?.seq ?? 0) < seq) {
        this.cache.set(row.name, { id: row.id, recordType: fromDbRecordType(row.recordType), seq, readAt });
      }
    }
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
   * (updating its description and record type). Those three never change: usage already
   * reported in one unit would silently be read in another.
   */
  async defineMeter(input: DefineMeterInput): Promise<Meter> {
    const problems = new Problems();
    if (!NAME.test(input.name)) problems.add(['input', 'name'], NAME_RULE);
    if (input.unit.trim() === '' || input.unit.length > 64) problems.add(['input', 'unit'], 'must be 1-64 characters');
    if (!Object.values(MeterType).includes(input.type)) problems.add(['input', 'type'], 'is not a meter type');
    // undefined: leave the stored record type as it is; null: none.
    const recordType =
      input.recordType == null ? input.recordType : validateRecordType(input.recordType, problems, ['input', 'recordType']);
    const component = await this.repository.findComponent(input.component);
    if (!component) problems.add(['input', 'component'], `component "${input.component}" is not defined`);
    problems.throwIfAny();

    await this.repository.createMeterIfMissing({
      name: input.name,
      componentId: component!.id,
      unit: input.unit,
      type: input.type,
      description: input.description ?? null,
      recordType: recordType ? toDbRecordType(recordType) : null,
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
    const changes: { description?: string | null; recordType?: DbRecordType | null } = {};
    if (input.description !== undefined && input.description !== meter.description) changes.description = input.description;
    if (recordType !== undefined && !sameRecordType(fromDbRecordType(meter.recordType), recordType)) {
      changes.recordType = recordType && toDbRecordType(recordType);
    }
    if (Object.keys(changes).length === 0) return toApiMeter(meter);
    const updated = await this.repository.updateMeter(input.name, changes);
    if (changes.recordType !== undefined) {
      // Read again before the next batch: when two definitions race, the database knows which won.
      this.cache.set(updated.name, {
        id: updated.id,
        recordType: fromDbRecordType(updated.recordType),
        seq: ++this.seq,
        readAt: -Infinity,
      });
    }
    return toApiMeter(updated);
  }
}

function sameRecordType(a: RecordType | null, b: RecordType | null): boolean {
  return JSON.stringify(a && toDbRecordType(a)) === JSON.stringify(b && toDbRecordType(b));
}

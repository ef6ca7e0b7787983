import type { Services } from '../../src/services';

/** Defines components and meters (name, component, unit, type) for a test's own database. */
export async function defineMeters(
  services: Services,
  meters: { name: string; component?: string; unit?: string; type?: 'CUMULATIVE' | 'GAUGE' | 'DELTA' | 'EVENT' }[],
): Promise<void> {
  for (const component of new Set(meters.map((m) => m.component ?? 'compute'))) {
    await services.catalog.defineComponent({ name: component });
  }
  for (const m of meters) {
    await services.catalog.defineMeter({ name: m.name, component: m.component ?? 'compute', unit: m.unit ?? 'h', type: m.type ?? 'DELTA' });
  }
}

import type { Component as DbComponent, Meter as DbMeter } from '../../generated/prisma/client';
import type { Component, Meter } from './catalog.types';

export function toApiComponent(row: DbComponent): Component {
  return { name: row.name, description: row.description };
}

export function toApiMeter(row: DbMeter & { component: DbComponent }): Meter {
  return {
    name: row.name,
    unit: row.unit,
    type: row.type,
    description: row.description,
    component: toApiComponent(row.component),
  };
}

import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import type { DbRecordType } from './catalog.mapping';
import type { MeterType } from './catalog.types';

type StoredRecordType = DbRecordType | null;
const json = (value: StoredRecordType) => value ?? Prisma.DbNull;

export class CatalogRepository {
  constructor(private readonly prisma: PrismaClient) {}

  listComponents() {
    return this.prisma.component.findMany({ orderBy: { name: 'asc' } });
  }

  findComponent(name: string) {
    return this.prisma.component.findUnique({ where: { name } });
  }

  upsertComponent(name: string, description: string | null | undefined) {
    return this.prisma.component.upsert({
      where: { name },
      create: { name, description: description ?? null },
      update: description === undefined ? {} : { description },
    });
  }

  listMeters(componentNames?: readonly string[]) {
    return this.prisma.meter.findMany({
      where: componentNames ? { component: { name: { in: [...componentNames] } } } : undefined,
      include: { component: true },
      orderBy: { name: 'asc' },
    });
  }

  metersByIds(ids: readonly number[]) {
    return this.prisma.meter.findMany({ where: { id: { in: [...ids] } }, include: { component: true } });
  }

  /** What ingestion needs of named meters: id and record type. */
  meterKeys(names: readonly string[]) {
    return this.prisma.meter.findMany({ where: { name: { in: [...names] } }, select: { id: true, name: true, recordType: true } });
  }

  findMeter(name: string) {
    return this.prisma.meter.findUnique({ where: { name }, include: { component: true } });
  }

  async createMeterIfMissing(input: {
    name: string;
    componentId: number;
    unit: string;
    type: MeterType;
    description: string | null;
    recordType: StoredRecordType;
  }) {
    // createMany with skipDuplicates is INSERT ... ON CONFLICT DO NOTHING: concurrent
    // definitions of one meter cannot fail on the unique name.
    await this.prisma.meter.createMany({ data: [{ ...input, recordType: json(input.recordType) }], skipDuplicates: true });
  }

  /** Sets what is given of a meter's description and record type. */
  updateMeter(name: string, changes: { description?: string | null; recordType?: StoredRecordType }) {
    return this.prisma.meter.update({
      where: { name },
      data: {
        description: changes.description,
        recordType: changes.recordType === undefined ? undefined : json(changes.recordType),
      },
      include: { component: true },
    });
  }
}

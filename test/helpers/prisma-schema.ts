/** A small reader of schema.prisma: enough to compare its models with a database. */
export interface PrismaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  column: string;
  relation?: { fields: string[]; references: string[] };
}

export interface PrismaModel {
  name: string;
  table: string;
  fields: PrismaField[];
  indexNames: string[];
}

export interface PrismaSchema {
  models: Map<string, PrismaModel>;
  enums: Map<string, { dbName: string; values: string[] }>;
}

export function parsePrismaSchema(text: string): PrismaSchema {
  const models = new Map<string, PrismaModel>();
  const enums = new Map<string, { dbName: string; values: string[] }>();
  const blocks = text.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm);
  for (const [, kind, name, body] of blocks) {
    const lines = body
      .split('\n')
      .map((l) => l.replace(/\/\/.*$/, '').trim())
      .filter((l) => l !== '');
    const map = lines.find((l) => l.startsWith('@@map('))?.match(/@@map\("([^"]+)"\)/)?.[1];
    if (kind === 'enum') {
      enums.set(name, { dbName: map ?? name, values: lines.filter((l) => /^\w+$/.test(l)) });
      continue;
    }
    const fields: PrismaField[] = [];
    const indexNames: string[] = [];
    for (const line of lines) {
      if (line.startsWith('@@')) {
        const mapped = line.match(/map:\s*"([^"]+)"/)?.[1];
        if (mapped) indexNames.push(mapped);
        continue;
      }
      const m = line.match(/^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/);
      if (!m) continue;
      const [, fieldName, type, list, optional, attributes] = m;
      const relation = attributes.match(/@relation\([^)]*fields:\s*\[([^\]]*)\][^)]*references:\s*\[([^\]]*)\]/);
      fields.push({
        name: fieldName,
        type,
        list: list !== undefined,
        optional: optional !== undefined,
        column: attributes.match(/@map\("([^"]+)"\)/)?.[1] ?? fieldName,
        relation: relation
          ? { fields: relation[1].split(',').map((s) => s.trim()), references: relation[2].split(',').map((s) => s.trim()) }
          : undefined,
      });
    }
    models.set(name, { name, table: map ?? name, fields, indexNames });
  }
  return { models, enums };
}

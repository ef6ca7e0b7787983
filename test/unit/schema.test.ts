import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getMetadataStorage } from 'type-graphql';
import { createSchema, printSortedSchema } from '../../src/schema';

test('schema.graphql is what the resolvers build (regenerate with npm run schema)', async () => {
  const built = printSortedSchema(await createSchema());
  const committed = readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
  expect(committed).toBe(built);
});

test("@Authorized is on resolvers' methods only: object types resolve their plain fields without type-graphql's wrappers", async () => {
  await createSchema();
  const metadata = getMetadataStorage();
  const resolvers = new Set(metadata.resolverClasses.map((r) => r.target));
  // An object type's own field with roles would lose its check under simpleResolvers.
  expect(metadata.authorizedFields.filter((f) => !resolvers.has(f.target)).map((f) => `${f.target.name}.${f.fieldName}`)).toEqual([]);
  expect(metadata.authorizedFields.length).toBeGreaterThan(20);
  expect(metadata.objectTypes.filter((t) => t.simpleResolvers !== true).map((t) => t.name)).toEqual([]);
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSchema, printSortedSchema } from '../../src/schema';

test('schema.graphql is what the resolvers build (regenerate with npm run schema)', async () => {
  const built = printSortedSchema(await createSchema());
  const committed = readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
  expect(committed).toBe(built);
});

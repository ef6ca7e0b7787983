import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSchema, printSortedSchema } from '../schema';

// Writes schema.graphql from the resolvers; test/unit/schema.test.ts fails while it is stale.
const target = path.resolve(__dirname, '../../schema.graphql');
createSchema()
  .then((schema) => writeFileSync(target, printSortedSchema(schema)))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });

import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The reference for meterql's fixed cost per request: an Apollo Server 5 with nothing in it but one
 * field, on its own standalone HTTP server, as Apollo's documentation starts one. Prints its URL.
 */
async function main(): Promise<void> {
  const server = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  console.log(`ready at ${url}`);
}

void main();

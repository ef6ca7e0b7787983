import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type ValueNode } from 'graphql';
import { checkInput } from '../common/input-guard';
import { requestFailure } from '../errors/error-table';
import { Problems, ValidationError } from '../errors/errors';

/**
 * Checks every value a request carries, its variables and the literals of its document, before
 * any resolver runs: a NUL character or JSON nested too deeply (common/input-guard.ts) is a
 * BAD_USER_INPUT at its path, `$reports[3].user` for a variable, `reportUsage.reports[3].user`
 * for a literal, and never reaches a service or the database.
 */
export function inputGuardPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const problems = new Problems();
          for (const [name, value] of Object.entries(request.variables ?? {})) checkInput(value, [`$${name}`], problems);
          // A literal can hold a NUL only as the escape \u0000: most documents are passed over unread.
          if (request.query?.includes('\\u0000')) {
            visit(document, {
              Argument(node, _key, _parent, _path, ancestors) {
                // The field (or directive) whose arguments these are: the last node before them.
                const owner = ancestors[ancestors.length - 1];
                const name =
                  owner && 'kind' in owner && (owner.kind === Kind.FIELD || owner.kind === Kind.DIRECTIVE) ? [owner.name.value] : [];
                checkInput(literal(node.value), [...name, node.name.value], problems);
              },
            });
          }
          if (problems.count === 0) return;
          throw requestFailure(new ValidationError([...problems.all]));
        },
      };
    },
  };
}

/** The strings, lists and objects of a literal, as plain values (variables and scalars as null). */
function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
      return node.value;
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return null;
  }
}

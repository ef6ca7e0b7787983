import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * The names of the fields a query selects at `path` below the field being resolved (e.g.
 * ['edges', 'node'] of a connection), through inline fragments and named ones. A field under
 * @skip or @include counts as selected: the answer may read more than it shows, never less.
 */
export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): Set<string> {
  const names = new Set<string>();
  // Validation has refused fragments that spread themselves, so the walk ends.
  const visit = (selectionSet: SelectionSetNode | undefined, depth: number): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, depth);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) visit(info.fragments[selection.name.value]?.selectionSet, depth);
      else if (depth === path.length) names.add(selection.name.value);
      else if (selection.name.value === path[depth]) visit((selection as FieldNode).selectionSet, depth + 1);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 0);
  return names;
}

/** Whether the query selects one of `fields` at `path` below the resolved field: so that work only some fields need is done only when asked. */
export function selects(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  path: readonly string[],
  fields: ReadonlySet<string>,
): boolean {
  for (const name of selectedFields(info, path)) if (fields.has(name)) return true;
  return false;
}

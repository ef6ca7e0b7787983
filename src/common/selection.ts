import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * Whether the query selects one of `fields` at `path` below the resolved field (through
 * fragments and inline fragments): so that work only some fields need is done only when asked.
 */
export function selects(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  path: readonly string[],
  fields: ReadonlySet<string>,
): boolean {
  const visit = (set: SelectionSetNode | undefined, depth: number): boolean =>
    (set?.selections ?? []).some((node) => {
      if (node.kind === 'FragmentSpread') return visit(info.fragments[node.name.value]?.selectionSet, depth);
      if (node.kind === 'InlineFragment') return visit(node.selectionSet, depth);
      const name = (node as FieldNode).name.value;
      if (depth === path.length) return fields.has(name);
      return name === path[depth] && visit(node.selectionSet, depth + 1);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet, 0));
}

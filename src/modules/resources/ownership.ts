/**
 * A resource belongs to one project: the first that reports it, or that its metadata names. A
 * report or a metadata write of another project that names it is refused, and the refusal says
 * only that: nothing of the owner (its name, its metadata) reaches the other project.
 */
export function foreignResource(resource: string): string {
  return `resource "${resource}" belongs to another project`;
}

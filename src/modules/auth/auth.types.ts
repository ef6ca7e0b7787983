import { ApiRole } from '../../generated/prisma/enums';

export { ApiRole };

/** Who is calling: a key's role and the projects it is limited to (null: every project). */
export interface Caller {
  role: ApiRole;
  projects: readonly string[] | null;
  /** The key's id; null for the anonymous admin of a local demo. */
  keyId: string | null;
}

/** Unrestricted: meterql's own work (the demo data, the import of files) and the local demo's anonymous admin. */
export const SYSTEM: Caller = { role: ApiRole.ADMIN, projects: null, keyId: null };

/** Sees nothing: what loaders act for when a request has no caller. */
export const NOBODY: Caller = { role: ApiRole.READER, projects: [], keyId: null };

/**
 * The projects a query may see: those it asks for, within those the caller may see. null: no
 * restriction. An empty list sees nothing, and says nothing about what exists beyond it.
 */
export function visibleProjects(asked: readonly string[] | null | undefined, caller: Caller): string[] | null {
  if (caller.projects === null) return asked ? [...asked] : null;
  if (!asked) return [...caller.projects];
  return asked.filter((p) => caller.projects!.includes(p));
}

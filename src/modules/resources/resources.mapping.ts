import type { Resource, ResourceMetadataVersion } from './resources.types';

export interface DbResourceRow {
  id: number;
  project_id: number | null;
  external_id: string;
  type: string | null;
  project: string | null;
  user: string | null;
  created_at: Date;
}

export interface DbMetadataRow {
  resource_id: number;
  valid_from: Date;
  valid_to: Date | null;
  metadata: Record<string, unknown>;
}

export function fromDbResource(row: DbResourceRow): Resource {
  return { key: row.id, id: row.external_id, type: row.type, project: row.project, user: row.user, firstSeen: row.created_at };
}

export function fromDbMetadata(row: DbMetadataRow): ResourceMetadataVersion {
  return { validFrom: row.valid_from, validTo: row.valid_to, metadata: row.metadata };
}

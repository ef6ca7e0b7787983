import type DataLoader from 'dataloader';

/**
 * DataLoader.loadMany, whose failures come back as Error values among the results: the first of
 * them is thrown, so that a failed load is reported as the error it is, never returned as data.
 */
export async function loadAll<K, V, C = K>(loader: DataLoader<K, V, C>, keys: readonly K[]): Promise<V[]> {
  const results = await loader.loadMany(keys);
  const failed = results.find((result): result is Error => result instanceof Error);
  if (failed) throw failed;
  return results as V[];
}

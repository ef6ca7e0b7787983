import type { Path, Problems } from '../errors/errors';

/** How deeply a JSON value a client sends (metadata, additional data, a filter) may nest. */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses what no field can store or use, wherever it stands in a client's input: a NUL
 * character in a string or an object key (PostgreSQL's text and jsonb cannot hold one), and JSON
 * nested deeper than MAX_JSON_DEPTH (which would exhaust the stack of every function that walks
 * it). Adds a problem at the path of each; walks no deeper than the limit, so a hostile value
 * costs what its first MAX_JSON_DEPTH levels cost.
 */
export function checkInput(value: unknown, path: Path, problems: Problems): void {
  walk(value, [...path], 0, problems);
}

function walk(value: unknown, path: (string | number)[], depth: number, problems: Problems): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) problems.add([...path], 'must not contain the NUL character (U+0000)');
    return;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return;
  if (depth === MAX_JSON_DEPTH) {
    problems.add([...path], `is nested more than ${MAX_JSON_DEPTH} levels deep`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      path.push(i);
      walk(item, path, depth + 1, problems);
      path.pop();
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) problems.add([...path], `has a key with the NUL character (U+0000): ${JSON.stringify(key.slice(0, 40))}`);
    path.push(key);
    walk(item, path, depth + 1, problems);
    path.pop();
  }
}

import DataLoader from 'dataloader';
import { loadAll } from '../../src/common/loaders';

describe('loadAll', () => {
  test('the values, in key order', async () => {
    const loader = new DataLoader<string, string>(async (keys) => keys.map((k) => k.toUpperCase()));
    await expect(loadAll(loader, ['b', 'a'])).resolves.toEqual(['B', 'A']);
    await expect(loadAll(loader, [])).resolves.toEqual([]);
  });

  test('a key that failed throws its error, the first of them, instead of returning it among the values', async () => {
    const loader = new DataLoader<string, string>(async (keys) => keys.map((k) => (k.startsWith('x') ? new Error(`no ${k}`) : k)));
    await expect(loadAll(loader, ['a', 'x1', 'x2'])).rejects.toThrow('no x1');
  });

  test('a batch that failed throws its error', async () => {
    const loader = new DataLoader<string, string>(async () => {
      throw new Error('database gone');
    });
    await expect(loadAll(loader, ['a'])).rejects.toThrow('database gone');
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The README's table of contents and its links within itself, against its headings (GitHub's anchors). */
const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const prose = README.replace(/```[\s\S]*?```/g, '');
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- ]/gu, '')
    .replace(/ /g, '-');
const headings = [...prose.matchAll(/^(#{2,3}) (.+)$/gm)].map(([, level, text]) => ({ level: level.length, text, anchor: anchor(text) }));

test('the contents list every section of the README, in order, each with its anchor', () => {
  const contents = prose.slice(prose.indexOf('Contents:'), prose.indexOf('\n## '));
  const listed = [...contents.matchAll(/^- \[([^\]]+)\]\(#([^)]+)\)$/gm)].map(([, text, target]) => ({ text, target }));
  expect(listed).toEqual(headings.filter((h) => h.level === 2).map((h) => ({ text: h.text, target: h.anchor })));
});

test('every link within the README leads to one of its headings', () => {
  const targets = [...prose.matchAll(/\]\(#([^)]+)\)/g)].map(([, target]) => target);
  expect(targets.length).toBeGreaterThan(17);
  const anchors = new Set(headings.map((h) => h.anchor));
  expect(targets.filter((target) => !anchors.has(target))).toEqual([]);
});

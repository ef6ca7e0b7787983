import { Kind, parse, print, visit, type OperationDefinitionNode } from 'graphql';

/** A GraphiQL tab: what the editors open with. */
export interface ReadmeTab {
  query: string;
  variables?: string;
}

/** One request of the README: the body its curl command sends, and the paragraph that introduces it. */
export interface ReadmeExample {
  query: string;
  variables?: Record<string, unknown>;
  /** The README's words for it, without markdown. */
  description: string;
  /** Its heading: the bold words that lead the paragraph introducing it, if it has them. */
  heading?: string;
  /** The answer the README shows for it: the json block that follows. */
  answer?: string;
}

const CURL = /^curl -s http:\/\/127\.0\.0\.1:4000\/graphql -H 'content-type: application\/json' -d '([\s\S]*)'\n$/;

/** Every `curl ... -d '<body>'` example of the README, in order. */
export function readmeExamples(readme: string): ReadmeExample[] {
  const blocks = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((match) => ({
    lang: match[1],
    body: match[2],
    start: match.index,
    end: match.index + match[0].length,
  }));
  return blocks.flatMap((block, i) => {
    const curl = block.lang === 'bash' ? CURL.exec(block.body) : null;
    if (!curl) return [];
    const request = JSON.parse(curl[1]) as { query: string; variables?: Record<string, unknown> };
    const next = blocks[i + 1];
    const paragraph = lastParagraph(readme.slice(blocks[i - 1]?.end ?? 0, block.start));
    const heading = /\*\*([^*]+)\*\*/.exec(paragraph)?.[1];
    return [
      {
        query: request.query,
        variables: request.variables,
        description: plain(paragraph),
        ...(heading ? { heading: plain(heading) } : {}),
        ...(next?.lang === 'json' ? { answer: next.body } : {}),
      },
    ];
  });
}

function lastParagraph(markdown: string): string {
  const paragraphs = markdown
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('#'));
  return paragraphs.at(-1) ?? '';
}

function plain(markdown: string): string {
  return markdown
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\*([^*]+)\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/\s+/g, ' ');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The longest line a tab shows unbroken: what the query editor holds at 1440 px. */
const LINE_WIDTH = 56;

/** Where the bracket opened at `open` closes (strings skipped), or -1. */
function closing(line: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The top-level parts between two brackets, split at their commas. */
function parts(inside: string): string[] {
  const found: string[] = [];
  let start = 0;
  for (let i = 0; i < inside.length; i++) {
    const c = inside[i];
    if (c === '"' || c === '(' || c === '{' || c === '[') i = c === '"' ? skipString(inside, i) : closing(inside, i);
    else if (c === ',') {
      found.push(inside.slice(start, i).trim());
      start = i + 1;
    }
  }
  found.push(inside.slice(start).trim());
  return found;
}

function skipString(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/**
 * graphql-js prints variable definitions and object values on one line, however long: a line too
 * wide for the editor is broken at its first brackets that close at its end, a part a line, as a
 * person would write it (commas are optional in GraphQL), and so on inwards.
 */
function unfold(lines: string[]): string[] {
  return lines.flatMap((line) => {
    if (line.length <= LINE_WIDTH || line.trimStart().startsWith('#')) return [line];
    const indent = /^\s*/.exec(line)![0];
    const open = line.search(/[({]/);
    const close = open < 0 ? -1 : closing(line, open);
    if (close < 0 || !/^( \{)?$/.test(line.slice(close + 1))) return [line];
    const inside = parts(line.slice(open + 1, close)).map((part) => `${indent}  ${part}`);
    return [line.slice(0, open + 1), ...unfold(inside), `${indent}${line.slice(close)}`];
  });
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

const ARTICLES = new Set(['a', 'an', 'the']);

/** A heading as an operation name: "Define a component and a meter." is DefineComponentAndMeter. */
export function headingName(heading: string): string {
  return heading
    .replace(/'s\b/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '' && !ARTICLES.has(word.toLowerCase()))
    .map(pascal)
    .join('');
}

/**
 * The README's examples as GraphiQL tabs: the README's words as comments, the operation named
 * after the example's heading (the tab's title; without one, after its first root field; repeats
 * are numbered) and printed on several lines, the variables as they are sent.
 */
export function readmeTabs(readme: string): ReadmeTab[] {
  const used = new Map<string, number>();
  return readmeExamples(readme).map((example) => {
    const document = visit(parse(example.query), {
      OperationDefinition(operation: OperationDefinitionNode) {
        if (operation.name) return undefined;
        const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
        const base = (example.heading && headingName(example.heading)) || pascal(first?.name.value ?? operation.operation);
        const count = (used.get(base) ?? 0) + 1;
        used.set(base, count);
        return { ...operation, name: { kind: Kind.NAME, value: count === 1 ? base : `${base}${count}` } };
      },
    });
    const comments = wrap(example.description, LINE_WIDTH - 2).map((line) => `# ${line}`);
    return {
      query: `${[...comments, ...unfold(print(document).split('\n'))].join('\n')}\n`,
      ...(example.variables ? { variables: JSON.stringify(example.variables, null, 2) } : {}),
    };
  });
}

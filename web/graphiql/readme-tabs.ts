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
    return [
      {
        query: request.query,
        variables: request.variables,
        description: lastParagraph(readme.slice(blocks[i - 1]?.end ?? 0, block.start)),
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
  const text = paragraphs.at(-1) ?? '';
  return text
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

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * The README's examples as GraphiQL tabs: the README's words as comments, the operation named
 * after its first root field (the tab's title; repeats are numbered) and printed on several lines,
 * the variables as they are sent.
 */
export function readmeTabs(readme: string): ReadmeTab[] {
  const used = new Map<string, number>();
  return readmeExamples(readme).map((example) => {
    const document = visit(parse(example.query), {
      OperationDefinition(operation: OperationDefinitionNode) {
        if (operation.name) return undefined;
        const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
        const base = pascal(first?.name.value ?? operation.operation);
        const count = (used.get(base) ?? 0) + 1;
        used.set(base, count);
        return { ...operation, name: { kind: Kind.NAME, value: count === 1 ? base : `${base}${count}` } };
      },
    });
    const comments = wrap(example.description, 60).map((line) => `# ${line}`);
    return {
      query: `${[...comments, print(document)].join('\n')}\n`,
      ...(example.variables ? { variables: JSON.stringify(example.variables, null, 2) } : {}),
    };
  });
}

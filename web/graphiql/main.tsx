import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql.css';
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { Kind, parse } from 'graphql';
import { createRoot } from 'react-dom/client';
import readmeTabs from 'virtual:readme-tabs';

/** meterql's endpoint, on the server that serves this page. */
const ENDPOINT = '/graphql';

/**
 * The shape of meterql's authentication, commented out: on the local demo requests without a key
 * act as admin, so the examples run as they are; elsewhere a key is needed.
 */
const HEADERS = `{
  // The local demo needs no key. Elsewhere, create one
  // (npm run keys -- create --role reader), paste it
  // below and remove the "//":
  // "Authorization": "Bearer mql_<id>_<secret>"
}`;

type Params = Parameters<GraphiQLProps['fetcher']>[0];

/**
 * GraphiQL learns a tab's operation name 100 ms after its text changes: a run right after
 * switching tabs would send the previous tab's name, which the new document does not have.
 */
function withOwnOperationName(params: Params): Params {
  if (!params.operationName) return params;
  try {
    const names = parse(params.query).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value] : []));
    if (names.length === 1 && names[0] !== params.operationName) return { ...params, operationName: names[0] ?? null };
  } catch {
    // Not a document: meterql says what is wrong with it.
  }
  return params;
}

const fetcher: GraphiQLProps['fetcher'] = async (params, options) => {
  const response = await fetch(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...options?.headers },
    body: JSON.stringify(withOwnOperationName(params)),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
};

/** A short, stable digest of the README's tabs, so that a changed README opens its new examples. */
function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

const TABS_KEY = 'graphiql:tabState';
const tabsKey = `${TABS_KEY}:${digest(JSON.stringify(readmeTabs))}`;

/**
 * localStorage, as GraphiQL uses it by default, except that the tabs are kept per version of the
 * README's examples: a changed README opens with its new examples. (Tabs are stored without their
 * headers, which may hold a key; GraphiQL gives such a tab the template again.)
 */
/**
 * The panes' shares until the user drags them, as flex ratios: GraphiQL's own (a third for the
 * docs, half of the rest for the response) left the query editor about 60 characters at 1440 px,
 * fewer than the README's examples need.
 */
const LAYOUT: Record<string, string> = { 'graphiql:docExplorerFlex': '0.25', 'graphiql:editorFlex': '2' };

const storage: NonNullable<GraphiQLProps['storage']> = {
  getItem: (key) => localStorage.getItem(key === TABS_KEY ? tabsKey : key) ?? LAYOUT[key] ?? null,
  setItem: (key, value) => localStorage.setItem(key === TABS_KEY ? tabsKey : key, value),
  removeItem: (key) => localStorage.removeItem(key === TABS_KEY ? tabsKey : key),
  clear: () => {
    for (const key of Object.keys(localStorage)) if (key.startsWith('graphiql:')) localStorage.removeItem(key);
  },
  get length() {
    return Object.keys(localStorage).filter((key) => key.startsWith('graphiql:')).length;
  },
};

/**
 * What the editors open with: the tab GraphiQL opens (the stored active one, or the first
 * README tab). GraphiQL fills the query editor from the first tab but the variables editor only
 * from its own last value, so without this a first visit opened the first example with no
 * variables, and its first run failed.
 */
function openingTab(): { query: string; variables: string } {
  try {
    const state: unknown = JSON.parse(storage.getItem(TABS_KEY) ?? 'null');
    if (state && typeof state === 'object' && 'tabs' in state && 'activeTabIndex' in state && Array.isArray(state.tabs)) {
      const tab: unknown = state.tabs[Number(state.activeTabIndex)];
      if (tab && typeof tab === 'object' && 'query' in tab && typeof tab.query === 'string') {
        const variables = 'variables' in tab && typeof tab.variables === 'string' ? tab.variables : '';
        return { query: tab.query, variables };
      }
    }
  } catch {
    // Nothing stored that GraphiQL could read either: it opens the first tab.
  }
  return { query: readmeTabs[0]?.query ?? '', variables: readmeTabs[0]?.variables ?? '' };
}
const opening = openingTab();

// The documentation explorer is open on a first visit; afterwards as the user left it.
const firstVisit = localStorage.getItem('graphiql:visiblePlugin') === null;

function Logo() {
  return (
    <span className="meterql-logo">
      <a href="/">meterql</a> · <a href="/dashboard">dashboard</a>
    </span>
  );
}

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    storage={storage}
    defaultTabs={readmeTabs.map((tab) => ({ ...tab, headers: HEADERS }))}
    initialQuery={opening.query}
    initialVariables={opening.variables}
    defaultHeaders={HEADERS}
    defaultEditorToolsVisibility="headers"
    visiblePlugin={firstVisit ? 'Documentation Explorer' : undefined}
  >
    <GraphiQL.Logo>
      <Logo />
    </GraphiQL.Logo>
  </GraphiQL>,
);

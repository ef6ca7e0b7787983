import { useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { ErrorMessage } from './ErrorMessage';
import { formatDuration, formatNumber } from './model';
import { EVENTS, type EventsData } from './queries';
import { formatInstant } from './time';
import { GROUPS, type Drill, type Group } from './view';

export const EVENTS_PAGE_SIZE = 25;

interface Props {
  drill: Drill;
  projects: string[];
  group: Group;
  timeZone: string;
  /** What the drill-down is of, in words. */
  title: string;
  /** How many records the statistics counted for it, when known. */
  count: number | null;
  onClose(): void;
}

/** The raw events behind a bar: usageEvents of its meter, period and group, a page at a time. */
export function Events({ drill, projects, group, timeZone, title, count, onClose }: Props) {
  // The cursors of the pages before the current one, and the current one's.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // Opened by a click on a chart, the list would start below it, out of sight on most screens.
  const section = useRef<HTMLElement>(null);
  useEffect(() => section.current?.scrollIntoView({ block: 'start', behavior: 'smooth' }), []);
  const after = cursors[cursors.length - 1];
  const filter = {
    from: drill.from,
    to: drill.to,
    meters: [drill.meter],
    ...(projects.length > 0 ? { projects } : {}),
    [GROUPS[group].filter]: drill.groups,
  };
  const [result] = useQuery<EventsData>({ query: EVENTS, variables: { filter, first: EVENTS_PAGE_SIZE, after } });
  const page = result.data?.usageEvents;
  const offset = (cursors.length - 1) * EVENTS_PAGE_SIZE;

  return (
    <section className="card drill" aria-label="Events" ref={section}>
      <header className="card-header">
        <div>
          <h2>Events</h2>
          <p className="muted">{title}</p>
        </div>
        <button type="button" className="close" onClick={onClose} aria-label="Close the events">
          ×
        </button>
      </header>
      {drill.groups.length === 0 ? (
        <p className="muted">
          These records have no {GROUPS[group].label.toLowerCase()}; the API filters events by the values they have, so they cannot be
          listed on their own.
        </p>
      ) : (
        <>
          <ErrorMessage error={result.error} />
          <div className="table-scroll">
            <table className="events" data-testid="events">
              <thead>
                <tr>
                  <th>Start</th>
                  <th>End</th>
                  <th className="num">Duration</th>
                  <th>Project</th>
                  <th>User</th>
                  <th>Resource</th>
                  <th>Source</th>
                  <th>Partition</th>
                  <th className="num">Volume</th>
                  <th className="num">Weighted volume</th>
                </tr>
              </thead>
              <tbody>
                {page?.edges.map(({ node }) => (
                  <tr key={node.id} data-id={node.id}>
                    <td>{formatInstant(new Date(node.start), timeZone)}</td>
                    <td>{node.end ? formatInstant(new Date(node.end), timeZone) : <span className="muted">discrete</span>}</td>
                    <td className="num">{formatDuration(node.duration)}</td>
                    <td>{node.project}</td>
                    <td>{node.user}</td>
                    <td>{node.resource?.id}</td>
                    <td>{node.source}</td>
                    <td>{node.partition}</td>
                    <td className="num" data-value={node.volume}>
                      {formatNumber(node.volume)} <span className="unit">{node.meter.unit}</span>
                    </td>
                    <td className="num" data-value={node.weightedVolume}>
                      {formatNumber(node.weightedVolume)} <span className="unit">{node.meter.unit}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <footer className="pager">
            <span className="muted" data-testid="events-range">
              {result.fetching && !page
                ? 'Loading…'
                : page && page.edges.length > 0
                  ? `${offset + 1}–${offset + page.edges.length}${count !== null ? ` of ${formatNumber(count, 0)}` : ''}`
                  : 'No events'}
            </span>
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              ← Previous
            </button>
            <button
              type="button"
              disabled={!page?.pageInfo.hasNextPage || result.fetching}
              onClick={() => setCursors([...cursors, page!.pageInfo.endCursor])}
            >
              Next →
            </button>
          </footer>
        </>
      )}
    </section>
  );
}

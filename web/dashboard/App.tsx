import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { ApiKey } from './ApiKey';
import { Chargeback } from './Chargeback';
import { Contingents } from './Contingents';
import { Controls } from './Controls';
import { ErrorMessage } from './ErrorMessage';
import { Events } from './Events';
import { MeterPanel } from './MeterPanel';
import {
  chartModel,
  currenciesOf,
  formatNumber,
  measureTotal,
  seriesColors,
  totals,
  unpriced,
  type ChartModel,
  type MeasureValue,
  type TotalRow,
} from './model';
import { CATALOG, PROJECTS, STATISTICS, type CatalogData, type ProjectsData, type StatisticsData, type StatisticsInput } from './queries';
import {
  addDays,
  browserTimeZone,
  describePeriod,
  fitPeriod,
  formatInstant,
  MAX_PERIODS,
  monthAround,
  shiftRange,
  startOfDay,
  type PeriodUnit,
} from './time';
import {
  DEFAULT_CHARGEBACK,
  GROUPS,
  isMoney,
  PERIOD_UNITS,
  readView,
  TABS,
  writeView,
  type Drill,
  type PartialView,
  type Tab,
  type View,
} from './view';

// Wide enough for any usage a meterql holds: the latest record's month is the default range.
const EPOCH = '1970-01-01T00:00:00Z';
const UNTIL = '2100-01-01T00:00:00Z';

/** The view the URL asks for, with what it leaves out filled in from the data. */
function resolve(partial: PartialView, catalog: CatalogData | undefined): View | null {
  const timeZone = partial.timeZone ?? browserTimeZone();
  let range = partial.from && partial.to ? { from: partial.from, to: partial.to } : null;
  let meters = partial.meters;
  if (!range || !meters) {
    if (!catalog) return null;
    const latest = catalog.latest.edges[0]?.node.start;
    range ??= monthAround(latest ? new Date(latest) : new Date(), timeZone);
    meters ??= catalog.meters.slice(0, 1).map((m) => m.name);
  }
  return {
    projects: partial.projects ?? [],
    meters,
    from: range.from,
    to: range.to,
    timeZone,
    period: partial.period ?? 'DAY',
    group: partial.group ?? 'USER',
    measure: partial.measure ?? 'sum',
    compare: partial.compare ?? false,
    tab: partial.tab ?? 'usage',
    chargeback: partial.chargeback ?? DEFAULT_CHARGEBACK,
    drill: partial.drill ?? null,
  };
}

export function App() {
  const [link, setLink] = useState(() => readView(location.search));
  const partial = link.view;
  const setPartial = (view: PartialView) => setLink({ view, problems: [] });
  useEffect(() => {
    const restore = () => setLink(readView(location.search));
    window.addEventListener('popstate', restore);
    return () => window.removeEventListener('popstate', restore);
  }, []);

  const [catalog] = useQuery<CatalogData>({ query: CATALOG, variables: { epoch: EPOCH, until: UNTIL } });
  const view = useMemo(() => resolve(partial, catalog.data), [partial, catalog.data]);

  // The URL always holds the whole view, defaults included, so that it can be shared as it is.
  useEffect(() => {
    if (view && location.search !== writeView(view)) history.replaceState(null, '', writeView(view));
  }, [view]);

  const update = (patch: Partial<View>) => {
    if (!view) return;
    const next: View = { ...view, drill: null, ...patch };
    history.pushState(null, '', writeView(next));
    setPartial(next);
  };

  return (
    <div className="page">
      <header className="topbar">
        <a className="brand" href="/">
          meterql
        </a>
        <span className="title">Usage dashboard</span>
        <nav>
          <a href="/graphiql">GraphiQL</a>
          <ApiKey />
        </nav>
      </header>
      <ErrorMessage error={catalog.error} />
      {link.problems.length > 0 && (
        <div className="error" role="alert" data-testid="link-problems">
          <p>This link asks for what does not exist; the defaults are shown in its place:</p>
          <ul>
            {link.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
      {view && catalog.data ? (
        <Dashboard view={view} catalog={catalog.data} update={update} />
      ) : (
        !catalog.error && <p className="muted loading">Loading…</p>
      )}
    </div>
  );
}

interface DashboardProps {
  view: View;
  catalog: CatalogData;
  update(patch: Partial<View>): void;
}

function Dashboard({ view, catalog, update }: DashboardProps) {
  const from = startOfDay(view.from, view.timeZone).toISOString();
  const to = startOfDay(addDays(view.to, 1), view.timeZone).toISOString();
  const [projects] = useQuery<ProjectsData>({ query: PROJECTS, variables: { from, to } });

  return (
    <main>
      <Controls
        view={view}
        meters={catalog.meters}
        projects={projects.data?.projects.edges.map((e) => e.node.name) ?? []}
        update={update}
      />
      <ErrorMessage error={projects.error} />
      <nav className="tabs" aria-label="Views">
        {(Object.entries(TABS) as [Tab, string][]).map(([tab, label]) => (
          <button
            key={tab}
            type="button"
            role="tab"
            aria-selected={view.tab === tab}
            className={view.tab === tab ? 'tab selected' : 'tab'}
            onClick={() => update({ tab })}
          >
            {label}
          </button>
        ))}
      </nav>
      {view.tab === 'usage' && <Usage view={view} catalog={catalog} from={from} to={to} update={update} />}
      {view.tab === 'chargeback' && <Chargeback view={view} from={from} to={to} update={update} />}
      {view.tab === 'contingents' && <Contingents view={view} from={from} to={to} />}
    </main>
  );
}

interface UsageProps {
  view: View;
  catalog: CatalogData;
  /** The range as instants, [from, to). */
  from: string;
  to: string;
  update(patch: Partial<View>): void;
}

/** The charts: a panel per meter, and the events behind a bar. */
function Usage({ view, catalog, from, to, update }: UsageProps) {
  const fitted = fitPeriod(view.period, view, { from: new Date(from), to: new Date(to) });
  const filter = view.projects.length > 0 ? { projects: view.projects } : undefined;
  const total: StatisticsInput = {
    meters: view.meters,
    from,
    to,
    timeZone: view.timeZone,
    groupBy: [view.group],
    ...(filter ? { filter } : {}),
  };
  const perPeriod: StatisticsInput = { ...total, period: { unit: fitted.unit } };
  const before = shiftRange(view, -1);
  const previous: StatisticsInput = {
    ...total,
    from: startOfDay(before.from, view.timeZone).toISOString(),
    to: startOfDay(addDays(before.to, 1), view.timeZone).toISOString(),
  };
  const variables = { perPeriod, total, previous, money: isMoney(view.measure), compare: view.compare };
  const [statistics] = useQuery<StatisticsData>({ query: STATISTICS, variables, pause: view.meters.length === 0 });

  // urql keeps a result while the next one is on its way: it belongs to the view it was asked for,
  // and is shown with that view, faded, until the new one arrives.
  const fresh =
    statistics.data && JSON.stringify(statistics.operation?.variables) === JSON.stringify(variables) ? statistics.data : undefined;
  const computed = useMemo(
    () => (fresh ? { view, period: fitted.unit, data: fresh, panels: meterPanels(view, fresh, catalog) } : null),
    [fresh, view, fitted.unit, catalog],
  );
  const last = useRef(computed);
  if (computed) last.current = computed;
  const shown = computed ?? last.current;
  const colors = useMemo(() => seriesColors(shown?.panels.map((p) => p.model) ?? []), [shown]);

  const drill = view.drill;
  const drillInfo = drill && computed ? describeDrill(drill, view, computed.period, computed.panels, from, to, computed.data) : null;

  return (
    <>
      {fitted.unit !== view.period && (
        <p className="note" role="status" data-testid="coarsened">
          By {PERIOD_UNITS[view.period].toLowerCase()} this range would be {formatNumber(fitted.asked, 0)} bars a chart, more than the{' '}
          {formatNumber(MAX_PERIODS, 0)} drawn: shown by {PERIOD_UNITS[fitted.unit].toLowerCase()}. Pick a shorter range for hours.
        </p>
      )}
      {view.compare && (
        <p className="muted compare-note" data-testid="compared">
          Compared with {before.from} to {before.to}.
        </p>
      )}
      <ErrorMessage error={statistics.error} />
      {view.meters.length === 0 && <p className="muted">Pick at least one meter.</p>}
      {!shown && statistics.fetching && <p className="muted loading">Loading statistics…</p>}
      {shown?.panels.map(({ meter, unit, ordered, model, total: sum, previousTotal, currency, unpriced: missing }) => (
        <div key={meter} className="meter-block">
          <MeterPanel
            meter={catalog.meters.find((m) => m.name === meter) ?? { name: meter, unit, description: null, component: { name: '' } }}
            view={shown.view}
            period={shown.period}
            model={model}
            ordered={ordered}
            total={sum}
            previousTotal={previousTotal}
            currency={currency}
            unpriced={missing}
            colors={colors}
            stale={!computed}
            selected={drill?.meter === meter ? selectedSegment(drill, model) : null}
            onSelectBar={(periodIndex, seriesIndex) => {
              const period = model.periods[periodIndex];
              const groups = model.series[seriesIndex].groupsAt[periodIndex];
              update({ drill: { meter, from: period.start.toISOString(), to: period.end.toISOString(), groups } });
            }}
            onSelectGroup={(group) => update({ drill: { meter, from, to, groups: [group] } })}
          />
          {drill && drill.meter === meter && drillInfo && (
            <Events
              key={JSON.stringify(drill)}
              drill={drill}
              projects={view.projects}
              group={view.group}
              timeZone={view.timeZone}
              title={drillInfo.title}
              count={drillInfo.count}
              onClose={() => update({ drill: null })}
            />
          )}
        </div>
      ))}
    </>
  );
}

/** The chart segment a drill-down is of, if it is one. */
function selectedSegment(drill: Drill, model: ChartModel): { period: number; series: number } | null {
  const period = model.periods.findIndex((p) => p.start.getTime() === Date.parse(drill.from) && p.end.getTime() === Date.parse(drill.to));
  if (period < 0) return null;
  const wanted = [...drill.groups].sort().join('\u0000');
  const series = model.series.findIndex((s) => [...s.groupsAt[period]].sort().join('\u0000') === wanted);
  return series < 0 ? null : { period, series };
}

interface Panel {
  meter: string;
  unit: string;
  ordered: TotalRow[];
  model: ChartModel;
  total: MeasureValue;
  previousTotal: MeasureValue | null;
  currency: string | null;
  unpriced: { count: number; volume: number } | null;
}

function meterPanels(view: View, data: StatisticsData, catalog: CatalogData): Panel[] {
  const field = GROUPS[view.group].row;
  const periods = data.perPeriod.periods.map((p) => ({ start: new Date(p.start), end: new Date(p.end) }));
  const money = isMoney(view.measure);
  return view.meters.map((meter) => {
    const unit = catalog.meters.find((m) => m.name === meter)?.unit ?? '';
    const totalRows = data.total.rows.filter((r) => r.meter === meter);
    const previousRows = data.previous?.rows.filter((r) => r.meter === meter);
    const ordered = totals(totalRows, field, view.measure, previousRows);
    const rows = data.perPeriod.rows.filter((r) => r.meter === meter);
    return {
      meter,
      unit,
      ordered,
      model: chartModel(meter, unit, periods, rows, ordered, field, view.measure),
      total: measureTotal(totalRows, view.measure),
      previousTotal: previousRows ? measureTotal(previousRows, view.measure) : null,
      // Every price card of a meter has the same currency.
      currency: money ? (currenciesOf(totalRows)[0] ?? null) : null,
      unpriced: money ? unpriced(totalRows) : null,
    };
  });
}

/** What a drill-down is of, in words, and how many records the statistics counted for it. */
function describeDrill(
  drill: Drill,
  view: View,
  unit: PeriodUnit,
  panels: Panel[],
  from: string,
  to: string,
  data: StatisticsData,
): { title: string; count: number | null } {
  const field = GROUPS[view.group].row;
  const panel = panels.find((p) => p.meter === drill.meter);
  const whole = Date.parse(drill.from) === Date.parse(from) && Date.parse(drill.to) === Date.parse(to);
  const period = panel?.model.periods.find((p) => p.start.getTime() === Date.parse(drill.from) && p.end.getTime() === Date.parse(drill.to));
  const when = whole
    ? `${view.from} to ${view.to}`
    : period
      ? describePeriod(period, unit, view.timeZone)
      : `${formatInstant(new Date(drill.from), view.timeZone)} – ${formatInstant(new Date(drill.to), view.timeZone)}`;
  const own = panel?.model.series.some((s) => !s.other && s.group !== null && drill.groups.length === 1 && s.group === drill.groups[0]);
  const who =
    drill.groups.length === 1 && (own || whole)
      ? drill.groups[0]
      : drill.groups.length === 0
        ? `no ${GROUPS[view.group].label.toLowerCase()}`
        : `Other (${drill.groups.length} ${drill.groups.length === 1 ? 'group' : 'groups'}: ${drill.groups.slice(0, 5).join(', ')}${drill.groups.length > 5 ? ', …' : ''})`;
  const rows = (whole ? data.total.rows : data.perPeriod.rows).filter(
    (r) =>
      r.meter === drill.meter &&
      (whole || Date.parse(r.periodStart) === Date.parse(drill.from)) &&
      r[field] !== null &&
      drill.groups.includes(r[field]!),
  );
  const count = rows.length > 0 ? rows.reduce((sum, r) => sum + r.count, 0) : null;
  return { title: `${drill.meter} · ${GROUPS[view.group].label} ${who} · ${when}`, count };
}

import { useQuery } from 'urql';
import { ContingentChart } from './ContingentChart';
import { ErrorMessage } from './ErrorMessage';
import { contingentModel, formatNumber, formatShare } from './model';
import { CONTINGENT_USE, CONTINGENTS, type Contingent, type ContingentsData, type ContingentUseData } from './queries';
import { formatInstant, MAX_PERIODS } from './time';
import type { View } from './view';

interface Props {
  view: View;
  /** The range as instants, [from, to). */
  from: string;
  to: string;
}

/** The contingents of the picked projects whose periods overlap the range, each drawn against its period. */
export function Contingents({ view, from, to }: Props) {
  const [result] = useQuery<ContingentsData>({ query: CONTINGENTS, variables: { from, to } });
  const contingents = (result.data?.contingents ?? []).filter((c) => view.projects.length === 0 || view.projects.includes(c.project));
  // As of the end of the range, or of now: a status in the future would count time no usage had.
  const at = new Date(Math.min(Date.parse(to), Date.now()));

  return (
    <section aria-label="Contingents">
      <ErrorMessage error={result.error} />
      {result.fetching && !result.data && <p className="muted loading">Loading contingents…</p>}
      {result.data && contingents.length === 0 && (
        <p className="card empty muted">
          No contingent of {view.projects.length > 0 ? view.projects.join(', ') : 'any project'} overlaps {view.from} to {view.to}.
        </p>
      )}
      {contingents.map((c) => (
        <ContingentCard key={c.id} contingent={c} at={at} timeZone={view.timeZone} />
      ))}
    </section>
  );
}

function ContingentCard({ contingent: c, at, timeZone }: { contingent: Contingent; at: Date; timeZone: string }) {
  const from = Date.parse(c.from);
  const to = Date.parse(c.to);
  const started = at.getTime() > from;
  const useTo = new Date(Math.min(at.getTime(), to)).toISOString();
  const days = (to - from) / 86_400_000;
  const use = {
    meters: [c.meter.name],
    from: c.from,
    to: useTo,
    timeZone: c.timeZone,
    period: { unit: days <= MAX_PERIODS ? 'DAY' : 'MONTH' },
    filter: { projects: [c.project], ...(c.computeProject ? { computeProjects: [c.computeProject] } : {}) },
  };
  const [result] = useQuery<ContingentUseData>({
    query: CONTINGENT_USE,
    variables: { project: c.project, at: at.toISOString(), use, status: started && at.getTime() < to },
    pause: !started,
  });
  const model = result.data ? contingentModel(c, at, result.data) : null;
  const unit = c.meter.unit;
  const when = (instant: Date | string) => formatInstant(new Date(instant), timeZone);
  const over = model?.projectedUse !== null && model !== null && model.projectedUse! > c.amount;

  return (
    <article className="card contingent" aria-label={`Contingent ${c.id}`} data-contingent={c.id}>
      <header className="card-header">
        <div>
          <h2>
            {c.project}
            {c.computeProject && ` / ${c.computeProject}`} · {c.meter.name}
          </h2>
          <p className="muted">
            {c.period.toLowerCase()} {when(c.from)} – {when(c.to)}
            {c.description && ` · ${c.description}`} · weighted volume (volume x contingent factor)
          </p>
        </div>
        <div className="total">
          <span className="muted">Contingent</span>
          <strong data-testid="amount" data-value={c.amount}>
            {formatNumber(c.amount)}
          </strong>
          <span className="unit">{unit}</span>
        </div>
      </header>
      <ErrorMessage error={result.error} />
      {!started ? (
        <p className="muted">Starts on {when(c.from)}, after the range.</p>
      ) : !model ? (
        <p className="muted loading">Loading…</p>
      ) : (
        <>
          <dl className="figures" data-testid="figures">
            <Figure label={model.ended ? 'Used in the period' : `Used by ${when(model.at)}`} field="used" value={model.used} unit={unit} />
            <Figure label="Remaining" field="remaining" value={model.remaining} unit={unit} warn={model.remaining < 0} />
            <div>
              <dt>Share used</dt>
              <dd data-field="shareUsed" data-value={model.shareUsed ?? ''}>
                {model.shareUsed === null ? '–' : formatShare(model.shareUsed)}
              </dd>
            </div>
            {model.ended ? (
              <div>
                <dt>Period</dt>
                <dd>ended: final figures</dd>
              </div>
            ) : (
              <Figure label="Projected for the period" field="projectedUse" value={model.projectedUse} unit={unit} warn={over} />
            )}
          </dl>
          {!model.ended && over && (
            <p className="note" data-testid="overrun">
              At its pace so far, the period will use {formatNumber(model.projectedUse! - c.amount)} {unit} more than the contingent.
            </p>
          )}
          <ContingentChart model={model} timeZone={timeZone} />
        </>
      )}
    </article>
  );
}

function Figure({ label, field, value, unit, warn }: { label: string; field: string; value: number | null; unit: string; warn?: boolean }) {
  return (
    <div className={warn ? 'warn' : undefined}>
      <dt>{label}</dt>
      <dd data-field={field} data-value={value ?? ''}>
        {value === null ? '–' : `${formatNumber(value)} ${unit}`}
      </dd>
    </div>
  );
}

import { useQuery } from 'urql';
import { ErrorMessage } from './ErrorMessage';
import { chargebackCsv, chargebackTotals } from './model';
import { formatDecimal, formatMoney } from './money';
import { CHARGEBACK, type ChargebackData, type ChargebackRow } from './queries';
import { describePeriod } from './time';
import { CHARGEBACK_BY, CHARGEBACK_METERS, CHARGEBACK_PER, type ChargebackOptions, type View } from './view';

interface Props {
  view: View;
  /** The range as instants, [from, to). */
  from: string;
  to: string;
  update(patch: Partial<View>): void;
}

/** What each project (or resource) is charged over the range or per day: the chargeback query's rows, as CSV too. */
export function Chargeback({ view, from, to, update }: Props) {
  const options = view.chargeback;
  const input = {
    from,
    to,
    timeZone: view.timeZone,
    period: options.per === 'DAY' ? 'DAILY' : 'PERIOD',
    detail: options.by === 'RESOURCE',
    ...(view.projects.length > 0 ? { projects: view.projects } : {}),
    ...(options.meters === 'SHOWN' ? { meters: view.meters } : {}),
  };
  const [result] = useQuery<ChargebackData>({ query: CHARGEBACK, variables: { input } });
  const fresh = JSON.stringify(result.operation?.variables) === JSON.stringify({ input }) ? result.data : undefined;
  const rows = fresh?.chargeback.rows ?? [];
  const set = (patch: Partial<ChargebackOptions>) => update({ chargeback: { ...options, ...patch } });
  const detail = options.by === 'RESOURCE';
  const daily = options.per === 'DAY';

  const download = () => {
    const url = URL.createObjectURL(new Blob([chargebackCsv(rows)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `chargeback_${view.from}_${view.to}${daily ? '_daily' : ''}${detail ? '_by-resource' : ''}.csv`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="card chargeback" aria-label="Chargeback">
      <header className="card-header">
        <div>
          <h2>Chargeback</h2>
          <p className="muted">
            {view.projects.length > 0 ? view.projects.join(', ') : 'Every project'} · {view.from} to {view.to} ({view.timeZone}) · usage
            prorated, each part at the price valid then
          </p>
        </div>
        <button type="button" className="button" onClick={download} disabled={!fresh}>
          Download CSV
        </button>
      </header>
      <div className="options">
        <Choice label="Rows per" value={options.by} choices={CHARGEBACK_BY} onChange={(by) => set({ by })} />
        <Choice label="Over" value={options.per} choices={CHARGEBACK_PER} onChange={(per) => set({ per })} />
        <Choice label="Usage of" value={options.meters} choices={CHARGEBACK_METERS} onChange={(meters) => set({ meters })} />
      </div>
      <ErrorMessage error={result.error} />
      {!fresh ? (
        !result.error && <p className="muted loading">Loading the chargeback…</p>
      ) : rows.length === 0 ? (
        <p className="empty muted">Nothing to charge in this range.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="chargeback">
            <thead>
              <tr>
                <th>Project</th>
                {detail && <th>Resource</th>}
                {daily && <th>Day</th>}
                <th>Currency</th>
                <th className="num">Allocation time (min)</th>
                <th className="num">Allocation cost</th>
                <th className="num">Fixed cost</th>
                <th className="num">Total</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <Row key={i} row={row} detail={detail} daily={daily} timeZone={view.timeZone} />
              ))}
            </tbody>
            <tfoot>
              {chargebackTotals(rows).map((row) => (
                <Row key={row.currency ?? ''} row={row} detail={detail} daily={daily} timeZone={view.timeZone} sum />
              ))}
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}

function Row({
  row,
  detail,
  daily,
  timeZone,
  sum,
}: {
  row: ChargebackRow;
  detail: boolean;
  daily: boolean;
  timeZone: string;
  sum?: boolean;
}) {
  const money = (field: 'allocationCost' | 'fixedCost' | 'total') => (
    <td className="num" data-field={field} data-value={row[field] ?? ''}>
      {row[field] === null ? <span className="muted">no price</span> : formatMoney(row[field], row.currency)}
    </td>
  );
  const period = { start: new Date(row.periodStart), end: new Date(row.periodEnd) };
  return (
    <tr
      data-project={row.project}
      data-resource={row.resource ?? ''}
      data-start={row.periodStart}
      data-end={row.periodEnd}
      data-currency={row.currency ?? ''}
      className={sum ? 'sum' : undefined}
    >
      {sum ? (
        <th colSpan={1 + (detail ? 1 : 0) + (daily ? 1 : 0)}>Total</th>
      ) : (
        <>
          <td>{row.project}</td>
          {detail && <td>{row.resource ?? <span className="muted">the project's own</span>}</td>}
          {daily && <td>{describePeriod(period, 'DAY', timeZone)}</td>}
        </>
      )}
      <td>{row.currency ?? <span className="muted">unpriced</span>}</td>
      <td className="num" data-field="allocationMinutes" data-value={row.allocationMinutes}>
        {formatDecimal(row.allocationMinutes)}
      </td>
      {money('allocationCost')}
      {money('fixedCost')}
      {money('total')}
    </tr>
  );
}

function Choice<T extends string>({
  label,
  value,
  choices,
  onChange,
}: {
  label: string;
  value: T;
  choices: Record<T, string>;
  onChange(value: T): void;
}) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value as T)}>
        {(Object.entries(choices) as [T, string][]).map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

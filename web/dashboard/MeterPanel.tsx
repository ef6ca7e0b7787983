import { useState } from 'react';
import { Chart } from './Chart';
import { formatNumber, NONE_LABEL, type ChartModel, type TotalRow } from './model';
import type { CatalogData } from './queries';
import { describePeriod } from './time';
import { GROUPS, MEASURES, type View } from './view';

const TOP_ROWS = 10;

interface Props {
  meter: CatalogData['meters'][number];
  view: View;
  model: ChartModel;
  ordered: TotalRow[];
  stale: boolean;
  selected: { period: number; series: number } | null;
  onSelectBar(periodIndex: number, seriesIndex: number): void;
  onSelectGroup(group: string): void;
}

/** One meter: its stacked chart per period, its top groups, and the chart's numbers as a table. */
export function MeterPanel({ meter, view, model, ordered, stale, selected, onSelectBar, onSelectGroup }: Props) {
  const [allRows, setAllRows] = useState(false);
  const groupLabel = GROUPS[view.group].label;
  const shown = allRows ? ordered : ordered.slice(0, TOP_ROWS);
  const unit = view.measure === 'count' ? 'records' : meter.unit;
  const total = ordered.reduce((sum, row) => sum + row[view.measure], 0);

  return (
    <section className={`card meter${stale ? ' stale' : ''}`} aria-label={meter.name} data-meter={meter.name}>
      <header className="card-header">
        <div>
          <h2>
            {meter.name} <span className="unit">{meter.unit}</span>
          </h2>
          <p className="muted">
            {meter.description ?? ''}
            {meter.component.name && ` · ${meter.component.name}`} · {MEASURES[view.measure].toLowerCase()} per {view.period.toLowerCase()}{' '}
            by {groupLabel.toLowerCase()}
          </p>
        </div>
        <div className="total">
          <span className="muted">Total</span>
          <strong data-testid="total" data-value={total}>
            {formatNumber(total)}
          </strong>
          <span className="unit">{unit}</span>
        </div>
      </header>
      {ordered.length === 0 ? (
        <p className="empty muted">No usage of {meter.name} in this range.</p>
      ) : (
        <>
          <Chart model={model} unit={unit} period={view.period} timeZone={view.timeZone} selected={selected} onSelect={onSelectBar} />
          <h3>
            Top {groupLabel.toLowerCase()}s <span className="muted">(click one for its events)</span>
          </h3>
          <div className="table-scroll">
            <table className="top" data-testid="top">
              <thead>
                <tr>
                  <th>{groupLabel}</th>
                  <th className="num">Volume ({meter.unit})</th>
                  <th className="num">Weighted volume</th>
                  <th className="num">Records</th>
                  <th className="share">Share of {MEASURES[view.measure].toLowerCase()}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((row) => (
                  <tr
                    key={row.group ?? '\u0000'}
                    data-group={row.group ?? ''}
                    className={row.group === null ? '' : 'clickable'}
                    onClick={row.group === null ? undefined : () => onSelectGroup(row.group!)}
                  >
                    <td>{row.group ?? <span className="muted">{NONE_LABEL}</span>}</td>
                    <td className="num" data-field="sum" data-value={row.sum}>
                      {formatNumber(row.sum)}
                    </td>
                    <td className="num" data-field="weightedSum" data-value={row.weightedSum}>
                      {formatNumber(row.weightedSum)}
                    </td>
                    <td className="num" data-field="count" data-value={row.count}>
                      {formatNumber(row.count, 0)}
                    </td>
                    <td className="share">
                      <span className="bar" style={{ width: `${Math.max(0, Math.min(1, row.share)) * 100}%` }} />
                      <span>{(row.share * 100).toFixed(1)} %</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {ordered.length > TOP_ROWS && (
            <button type="button" className="link" onClick={() => setAllRows(!allRows)}>
              {allRows ? `Show the top ${TOP_ROWS}` : `Show all ${ordered.length}`}
            </button>
          )}
          <details className="per-period">
            <summary>The chart's numbers</summary>
            <div className="table-scroll">
              <table data-testid="per-period">
                <thead>
                  <tr>
                    <th>Period</th>
                    {model.series.map((s, i) => (
                      <th key={i} className="num">
                        {s.name}
                      </th>
                    ))}
                    <th className="num">Total</th>
                  </tr>
                </thead>
                <tbody>
                  {model.periods.map((period, i) => (
                    <tr key={period.start.toISOString()} data-start={period.start.toISOString()} data-end={period.end.toISOString()}>
                      <td>{describePeriod(period, view.period, view.timeZone)}</td>
                      {model.series.map((s, j) => (
                        <td key={j} className="num" data-series={s.name} data-value={s.values[i]}>
                          {s.values[i] ? formatNumber(s.values[i]) : ''}
                        </td>
                      ))}
                      <td className="num">{formatNumber(model.series.reduce((sum, s) => sum + s.values[i], 0))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

import { useState } from 'react';
import { Chart } from './Chart';
import { formatMoney } from './money';
import {
  formatChange,
  formatMeasure,
  formatNumber,
  formatShare,
  NONE_LABEL,
  type ChartModel,
  type MeasureValue,
  type TotalRow,
} from './model';
import type { CatalogData } from './queries';
import { describePeriod, type PeriodUnit } from './time';
import { GROUPS, isMoney, MEASURES, type View } from './view';

const TOP_ROWS = 10;

interface Props {
  meter: CatalogData['meters'][number];
  view: View;
  /** The period the chart is drawn by: the view's, or a coarser one for a long range. */
  period: PeriodUnit;
  model: ChartModel;
  ordered: TotalRow[];
  total: MeasureValue;
  /** The total of the period before the range, with a comparison. */
  previousTotal: MeasureValue | null;
  /** The currency of the meter's costs, with a money measure. */
  currency: string | null;
  /** What no price card priced, with a money measure. */
  unpriced: { count: number; volume: number } | null;
  colors: Map<string, string>;
  stale: boolean;
  selected: { period: number; series: number } | null;
  onSelectBar(periodIndex: number, seriesIndex: number): void;
  onSelectGroup(group: string): void;
}

/** One meter: its stacked chart per period, its top groups, and the chart's numbers as a table. */
export function MeterPanel(props: Props) {
  const { meter, view, period, model, ordered, total, previousTotal, currency, unpriced, colors, stale, selected } = props;
  const [allRows, setAllRows] = useState(false);
  const groupLabel = GROUPS[view.group].label;
  const shown = allRows ? ordered : ordered.slice(0, TOP_ROWS);
  const money = isMoney(view.measure);
  const unit = view.measure === 'count' ? 'records' : money ? (currency ?? '') : meter.unit;
  const format = (value: MeasureValue) => formatMeasure(value, view.measure, currency);
  const measureName = MEASURES[view.measure].toLowerCase();

  return (
    <section className={`card meter${stale ? ' stale' : ''}`} aria-label={meter.name} data-meter={meter.name}>
      <header className="card-header">
        <div>
          <h2>
            {meter.name} <span className="unit">{meter.unit}</span>
          </h2>
          <p className="muted">
            {meter.description ?? ''}
            {meter.component.name && ` · ${meter.component.name}`} · {measureName} per {period.toLowerCase()} by {groupLabel.toLowerCase()}
          </p>
        </div>
        <div className="totals">
          <div className="total">
            <span className="muted">Total</span>
            <strong data-testid="total" data-value={total}>
              {format(total)}
            </strong>
            {!money && <span className="unit">{unit}</span>}
          </div>
          {previousTotal !== null && (
            <div className="total previous" data-testid="previous-total" data-value={previousTotal}>
              <span className="muted">Period before</span>
              <span>{format(previousTotal)}</span>
              <span className="change" data-testid="change">
                {formatChange(total, previousTotal)}
              </span>
            </div>
          )}
        </div>
      </header>
      {money && unpriced && unpriced.count > 0 && (
        <p className="note" data-testid="unpriced">
          {formatNumber(unpriced.count, 0)} records ({formatNumber(unpriced.volume)} {meter.unit}) had no price card: they are not in the
          cost.
        </p>
      )}
      {ordered.length === 0 ? (
        <p className="empty muted">No usage of {meter.name} in this range.</p>
      ) : (
        <>
          <Chart
            model={model}
            unit={unit}
            measure={view.measure}
            currency={currency}
            colors={colors}
            period={period}
            timeZone={view.timeZone}
            selected={selected}
            onSelect={props.onSelectBar}
          />
          <h3>
            Top {groupLabel.toLowerCase()}s <span className="muted">(click one for its events)</span>
          </h3>
          <div className="table-scroll">
            <table className="top" data-testid="top">
              <thead>
                <tr>
                  <th>{groupLabel}</th>
                  <th className="num">Volume ({meter.unit})</th>
                  <th className="num">Weighted volume ({meter.unit})</th>
                  <th className="num">Records</th>
                  {money && <th className="num">Cost{currency && ` (${currency})`}</th>}
                  {money && <th className="num">Weighted cost{currency && ` (${currency})`}</th>}
                  {previousTotal !== null && <th className="num">Period before</th>}
                  {previousTotal !== null && <th className="num">Change</th>}
                  <th className="share">Share of {measureName}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((row) => (
                  <tr
                    key={row.group ?? '\u0000'}
                    data-group={row.group ?? ''}
                    className={row.group === null ? '' : 'clickable'}
                    onClick={row.group === null ? undefined : () => props.onSelectGroup(row.group!)}
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
                    {money && <MoneyCell field="cost" value={row.cost} currency={currency} />}
                    {money && <MoneyCell field="weightedCost" value={row.weightedCost} currency={currency} />}
                    {row.previous !== undefined && (
                      <td className="num" data-field="previous" data-value={row.previous}>
                        {format(row.previous)}
                      </td>
                    )}
                    {row.previous !== undefined && (
                      <td className="num" data-field="change">
                        {formatChange(row[view.measure] ?? 0, row.previous)}
                      </td>
                    )}
                    <td className="share" data-field="share" data-value={row.share}>
                      <span className="share-track">
                        <span className="share-bar" style={{ width: `${Math.max(0, Math.min(1, row.share)) * 100}%` }} />
                      </span>
                      <span className="share-text">{formatShare(row.share)}</span>
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
                  {model.periods.map((p, i) => (
                    <tr key={p.start.toISOString()} data-start={p.start.toISOString()} data-end={p.end.toISOString()}>
                      <td>{describePeriod(p, period, view.timeZone)}</td>
                      {model.series.map((s, j) => (
                        <td key={j} className="num" data-series={s.name} data-value={s.values[i]}>
                          {s.values[i] ? format(s.values[i]) : ''}
                        </td>
                      ))}
                      <td className="num">{format(model.series.reduce((sum, s) => sum + s.values[i], 0))}</td>
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

function MoneyCell({ field, value, currency }: { field: string; value: string | null; currency: string | null }) {
  return (
    <td className="num" data-field={field} data-value={value ?? ''}>
      {value === null ? <span className="muted">no price</span> : formatMoney(value, currency)}
    </td>
  );
}

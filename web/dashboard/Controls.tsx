import { useMemo, useState } from 'react';
import { MultiSelect } from './MultiSelect';
import type { CatalogData } from './queries';
import { addDays, isLocalDate, isTimeZone, timeZones, type LocalDate, type PeriodUnit } from './time';
import { GROUPS, MEASURES, PERIOD_UNITS, type Group, type Measure, type View } from './view';

interface Props {
  view: View;
  meters: CatalogData['meters'];
  projects: string[];
  update(patch: Partial<View>): void;
}

const lastDayOfMonth = (date: LocalDate) => {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** The range moved by its own length; a range of whole months moves by as many months. */
function shift(from: LocalDate, to: LocalDate, direction: 1 | -1): { from: LocalDate; to: LocalDate } {
  if (from.endsWith('-01') && to === lastDayOfMonth(to)) {
    const [fy, fm] = from.split('-').map(Number);
    const [ty, tm] = to.split('-').map(Number);
    const months = (ty - fy) * 12 + (tm - fm) + 1;
    const start = new Date(Date.UTC(fy, fm - 1 + direction * months, 1)).toISOString().slice(0, 10);
    const end = lastDayOfMonth(new Date(Date.UTC(fy, fm - 1 + direction * months + months - 1, 1)).toISOString().slice(0, 10));
    return { from: start, to: end };
  }
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  return { from: addDays(from, direction * days), to: addDays(to, direction * days) };
}

/** The pickers: projects, meters, range, time zone, period, grouping and measure. */
export function Controls({ view, meters, projects, update }: Props) {
  const zones = useMemo(() => timeZones(), []);
  const [zone, setZone] = useState(view.timeZone);
  const [zoneFor, setZoneFor] = useState(view.timeZone);
  if (zoneFor !== view.timeZone) {
    setZoneFor(view.timeZone);
    setZone(view.timeZone);
  }
  const commitZone = () => {
    if (zone !== view.timeZone && isTimeZone(zone)) update({ timeZone: zone });
  };
  const setRange = (from: string, to: string) => {
    if (isLocalDate(from) && isLocalDate(to)) update(from <= to ? { from, to } : { from: to, to: from });
  };

  return (
    <form className="controls card" onSubmit={(e) => e.preventDefault()} aria-label="View">
      <MultiSelect
        label="Projects"
        options={projects.map((value) => ({ value }))}
        selected={view.projects}
        emptyLabel="All projects"
        onChange={(selected) => update({ projects: selected })}
      />
      <MultiSelect
        label="Meters"
        options={meters.map((m) => ({ value: m.name, hint: m.unit }))}
        selected={view.meters}
        onChange={(selected) => update({ meters: selected })}
      />
      <div className="field range">
        <span className="field-label">Range (whole days)</span>
        <div className="range-inputs">
          <button type="button" className="step" aria-label="Earlier" title="Earlier" onClick={() => update(shift(view.from, view.to, -1))}>
            ‹
          </button>
          <input type="date" aria-label="From" value={view.from} onChange={(e) => setRange(e.target.value, view.to)} />
          <span className="muted">to</span>
          <input type="date" aria-label="To" value={view.to} onChange={(e) => setRange(view.from, e.target.value)} />
          <button type="button" className="step" aria-label="Later" title="Later" onClick={() => update(shift(view.from, view.to, 1))}>
            ›
          </button>
        </div>
      </div>
      <label className="field">
        <span className="field-label">Time zone</span>
        <input
          list="time-zones"
          value={zone}
          aria-invalid={!isTimeZone(zone)}
          onChange={(e) => setZone(e.target.value)}
          onBlur={commitZone}
          onKeyDown={(e) => e.key === 'Enter' && commitZone()}
        />
        <datalist id="time-zones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </label>
      <label className="field">
        <span className="field-label">Period</span>
        <select value={view.period} onChange={(e) => update({ period: e.target.value as PeriodUnit })}>
          {Object.entries(PERIOD_UNITS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">Group by</span>
        <select value={view.group} onChange={(e) => update({ group: e.target.value as Group })}>
          {Object.entries(GROUPS).map(([value, { label }]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">Measure</span>
        <select value={view.measure} onChange={(e) => update({ measure: e.target.value as Measure })}>
          {Object.entries(MEASURES).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}

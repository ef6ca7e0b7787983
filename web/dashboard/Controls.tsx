import { useMemo, useState } from 'react';
import { MultiSelect } from './MultiSelect';
import type { CatalogData } from './queries';
import { isLocalDate, isTimeZone, QUICK_RANGES, quickRange, shiftRange, timeZones, type PeriodUnit, type QuickRange } from './time';
import { GROUPS, MEASURES, PERIOD_UNITS, type Group, type Measure, type View } from './view';

interface Props {
  view: View;
  meters: CatalogData['meters'];
  projects: string[];
  update(patch: Partial<View>): void;
}

/** The pickers: projects, meters, range, time zone, period, grouping, measure and comparison. */
export function Controls({ view, meters, projects, update }: Props) {
  const zones = useMemo(() => timeZones(), []);
  const [zone, setZone] = useState(view.timeZone);
  const [zoneFor, setZoneFor] = useState(view.timeZone);
  if (zoneFor !== view.timeZone) {
    setZoneFor(view.timeZone);
    setZone(view.timeZone);
  }
  // A zone that does not exist is said so where it was typed, and the view keeps its zone.
  const [zoneProblem, setZoneProblem] = useState<string | null>(null);
  const commitZone = () => {
    if (zone === view.timeZone) return setZoneProblem(null);
    if (!isTimeZone(zone))
      return setZoneProblem(`There is no time zone “${zone}”: pick an IANA name from the list, such as Europe/Berlin.`);
    setZoneProblem(null);
    update({ timeZone: zone });
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
          <button type="button" className="step" aria-label="Earlier" title="Earlier" onClick={() => update(shiftRange(view, -1))}>
            ‹
          </button>
          <input type="date" aria-label="From" value={view.from} onChange={(e) => setRange(e.target.value, view.to)} />
          <span className="muted">to</span>
          <input type="date" aria-label="To" value={view.to} onChange={(e) => setRange(view.from, e.target.value)} />
          <button type="button" className="step" aria-label="Later" title="Later" onClick={() => update(shiftRange(view, 1))}>
            ›
          </button>
        </div>
        <div className="quick-ranges" role="group" aria-label="Quick ranges">
          {(Object.entries(QUICK_RANGES) as [QuickRange, string][]).map(([which, label]) => (
            <button key={which} type="button" className="link" onClick={() => update(quickRange(which, new Date(), view.timeZone))}>
              {label}
            </button>
          ))}
        </div>
      </div>
      <label className="field zone">
        <span className="field-label">Time zone</span>
        <input
          list="time-zones"
          value={zone}
          aria-invalid={!isTimeZone(zone)}
          aria-describedby={zoneProblem ? 'zone-problem' : undefined}
          onChange={(e) => setZone(e.target.value)}
          onBlur={commitZone}
          onKeyDown={(e) => e.key === 'Enter' && commitZone()}
        />
        <datalist id="time-zones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        {zoneProblem && (
          <span className="field-error" id="zone-problem" role="alert">
            {zoneProblem}
          </span>
        )}
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
      <label className="field check">
        <span className="field-label">Compare</span>
        <span className="check-row">
          <input type="checkbox" checked={view.compare} onChange={(e) => update({ compare: e.target.checked })} />
          with the range before
        </span>
      </label>
    </form>
  );
}

import { useEffect, useRef, useState } from 'react';

interface Props {
  label: string;
  options: { value: string; hint?: string }[];
  selected: string[];
  /** What an empty selection means ("All projects"); without it at least one must stay selected. */
  emptyLabel?: string;
  onChange(selected: string[]): void;
}

/** A dropdown of checkboxes with a filter, for lists that may be long (projects, meters). */
export function MultiSelect({ label, options, selected, emptyLabel, onChange }: Props) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const known = new Set(options.map((o) => o.value));
  const all = [...options, ...selected.filter((s) => !known.has(s)).map((value) => ({ value, hint: 'no usage in range' }))];
  const shown = all.filter((o) => o.value.toLowerCase().includes(filter.toLowerCase()));
  const summary =
    selected.length === 0 ? (emptyLabel ?? 'none') : selected.length <= 2 ? selected.join(', ') : `${selected.length} selected`;
  const toggle = (value: string) => {
    const next = selected.includes(value) ? selected.filter((s) => s !== value) : [...selected, value];
    if (next.length > 0 || emptyLabel) onChange(all.map((o) => o.value).filter((v) => next.includes(v)));
  };

  return (
    <div className="field multi" ref={root}>
      <span className="field-label">{label}</span>
      <button type="button" className="multi-button" aria-haspopup="listbox" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span>{summary}</span>
        <span className="caret">▾</span>
      </button>
      {open && (
        <div className="multi-popup" role="listbox" aria-multiselectable="true" aria-label={label}>
          {all.length > 8 && (
            <input className="multi-filter" placeholder="Filter…" value={filter} autoFocus onChange={(e) => setFilter(e.target.value)} />
          )}
          <div className="multi-actions">
            {emptyLabel && (
              <button type="button" onClick={() => onChange([])}>
                {emptyLabel}
              </button>
            )}
          </div>
          <ul>
            {shown.map((option) => (
              <li key={option.value}>
                <label>
                  <input type="checkbox" checked={selected.includes(option.value)} onChange={() => toggle(option.value)} />
                  <span>{option.value}</span>
                  {option.hint && <small>{option.hint}</small>}
                </label>
              </li>
            ))}
            {shown.length === 0 && <li className="muted">Nothing matches</li>}
          </ul>
        </div>
      )}
    </div>
  );
}

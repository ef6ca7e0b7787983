import type { Path, Problems } from '../errors/errors';

/** A half-open interval of time, [from, to): from is in, to is out. */
export interface TimeRange {
  from: Date;
  to: Date;
}

export function checkTimeRange(range: TimeRange, problems: Problems, path: Path = []): void {
  if (range.from.getTime() >= range.to.getTime()) problems.add([...path, 'to'], 'must be after from');
}

import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';

export type { Logger };

/**
 * The process's one logger: a JSON object per line on stdout (or the given destination), with
 * the level as a word and the time in ISO 8601, so that a line reads without tools and parses
 * with any.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** How long a log line may wait in the buffer before it is written. */
const FLUSH_EVERY_MS = 200;

/**
 * The process's logger on stdout. Lines are gathered into writes of up to 4 KiB, or whatever came
 * in 200 ms, instead of a system call each (an access line a request made writing the log a tenth
 * of a request's cost); `logger.flush()` writes them at once, and so does the process's exit.
 */
export function createStdoutLogger(level: LogLevel): Logger {
  const destination = pino.destination({ dest: 1, minLength: 4096, sync: true });
  setInterval(() => destination.flush(), FLUSH_EVERY_MS).unref();
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stdout is gone: nothing left to write to
    }
  });
  return createLogger(level, destination);
}

// An id a caller or a proxy sent: kept when it is a plain token, so that it cannot forge log fields
// or grow without bound.
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The request's id: the caller's `x-request-id` when it is a sane token, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

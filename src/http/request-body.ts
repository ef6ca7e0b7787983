import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { errorAnswer, type ErrorAnswer } from '../errors/error-table';

/** The Content-Encodings a body may come in, and what inflates each (a Map: no name reaches Object's own members). */
const INFLATERS = new Map<string, (() => Transform) | null>([
  ['identity', null],
  ['gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/**
 * Hands a request's body to `onChunk` as it arrives, inflated (gzip, deflate or br), in UTF-8,
 * up to `limit` bytes after inflating: what every endpoint that reads a body refuses alike.
 * Resolves with the refusal when there is one (the body then is drained, not read); `onChunk`
 * may throw to stop reading, and the promise rejects with what it threw.
 */
export async function streamBody(req: IncomingMessage, limit: number, onChunk: (chunk: Buffer) => void): Promise<ErrorAnswer | undefined> {
  const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    req.resume();
    return errorAnswer('UNSUPPORTED_MEDIA_TYPE', `The request body must be UTF-8, not ${charset}`);
  }
  const tooLarge = errorAnswer('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return tooLarge;
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const inflate = INFLATERS.get(encoding);
  if (inflate === undefined) {
    req.resume();
    return errorAnswer('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding} is not supported (gzip, deflate, br or identity)`);
  }
  const stream: Readable = inflate === null ? req : req.pipe(inflate());
  const outcome = await new Promise<'read' | 'too large' | 'unreadable' | { failed: unknown }>((resolve) => {
    let size = 0;
    const stop = (result: 'too large' | { failed: unknown }) => {
      stream.removeAllListeners('data');
      req.unpipe();
      req.resume();
      resolve(result);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop('too large');
      try {
        onChunk(chunk);
      } catch (error) {
        stop({ failed: error });
      }
    });
    stream.once('end', () => resolve('read'));
    stream.once('error', () => resolve('unreadable'));
    // A client that goes away mid-body ends nothing: its request is given up.
    req.once('close', () => {
      if (!req.complete) resolve('unreadable');
    });
  });
  if (outcome === 'read') return undefined;
  if (outcome === 'too large') return tooLarge;
  if (outcome === 'unreadable')
    return errorAnswer('BAD_REQUEST', `The request body could not be read${inflate === null ? '' : ` as ${encoding}`}`);
  throw outcome.failed;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The request's JSON body, as express.json() read it: read only for a JSON content type (else
 * undefined, for GraphQL to say what it expects), and an object or an array.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<{ value: unknown } | { refused: ErrorAnswer }> {
  const type = req.headers['content-type'];
  if (req.method === 'GET' || req.method === 'HEAD' || type === undefined || !JSON_TYPE.test(type)) {
    req.resume();
    return { value: undefined };
  }
  const chunks: Buffer[] = [];
  const refused = await streamBody(req, limit, (chunk) => chunks.push(chunk));
  if (refused) return { refused };
  const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return { value: {} }; // an empty body: Apollo says what it lacks
  if (first !== '{' && first !== '[') return { refused: errorAnswer('BAD_REQUEST', 'The request body is not valid JSON') };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { refused: errorAnswer('BAD_REQUEST', 'The request body is not valid JSON') };
  }
}

import { spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';

/**
 * The fixed cost of a request: `{ __typename }` against meterql (a key, logging, metrics, request
 * ids and limits on, as deployed) and against an empty Apollo Server 5 started beside it
 * (bench/empty-apollo.ts), in alternating rounds so that both see the same machine.
 */
export interface HttpOverhead {
  meterql: number[];
  emptyApollo: number[];
  /** meterql's median rate over the empty Apollo Server's. */
  ratio: number;
  meterqlP99: number;
}

const BODY = JSON.stringify({ query: '{ __typename }' });

async function rate(url: string, headers: Record<string, string>, seconds: number): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: BODY,
    connections: 10,
    duration: seconds,
  });
  if (result.errors + result.non2xx > 0) throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return { rps: Math.round(result.requests.average), p99: result.latency.p99 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function measureHttpOverhead(
  meterql: { endpoint: string; token: string },
  options: { rounds?: number; seconds?: number; log?: (m: string) => void } = {},
): Promise<HttpOverhead> {
  const { rounds = 5, seconds = 5, log = () => undefined } = options;
  const child = spawn(process.execPath, [path.join(__dirname, 'empty-apollo.js')], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const apollo = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = out.match(/ready at (\S+)/);
        if (m) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(`the empty Apollo Server exited: ${out}`)));
    });
    const out: HttpOverhead = { meterql: [], emptyApollo: [], ratio: 0, meterqlP99: 0 };
    const p99s: number[] = [];
    // A warm-up of each, then rounds in turn.
    await rate(apollo, {}, 2);
    await rate(meterql.endpoint, { authorization: `Bearer ${meterql.token}` }, 2);
    for (let round = 0; round < rounds; round++) {
      const ours = await rate(meterql.endpoint, { authorization: `Bearer ${meterql.token}` }, seconds);
      const theirs = await rate(apollo, {}, seconds);
      out.meterql.push(ours.rps);
      p99s.push(ours.p99);
      out.emptyApollo.push(theirs.rps);
      log(`  { __typename } round ${round + 1}: meterql ${ours.rps}/s, empty Apollo Server ${theirs.rps}/s`);
    }
    out.ratio = Math.round((median(out.meterql) / median(out.emptyApollo)) * 100) / 100;
    out.meterqlP99 = median(p99s);
    return out;
  } finally {
    child.kill();
  }
}

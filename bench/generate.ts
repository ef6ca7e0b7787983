import { seededRandom } from '../src/common/random';
import type { UsageReport } from '../src/modules/ingestion/ingestion.validation';
import type { MeterType } from '../src/modules/catalog/catalog.types';

/**
 * A deterministic year of metering data, shaped like a real operator's, scaled to `events`:
 * long-lived VMs sampled every 10 minutes (cpu, memory, network), HPC jobs with start and end
 * (many across midnight) on cluster nodes, and discrete events (instance creations, IP
 * allocations, and the rarer meters). 300 projects with Zipf-skewed activity, 3,000 users,
 * 5 sources, 20 components, 60 meters, 20,000 resources whose metadata changes a few times a year.
 */
export const YEAR_FROM = Date.UTC(2026, 0, 1);
export const YEAR_TO = Date.UTC(2027, 0, 1);
const DAY = 86_400_000;
const HOUR = 3_600_000;

export const PROJECTS = Array.from({ length: 300 }, (_, i) => `proj-${String(i).padStart(3, '0')}`);
export const USERS = Array.from({ length: 3000 }, (_, i) => `user-${String(i).padStart(4, '0')}`);
export const SOURCES = ['openstack-a', 'openstack-b', 'slurm-hpc1', 'slurm-hpc2', 'collector'];
const COMPONENT_NAMES = [
  'compute',
  'network',
  'batch',
  'storage',
  'gpu',
  'object-store',
  'database',
  'k8s',
  'dns',
  'lb',
  'backup',
  'vpn',
  'registry',
  'monitoring',
  'logging',
  'queue',
  'cache',
  'search',
  'analytics',
  'identity',
];
export const COMPONENTS = COMPONENT_NAMES.map((name) => ({ name }));
/** Six busy meters, and three a component for the rest: 60 in all. */
export const METERS: { name: string; component: string; unit: string; type: MeterType }[] = [
  { name: 'cpu.hours', component: 'compute', unit: 'h', type: 'DELTA' },
  { name: 'memory.gib_hours', component: 'compute', unit: 'GiB-h', type: 'DELTA' },
  { name: 'instance.create', component: 'compute', unit: 'instance', type: 'EVENT' },
  { name: 'network.egress', component: 'network', unit: 'GiB', type: 'DELTA' },
  { name: 'ip.allocate', component: 'network', unit: 'ip', type: 'EVENT' },
  { name: 'network.ingress', component: 'network', unit: 'GiB', type: 'DELTA' },
  { name: 'job.core_hours', component: 'batch', unit: 'core-h', type: 'DELTA' },
  { name: 'job.submit', component: 'batch', unit: 'job', type: 'EVENT' },
  { name: 'job.gpu_hours', component: 'batch', unit: 'h', type: 'DELTA' },
  ...COMPONENT_NAMES.slice(3).flatMap((c) =>
    ['requests', 'operations', 'errors'].map((m) => ({ name: `${c}.${m}`, component: c, unit: m, type: 'EVENT' as MeterType })),
  ),
];
const RARE_METERS = METERS.slice(9).map((m) => m.name);

/** Zipf-distributed index in [0, n): a few projects do most of the work. */
function zipf(n: number, s: number, rand: () => number): () => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w, i) => (cumulative[i] = acc + w / total), 0);
  return () => {
    const r = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Users 10p..10p+9 belong to project p. */
const userOf = (project: number, rand: () => number) => USERS[project * 10 + Math.floor(rand() * 10)];
const round3 = (x: number) => Math.round(x * 1000) / 1000;

export interface Plan {
  events: number;
  vms: number;
  jobs: number;
  discrete: number;
  nodes: number;
}

export function plan(events: number): Plan {
  // 70% VM samples (3 meters every 10 minutes, VMs living 180 days on average), 20% jobs, 10% discrete.
  const vms = Math.max(3, Math.round((events * 0.7) / 3 / (144 * 180)));
  return { events, vms, jobs: Math.round(events * 0.2), discrete: Math.round(events * 0.1), nodes: 20_000 - vms };
}

export const vmId = (v: number) => `vm-${String(v).padStart(5, '0')}`;
export const nodeId = (n: number) => `node-${String(n).padStart(5, '0')}`;

/** The usage reports, a batch at a time, never all in memory. */
export function* reports(p: Plan, batchSize: number, seed = 20261122): Generator<UsageReport[]> {
  const rand = seededRandom(seed);
  const project = zipf(PROJECTS.length, 1.1, rand);
  let batch: UsageReport[] = [];
  const emit = function* (report: UsageReport) {
    batch.push(report);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  };

  for (let v = 0; v < p.vms; v++) {
    const pr = project();
    const user = userOf(pr, rand);
    const life = Math.round(((30 + rand() * 300) * DAY) / 600_000) * 600_000;
    const born = YEAR_FROM + Math.floor(rand() * Math.max(1, (YEAR_TO - YEAR_FROM - life) / 600_000)) * 600_000;
    const vcpus = [1, 2, 4, 8, 16][Math.floor(rand() * 5)];
    const base = { project: PROJECTS[pr], user, source: rand() < 0.5 ? 'openstack-a' : 'openstack-b', resource: vmId(v) };
    yield* emit({ ...base, meter: 'instance.create', start: new Date(born), volume: 1 });
    yield* emit({ ...base, meter: 'ip.allocate', start: new Date(born + 1000), volume: 1 });
    // Each VM samples at its own second of the 10-minute slot, as collectors do.
    for (let t = born + (v % 600) * 1000; t < born + life && t < YEAR_TO; t += 600_000) {
      const start = new Date(t);
      const end = new Date(t + 600_000);
      yield* emit({ ...base, meter: 'cpu.hours', start, end, volume: round3((vcpus * (0.2 + rand() * 0.8)) / 6) });
      yield* emit({ ...base, meter: 'memory.gib_hours', start, end, volume: (vcpus * 4) / 6 });
      yield* emit({ ...base, meter: 'network.egress', start, end, volume: round3(rand() * 0.5) });
    }
  }

  for (let j = 0; j < p.jobs; j++) {
    const pr = project();
    const start = YEAR_FROM + Math.floor(rand() * (YEAR_TO - YEAR_FROM - 3 * DAY));
    // Log-normal durations around two hours, up to three days: many jobs cross midnight.
    const hours = Math.min(72, Math.exp(Math.log(2) + 1.2 * Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand())));
    const cores = [1, 4, 8, 16, 32, 64, 128][Math.floor(rand() * 7)];
    const partition = rand() < 0.7 ? 'compute' : rand() < 0.67 ? 'gpu' : 'bigmem';
    yield* emit({
      project: PROJECTS[pr],
      computeProject: `${PROJECTS[pr]}-hpc`,
      user: userOf(pr, rand),
      source: rand() < 0.6 ? 'slurm-hpc1' : 'slurm-hpc2',
      // A resource belongs to one project: node n is project n mod 300's, and its jobs run there.
      resource: nodeId(pr + PROJECTS.length * Math.floor(rand() * Math.floor(p.nodes / PROJECTS.length))),
      meter: 'job.core_hours',
      start: new Date(start),
      end: new Date(start + Math.round(hours * HOUR)),
      volume: round3(cores * hours),
      contingentFactor: partition === 'gpu' ? 2 : rand() < 0.05 ? 0 : 1,
      partition,
      priority: rand() < 0.75 ? 'normal' : rand() < 0.6 ? 'high' : 'low',
      additionalMetrics: [{ metric: 'energy_kwh', volume: round3(cores * hours * 0.012) }],
    });
  }

  for (let d = 0; d < p.discrete; d++) {
    const pr = project();
    const meter = rand() < 0.5 ? (rand() < 0.5 ? 'instance.create' : 'ip.allocate') : RARE_METERS[Math.floor(rand() * RARE_METERS.length)];
    yield* emit({
      project: PROJECTS[pr],
      user: userOf(pr, rand),
      source: 'collector',
      meter,
      start: new Date(YEAR_FROM + Math.floor(rand() * (YEAR_TO - YEAR_FROM))),
      volume: 1 + Math.floor(rand() * 5),
    });
  }
  if (batch.length > 0) yield batch;
}

/** Metadata versions of every resource: a few changes a year. */
export function* metadataVersions(p: Plan, seed = 7): Generator<{ resource: string; validFrom: Date; metadata: Record<string, unknown> }> {
  const rand = seededRandom(seed);
  const flavors = ['m1.small', 'm1.medium', 'm1.large', 'm1.xlarge', 'g1.large'];
  const racks = Array.from({ length: 40 }, (_, i) => `rack-${i}`);
  for (let r = 0; r < p.vms + p.nodes; r++) {
    const isVm = r < p.vms;
    const changes = 1 + Math.floor(rand() * 4);
    const times = [
      YEAR_FROM - DAY,
      ...Array.from({ length: changes - 1 }, () => YEAR_FROM + Math.floor(rand() * (YEAR_TO - YEAR_FROM))),
    ].sort((a, b) => a - b);
    for (const t of times) {
      yield {
        resource: isVm ? vmId(r) : nodeId(r - p.vms),
        validFrom: new Date(t),
        metadata: isVm
          ? { flavor: flavors[Math.floor(rand() * flavors.length)], zone: rand() < 0.5 ? 'zone-a' : 'zone-b' }
          : {
              rack: racks[Math.floor(rand() * racks.length)],
              cpu: rand() < 0.5 ? 'epyc-9654' : 'xeon-8480',
              generation: 1 + Math.floor(rand() * 3),
            },
      };
    }
  }
}

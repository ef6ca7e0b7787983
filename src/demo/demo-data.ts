import { seededRandom } from '../common/random';
import type { UsageReport } from '../modules/ingestion/ingestion.validation';
import type { DefineMeterInput } from '../modules/catalog/catalog.types';
import { SYSTEM } from '../modules/auth/auth.types';
import { FixedCostPer } from '../modules/pricing/pricing.types';
import type { Services } from '../services';

/**
 * A small, deterministic month of usage (October 2026, which holds the European change from
 * summer time on the 25th): three projects' VMs sampled hourly, HPC jobs that cross midnight,
 * volumes, network egress, and discrete instance creations and IP allocations.
 */
export const DEMO_FROM = new Date('2026-10-01T00:00:00Z');
export const DEMO_TO = new Date('2026-11-01T00:00:00Z');

const COMPONENTS = [
  { name: 'compute', description: 'Virtual machines (OpenStack Nova)' },
  { name: 'storage', description: 'Block storage (OpenStack Cinder)' },
  { name: 'network', description: 'Networking (OpenStack Neutron)' },
  { name: 'batch', description: 'The HPC batch scheduler (Slurm)' },
];

const METERS: DefineMeterInput[] = [
  { name: 'cpu.hours', component: 'compute', unit: 'h', type: 'DELTA', description: 'vCPU hours of a VM' },
  { name: 'memory.gib_hours', component: 'compute', unit: 'GiB-h', type: 'DELTA', description: 'Memory reserved by a VM' },
  { name: 'gpu.hours', component: 'compute', unit: 'h', type: 'DELTA', description: 'GPU hours of a VM' },
  { name: 'instance.create', component: 'compute', unit: 'instance', type: 'EVENT', description: 'An instance was created' },
  { name: 'volume.gib_hours', component: 'storage', unit: 'GiB-h', type: 'DELTA', description: 'Block storage allocated' },
  { name: 'network.egress', component: 'network', unit: 'GiB', type: 'DELTA', description: 'Data sent out of the cloud' },
  { name: 'ip.allocate', component: 'network', unit: 'ip', type: 'EVENT', description: 'A floating IP was allocated' },
  {
    name: 'job.core_hours',
    component: 'batch',
    unit: 'core-h',
    type: 'DELTA',
    description: 'Core hours of a batch job',
    // What the scheduler's accounting sends with every job.
    recordType: {
      name: 'JobUsageRecord',
      fields: [
        { name: 'jobId', type: 'STRING', description: "The scheduler's job id" },
        { name: 'jobName', type: 'STRING', required: false },
        { name: 'exitCode', type: 'INTEGER', required: false },
      ],
    },
  },
];

/** Prices in EUR: cpu.hours is cheaper from the 15th; batch jobs cost more on GPUs and at high priority. Creations and IPs are free (unpriced). */
const PRICES: { meter: string; unitPrice: string; validFrom: string; partition?: string; priority?: string }[] = [
  { meter: 'cpu.hours', unitPrice: '0.025', validFrom: '2026-01-01T00:00:00Z' },
  { meter: 'cpu.hours', unitPrice: '0.02', validFrom: '2026-10-15T00:00:00Z' },
  { meter: 'memory.gib_hours', unitPrice: '0.003', validFrom: '2026-01-01T00:00:00Z' },
  { meter: 'gpu.hours', unitPrice: '1.2', validFrom: '2026-01-01T00:00:00Z' },
  { meter: 'volume.gib_hours', unitPrice: '0.00006', validFrom: '2026-01-01T00:00:00Z' },
  { meter: 'network.egress', unitPrice: '0.05', validFrom: '2026-01-01T00:00:00Z' },
  { meter: 'job.core_hours', unitPrice: '0.01', validFrom: '2026-01-01T00:00:00Z' },
  { meter: 'job.core_hours', partition: 'gpu', unitPrice: '0.04', validFrom: '2026-01-01T00:00:00Z' },
  { meter: 'job.core_hours', priority: 'high', unitPrice: '0.015', validFrom: '2026-01-01T00:00:00Z' },
];

const FIXED_COSTS: { project: string; resource?: string; name: string; amount: string; per: FixedCostPer; validFrom: string }[] = [
  { project: 'astro', name: 'support', amount: '5', per: FixedCostPer.DAY, validFrom: '2026-10-01T00:00:00Z' },
  { project: 'climate', name: 'rack', amount: '300', per: FixedCostPer.MONTH, validFrom: '2026-10-01T00:00:00Z' },
  {
    project: 'climate',
    resource: 'vm-climate-1',
    name: 'gpu licence',
    amount: '90',
    per: FixedCostPer.MONTH,
    validFrom: '2026-10-01T00:00:00Z',
  },
];

interface Vm {
  id: string;
  project: string;
  user: string;
  created: string;
  versions: { from: string; flavor: string; vcpus: number; ramGiB: number; gpus: number; location: string }[];
}

const VMS: Vm[] = [
  {
    id: 'vm-astro-1',
    project: 'astro',
    user: 'alice',
    created: '2026-10-01T00:00:00Z',
    versions: [
      { from: '2026-10-01T00:00:00Z', flavor: 'm1.large', vcpus: 4, ramGiB: 8, gpus: 0, location: 'zone-a' },
      { from: '2026-10-15T12:00:00Z', flavor: 'm1.xlarge', vcpus: 8, ramGiB: 16, gpus: 0, location: 'zone-a' },
    ],
  },
  {
    id: 'vm-climate-1',
    project: 'climate',
    user: 'bob',
    created: '2026-10-01T00:00:00Z',
    versions: [{ from: '2026-10-01T00:00:00Z', flavor: 'g1.large', vcpus: 8, ramGiB: 32, gpus: 1, location: 'zone-b' }],
  },
  {
    id: 'vm-genomics-1',
    project: 'genomics',
    user: 'carol',
    created: '2026-10-10T00:00:00Z',
    versions: [
      { from: '2026-10-10T00:00:00Z', flavor: 'm1.medium', vcpus: 2, ramGiB: 4, gpus: 0, location: 'zone-a' },
      { from: '2026-10-20T00:00:00Z', flavor: 'm1.medium', vcpus: 2, ramGiB: 4, gpus: 0, location: 'zone-b' },
    ],
  },
];

const HOUR = 3_600_000;
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export function demoReports(): UsageReport[] {
  const rand = seededRandom(20261001);
  const reports: UsageReport[] = [];

  for (const vm of VMS) {
    reports.push({
      project: vm.project,
      user: vm.user,
      meter: 'instance.create',
      start: new Date(vm.created),
      volume: 1,
      source: 'openstack',
      resource: vm.id,
    });
    reports.push({
      project: vm.project,
      user: vm.user,
      meter: 'ip.allocate',
      start: new Date(Date.parse(vm.created) + 5 * 60_000),
      volume: 1,
      source: 'openstack',
      resource: vm.id,
    });
    for (let t = Date.parse(vm.created); t < DEMO_TO.getTime(); t += HOUR) {
      const version = [...vm.versions].reverse().find((v) => Date.parse(v.from) <= t)!;
      reports.push({
        project: vm.project,
        user: vm.user,
        meter: 'cpu.hours',
        start: new Date(t),
        end: new Date(t + HOUR),
        volume: version.vcpus,
        source: 'openstack',
        resource: vm.id,
        additionalResources: [
          { meter: 'memory.gib_hours', volume: version.ramGiB },
          ...(version.gpus > 0 ? [{ meter: 'gpu.hours', volume: version.gpus }] : []),
        ],
        additionalMetrics: [{ metric: 'cpu_utilisation', volume: round(0.2 + rand() * 0.7) }],
      });
      if (new Date(t).getUTCHours() === 0) {
        reports.push({
          project: vm.project,
          user: vm.user,
          meter: 'network.egress',
          start: new Date(t),
          end: new Date(t + 24 * HOUR),
          volume: round(rand() * 20),
          source: 'openstack',
          resource: vm.id,
        });
      }
    }
  }

  const volumes = [
    { id: 'vol-astro-data', project: 'astro', user: 'alice', gib: 500 },
    { id: 'vol-climate-scratch', project: 'climate', user: 'bob', gib: 2000 },
  ];
  for (const volume of volumes) {
    for (let t = DEMO_FROM.getTime(); t < DEMO_TO.getTime(); t += 24 * HOUR) {
      reports.push({
        project: volume.project,
        user: volume.user,
        meter: 'volume.gib_hours',
        start: new Date(t),
        end: new Date(t + 24 * HOUR),
        volume: volume.gib * 24,
        source: 'openstack',
        resource: volume.id,
      });
    }
  }

  const hpc = [
    { project: 'astro', computeProject: 'astro-hpc', users: ['alice', 'dave'] },
    { project: 'climate', computeProject: 'climate-hpc', users: ['bob', 'erin'] },
    { project: 'genomics', computeProject: 'genomics-hpc', users: ['carol', 'frank'] },
  ];
  for (let job = 1; job <= 240; job++) {
    const owner = hpc[Math.floor(rand() * hpc.length)];
    const user = owner.users[Math.floor(rand() * owner.users.length)];
    const start = DEMO_FROM.getTime() + Math.floor(rand() * 29 * 24 * 4) * 15 * 60_000;
    const hours = round(0.5 + rand() * 30, 2);
    const cores = [16, 32, 64, 128][Math.floor(rand() * 4)];
    const gpuJob = rand() < 0.25;
    reports.push({
      project: owner.project,
      computeProject: owner.computeProject,
      user,
      meter: 'job.core_hours',
      start: new Date(start),
      end: new Date(start + hours * HOUR),
      volume: round(cores * hours),
      contingentFactor: gpuJob ? 2 : rand() < 0.1 ? 0 : 1,
      partition: gpuJob ? 'gpu' : 'compute',
      priority: rand() < 0.2 ? 'high' : 'normal',
      source: 'slurm',
      resource: `job-${100000 + job}`,
      additionalMetrics: [{ metric: 'energy_kwh', volume: round(cores * hours * 0.012) }],
      additionalData: { jobId: String(100000 + job), jobName: `run-${job}`, exitCode: rand() < 0.05 ? 1 : 0 },
    });
  }
  return reports;
}

export async function loadDemoData(services: Services): Promise<number> {
  for (const component of COMPONENTS) await services.catalog.defineComponent(component);
  for (const meter of METERS) await services.catalog.defineMeter(meter);
  for (const vm of VMS) {
    for (const { from, ...metadata } of vm.versions) {
      await services.resources.setMetadata(SYSTEM, { resource: vm.id, validFrom: new Date(from), metadata, type: 'vm' });
    }
  }
  const reports = demoReports();
  for (let i = 0; i < reports.length; i += 1000) await services.ingestion.reportUsage(SYSTEM, reports.slice(i, i + 1000));
  for (const { validFrom, ...price } of PRICES)
    await services.pricing.setPrice({ ...price, currency: 'EUR', validFrom: new Date(validFrom) });
  for (const { validFrom, ...cost } of FIXED_COSTS)
    await services.pricing.setFixedCost({ ...cost, currency: 'EUR', validFrom: new Date(validFrom) });
  return reports.length;
}

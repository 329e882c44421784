// `vmsim trace --machine`: each (policy, frames) run replays the page stream as real loads and stores of one
// simulated process on a hardware model, with the kernel's reclaim holding the data frames to the frame count
// (sim-api's replayMachine). The options --hw and --backing, the run itself (in this thread or a worker), and
// the JSON and CSV records: page mode's fields, then `mode` and the kernel's figures.

import { MODEL_NAMES, REPLAY_BACKINGS, replayMachine, type MachineReplayResult, type ModelName, type ReplayBacking } from '@vmsim/sim-api';
import { quote, UsageError } from '@vmsim/sim-api/script';
import { csvLine, CSV_HEADER, jsonRecord } from './trace-output.js';
import { runJob, type PageInput, type RunJob, type RunResult, type RunSettings } from './trace-runs.js';

/** The machine a --machine run replays on. */
export interface MachineSettings {
  readonly hw: ModelName;
  readonly backing: ReplayBacking;
}

export interface MachineRunJob extends RunJob {
  readonly machine: MachineSettings;
}

/** A machine-mode run: page mode's counts (from the kernel's counters) and the kernel's own figures. */
export interface MachineRunResult
  extends RunResult,
    Pick<MachineReplayResult, 'hw' | 'backing' | 'majorFaults' | 'minorFaults' | 'tlbHits' | 'tlbMisses' | 'walks' | 'pswpin' | 'pswpout'> {
  readonly mode: 'machine';
}

/**
 * The machine settings from --machine, --hw and --backing (null without --machine). --hw and --backing need
 * --machine; the trace's pages must be the model's (all four models have 4 KiB pages); --mrc is page mode's.
 */
export function parseMachineOptions(
  values: { machine?: boolean | undefined; hw?: string | undefined; backing?: string | undefined },
  pageSize: number,
  mrc: boolean,
): MachineSettings | null {
  if (values.machine !== true) {
    if (values.hw !== undefined) throw new UsageError('--hw: needs --machine (page mode has no hardware)');
    if (values.backing !== undefined) throw new UsageError('--backing: needs --machine');
    return null;
  }
  const hw = values.hw ?? 'x86-32';
  if (!(MODEL_NAMES as readonly string[]).includes(hw)) {
    throw new UsageError(`--hw: unknown hardware model ${quote(hw)} (expected ${MODEL_NAMES.join(', ')})`);
  }
  const backing = values.backing ?? 'file';
  if (!(REPLAY_BACKINGS as readonly string[]).includes(backing)) {
    throw new UsageError(`--backing: unknown backing ${quote(backing)} (expected ${REPLAY_BACKINGS.join(' or ')})`);
  }
  if (pageSize !== 4096) throw new UsageError(`--page-size: --machine replays on ${hw}'s pages of 4096 bytes, not ${pageSize}`);
  if (mrc) throw new UsageError('--mrc: the one-pass curves are page mode only; with --machine give --frames (a range) instead');
  return { hw: hw as ModelName, backing: backing as ReplayBacking };
}

/** The job of one run: page mode's, or machine mode's on `machine`. */
export function jobFor(policy: RunJob['policy'], frames: number, machine: MachineSettings | null): RunJob {
  if (machine === null) return { policy, frames };
  const job: MachineRunJob = { policy, frames, machine };
  return job;
}

function isMachineJob(job: RunJob): job is MachineRunJob {
  return (job as Partial<MachineRunJob>).machine !== undefined;
}

/** One run in the mode the job names: page mode's runJob, or a machine replay. */
export function runAnyJob(job: RunJob, input: PageInput, settings: RunSettings): RunResult {
  return isMachineJob(job) ? runMachineJob(job, input, settings) : runJob(job, input, settings);
}

export function runMachineJob(job: MachineRunJob, input: PageInput, settings: RunSettings): MachineRunResult {
  const r = replayMachine(input, {
    policy: job.policy,
    frames: job.frames,
    hw: job.machine.hw,
    backing: job.machine.backing,
    seed: settings.seed,
    ...(settings.bits === undefined ? {} : { bits: settings.bits }),
    ...(settings.period === undefined ? {} : { period: settings.period }),
    ...(settings.tau === undefined ? {} : { tau: settings.tau }),
  });
  return {
    policy: job.policy,
    frames: job.frames,
    references: r.references,
    hits: r.hits,
    misses: r.misses,
    writebacks: r.writebacks,
    evictions: r.evictions,
    seconds: r.seconds,
    method: 'run',
    mode: 'machine',
    hw: r.hw,
    backing: r.backing,
    majorFaults: r.majorFaults,
    minorFaults: r.minorFaults,
    tlbHits: r.tlbHits,
    tlbMisses: r.tlbMisses,
    walks: r.walks,
    pswpin: r.pswpin,
    pswpout: r.pswpout,
  };
}

const MACHINE_FIELDS = ['mode', 'hw', 'backing', 'majorFaults', 'minorFaults', 'tlbHits', 'tlbMisses', 'walks', 'pswpin', 'pswpout'] as const;

function machineFields(r: RunResult): (string | number)[] {
  const m = r as MachineRunResult;
  return MACHINE_FIELDS.map((field) => m[field]);
}

/** Page mode's JSON record, then the machine's fields. */
export function machineJsonRecord(r: RunResult): Record<string, unknown> {
  const values = machineFields(r);
  return { ...jsonRecord(r), ...Object.fromEntries(MACHINE_FIELDS.map((field, i) => [field, values[i]])) };
}

export const MACHINE_CSV_HEADER = `${CSV_HEADER},${MACHINE_FIELDS.join(',')}`;

export function machineCsvLine(r: RunResult): string {
  return `${csvLine(r)},${machineFields(r).join(',')}`;
}

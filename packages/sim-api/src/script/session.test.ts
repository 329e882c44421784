// The session's swap and reclaim words: begin's swap / reclaim / limit, the limit command, the stats lines,
// and the file:line errors a bad value gives.
import { describe, expect, it } from 'vitest';
import { ScriptError } from './errors.js';
import { ScriptReader } from './script.js';
import { COMMAND_HELP, formatSwapStats, Session, type SessionOptions } from './session.js';

function session(options: Partial<SessionOptions> = {}, json = false): { session: Session; lines: string[]; records: Record<string, unknown>[] } {
  const lines: string[] = [];
  const records: Record<string, unknown>[] = [];
  const s = new Session({
    model: 'x86-32', ramBytes: 64 * 4096, verbose: false,
    printer: { json, line: (t) => lines.push(t), record: (r) => records.push(r) },
    ...options,
  });
  return { session: s, lines, records };
}

/** Runs the lines through a ScriptReader; returns the error it stopped on (with its line), if any. */
function run(s: Session, script: readonly string[]): ScriptError | undefined {
  const reader = new ScriptReader((text) => s.execute(text));
  try {
    for (const [i, text] of script.entries()) reader.feed({ line: i + 1, text });
    reader.finish();
  } catch (error) {
    if (ScriptError.isInstance(error)) return error;
    throw error;
  }
  return undefined;
}

const FILL = ['repeat 5', 'register {0x80000000 + i * 0x1000}', 'write {0x80000000 + i * 0x1000} unsigned {100 + i}', 'end'];

describe('begin with swap and reclaim', () => {
  it('starts a machine with the swap slots, the policy and the limit', () => {
    const { session: s } = session();
    expect(run(s, ['begin quiet swap 6 reclaim lru limit 3'])).toBeUndefined();
    expect([s.sim.verbose, s.sim.swapSlots, s.sim.reclaimPolicy, s.sim.kernel.reclaimStats().limit]).toEqual([false, 6, 'lru', 3]);
    expect(run(s, ['begin reclaim CLOCK swap 2'])).toBeUndefined();
    expect([s.sim.swapSlots, s.sim.reclaimPolicy, s.sim.kernel.reclaimStats().limit]).toEqual([2, 'clock', null]);
    expect(run(s, ['begin verbose'])).toBeUndefined();
    expect([s.sim.verbose, s.sim.swapSlots, s.sim.reclaimPolicy]).toEqual([true, 0, null]);
  });

  it('a bare begin keeps the session\'s own swap and reclaim; one naming either takes only what it says', () => {
    const { session: s } = session({ swapSlots: 4, reclaim: { policy: 'fifo', limit: 2 } });
    expect([s.sim.swapSlots, s.sim.reclaimPolicy]).toEqual([4, 'fifo']);
    run(s, ['begin']);
    expect([s.sim.swapSlots, s.sim.reclaimPolicy]).toEqual([4, 'fifo']);
    run(s, ['begin swap 1']);
    expect([s.sim.swapSlots, s.sim.reclaimPolicy]).toEqual([1, null]);
  });

  it.each([
    ['begin swap', 'begin: swap needs a number of slots (expected begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]])'],
    ['begin swap x', 'bad number "x" for begin swap (expected decimal or 0x hex)'],
    ['begin swap -1', 'begin swap -1 is out of range (0 to 1073741824)'],
    ['begin swap 1 swap 2', 'begin: swap given twice'],
    ['begin reclaim', 'begin: reclaim needs a policy (one of fifo, lru, mru, random, clock, ostep-clock, nru, aging, wsclock, lfu, arc)'],
    ['begin reclaim opt', 'begin: reclaim opt is not possible: opt needs the future references (use vmsim trace for it)'],
    ['begin reclaim best', 'begin: unknown policy "best" (expected one of fifo, lru, mru, random, clock, ostep-clock, nru, aging, wsclock, lfu, arc)'],
    ['begin reclaim lru limit', 'begin: limit needs a number of frames'],
    ['begin reclaim lru limit 0', 'begin limit 0 is out of range (1 to 9007199254740991)'],
    ['begin reclaim lru reclaim fifo', 'begin: reclaim given twice'],
    ['begin limit 3', 'begin: limit goes after reclaim POLICY (expected begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]])'],
    ['begin quiet loud', 'begin: unexpected "loud" (expected begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]])'],
    ['begin loud', 'begin: expected verbose or quiet, not "loud"'],
    ['begin reclaim lru limit 65', 'begin: invalid option reclaim.limit = 65: expected an integer from 1 to 64 (the RAM\'s frames)'],
  ])('%s fails on its line: %s', (text, message) => {
    const { session: s } = session();
    const before = s.sim;
    const error = run(s, ['echo first', text]);
    expect(error?.message).toBe(message);
    expect(error?.line).toBe(2);
    // Nothing changed: the machine is the one there was.
    expect(s.sim).toBe(before);
  });

  it('the help shows the new words', () => {
    expect(COMMAND_HELP[0]).toBe('begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]]');
    expect(COMMAND_HELP.some((line) => line.startsWith('limit <pid> <pages>|none '))).toBe(true);
  });
});

describe('swap through a script', () => {
  it('values survive eviction; the OOM kill is printed in quiet mode', () => {
    const { session: s, lines } = session();
    expect(run(s, ['begin quiet swap 1 reclaim fifo limit 2', ...FILL])).toBeUndefined();
    // 2 frames and 1 slot: the fourth page has nowhere to go, and process 0 is the only one to kill.
    expect(lines).toEqual([
      'Out of memory: killed process 0 (rss 2 pages, swap 1 page)',
      'No process is running: register 0x80004000 ignored',
      'No process is running: write to 0x80004000 ignored',
    ]);
  });

  it('stats prints the swap and reclaim lines, and only with swap or reclaim', () => {
    const { session: s, lines } = session();
    run(s, ['stats']);
    expect(lines.some((l) => l.startsWith('swap:') || l.startsWith('reclaim:'))).toBe(false);
    lines.length = 0;
    run(s, ['begin swap 8 reclaim lru limit 3', ...FILL, 'repeat 5', 'read {0x80000000 + i * 0x1000} unsigned page {i}', 'end', 'stats']);
    expect(lines.slice(0, 5)).toEqual(['page 0: 100', 'page 1: 101', 'page 2: 102', 'page 3: 103', 'page 4: 104']);
    expect(lines.slice(-2)).toEqual([
      expect.stringMatching(/^swap: \d of 8 slots used, 5 pswpin, \d pswpout, \d in swap cache \(process 0: \d\)$/),
      expect.stringMatching(/^reclaim: lru, 3 frames held \(limit 3\), \d+ evictions, \d+ writebacks, 5 major faults, \d+ minor faults, 0 OOM kills$/),
    ]);
  });

  it('stats in JSON carries swap and reclaim', () => {
    const { session: s, records } = session({}, true);
    run(s, ['begin swap 2 reclaim clock', 'stats']);
    const stats = records.find((r) => r.type === 'stats')!;
    expect((stats.swap as { slots: number }).slots).toBe(2);
    expect((stats.reclaim as { policy: string; limit: number | null })).toMatchObject({ policy: 'clock', limit: null });
  });
});

describe('limit <pid> <pages>|none', () => {
  it('sets and removes a memory limit; the group is held to it', () => {
    const { session: s, lines } = session();
    run(s, ['begin swap 8 reclaim lru', 'limit 0 2', ...FILL, 'stats']);
    expect(lines.filter((l) => l.startsWith('memory limit'))).toEqual(['memory limit of process 0: 2 of 2 pages charged']);
    expect(s.sim.kernel.reclaimStats().evictions).toBe(3);
    lines.length = 0;
    run(s, ['limit 0 none', 'stats']);
    expect(lines.filter((l) => l.startsWith('memory limit'))).toEqual([]);
  });

  it.each([
    ['limit 0 2', 'limit: needs reclaim (start with begin [verbose|quiet] [swap N] [reclaim POLICY [limit N]])', false],
    ['limit 0', 'limit: missing argument (expected limit <pid> <pages>|none)', true],
    ['limit 0 some', 'bad number "some" for limit pages (expected decimal or 0x hex)', true],
    ['limit 0 0', 'limit pages 0 is out of range (1 to 9007199254740991)', true],
  ])('%s fails: %s', (text, message, reclaim) => {
    const { session: s } = session();
    if (reclaim) run(s, ['begin reclaim lru']);
    const error = run(s, [text]);
    expect(error?.message).toBe(message);
  });

  it('a pid that is not alive: the kernel\'s error, as a script error naming the command', () => {
    const { session: s } = session();
    run(s, ['begin reclaim lru']);
    const error = run(s, ['limit 7 2']);
    expect(error?.message).toMatch(/^limit: /);
  });
});

describe('formatSwapStats', () => {
  it('prints nothing without swap and reclaim', () => {
    expect(formatSwapStats(undefined, undefined)).toEqual([]);
  });

  it('lists processes with pages in swap and the groups', () => {
    expect(formatSwapStats(
      { pswpin: 1, pswpout: 2, writebacks: 2, majorFaults: 1, swapCacheHits: 0, reclaimed: 2, slots: 4, slotsUsed: 2, swapCached: 0, processes: [{ pid: 0, swapPages: 0 }, { pid: 1, swapPages: 2 }] },
      { policy: 'fifo', evictions: 2, writebacks: 2, majorFaults: 1, minorFaults: 3, pswpin: 1, pswpout: 2, oomKills: 0, resident: 2, limit: null, groups: [{ pid: 1, limit: 2, charged: 1 }] },
    )).toEqual([
      'swap: 2 of 4 slots used, 1 pswpin, 2 pswpout, 0 in swap cache (process 1: 2)',
      'reclaim: fifo, 2 frames held (no limit), 2 evictions, 2 writebacks, 1 major faults, 3 minor faults, 0 OOM kills',
      'memory limit of process 1: 1 of 2 pages charged',
    ]);
  });
});

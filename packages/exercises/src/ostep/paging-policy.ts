// OSTEP's vm-beyondphys-policy/paging-policy.py, output for output: the same options (parsed as optparse does),
// the same seeded page list (CPython's random()), and the same trace, memory lists and FINALSTATS. FIFO, LRU, MRU
// and CLOCK run on @vmsim/replacement's policies (whose resident lists keep the script's list order); OPT, UNOPT
// and RAND pick by index into the script's list, so they are modelled here on that list.

import { FifoPolicy, LruPolicy, MruPolicy, OstepClockPolicy, PythonRandom, type ReplacementPolicy } from '@vmsim/replacement';

/**
 * The script did not finish normally: `status` is its exit status (2 for an optparse error, 1 for an unknown
 * policy or a Python exception), `output` what it printed on standard output first, the message what it printed
 * on standard error (or the exception).
 */
export class PagingPolicyError extends Error {
  static readonly marker = '@vmsim/exercises/PagingPolicyError';
  override readonly name = 'PagingPolicyError' as const;
  readonly errno = 'EINVAL' as const;
  constructor(
    message: string,
    readonly status: number,
    readonly output: string,
  ) {
    super(message);
    (this as unknown as Record<symbol, boolean>)[Symbol.for('@vmsim/error')] = true;
    (this as unknown as Record<symbol, boolean>)[Symbol.for(PagingPolicyError.marker)] = true;
  }

  static isInstance(value: unknown): value is PagingPolicyError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[Symbol.for(PagingPolicyError.marker)] === true;
  }
}

export interface PagingPolicyOptions {
  /** Reads the file of `-f` (one integer per line); without it, -f is an error. */
  readonly readFile?: (path: string) => string;
}

interface Spec {
  readonly short: string;
  readonly long: string;
  readonly dest: keyof Values;
  readonly flag: boolean;
}

interface Values {
  addresses: string;
  addressfile: string;
  numaddrs: string;
  policy: string;
  clockbits: number;
  cachesize: string;
  maxpage: string;
  seed: string;
  notrace: boolean;
  solve: boolean;
}

const SPECS: readonly Spec[] = [
  { short: '-a', long: '--addresses', dest: 'addresses', flag: false },
  { short: '-f', long: '--addressfile', dest: 'addressfile', flag: false },
  { short: '-n', long: '--numaddrs', dest: 'numaddrs', flag: false },
  { short: '-p', long: '--policy', dest: 'policy', flag: false },
  { short: '-b', long: '--clockbits', dest: 'clockbits', flag: false },
  { short: '-C', long: '--cachesize', dest: 'cachesize', flag: false },
  { short: '-m', long: '--maxpage', dest: 'maxpage', flag: false },
  { short: '-s', long: '--seed', dest: 'seed', flag: false },
  { short: '-N', long: '--notrace', dest: 'notrace', flag: true },
  { short: '-c', long: '--compute', dest: 'solve', flag: true },
];

const USAGE = 'Usage: paging-policy.py [options]\n\n';

function optError(message: string): never {
  throw new PagingPolicyError(`${USAGE}paging-policy.py: error: ${message}`, 2, '');
}

/** optparse's "int" type: the prefix of the text as typed picks the radix (0x, 0b, a leading 0: octal), then int(). */
function optInt(option: string, text: string): number {
  const head = text.slice(0, 2).toLowerCase();
  let radix = 10;
  let body = text;
  if (head === '0x') radix = 16;
  else if (head === '0b') {
    radix = 2;
    body = text.slice(2) || '0';
  } else if (text.startsWith('0')) radix = 8;
  const value = pythonInt(body, radix);
  if (value === null) optError(`option ${option}: invalid integer value: '${text}'`);
  return value;
}

/** Python's int(text, radix) for the cases the script meets, or null where Python raises ValueError. */
function pythonInt(text: string, radix = 10): number | null {
  let t = text.trim();
  let sign = 1;
  if (t.startsWith('+') || t.startsWith('-')) {
    if (t.startsWith('-')) sign = -1;
    t = t.slice(1);
  }
  if (radix === 16 && /^0x/i.test(t)) t = t.slice(2);
  if (radix === 8 && /^0o/i.test(t)) t = t.slice(2);
  t = t.replace(/(?<=[0-9a-zA-Z])_(?=[0-9a-zA-Z])/g, '');
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : radix === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(t)) return null;
  const n = parseInt(t, radix);
  if (!Number.isSafeInteger(n)) return null;
  return sign * n;
}

function toInt(text: string): number {
  const n = pythonInt(text);
  if (n === null) throw new PagingPolicyError(`ValueError: invalid literal for int() with base 10: '${text}'`, 1, '');
  return n;
}

function parse(argv: readonly string[]): Values {
  const values: Values = {
    addresses: '-1',
    addressfile: '',
    numaddrs: '10',
    policy: 'FIFO',
    clockbits: 2,
    cachesize: '3',
    maxpage: '10',
    seed: '0',
    notrace: false,
    solve: false,
  };
  const set = (spec: Spec, name: string, value: string | null): void => {
    if (spec.flag) {
      (values as unknown as Record<string, unknown>)[spec.dest] = true;
      return;
    }
    if (value === null) optError(`${name} option requires an argument`);
    (values as unknown as Record<string, unknown>)[spec.dest] = spec.dest === 'clockbits' ? optInt(name, value) : value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      const exact = SPECS.find((s) => s.long === name);
      const matches = exact !== undefined ? [exact] : SPECS.filter((s) => s.long.startsWith(name));
      if (matches.length === 0) optError(`no such option: ${name}`);
      if (matches.length > 1) optError(`ambiguous option: ${name} (${matches.map((s) => s.long).join(', ')}?)`);
      const spec = matches[0]!;
      if (spec.flag) {
        if (eq >= 0) optError(`${spec.long} option does not take a value`);
        set(spec, spec.long, null);
      } else {
        const value = eq >= 0 ? arg.slice(eq + 1) : i + 1 < argv.length ? argv[++i]! : null;
        set(spec, spec.long, value);
      }
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const name = `-${arg[j]}`;
        const spec = SPECS.find((s) => s.short === name);
        if (spec === undefined) optError(`no such option: ${name}`);
        if (spec.flag) {
          set(spec, name, null);
          continue;
        }
        const rest = arg.slice(j + 1);
        set(spec, name, rest !== '' ? rest : i + 1 < argv.length ? argv[++i]! : null);
        break;
      }
    }
  }
  return values;
}

/** Python's repr of a list of ints. */
function listRepr(items: readonly number[]): string {
  return `[${items.join(', ')}]`;
}

/** '%.2f' as CPython formats it: the double's exact value, ties to even. */
function fixed2(x: number): string {
  const hundred = x * 100;
  if (Number.isInteger(x * 8) && !Number.isInteger(x * 4) && Number.isInteger(hundred * 2) && !Number.isInteger(hundred)) {
    const lo = Math.floor(hundred);
    return ((lo % 2 === 0 ? lo : lo + 1) / 100).toFixed(2);
  }
  return x.toFixed(2);
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** The output of `paging-policy.py ARGV` (lines joined with '\n', ending with one). */
export function pagingPolicy(argv: readonly string[], options: PagingPolicyOptions = {}): string {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) {
    throw new PagingPolicyError('argv must be an array of strings', 2, '');
  }
  const v = parse(argv);
  const out: string[] = [];
  const fail = (message: string, status = 1): never => {
    throw new PagingPolicyError(message, status, out.length === 0 ? '' : `${out.join('\n')}\n`);
  };
  out.push(`ARG addresses ${v.addresses}`);
  out.push(`ARG addressfile ${v.addressfile}`);
  out.push(`ARG numaddrs ${v.numaddrs}`);
  out.push(`ARG policy ${v.policy}`);
  out.push(`ARG clockbits ${v.clockbits}`);
  out.push(`ARG cachesize ${v.cachesize}`);
  out.push(`ARG maxpage ${v.maxpage}`);
  out.push(`ARG seed ${v.seed}`);
  out.push(`ARG notrace ${v.notrace ? 'True' : 'False'}`);
  out.push('');

  let numaddrs: number;
  let cachesize: number;
  let seed: number;
  let maxpage: number;
  try {
    numaddrs = toInt(v.numaddrs);
    cachesize = toInt(v.cachesize);
    seed = toInt(v.seed);
    maxpage = toInt(v.maxpage);
  } catch (error) {
    return fail((error as Error).message);
  }
  const policy = v.policy;
  const clockbits = v.clockbits;
  const rng = new PythonRandom(seed);

  let addrList: string[];
  if (v.addressfile !== '') {
    if (options.readFile === undefined) return fail(`IOError: cannot read ${v.addressfile} (no readFile given)`);
    const text = options.readFile(v.addressfile);
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    addrList = [];
    for (const line of lines) {
      const n = pythonInt(line);
      if (n === null) return fail(`ValueError: invalid literal for int() with base 10: '${line}'`);
      addrList.push(String(n));
    }
  } else if (v.addresses === '-1') {
    addrList = [];
    for (let i = 0; i < numaddrs; i++) addrList.push(String(Math.trunc(maxpage * rng.random())));
  } else {
    addrList = v.addresses.split(',');
  }

  if (!v.solve) {
    out.push(`Assuming a replacement policy of ${policy}, and a cache of size ${cachesize} pages,`);
    out.push('figure out whether each of the following page references hit or miss');
    out.push('in the page cache.');
    out.push('');
    for (const n of addrList) {
      const page = pythonInt(n);
      if (page === null) return fail(`ValueError: invalid literal for int() with base 10: '${n}'`);
      out.push(`Access: ${page}  Hit/Miss?  State of Memory?`);
    }
    out.push('');
    return `${out.join('\n')}\n`;
  }

  if (!v.notrace) {
    out.push('Solving...');
    out.push('');
  }
  let left: string;
  let right: string;
  if (policy === 'FIFO') [left, right] = ['FirstIn', 'Lastin '];
  else if (policy === 'LRU' || policy === 'MRU') [left, right] = ['LRU', 'MRU'];
  else if (policy === 'OPT' || policy === 'RAND' || policy === 'UNOPT' || policy === 'CLOCK') [left, right] = ['Left ', 'Right'];
  else {
    // The script prints this on standard output and exits with 1: it is output, not a message for stderr.
    out.push(`Policy ${policy} is not yet implemented`);
    return fail('');
  }

  const pages: number[] = [];
  for (const n of addrList) {
    const page = pythonInt(n);
    if (page === null) return fail(`ValueError: invalid literal for int() with base 10: '${n}'`);
    pages.push(page);
  }
  // Dense ids for the policies, in order of first reference.
  const ids = new Map<number, number>();
  for (const p of pages) if (!ids.has(p)) ids.set(p, ids.size);
  const numbers = [...ids.keys()];

  let engine: ReplacementPolicy | null = null;
  if (cachesize >= 1) {
    const base = { frames: cachesize, pageCount: Math.max(1, ids.size) };
    if (policy === 'FIFO') engine = new FifoPolicy(base);
    else if (policy === 'LRU') engine = new LruPolicy(base);
    else if (policy === 'MRU') engine = new MruPolicy(base);
    else if (policy === 'CLOCK') engine = new OstepClockPolicy({ ...base, bits: clockbits, rng });
  }

  let memory: number[] = [];
  let hits = 0;
  let miss = 0;
  for (let index = 0; index < pages.length; index++) {
    const n = pages[index]!;
    let hit: boolean;
    let victim: number | null = null;
    if (engine !== null) {
      hit = engine.access(ids.get(n)!, false);
      if (engine.lastVictim >= 0) victim = numbers[engine.lastVictim]!;
      memory = engine.residentPages().map((id) => numbers[id]!);
    } else {
      hit = memory.includes(n);
      if (hit && (policy === 'LRU' || policy === 'MRU')) {
        memory.splice(memory.indexOf(n), 1);
        memory.push(n);
      }
      if (!hit) {
        if (memory.length === cachesize) {
          // The script's list model, for a cache of size 0 (which fails as Python does) and OPT, UNOPT, RAND.
          let at: number;
          if (policy === 'RAND') {
            at = Math.trunc(rng.random() * memory.length);
          } else if (policy === 'OPT' || policy === 'UNOPT') {
            let best = policy === 'OPT' ? -1 : pages.length + 1;
            at = -1;
            for (let k = 0; k < memory.length; k++) {
              let when = pages.length;
              for (let f = index + 1; f < pages.length; f++) {
                if (pages[f] === memory[k]) {
                  when = f;
                  break;
                }
              }
              if (policy === 'OPT' ? when >= best : when < best) {
                best = when;
                at = k;
              }
            }
          } else {
            at = policy === 'MRU' ? memory.length - 1 : 0;
          }
          if (at < 0 || at >= memory.length) return fail('IndexError: pop from empty list');
          victim = memory.splice(at, 1)[0]!;
        }
        memory.push(n);
      }
    }
    if (hit) hits++;
    else miss++;
    if (!v.notrace) {
      out.push(
        `Access: ${n}  ${hit ? 'HIT ' : 'MISS'} ${left} -> ${pad(listRepr(memory), 12)} <- ${right} Replaced:${victim === null || victim === -1 ? '-' : victim} [Hits:${hits} Misses:${miss}]`,
      );
    }
  }
  out.push('');
  if (hits + miss === 0) return fail('ZeroDivisionError: float division by zero');
  out.push(`FINALSTATS hits ${hits}   misses ${miss}   hitrate ${fixed2((100 * hits) / (hits + miss))}`);
  out.push('');
  return `${out.join('\n')}\n`;
}

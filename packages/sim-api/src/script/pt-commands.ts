// Script commands for seed 003's page tables and seed 004's memory maps: named standalone tables held by one
// PageTableManager (its own MMU and TLB), and one VirtualMemoryManager, all on the session's simulator.

import { pageTables as pt, VmsimError, type Simulator } from '../index.js';
import { ScriptError } from './errors.js';
import { parseRange, quote } from './parse.js';
import { isIdentifier } from './script.js';
import type { Printer } from './session.js';

/** The lines `help` prints for these commands. */
export const PT_COMMAND_HELP: readonly string[] = [
  'pt-create <name>                  a new page table (page_table_create), held by the page-table manager',
  'pt-map <name> <va> <pa> <flags> [size]  map a page; flags like PRESENT|WRITABLE|USER_ACCESSIBLE (HUGE:',
  '                                  a huge page, of [size] bytes when given)',
  'pt-unmap <name> <va>              unmap the page at va (tables left empty are freed)',
  'pt-translate <name> <va>          translate by reading the table: "Virtual … -> Physical …"',
  'pt-switch <name>                  load the table into the manager\'s root register (TLB per the model)',
  'pt-access <va> [read|write|execute] [user|supervisor]  an access through the manager\'s TLB and MMU',
  'pt-flush [va]                     flush one page (or the whole TLB) of the manager',
  'pt-tlb                            print the manager\'s TLB counters',
  'pt-dump [name]                    print a table (default: every one) level by level, bits decoded',
  'vmm-asid <n>                      bind the memory maps to the address space with ASID n (set_asid)',
  'vmm-add <vstart> <vend> <pstart> <pend> [rwx] [shared|private]  add a memory map; ends are inclusive',
  'vmm-remove <idx> | vmm-remove-all  remove one memory map or all of them',
  'vmm-search <va>                   the memory map containing va, and its index',
  'vmm-translate <va>                translate va by the memory maps (translate_vaddr)',
  'vmm-list                          list the memory maps and the root page table of the ASID',
];

const COMMANDS = new Set([
  'pt-create', 'pt-map', 'pt-unmap', 'pt-translate', 'pt-switch', 'pt-access', 'pt-flush', 'pt-tlb', 'pt-dump',
  'vmm-asid', 'vmm-add', 'vmm-remove', 'vmm-remove-all', 'vmm-search', 'vmm-translate', 'vmm-list',
]);

/** Addresses a script may give: exact numbers (below 2^53). */
const MAX_ADDRESS = 2n ** 53n - 1n;
const hex = (n: number): string => `0x${n.toString(16)}`;

export class PageTableCommands {
  private readonly tables = new Map<string, pt.PageTable>();
  private managerOf: pt.PageTableManager | null = null;
  private vmmOf: pt.VirtualMemoryManager | null = null;

  constructor(private readonly sim: Simulator, private readonly printer: Printer) {}

  /** Is `command` one of these? */
  static handles(command: string): boolean {
    return COMMANDS.has(command);
  }

  execute(command: string, args: string[]): void {
    switch (command) {
      case 'pt-create': {
        arity(command, args, 1, 1, '<name>');
        const name = args[0]!;
        if (!isIdentifier(name)) throw new ScriptError(`pt-create: bad name ${quote(name)} (letters, digits and _, not starting with a digit)`);
        if (this.tables.has(name)) throw new ScriptError(`pt-create: a table named ${name} exists`);
        this.tables.set(name, this.manager().create());
        return;
      }
      case 'pt-map': {
        arity(command, args, 4, 5, '<name> <va> <pa> <flags> [size]');
        const table = this.table(args[0]!, command);
        const flags = this.flags(args[3]!);
        const size = args[4] === undefined ? undefined : Number(parseRange(args[4], 'pt-map size', 1n, MAX_ADDRESS, 'hex'));
        table.map(address(args[1]!, command), address(args[2]!, command), flags, size);
        return;
      }
      case 'pt-unmap': {
        arity(command, args, 2, 2, '<name> <va>');
        this.table(args[0]!, command).unmap(address(args[1]!, command));
        return;
      }
      case 'pt-translate': {
        arity(command, args, 2, 2, '<name> <va>');
        const va = address(args[1]!, command);
        const pa = this.table(args[0]!, command).translate(va);
        this.say({ type: 'pt-translate', table: args[0], va: hex(va), pa: pa === null ? null : hex(pa) },
          `Virtual VirtAddr(${hex(va)}) -> ${pa === null ? 'not mapped' : `Physical PhysAddr(${hex(pa)})`}`);
        return;
      }
      case 'pt-switch':
        arity(command, args, 1, 1, '<name>');
        this.manager().switchTo(this.table(args[0]!, command));
        return;
      case 'pt-access': {
        arity(command, args, 1, 3, '<va> [read|write|execute] [user|supervisor]');
        const va = address(args[0]!, command);
        const access = (args[1] ?? 'read').toLowerCase();
        if (access !== 'read' && access !== 'write' && access !== 'execute') throw new ScriptError(`pt-access: expected read, write or execute, not ${quote(args[1]!)}`);
        const mode = (args[2] ?? 'user').toLowerCase();
        if (mode !== 'user' && mode !== 'supervisor') throw new ScriptError(`pt-access: expected user or supervisor, not ${quote(args[2]!)}`);
        const m = this.manager();
        const pa = m.translate(va, access, mode === 'user');
        this.say({ type: 'pt-access', va: hex(va), access, mode, pa: pa === null ? null : hex(pa), fault: pa === null ? m.lastFault : null },
          `${access} ${hex(va)} (${mode}): ${pa === null ? `fault (${m.lastFault})` : hex(pa)}`);
        return;
      }
      case 'pt-flush':
        arity(command, args, 0, 1, '[va]');
        if (args[0] === undefined) this.manager().flushAll();
        else this.manager().flushPage(address(args[0], command));
        return;
      case 'pt-tlb': {
        arity(command, args, 0, 0, '');
        const s = this.manager().tlbStats();
        this.say({ type: 'pt-tlb', ...s }, `tlb: ${s.hits} hits, ${s.misses} misses, ${s.flushes} flushes (${s.entries} entries)`);
        return;
      }
      case 'pt-dump': {
        arity(command, args, 0, 1, '[name]');
        const names = args[0] === undefined ? [...this.tables.keys()] : [args[0]];
        for (const name of names) {
          const lines = pt.dumpPageTable(this.table(name, command));
          this.say({ type: 'pt-dump', table: name, lines }, ...[`${name}:`, ...lines]);
        }
        return;
      }
      default:
        return this.vmmCommand(command, args);
    }
  }

  private vmmCommand(command: string, args: string[]): void {
    const vmm = this.vmm();
    switch (command) {
      case 'vmm-asid':
        arity(command, args, 1, 1, '<n>');
        vmm.setAsid(Number(parseRange(args[0]!, 'vmm-asid', 0n, 65535n, 'decimal')));
        return;
      case 'vmm-add': {
        arity(command, args, 4, 6, '<vstart> <vend> <pstart> <pend> [rwx] [shared|private]');
        const [vs, ve, ps, pe] = args.slice(0, 4).map((w) => address(w, command)) as [number, number, number, number];
        const permissions = args[4] === undefined ? pt.PROT_READ | pt.PROT_WRITE : pt.parsePermissions(args[4]);
        if (permissions === undefined) throw new ScriptError(`vmm-add: bad permissions ${quote(args[4]!)} (like rw-, r-x or none)`);
        const sharing = (args[5] ?? 'private').toLowerCase();
        if (sharing !== 'shared' && sharing !== 'private') throw new ScriptError(`vmm-add: expected shared or private, not ${quote(args[5]!)}`);
        vmm.addMemoryMap({ vmarea: { start: vs, end: ve }, pmarea: { start: ps, end: pe }, permissions, isShared: sharing === 'shared' });
        return;
      }
      case 'vmm-remove': {
        arity(command, args, 1, 1, '<idx>');
        const removed = vmm.removeMemoryMap(Number(parseRange(args[0]!, 'vmm-remove index', 0n, 2n ** 31n, 'decimal')));
        this.say({ type: 'vmm-remove', map: removed === null ? null : pt.formatMemoryMap(removed) },
          removed === null ? `no memory map ${args[0]}` : `removed ${pt.formatMemoryMap(removed)}`);
        return;
      }
      case 'vmm-remove-all': {
        arity(command, args, 0, 0, '');
        const removed = vmm.removeAllMemoryMaps();
        this.say({ type: 'vmm-remove-all', count: removed.length }, `removed ${removed.length} memory map(s)`);
        return;
      }
      case 'vmm-search': {
        arity(command, args, 1, 1, '<va>');
        const va = address(args[0]!, command);
        const idx = vmm.searchMemoryMapIdx(va);
        this.say({ type: 'vmm-search', va: hex(va), index: idx, map: idx === null ? null : pt.formatMemoryMap(vmm.getMemoryMap(idx)!) },
          idx === null ? `${hex(va)}: no memory map` : `${hex(va)}: memory map ${idx}: ${pt.formatMemoryMap(vmm.getMemoryMap(idx)!)}`);
        return;
      }
      case 'vmm-translate': {
        arity(command, args, 1, 1, '<va>');
        const va = address(args[0]!, command);
        const pa = vmm.translateVaddr(va);
        this.say({ type: 'vmm-translate', va: hex(va), pa: pa === null ? null : hex(pa) }, `${hex(va)} -> ${pa === null ? 'none' : hex(pa)}`);
        return;
      }
      default: {
        arity(command, args, 0, 0, '');
        const maps = vmm.getMemmap();
        const root = vmm.getRootPageTable();
        this.say({ type: 'vmm-list', asid: vmm.getAsid(), root, maps: maps.map((m) => pt.formatMemoryMap(m)) },
          `asid ${vmm.getAsid()}, root page table ${root === null ? 'none' : `#${root}`}, ${maps.length} memory map(s)`,
          ...maps.map((m, i) => `  ${i}: ${pt.formatMemoryMap(m)}`));
      }
    }
  }

  private manager(): pt.PageTableManager {
    this.managerOf ??= pt.createPageTableManager(this.sim);
    return this.managerOf;
  }

  private vmm(): pt.VirtualMemoryManager {
    this.vmmOf ??= pt.createVirtualMemoryManager(this.sim);
    return this.vmmOf;
  }

  private table(name: string, command: string): pt.PageTable {
    const t = this.tables.get(name);
    if (t === undefined) throw new ScriptError(`${command}: unknown page table ${quote(name)} (create it with pt-create ${name})`);
    return t;
  }

  private flags(word: string): number {
    try {
      return pt.parsePageTableFlags(word);
    } catch (error) {
      if (VmsimError.isInstance(error)) throw new ScriptError(`pt-map: ${error.message}`);
      throw error;
    }
  }

  private say(record: Record<string, unknown>, ...lines: string[]): void {
    if (this.printer.json) this.printer.record(record);
    else for (const line of lines) this.printer.line(line);
  }
}

function address(word: string, command: string): number {
  return Number(parseRange(word, `${command} address`, 0n, MAX_ADDRESS, 'hex'));
}

function arity(command: string, args: string[], min: number, max: number, usage: string): void {
  if (args.length < min) throw new ScriptError(`${command}: missing argument (expected ${command} ${usage})`.trimEnd());
  if (args.length > max) throw new ScriptError(`${command}: too many arguments (expected ${`${command} ${usage}`.trimEnd()})`);
}

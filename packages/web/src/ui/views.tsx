// The views of one machine state: the current access (address fields, the walk, the fault), the page-table
// tree of each process, the regions, the frames, the TLB, the statistics, the output and the event log.
// Each derives what it shows from the view models (../model), never from private state.

import { MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, type Kernel } from '@vmsim/kernel';
import type { Simulator } from '@vmsim/sim-api';
import { formatStats } from '@vmsim/sim-api/script';
import { useState } from 'preact/hooks';
import type { AccessRecord, StepRecord } from '../engine/step-engine.js';
import { vaHex } from '../model/bits.js';
import { formatEvent } from '../model/events.js';
import { framesView, type FrameView } from '../model/frames.js';
import { pageTableTree, readTableEntry, type EntryView, type TableView } from '../model/page-tables.js';
import { tlbView } from '../model/tlb.js';
import type { WalkStep } from '../model/walk.js';
import { VirtualList } from './virtual-list.js';

const setNames = (bits: readonly { name: string; set: boolean }[]) => bits.filter((b) => b.set).map((b) => b.name).join(' ');

function Bits({ bits }: { bits: readonly { name: string; bit: number; set: boolean }[] }) {
  return (
    <span class="bits">
      {bits.map((b) => (
        <span key={b.name} class={b.set ? 'bit on' : 'bit off'} title={`bit ${b.bit}: ${b.set ? 'set' : 'clear'}`}>{b.name}</span>
      ))}
    </span>
  );
}

// ------------------------------------------------------------------------------------------ current access

const FAULT_TEXT: Record<string, string> = {
  'zero-fill': 'zero-fill: a fresh zeroed frame', 'zero-map': 'zero-map: the shared zero page, read-only',
  'cow-copy': 'COW copy: a private copy of the shared frame', 'cow-reuse': 'COW reuse: last user, made writable in place',
  'shared-write': 'shared write', spurious: 'spurious: a stale TLB entry flushed', segv: 'segfault', sigbus: 'SIGBUS', oom: 'out of memory',
};

function WalkRow({ step, before }: { step: WalkStep; before: WalkStep | undefined }) {
  const changed = before !== undefined && before.raw !== step.raw;
  return (
    <div class={`walk-level${changed ? ' changed' : ''}`} style={{ animationDelay: `${step.level * 120}ms` }} data-level={step.level}>
      <span class="level-name">{step.name.entry}</span>
      <span> [{step.index}] in frame {step.tablePfn} @ {vaHex(step.entryPa)}: </span>
      {changed ? <span class="raw">{before.raw} → </span> : null}
      <span class="raw">{step.raw}</span>
      {step.valid ? <Bits bits={step.bits} /> : <span class="bad"> not present</span>}
      {step.leaf ? <span> → frame {step.pfn}</span> : step.valid ? <span> → table {step.pfn}</span> : null}
    </div>
  );
}

export function AccessView({ record }: { record: StepRecord | null }) {
  const access: AccessRecord | null = record?.access ?? null;
  if (record === null) return <section class="panel" aria-label="current access"><h2>Current access</h2><p class="muted">Press Step.</p></section>;
  const walk = access?.after ?? access?.before ?? null;
  return (
    <section class="panel access" aria-label="current access">
      <h2>Current access</h2>
      <p class="command">
        <span class="muted">line {record.step.line}:</span> <code>{record.step.text || '(error)'}</code>
      </p>
      {record.error !== null ? <p class="error" role="alert">{record.error}</p> : null}
      {access === null ? <p class="muted">No memory access in this step.</p> : (
        <>
          <p>
            {access.kind} of {vaHex(access.va)} by pid {access.pid}
            {access.tlb !== 'none' ? <span class={`badge tlb-${access.tlb}`}>TLB {access.tlb}</span> : null}
            {access.fault !== null ? <span class={`badge fault fault-${access.fault}`} data-testid="fault">{FAULT_TEXT[access.fault] ?? access.fault}</span> : null}
          </p>
          {walk === null ? <p class="muted">Outside the address space: no table is read.</p> : (
            <>
              <div class="va-fields" aria-label="address fields">
                {walk.fields.map((f) => (
                  <span key={f.name} class="va-field">
                    <span class="field-name">{f.name}</span>
                    <span class="field-bits">bits {f.high}–{f.low}</span>
                    <span class="field-value">{f.value}</span>
                  </span>
                ))}
              </div>
              <div class="walk" aria-label="walk">
                {walk.steps.map((s) => <WalkRow key={s.level} step={s} before={access.before?.steps[s.level]} />)}
                {walk.pa !== null ? <div class="walk-level pa">physical address {vaHex(walk.pa)}</div> : null}
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}

// ------------------------------------------------------------------------------------------ page tables

function EntryRow({ entry, pid, level, hot }: { entry: EntryView; pid: number; level: number; hot: ReadonlySet<number> }) {
  const last = entry.va + entry.span - 1;
  return (
    <div
      class={`pt-entry${hot.has(entry.entryPa) ? ' hot' : ''}${entry.cow ? ' cow' : ''}`}
      data-pid={pid}
      data-level={level}
      data-index={entry.index}
      data-bits={setNames(entry.bits)}
    >
      <span class="idx">[{entry.index}]</span>
      <span class="raw">{entry.raw}</span>
      <Bits bits={entry.bits} />
      <span class="target">{entry.leaf ? `frame ${entry.pfn}` : `table ${entry.pfn}`}</span>
      <span class="range">{vaHex(entry.va)}–{vaHex(last)}</span>
      {entry.huge ? <span class="badge huge">huge page</span> : null}
      {entry.cow ? <span class="badge cow">COW</span> : null}
    </div>
  );
}

function TableBox({ kernel, table, pid, hot }: { kernel: Kernel; table: TableView; pid: number; hot: ReadonlySet<number> }) {
  const [all, setAll] = useState(false);
  return (
    <div class="pt-table" data-level={table.level}>
      <div class="pt-head">
        <span class="level-name">{table.name.table}</span> <span class="muted">frame {table.pfn} · {table.valid} of {table.size} valid</span>{' '}
        <button class="small" onClick={() => setAll(!all)}>{all ? 'collapse' : `all ${table.size}`}</button>
      </div>
      {all ? (
        <VirtualList
          label={`${table.name.table} entries`}
          count={table.size}
          rowHeight={20}
          height={220}
          row={(i) => {
            const e = readTableEntry(kernel, table, i);
            return <span class={e.valid ? 'raw-row valid' : 'raw-row'}>[{i}] {e.raw}{e.valid ? ` ${table.name.entry}` : ''}</span>;
          }}
        />
      ) : (
        table.rows.map((row) => (row.kind === 'gap' ? (
          <div key={`g${row.from}`} class="pt-gap">[{row.from}–{row.to}] {row.to - row.from + 1} empty</div>
        ) : (
          <div key={row.index}>
            <EntryRow entry={row} pid={pid} level={table.level} hot={hot} />
            {row.child !== null ? <div class="pt-child"><TableBox kernel={kernel} table={row.child} pid={pid} hot={hot} /></div> : null}
          </div>
        )))
      )}
    </div>
  );
}

function protText(prot: number, flags: number): string {
  return `${prot & PROT_READ ? 'r' : '-'}${prot & PROT_WRITE ? 'w' : '-'}${prot & PROT_EXEC ? 'x' : '-'} ${flags & MAP_SHARED ? 'shared' : 'private'}`;
}

export function ProcessesView({ sim, record }: { sim: Simulator; record: StepRecord | null }) {
  const kernel = sim.kernel;
  const access = record?.access ?? null;
  const hot = new Set<number>();
  for (const s of access?.after?.steps ?? access?.before?.steps ?? []) hot.add(s.entryPa);
  const processes = sim.processes();
  if (processes.length === 0) return <section class="panel" aria-label="page tables"><h2>Page tables</h2><p class="muted">No process is left.</p></section>;
  return (
    <section class="panel" aria-label="page tables">
      <h2>Page tables</h2>
      <div class="procs">
        {processes.map((p) => {
          const tree = pageTableTree(kernel, p.pid);
          return (
            <div key={p.pid} class={`proc${p.current ? ' current' : ''}`} data-pid={p.pid}>
              <h3>
                pid {p.pid} <span class="muted">({p.state}{p.parentPid >= 0 ? `, parent ${p.parentPid}` : ''}, root frame {tree.root.pfn})</span>
              </h3>
              <div class="regions" aria-label={`regions of pid ${p.pid}`}>
                {kernel.regions(p.pid).map((r) => <span key={r.start} class="region">{vaHex(r.start)}–{vaHex(r.end - 1)} {protText(r.prot, r.flags)}</span>)}
              </div>
              <TableBox kernel={kernel} table={tree.root} pid={p.pid} hot={access?.pid === p.pid ? hot : new Set()} />
            </div>
          );
        })}
      </div>
    </section>
  );
}

// ------------------------------------------------------------------------------------------ frames

function FrameRow({ f }: { f: FrameView }) {
  const users = f.tableOf !== null
    ? `table of pid ${f.tableOf.pid} (level ${f.tableOf.level})`
    : f.mappedBy.map((u) => `pid ${u.pid} @${vaHex(u.va)}${u.cow ? ' cow' : ''}${u.writable ? ' rw' : ' ro'}`).join(', ');
  return (
    <div class={`frame kind-${f.kind}${f.shared ? ' shared' : ''}`} data-pfn={f.pfn} data-kind={f.kind} data-refcount={f.refCount}>
      <span class="pfn">{f.pfn}</span>
      <span class="kind">{f.kind === 'zero' ? 'zero page' : f.kind}</span>
      <span class="ref">ref {f.refCount}</span>
      <span class="users">{users}{f.shared ? ' — shared' : ''}</span>
    </div>
  );
}

export function FramesView({ kernel }: { kernel: Kernel }) {
  const view = framesView(kernel);
  return (
    <section class="panel" aria-label="frames">
      <h2>Physical frames <span class="muted">{view.total - view.free} used of {view.total}</span></h2>
      <VirtualList label="frame list" count={view.frames.length} rowHeight={22} height={260} row={(i) => <FrameRow f={view.frames[i]!} />} />
      {view.frames.length < view.total ? <p class="muted">frames {view.frames.length}–{view.total - 1}: free, never used</p> : null}
    </section>
  );
}

// ------------------------------------------------------------------------------------------ TLB

export function TlbView({ kernel }: { kernel: Kernel }) {
  const view = tlbView(kernel);
  return (
    <section class="panel" aria-label="tlb">
      <h2>TLB <span class="muted">{view.sets} sets × {view.ways} ways · {view.occupancy} valid · current ASID {view.asid}</span></h2>
      <p class="counters" aria-label="tlb counters">hits {view.hits} · misses {view.misses} · flushes {view.flushes}</p>
      <table class="tlb">
        <thead>
          <tr><th>set</th>{Array.from({ length: view.ways }, (_, w) => <th key={w}>way {w}</th>)}</tr>
        </thead>
        <tbody>
          {view.rows.map((ways, set) => (ways.some((w) => w.valid) ? (
            <tr key={set}>
              <th>{set}</th>
              {ways.map((w) => (
                <td key={w.slot} class={w.valid ? (w.asid === view.asid || w.global ? 'tlb-entry' : 'tlb-entry other') : 'tlb-empty'} data-slot={w.slot}>
                  {w.valid ? (
                    <>
                      <span>{w.page}</span> <span class="muted">asid {w.asid}{w.global ? ' G' : ''}</span> → {w.pfn} <span>{w.rights}</span>{' '}
                      <span class="lru" title="0 is the most recently used">LRU {w.lru}</span>
                    </>
                  ) : '·'}
                </td>
              ))}
            </tr>
          ) : null))}
        </tbody>
      </table>
      {view.occupancy === 0 ? <p class="muted">empty</p> : <p class="muted">sets with no valid entry are left out</p>}
    </section>
  );
}

// ------------------------------------------------------------------------------------------ stats, output, events

export function StatsView({ sim }: { sim: Simulator }) {
  return (
    <section class="panel" aria-label="statistics">
      <h2>Statistics</h2>
      <pre>{formatStats(sim.stats()).join('\n')}</pre>
    </section>
  );
}

const LOG_LINES = 200;

export function LogView({ records }: { records: readonly StepRecord[] }) {
  const output: string[] = [];
  const events: { step: number; text: string }[] = [];
  for (let i = records.length - 1; i >= 0 && (output.length < LOG_LINES || events.length < LOG_LINES); i--) {
    const r = records[i]!;
    for (let k = r.output.length - 1; k >= 0 && output.length < LOG_LINES; k--) output.push(r.output[k]!);
    if (r.error !== null) output.push(`error: ${r.error}`);
    for (let k = r.events.length - 1; k >= 0 && events.length < LOG_LINES; k--) events.push({ step: i, text: formatEvent(r.events[k]!) });
  }
  const current = records.length - 1;
  return (
    <section class="panel logs">
      <div aria-label="output">
        <h2>Output</h2>
        <pre class="log">{output.reverse().join('\n')}</pre>
      </div>
      <div aria-label="event log">
        <h2>Events</h2>
        <ol class="log events">
          {events.reverse().map((e, k) => <li key={k} class={e.step === current ? 'now' : ''}><span class="muted">#{e.step + 1}</span> {e.text}</li>)}
        </ol>
      </div>
    </section>
  );
}

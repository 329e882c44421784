// The app: the script editor with the examples, the model and RAM pickers, the step controls (step, back,
// play/pause, run to the end, reset) and the timeline, then every view of the state the current step left.
// A shareable link carries the script, the options and the step in the URL's hash.

import { MODEL_NAMES, type ModelName } from '@vmsim/sim-api';
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { StepEngine } from '../engine/step-engine.js';
import { DEFAULT_EXAMPLE, EXAMPLES } from '../examples.js';
import { decodeHash, encodeHash, type SharedState } from '../share.js';
import { TracePage } from './trace-page.js';
import { VirtualList } from './virtual-list.js';
import { AccessView, FramesView, LogView, ProcessesView, StatsView, TlbView } from './views.js';

/** RAM sizes offered (bytes); undefined is the kernel's default. */
const RAM_SIZES: readonly (readonly [string, number | undefined])[] = [
  ['default (1 GiB)', undefined], ['24 KiB', 24 << 10], ['64 KiB', 64 << 10], ['256 KiB', 256 << 10], ['1 MiB', 1 << 20], ['16 MiB', 16 << 20],
];
/** Steps per second while playing. */
const PLAY_INTERVAL_MS = 250;

interface Setup {
  readonly script: string;
  readonly model: ModelName;
  readonly ramBytes: number | undefined;
}

function makeEngine(setup: Setup): { engine: StepEngine | null; error: string | null } {
  try {
    return { engine: new StepEngine(setup), error: null };
  } catch (error) {
    return { engine: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export function App({ initial }: { initial: SharedState }) {
  const [draft, setDraft] = useState(initial.script);
  const [setup, setSetup] = useState<Setup>({ script: initial.script, model: initial.model, ramBytes: initial.ramBytes });
  const [, setVersion] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [link, setLink] = useState('');
  const pending = useRef(initial.step);
  const built = useMemo(() => {
    const made = makeEngine(setup);
    // A new setup keeps the step the old one was at (or the shared link's), as far as the script goes.
    made.engine?.runTo(pending.current);
    return made;
  }, [setup]);
  const engine = built.engine;
  const refresh = () => setVersion((v) => v + 1);
  const go = (f: (e: StepEngine) => void) => {
    if (engine === null) return;
    f(engine);
    pending.current = engine.position;
    refresh();
  };

  useEffect(() => {
    if (!playing || engine === null) return;
    const timer = setInterval(() => {
      if (engine.done) {
        setPlaying(false);
        return;
      }
      engine.step();
      pending.current = engine.position;
      refresh();
    }, PLAY_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [playing, engine]);

  const share = () => {
    const hash = encodeHash({ ...setup, script: draft, step: engine?.position ?? 0 });
    history.replaceState(null, '', hash);
    setLink(location.href);
  };
  const position = engine?.position ?? 0;
  const total = engine?.steps.length ?? 0;
  const dirty = draft !== setup.script;

  return (
    <div class="app">
      <header>
        <h1>vmsim</h1>
        <label>
          example{' '}
          <select aria-label="example" onChange={(e) => {
            const ex = EXAMPLES.find((x) => x.name === (e.currentTarget as HTMLSelectElement).value);
            if (ex === undefined) return;
            setDraft(ex.text);
            pending.current = 0;
            setSetup({ ...setup, script: ex.text });
          }}>
            <option value="">choose…</option>
            {EXAMPLES.map((x) => <option key={x.name} value={x.name}>{x.name}</option>)}
          </select>
        </label>
        <label>
          hardware{' '}
          <select aria-label="hardware model" value={setup.model} onChange={(e) => setSetup({ ...setup, model: (e.currentTarget as HTMLSelectElement).value as ModelName })}>
            {MODEL_NAMES.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <label>
          RAM{' '}
          <select aria-label="RAM size" value={String(setup.ramBytes ?? '')} onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value;
            setSetup({ ...setup, ramBytes: v === '' ? undefined : Number(v) });
          }}>
            {RAM_SIZES.map(([name, bytes]) => <option key={name} value={String(bytes ?? '')}>{name}</option>)}
          </select>
        </label>
        <button onClick={share}>Share link</button>
        {link !== '' ? <input class="link" aria-label="shared link" readOnly value={link} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} /> : null}
      </header>

      <div class="controls" role="toolbar" aria-label="step controls">
        <button onClick={() => { setPlaying(false); go((e) => e.reset()); }}>Reset</button>
        <button disabled={position === 0} onClick={() => { setPlaying(false); go((e) => e.back()); }}>Back</button>
        <button disabled={engine?.done ?? true} onClick={() => go((e) => e.step())}>Step</button>
        <button disabled={(engine?.done ?? true) && !playing} onClick={() => setPlaying(!playing)}>{playing ? 'Pause' : 'Play'}</button>
        <button disabled={engine?.done ?? true} onClick={() => { setPlaying(false); go((e) => e.runToEnd()); }}>Run to end</button>
        <span class="steps">step <output aria-label="steps">{position}</output> of {total}</span>
        <input
          type="range"
          aria-label="timeline"
          min={0}
          max={total}
          value={position}
          onInput={(e) => { setPlaying(false); const n = Number((e.currentTarget as HTMLInputElement).value); go((en) => en.runTo(n)); }}
        />
      </div>

      {built.error !== null ? <p class="error" role="alert">{built.error}</p> : null}

      <main>
        <div class="left">
          <section class="panel" aria-label="script">
            <h2>Script {dirty ? <button class="small" onClick={() => { pending.current = 0; setSetup({ ...setup, script: draft }); }}>Apply script</button> : null}</h2>
            <textarea aria-label="script editor" spellcheck={false} value={draft} onInput={(e) => setDraft((e.currentTarget as HTMLTextAreaElement).value)} />
          </section>
          {engine !== null ? (
            <section class="panel" aria-label="timeline steps">
              <h2>Timeline</h2>
              <VirtualList
                label="steps list"
                count={total}
                rowHeight={20}
                height={220}
                focus={position - 1}
                row={(i) => {
                  const s = engine.steps[i]!;
                  // A step already run shows the fault it took.
                  const fault = engine.records[i]?.access?.fault ?? null;
                  return (
                    <button class={`step${i === position - 1 ? ' now' : i < position ? ' done' : ''}`} onClick={() => { setPlaying(false); go((e) => e.runTo(i + 1)); }}>
                      {i + 1}. <span class="muted">L{s.line}</span> {s.error !== null ? `error: ${s.error}` : s.text}
                      {fault !== null ? <span class="badge fault">{fault}</span> : null}
                    </button>
                  );
                }}
              />
            </section>
          ) : null}
          {engine !== null ? <StatsView sim={engine.simulator} /> : null}
        </div>
        {engine !== null ? (
          <div class="right">
            <AccessView record={engine.last} />
            <ProcessesView sim={engine.simulator} record={engine.last} />
            <div class="row">
              <FramesView kernel={engine.simulator.kernel} />
              <TlbView kernel={engine.simulator.kernel} />
            </div>
            <LogView records={engine.records} />
          </div>
        ) : null}
      </main>
    </div>
  );
}

/** The state the app opens with: the shared link in `hash` if it carries one, else the COW tour on x86-32. */
export function initialState(hash: string): SharedState {
  return decodeHash(hash) ?? { script: DEFAULT_EXAMPLE.text, model: 'x86-32', ramBytes: undefined, step: 0 };
}

/** The two pages, as tabs: the step-by-step simulator and the trace page. Both stay mounted (state kept). */
export function Shell({ initial }: { initial: SharedState }) {
  const [tab, setTab] = useState<'sim' | 'trace'>('sim');
  return (
    <>
      <nav class="tabs" role="tablist" aria-label="pages">
        <button role="tab" aria-selected={tab === 'sim'} onClick={() => setTab('sim')}>Simulator</button>
        <button role="tab" aria-selected={tab === 'trace'} onClick={() => setTab('trace')}>Traces</button>
      </nav>
      <div role="tabpanel" aria-label="Simulator" hidden={tab !== 'sim'}><App initial={initial} /></div>
      <div role="tabpanel" aria-label="Traces" hidden={tab !== 'trace'}><TracePage /></div>
    </>
  );
}

/** Renders the app into `root`; `hash` defaults to the page's own. */
export function mountApp(root: HTMLElement, hash = typeof location === 'undefined' ? '' : location.hash): void {
  render(<Shell initial={initialState(hash)} />, root);
}

/** Removes the app from `root` (tests mount one per test). */
export function unmountApp(root: HTMLElement): void {
  render(null, root);
}

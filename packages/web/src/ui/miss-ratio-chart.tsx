// The miss-ratio curves on the trace page: the Vega-Lite spec @vmsim/replacement builds (the very spec the
// cli's `vmsim trace --plot` renders), compiled by vega-lite and drawn as SVG by vega's view.

import { missRatioSpec, type MissRatioPoint } from '@vmsim/replacement';
import { useEffect, useRef, useState } from 'preact/hooks';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export function MissRatioChart({ points, title }: { points: readonly MissRatioPoint[]; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    let view: View | null = null;
    try {
      const spec = compile(missRatioSpec(points, title) as TopLevelSpec).spec;
      view = new View(parse(spec), { renderer: 'svg', container: el, hover: false });
      view.runAsync().then(() => setError(null), (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    return () => {
      view?.finalize();
      el.replaceChildren();
    };
  }, [points, title]);
  return (
    <figure class="chart" aria-label="miss-ratio curves">
      <div ref={box} />
      {error !== null ? <p class="error" role="alert">{error}</p> : null}
    </figure>
  );
}

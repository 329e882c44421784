// The example of rust-vmem's docs/processes.md, in TypeScript: four processes share one virtual address
// and take turns writing it; each keeps its own value. Run it with
// `npx tsx --conditions=@vmsim/source packages/sim-api/examples/processes-example.ts [model]` (x86-32, sv32, x86-64 or sv39).

import { pathToFileURL } from 'node:url';
import { DataType, MODEL_NAMES, Pointer, Simulator, ValueType, type ModelName } from '@vmsim/sim-api';

/** Runs the example on a hardware model (default x86-32); it prints the same lines on every one. */
export function main(output: (line: string) => void = (line) => console.log(line), model: ModelName = 'x86-32'): void {
  const sim = Simulator.begin(true, { output, model });

  const x = ValueType.Zero;
  const ptrX = Pointer.new(x);

  sim.register(ptrX);
  const initial = sim.read(ptrX, DataType.UnsignedInt);
  if (initial !== undefined) output(`Value of x: ${initial.getValue()}`);

  sim.fork();
  sim.fork();
  sim.fork();

  sim.switch(0);

  for (let i = 0; i < 1024; i++) {
    const before = sim.read(ptrX, DataType.UnsignedInt);
    if (before !== undefined) output(`Value of x before write for pid ${i % 4}: ${before.getValue()}`);
    sim.write(ptrX, ValueType.UnsignedInt(i));
    const after = sim.read(ptrX, DataType.UnsignedInt);
    if (after !== undefined) output(`Value of x after write for pid ${i % 4}: ${after.getValue()}`);
    sim.switch((i + 1) % 4);
  }
}

// Run directly, with an optional model name: `... packages/sim-api/examples/processes-example.ts sv39`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const model = process.argv[2] ?? 'x86-32';
  if ((MODEL_NAMES as readonly string[]).includes(model)) main(undefined, model as ModelName);
  else {
    console.error(`unknown model ${model} (expected ${MODEL_NAMES.join(', ')})`);
    process.exitCode = 2;
  }
}

// The example of rust-vmem's docs/processes.md, in TypeScript: four processes share one virtual address
// and take turns writing it; each keeps its own value. Run it with
// `npx tsx --conditions=@vmsim/source examples/processes-example.ts`.

import { pathToFileURL } from 'node:url';
import { DataType, Pointer, Simulator, ValueType } from '@vmsim/sim-api';

export function main(output: (line: string) => void = (line) => console.log(line)): void {
  const sim = Simulator.begin(true, { output });

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

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();

// The example of the rust-vmem README, in TypeScript: two values on one registered page, and a write to a
// page that was never registered. Run it with `npx tsx --conditions=@vmsim/source packages/sim-api/examples/readme-example.ts [model]`.

import { pathToFileURL } from 'node:url';
import { DataType, MODEL_NAMES, Pointer, Simulator, ValueType, type ModelName } from '@vmsim/sim-api';

/** Runs the example on a hardware model (default x86-32); it prints the same lines on every one. */
export function main(output: (line: string) => void = (line) => console.log(line), model: ModelName = 'x86-32'): void {
  const sim = Simulator.begin(false, { output, model });

  const x = ValueType.UnsignedInt(0);
  const y = ValueType.UnsignedInt(1);
  const ptrX = Pointer.new(x);
  const ptrY = Pointer.new(y);

  // register and write to the variable
  sim.register(ptrX);
  sim.write(ptrX, ValueType.UnsignedInt(5));

  // this should print 5
  const valueX = sim.read(ptrX, DataType.UnsignedInt);
  if (valueX !== undefined) output(`Value of x: ${valueX.getValue()}`);

  // This is valid, because we registered ptrX, which creates a page of data: once that page is
  // allocated, every virtual address within the page boundary maps to it.
  sim.register(ptrY); // will say "already registered"
  sim.write(ptrY, ValueType.UnsignedInt(6));
  const valueY = sim.read(ptrY, DataType.UnsignedInt);
  if (valueY !== undefined) output(`Value of y: ${valueY.getValue()}`);

  for (let i = 0; i < 1024; i++) {
    const z = ValueType.UnsignedInt(2);
    Pointer.new(z); // this is just to increment our simulated virtual address
  }
  const z = ValueType.SignedInt(2);
  const ptrZ = Pointer.new(z);

  // This is invalid, because we have crossed the boundary of the last allocated page, so we would
  // need to register this pointer to allocate a new page: prints "Invalid address 0x80004000".
  sim.write(ptrZ, ValueType.SignedInt(-1));
}

// Run directly, with an optional model name: `... packages/sim-api/examples/readme-example.ts sv39`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const model = process.argv[2] ?? 'x86-32';
  if ((MODEL_NAMES as readonly string[]).includes(model)) main(undefined, model as ModelName);
  else {
    console.error(`unknown model ${model} (expected ${MODEL_NAMES.join(', ')})`);
    process.exitCode = 2;
  }
}

import { Mmu, PhysicalMemory, x86_32 } from '@vmsim/hw';
import { FrameAllocator } from './mm/frame-allocator.js';
import { Kernel } from './kernel.js';
function med(f: () => void) { const t: number[] = []; for (let i = 0; i < 300; i++) { const t0 = performance.now(); f(); t.push(performance.now() - t0); } t.sort((a, b) => a - b); return (t[150]! * 1000).toFixed(1); }
const m = x86_32();
console.log('model', med(() => x86_32()));
console.log('ram', med(() => new PhysicalMemory(1 << 20)));
const ram = new PhysicalMemory(1 << 20);
console.log('mmu', med(() => new Mmu(ram, m)));
console.log('fa', med(() => new FrameAllocator(ram)));
console.log('kernel', med(() => new Kernel({ model: m, ramBytes: 1 << 20 })));
console.log('kernel+spawn', med(() => new Kernel({ model: m, ramBytes: 1 << 20 }).spawn()));

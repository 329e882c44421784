// The kernel's event stream: what happened, in order, for loggers and visualisers. Events are built only
// when someone listens, so an unobserved kernel pays one length check per event site.

export type FaultResolution = 'zero-fill' | 'cow-copy' | 'cow-reuse' | 'demand-zero' | 'segv' | 'oom';

export type KernelEvent =
  | { readonly type: 'fault'; readonly pid: number; readonly va: number; readonly access: 'read' | 'write' | 'execute'; readonly resolution: FaultResolution }
  | { readonly type: 'alloc'; readonly pfn: number; readonly kind: 'data' | 'table' | 'zero' }
  | { readonly type: 'free'; readonly pfn: number }
  | { readonly type: 'fork'; readonly parent: number; readonly child: number }
  | { readonly type: 'kill'; readonly pid: number }
  | { readonly type: 'switch'; readonly from: number; readonly to: number }
  | { readonly type: 'map'; readonly pid: number; readonly va: number; readonly pfn: number; readonly writable: boolean }
  | { readonly type: 'unmap'; readonly pid: number; readonly va: number; readonly pfn: number };

export type KernelListener = (event: KernelEvent) => void;

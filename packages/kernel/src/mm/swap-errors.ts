// The swap area's own programmer error: a slot's reference count misused (a double free, a read of a free
// slot), like FrameStateError for frames.

import { VmsimError } from '@vmsim/hw';
import type { Errno } from '../errors.js';

export class SwapSlotError extends VmsimError {
  static override readonly marker = '@vmsim/kernel/SwapSlotError';
  override readonly name = 'SwapSlotError' as const;
  override readonly errno: Errno = 'EINVAL';
  constructor(readonly operation: string, readonly slot: number, readonly refCount: number) {
    super(`${operation} of swap slot ${slot} with reference count ${refCount}`);
  }
}

// A list that renders only the rows in sight (plus a few either side): a page table of 512 or 1,024
// entries, thousands of frames or steps cost the DOM a screenful of rows, whatever their number.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  readonly count: number;
  readonly rowHeight: number;
  /** Height of the scrolling box in pixels. */
  readonly height: number;
  readonly row: (index: number) => ComponentChildren;
  readonly label: string;
  /** A row to bring into view when it changes (the current step). */
  readonly focus?: number;
}

const OVERSCAN = 4;

export function VirtualList({ count, rowHeight, height, row, label, focus }: VirtualListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (el === null || focus === undefined || focus < 0) return;
    const y = focus * rowHeight;
    if (y < el.scrollTop || y + rowHeight > el.scrollTop + height) {
      el.scrollTop = Math.max(0, y - height / 2);
      setTop(el.scrollTop);
    }
  }, [focus, rowHeight, height]);
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / rowHeight) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} class="vrow" style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>
        {row(i)}
      </div>,
    );
  }
  return (
    <div
      ref={box}
      class="vlist"
      role="list"
      aria-label={label}
      style={{ height: `${Math.min(height, count * rowHeight + 2)}px` }}
      onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      <div style={{ height: `${count * rowHeight}px`, position: 'relative' }}>{rows}</div>
    </div>
  );
}

import { now } from './stats';

// Main-thread responsiveness: requestAnimationFrame deltas and long tasks, inside timed windows.

export interface Window0 {
  start: number;
  end: number;
}
const windows: Window0[] = [];
let current: Window0 | null = null;
/** Frame-to-frame times (ms) inside the windows opened so far. */
export const frameDeltas: number[] = [];
let prevFrame = 0;

function onFrame(t: number): void {
  // A delta counts when the frame it starts from lies in the open (or just closed) window, so the
  // frame that a window's last long task delayed is counted too.
  if (prevFrame && current && prevFrame >= current.start && prevFrame < current.end) frameDeltas.push(t - prevFrame);
  prevFrame = t;
  requestAnimationFrame(onFrame);
}
requestAnimationFrame(onFrame);

const longTasks: Array<{ start: number; duration: number }> = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch {
  /* no long task API: reported as null */
}
export const longTaskApi = PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false;

/** Starts a timed window (frames and long tasks inside it count) and returns it. */
export function openWindow(): Window0 {
  current = { start: now(), end: Infinity };
  windows.push(current);
  return current;
}
export function closeWindow(): void {
  if (current) current.end = now();
}
export function tasksIn(ws: readonly Window0[]) {
  return longTasks.filter((t) => ws.some((w) => t.start >= w.start && t.start < w.end));
}

/** Yields to the event loop without setTimeout's 4 ms clamp: rendering, IndexedDB and DuckDB replies run in between. */
const channel = new MessageChannel();
const yielders: Array<() => void> = [];
channel.port1.onmessage = () => yielders.shift()?.();
export const yieldNow = () =>
  new Promise<void>((resolve) => {
    yielders.push(resolve);
    channel.port2.postMessage(0);
  });

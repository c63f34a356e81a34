import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from '../../src/sources/event-loop';

/** A reader whose next chunk is always buffered: each step is a microtask and ~2 ms of work. */
async function flood(steps: number, after: (() => Promise<void>) | null, log: string[]): Promise<void> {
  for (let i = 0; i < steps; i++) {
    await Promise.resolve();
    const end = performance.now() + 2;
    while (performance.now() < end) {
      /* parse and validate a chunk */
    }
    log.push(`chunk ${i}`);
    if (after) await after();
  }
  log.push('flood over');
}

describe('EventLoopTurns (issue 14: one flooding stream must not stall the page)', () => {
  it('lets a timer (another instance, a DuckDB answer) run while the flood goes on', async () => {
    const log: string[] = [];
    setTimeout(() => log.push('timer'), 0);
    const turns = new EventLoopTurns(8);
    await flood(100, () => turns.maybeYield(), log);
    expect(log.indexOf('timer')).toBeGreaterThan(-1);
    expect(log.indexOf('timer')).toBeLessThan(log.indexOf('flood over'));
  });

  it('without turns, the same flood holds the timer until it is over (what the reader did before)', async () => {
    const log: string[] = [];
    setTimeout(() => log.push('timer'), 0);
    await flood(100, null, log);
    await new Promise((r) => setTimeout(r, 0));
    expect(log.indexOf('timer')).toBeGreaterThan(log.indexOf('flood over'));
  });
});

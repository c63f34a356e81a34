/**
 * docs/BENCHMARKS.md must measure the Count-Min the live panel ships (issue 17): the figures in
 * docs/bench/sketch.json name the shape they measured, and this compares it with newWordsTopK().
 * A change of WORDS_WIDTH/WORDS_DEPTH or the update rule fails here until bench:sketch is rerun.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newWordsTopK } from '../../../src/core/sketch/instance-sketches';

const json = JSON.parse(readFileSync(new URL('../../../docs/bench/sketch.json', import.meta.url), 'utf8')) as {
  shipped?: { width: number; depth: number; conservative: boolean; cms_updates_per_s: number; topk25_recall: number };
  load_average_1_5_15?: { before: number[]; after: number[] };
  command?: string;
};
const doc = readFileSync(new URL('../../../docs/BENCHMARKS.md', import.meta.url), 'utf8');

describe('the sketch benchmark measures what ships', () => {
  const s = newWordsTopK().sketch;
  const label = `${s.width}×${s.depth}, ${s.conservative ? 'conservative' : 'plain'}`;

  it('sketch.json has figures for the live panel’s words sketch', () => {
    expect(json.shipped).toMatchObject({ width: s.width, depth: s.depth, conservative: s.conservative });
    expect(json.shipped!.cms_updates_per_s).toBeGreaterThan(0);
    expect(json.shipped!.topk25_recall).toBeGreaterThan(0);
  });

  it('says the command and the machine load it ran under', () => {
    expect(json.command).toBe('npm run bench:sketch');
    expect(json.load_average_1_5_15?.before).toHaveLength(3);
  });

  it('the doc’s table leads with the shipped shape', () => {
    const table = doc.slice(doc.indexOf('## Streaming sketches'), doc.indexOf('Reference packages:'));
    expect(table).toContain(`Count-Min updates/s (${label}, shipped)`);
  });
});

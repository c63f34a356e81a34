import { describe, expect, it } from 'vitest';
import { AnswerMemo } from '../../src/ui/answer-memo';

describe('AnswerMemo', () => {
  it('gives back an answer only for the same SQL and the same version of the data', () => {
    const memo = new AnswerMemo();
    memo.remember([{ sql: 'A', rows: [1] }, { sql: 'B', rows: [2] }], 's1');
    expect(memo.get('A', 's1')).toEqual([1]);
    expect(memo.get('B', 's1')).toEqual([2]);
    expect(memo.get('C', 's1')).toBeUndefined();
    // Another version of the data (a merge came) or an unknown one: DuckDB is asked.
    expect(memo.get('A', 's2')).toBeUndefined();
    expect(memo.get('A', null)).toBeUndefined();
    // Answers of a round whose two stamps disagreed are never kept.
    memo.remember([{ sql: 'D', rows: [4] }], null);
    expect(memo.get('D', 's1')).toBeUndefined();
  });

  it('forgets the old version\'s answers when a newer one is remembered', () => {
    const memo = new AnswerMemo();
    memo.remember([{ sql: 'A', rows: [1] }], 's1');
    memo.remember([{ sql: 'B', rows: [2] }], 's2');
    expect(memo.get('B', 's2')).toEqual([2]);
    expect(memo.get('A', 's2')).toBeUndefined();
    expect(memo.get('A', 's1')).toBeUndefined();
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const memo = new AnswerMemo(2);
    memo.remember([{ sql: 'A', rows: [1] }, { sql: 'B', rows: [2] }], 's');
    expect(memo.get('A', 's')).toEqual([1]);
    memo.remember([{ sql: 'C', rows: [3] }], 's');
    expect(memo.get('B', 's')).toBeUndefined();
    expect(memo.get('A', 's')).toEqual([1]);
    expect(memo.get('C', 's')).toEqual([3]);
  });
});

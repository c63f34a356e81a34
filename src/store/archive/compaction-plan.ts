import type { Summary } from '../../core/sql/summary';
import type { readSideTables, SegmentRef, Snapshot } from './snapshot';

/** A compaction between its plan (rows tagged in DuckDB, the segments' rows read) and its commit. */
export interface CompactionPlan {
  /** The newest batch the plan's rows include: the manifest's `upToSeq`. */
  seq: number;
  /** The new segment's id. */
  id: number;
  /** Stored segments whose rows changed: written again under their ids. */
  rewrite: number[];
  /** Small segments whose rows went into the new one: dropped. */
  merged: number[];
  /** Each segment's rows as segmentIpc gives them, `rebuild` for the writer. */
  parts: Array<{ id: number; ipc: Uint8Array; rows: number; rebuild: string[] }>;
  /** Rows counted since the last compaction when it was planned. */
  counted: number;
  side: Awaited<ReturnType<typeof readSideTables>>;
  summary: Summary | undefined;
}

/** A segment the plan wrote: its Parquet bytes, and the columns stored as null (segment-form.ts). */
export interface WrittenSegment {
  id: number;
  bytes: Uint8Array;
  rows: number;
  derived: string[];
}

/**
 * The manifest after `plan`, from the segments before it: written ones replace theirs, merged
 * ones and rewrites left without rows are dropped (`dropped`, whose stored bytes go).
 */
export function nextManifest(
  before: readonly SegmentRef[],
  plan: CompactionPlan,
  written: readonly WrittenSegment[],
  writtenAt: number,
): { manifest: Snapshot; dropped: number[] } {
  const keep = new Map(before.map((s) => [s.id, s]));
  const dropped: number[] = plan.merged.filter((m) => keep.delete(m));
  for (const p of plan.parts) {
    const w = written.find((x) => x.id === p.id);
    if (w) keep.set(p.id, { id: p.id, rows: w.rows, bytes: w.bytes.byteLength, at: plan.seq, ...(w.derived.length ? { derived: w.derived } : {}) });
    else if (keep.delete(p.id)) dropped.push(p.id);
  }
  const segments = [...keep.values()].sort((a, b) => a.id - b.id);
  return {
    manifest: {
      upToSeq: plan.seq,
      rows: segments.reduce((n, s) => n + s.rows, 0),
      segments,
      ...plan.side,
      ...(plan.summary ? { summary: plan.summary } : {}),
      writtenAt,
    },
    dropped,
  };
}

/**
 * When DuckDB compresses what it holds. An in-memory table is stored uncompressed until a
 * checkpoint rewrites it (dictionary, FSST, bit-packing): measured in DuckDB-WASM in Node, 600 k
 * demo toots took 443 MB uncompressed and 175 MB after a CHECKPOINT (~0.8 s per 200 k rows, each
 * checkpoint compressing only what came since the last). Rows committed by one transaction that
 * appended many batches are never compressed at all (430 MB for the same rows): so a bulk load
 * appends each part on its own and checkpoints as it goes.
 *
 * By default DuckDB checkpoints whenever 16 MB of changes piled up, ~25 k toots: small row
 * groups, and a pause inside whichever batch's COMMIT crossed it. Instead the app checkpoints
 * when a row group (CHECKPOINT_ROWS) has filled up, cutting a batch or a reloaded segment there:
 * a checkpoint that met a row group it had compressed before, grown since, took 3-4× as long.
 * The automatic threshold is only the backstop for changes the app does not count (edits,
 * deletes, the SQL console).
 */
export const CHECKPOINT_SETTINGS = [`SET checkpoint_threshold = '256MB'`];

/** DuckDB's row group size. */
export const CHECKPOINT_ROWS = 122_880;

/** Offsets inside `rows` rows appended after `before` (of `size`-row groups) where a row group fills up. */
export function rowGroupCuts(before: number, rows: number, size = CHECKPOINT_ROWS): number[] {
  const cuts: number[] = [];
  for (let end = (Math.floor(before / size) + 1) * size; end <= before + rows; end += size) cuts.push(end - before);
  return cuts;
}

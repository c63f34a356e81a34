/**
 * The live panel's sketches, off the main thread. Receives batched rows, answers snapshots, and
 * keeps the sketches in IndexedDB (its own database, `tootscope-sketches`) so a reload carries
 * on where it left off. All sketch logic is in LiveSketches; this file is messaging and storage.
 */

import { clear, createStore, entries, setMany } from 'idb-keyval';
import { LiveSketches, decodeRows } from '../core/sketch/live-sketches';
import type { FromWorker, ToWorker } from '../core/sketch/protocol';

/** Dirty sketches are written this often; a reload loses at most this much of the stream. */
const PERSIST_EVERY_MS = 3000;

const ctx = self as unknown as DedicatedWorkerGlobalScope;
const store = createStore('tootscope-sketches', 'sketches');

let sketches: LiveSketches | null = null;
/** Messages that arrive while the stored sketches are being read. */
const early: ToWorker[] = [];
/** Saves and resets run one after another, so a reset never races a write of old sketches. */
let chain: Promise<void> = Promise.resolve();
let saving = false;
let storageBroken = false;

function post(msg: FromWorker): void {
  ctx.postMessage(msg);
}

function handle(msg: ToWorker): void {
  const live = sketches!;
  switch (msg.type) {
    case 'rows':
      live.add(decodeRows(msg.batch));
      break;
    case 'snapshot':
      post({ type: 'snapshot', id: msg.id, snapshot: live.snapshot(msg.query) });
      break;
    case 'persist':
      persist();
      break;
    case 'reset':
      sketches = new LiveSketches();
      chain = chain.then(() => clear(store)).catch((err: unknown) => report('could not clear stored sketches', err));
      break;
  }
}

function report(what: string, err: unknown): void {
  post({ type: 'error', message: `${what}: ${err instanceof Error ? err.message : String(err)}` });
}

function persist(): void {
  if (saving || storageBroken || !sketches) return;
  saving = true;
  const live = sketches;
  chain = chain
    .then(async () => {
      const at = Date.now();
      const { entries: dirty, rows } = live.serialise(false, at);
      if (!dirty.length) return;
      try {
        await setMany(dirty, store);
        live.markSaved(rows, at);
      } catch (err) {
        live.markDirty();
        // Quota or a browser without IndexedDB: keep sketching in memory, say so once.
        storageBroken = true;
        report('sketches are not saved', err);
      }
    })
    .finally(() => {
      saving = false;
    });
}

async function open(): Promise<void> {
  try {
    sketches = LiveSketches.restore(await entries(store));
  } catch (err) {
    sketches = new LiveSketches();
    sketches.restoreError = `stored sketches could not be restored (${err instanceof Error ? err.message : String(err)}); starting empty`;
    await clear(store).catch(() => undefined);
  }
  for (const msg of early.splice(0)) {
    try {
      handle(msg);
    } catch (err) {
      report(`sketch worker failed on "${msg.type}"`, err);
    }
  }
  setInterval(persist, PERSIST_EVERY_MS);
}

ctx.onmessage = (e: MessageEvent<ToWorker>) => {
  if (!sketches) {
    early.push(e.data);
    return;
  }
  try {
    handle(e.data);
  } catch (err) {
    report(`sketch worker failed on "${e.data.type}"`, err);
  }
};

void open();

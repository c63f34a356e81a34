/** The bench driver's helpers: logging, medians and rounding, and what the machine is doing. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OUT_DIR = path.join(ROOT, 'bench/out');


export const log = (...xs) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);

export function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median of every numeric leaf across runs (same shape); other leaves from the first run. */
export function medianOf(runs) {
  const present = runs.filter((r) => r !== undefined && r !== null);
  const first = present[0];
  if (first === undefined) return runs.length && runs.every((r) => r === null) ? null : undefined;
  if (typeof first === 'number') return median(present);
  if (Array.isArray(first) || typeof first !== 'object') return first;
  const out = {};
  for (const k of Object.keys(first)) out[k] = medianOf(present.map((r) => r?.[k]));
  return out;
}

export const r1 = (x) => (x == null ? null : Math.round(x * 10) / 10);
export const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);
export const mb = (b) => (b == null ? null : Math.round((b / 1e6) * 10) / 10);
export const fmt = (x, unit = '') => (x == null || Number.isNaN(x) ? '–' : `${typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: 2 }) : x}${unit}`);

function cpuTimes() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Share of CPU time idle over `ms` (all cores), or null where /proc/stat is missing. */
export async function cpuIdle(ms) {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  return a && b && b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : null;
}

/** Waits (up to `maxWaitS`) for the CPUs to be ≥ 80 % idle over 5 s; says how idle they were. */
export async function waitForIdle(maxWaitS) {
  const t0 = Date.now();
  for (;;) {
    const idle = await cpuIdle(5000);
    const waited = Math.round((Date.now() - t0) / 1000);
    if (idle === null || idle >= 0.8 || waited >= maxWaitS) {
      if (idle !== null && idle < 0.8) log(`  machine still busy after ${waited} s (${Math.round(idle * 100)} % idle): measuring anyway`);
      return { cpuIdleBefore: idle === null ? null : Math.round(idle * 100) / 100, waitedS: waited };
    }
    log(`  waiting for an idle machine: ${Math.round(idle * 100)} % idle`);
  }
}

export function machine(executablePath) {
  let chromiumVersion = 'unknown';
  try {
    chromiumVersion = execFileSync(executablePath, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    /* leave unknown */
  }
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git(['status', '--porcelain', '--', 'src', 'bench', 'vite.config.ts']).split('\n').filter(Boolean);
  const pkg = (name) => {
    try {
      return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    chromium: chromiumVersion,
    duckdbWasm: pkg('@duckdb/duckdb-wasm'),
    duckdbNative: pkg('@duckdb/node-api'),
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommitted: dirty,
  };
}


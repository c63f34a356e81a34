#!/usr/bin/env node
// `npm test`: every test, unit and end to end. Finds a Chromium for the e2e suite (installing
// Debian's when it can), runs Vitest, and closes with one plain "N passed, N failed" line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { findChromium } from './find-chromium.mjs';

const e2eOnly = process.argv.includes('--e2e-only');

function ensureChromium() {
  let found = findChromium();
  if (found) return found;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && existsSync('/etc/debian_version')) {
    console.log('No Chromium found: installing Debian\'s "chromium" package…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const ok = (cmd) => spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env }).status === 0;
    if (!ok('apt-get update -qq') || !ok('apt-get install -y -qq chromium')) {
      console.error('apt-get could not install chromium.');
      process.exit(1);
    }
    found = findChromium();
    if (found) return found;
  }
  console.error(
    'The end-to-end tests need Chromium and none was found.\n' +
      '  Debian/Ubuntu: sudo apt-get install chromium   (or: chromium-browser)\n' +
      '  Elsewhere: install Chromium or Chrome and set CHROME_PATH=/path/to/chrome',
  );
  process.exit(1);
}

const chrome = ensureChromium();
console.log(`Chromium: ${chrome}`);
mkdirSync('test-results', { recursive: true });

/**
 * End-to-end files that run in a second e2e process, started once the unit project is done. The
 * e2e files run one at a time per process (each drives its own browser), and the e2e project
 * was the whole wall time: ~800 s of a clean-clone run against ~350 s for the unit project beside
 * it, with one core left partly idle after the unit tests ended. Two heavy processes at a time,
 * as before, but the second core stays busy to the end. Any file not named here runs in the
 * first e2e process.
 */
const LATE_E2E = [
  's3-sink-edits', 's3-sink', 'live-panel', 'charts', 'sql-console', 'app-update', 'two-tabs',
  'import-export', 'storage-limits', 'sign-in', 'flood', 'stream-coverage', 'retention',
].map((f) => `test/e2e/${f}.test.ts`);

/**
 * One Vitest process per part, each with its own JSON report; the closing line adds them up.
 * Output is prefixed per part so the logs stay readable.
 */
function runVitest(label, project, extra, env = {}) {
  const report = `test-results/vitest-${label}.json`;
  const args = ['vitest', 'run', '--project', project, ...extra, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  return new Promise((resolve) => {
    const child = spawn('npx', args, { env: { ...process.env, CHROME_PATH: chrome, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let rest = '';
      from.setEncoding('utf8');
      from.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) to.write(`[${label}] ${line}\n`);
      });
      from.on('end', () => rest && to.write(`[${label}] ${rest}\n`));
    }
    child.on('close', (code) => {
      let passed = 0;
      let failed = 0;
      try {
        const r = JSON.parse(readFileSync(report, 'utf8'));
        passed = r.numPassedTests;
        failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
      } catch {
        failed = 1;
      }
      resolve({ code, passed, failed });
    });
  });
}

/**
 * The app, built once for both e2e processes (test/e2e/support/global-setup.ts skips its own
 * build when told it is done): two builds into one folder would empty it under a running test.
 */
function buildApp() {
  return new Promise((resolve) => {
    const child = spawn('npx', ['vite', 'build', '--mode', 'production', '--outDir', 'test-results/dist', '--emptyOutDir', '--logLevel', 'warn'], {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: 'inherit',
    });
    child.on('close', (code) => resolve(code === 0));
  });
}

const prebuilt = { TOOTSCOPE_E2E_PREBUILT: '1' };
const late = LATE_E2E.filter((f) => existsSync(f));
const runE2e = async (unitDone) => {
  if (!(await buildApp())) return [{ code: 1, passed: 0, failed: 1 }];
  const first = runVitest('e2e', 'e2e', late.flatMap((f) => ['--exclude', f]), prebuilt);
  const second = unitDone.then(() => runVitest('e2e-late', 'e2e', late, prebuilt));
  return Promise.all([first, second]);
};
const unit = e2eOnly ? Promise.resolve(null) : runVitest('unit', 'unit', []);
const results = [...(await Promise.all([unit, runE2e(unit)])).flat()].filter((r) => r !== null);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.code === 0) && failed === 0 && passed > 0 ? 0 : 1);

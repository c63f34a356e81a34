#!/usr/bin/env node
// `npm test`: every test, unit and end to end. Finds a Chromium for the e2e suite (installing
// Debian's when it can), runs Vitest, and closes with one plain "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
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
const report = 'test-results/vitest.json';
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
if (e2eOnly) args.push('--project', 'e2e');
const run = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, CHROME_PATH: chrome } });

let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
} catch {
  failed = 1;
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 && passed > 0 ? 0 : 1);

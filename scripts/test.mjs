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
 * One Vitest process per project, both at once: Vitest ran the unit files first and the e2e files
 * (one at a time, each mostly waiting on the browser) only after them, ~4 of the suite's ~20
 * minutes in a row on a 2-core machine. Each process writes its own JSON report; the closing line
 * adds them up. Output is prefixed per project so the two logs stay readable.
 */
function runProject(name) {
  const report = `test-results/vitest-${name}.json`;
  const args = ['vitest', 'run', '--project', name, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  return new Promise((resolve) => {
    const child = spawn('npx', args, { env: { ...process.env, CHROME_PATH: chrome }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let rest = '';
      from.setEncoding('utf8');
      from.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) to.write(`[${name}] ${line}\n`);
      });
      from.on('end', () => rest && to.write(`[${name}] ${rest}\n`));
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

const results = await Promise.all((e2eOnly ? ['e2e'] : ['unit', 'e2e']).map(runProject));
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.code === 0) && failed === 0 && passed > 0 ? 0 : 1);

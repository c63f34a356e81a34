import path from 'node:path';
import { build } from 'vite';

export const DIST = path.resolve(import.meta.dirname, '../../../test-results/dist');

/** The e2e suite tests the built page, as a static host would serve it. */
export default async function setup(): Promise<void> {
  await build({ root: path.resolve(import.meta.dirname, '../../..'), logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true } });
}

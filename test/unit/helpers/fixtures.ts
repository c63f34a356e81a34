import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { MastodonStatus } from '../../../src/core/mastodon';

/** ../shared beside the checkout (CI clones main with shared/ beside it). */
export const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures/mastodon');

export function fixtureStatuses(): Array<[string, MastodonStatus]> {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8')) as MastodonStatus]);
}

export function fixture(name: string): MastodonStatus {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as MastodonStatus;
}

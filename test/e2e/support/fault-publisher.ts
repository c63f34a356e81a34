import type { FakeMastodon } from '../../fake-mastodon';
import type { Rng } from '../../../src/core/demo/random';
import type { Kind, Phase } from './fault-tally';

/**
 * What the fault suite (fault-scenario.ts) publishes on its two fake servers, recorded by uri with
 * the phase and round it was published in, to explain any loss by where and when the post was made.
 */
export class Publisher {
  phase: Phase = 'pre';
  round = -1;
  /** Distinct posts (uris). */
  published = 0;
  /** Statuses published on the two servers (a shared post counts twice). */
  deliveries = 0;
  readonly origin = new Map<string, { kind: Kind; phase: Phase; round: number }>();
  readonly betaOnly: Array<{ id: string; uri: string; round: number }> = [];
  readonly sharedPosts: Array<{ alphaId: string; betaId: string; uri: string; round: number; phase: Phase }> = [];
  readonly deleted = new Set<string>();
  /** The latest text of each edited post. */
  readonly edited = new Map<string, string>();

  constructor(
    private readonly alphaServer: FakeMastodon,
    private readonly betaServer: FakeMastodon,
    private readonly rng: Rng,
  ) {}

  alpha(): void {
    const s = this.alphaServer.publish();
    this.origin.set(s.uri, { kind: 'alpha', phase: this.phase, round: this.round });
    this.published++;
    this.deliveries++;
  }

  beta(stream = true): void {
    const s = this.betaServer.publish({}, { stream });
    this.origin.set(s.uri, { kind: 'beta', phase: this.phase, round: this.round });
    this.betaOnly.push({ id: s.id, uri: s.uri, round: this.round });
    this.published++;
    this.deliveries++;
  }

  shared(stream = true): void {
    const a = this.alphaServer.publish();
    const b = this.betaServer.publishFrom(a, { stream });
    this.origin.set(a.uri, { kind: 'shared', phase: this.phase, round: this.round });
    this.sharedPosts.push({ alphaId: a.id, betaId: b.id, uri: a.uri, round: this.round, phase: this.phase });
    this.published++;
    this.deliveries += 2;
  }

  /** n posts: 40 % alpha only, 40 % beta only, 20 % on both. */
  mix(n: number, stream = true, shares = { alpha: 0.4, beta: 0.4 }): void {
    for (let i = 0; i < n; i++) {
      const x = this.rng.next();
      if (x < shares.alpha) this.alpha();
      else if (x < shares.alpha + shares.beta) this.beta(stream);
      else this.shared(stream);
    }
  }

  /** Posts that are gone before any reader could see them: published and deleted at once. */
  vanish(): void {
    const b = this.betaServer.publish({}, { stream: false });
    this.betaServer.deleteStatus(b.id);
    const a = this.alphaServer.publish();
    this.alphaServer.deleteStatus(a.id);
    for (const s of [a, b]) {
      this.origin.set(s.uri, { kind: s === a ? 'alpha' : 'beta', phase: 'vanish', round: this.round });
      this.deleted.add(s.uri);
    }
    this.published += 2;
    this.deliveries += 2;
  }

  /** The uris the servers still hold: what the app should have stored. */
  expectedUris(): Set<string> {
    return new Set([this.alphaServer, this.betaServer].flatMap((f) => f.groundTruth().published.map((s) => s.uri)));
  }
}

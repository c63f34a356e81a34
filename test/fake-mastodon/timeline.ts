/**
 * The fake instance's statuses and Mastodon's id-based paging over them
 * (`Paginable#to_a_paginated_by_id`): `max_id`/`since_id` give the newest page below/above a
 * bound, `min_id` the page immediately above it — the one a client walking forward needs.
 */

import type { MastodonStatus } from '../../src/core/mastodon';
import { compareIds } from '../../src/core/status-id';

export interface PageQuery {
  limit: number;
  maxId?: string | null;
  sinceId?: string | null;
  minId?: string | null;
}

/**
 * A status is local when its author is this instance's user: acct without a domain. Tests publish
 * hostile statuses (an acct that is a number): the server that serves them must not trip on them.
 */
export function isLocalStatus(s: MastodonStatus): boolean {
  const acct: unknown = s.account?.acct;
  return typeof acct === 'string' && !acct.includes('@');
}

export function hasMedia(s: MastodonStatus): boolean {
  return Array.isArray(s.media_attachments) && s.media_attachments.length > 0;
}

/** Tag names as the streaming server keys hashtag channels: NFKC, lowercase. */
export function normalizeTag(tag: string): string {
  return tag.normalize('NFKC').toLowerCase();
}

export class TimelineStore {
  /** Ascending by id. Ids are handed out in increasing order, so this is almost always an append. */
  private readonly statuses: MastodonStatus[] = [];
  private readonly byId = new Map<string, MastodonStatus>();
  private readonly deletedIds: string[] = [];
  private readonly removed: MastodonStatus[] = [];

  get size(): number {
    return this.statuses.length;
  }

  get(id: string): MastodonStatus | undefined {
    return this.byId.get(id);
  }

  add(status: MastodonStatus): void {
    if (this.byId.has(status.id)) throw new Error(`duplicate status id ${status.id}`);
    const at = this.upperBound(status.id);
    this.statuses.splice(at, 0, status);
    this.byId.set(status.id, status);
  }

  /** Replaces the stored version (an edit). */
  replace(status: MastodonStatus): void {
    const i = this.indexOf(status.id);
    if (i < 0) throw new Error(`unknown status id ${status.id}`);
    this.statuses[i] = status;
    this.byId.set(status.id, status);
  }

  remove(id: string): MastodonStatus | undefined {
    this.deletedIds.push(id);
    const i = this.indexOf(id);
    if (i < 0) return undefined;
    const [removed] = this.statuses.splice(i, 1);
    this.byId.delete(id);
    if (removed) this.removed.push(removed);
    return removed;
  }

  /** Every live status, oldest first, and every deleted id. */
  snapshot(): { published: MastodonStatus[]; deleted: string[] } {
    return { published: [...this.statuses], deleted: [...this.deletedIds] };
  }

  /** Statuses that were published and then deleted, in deletion order. */
  removedStatuses(): MastodonStatus[] {
    return [...this.removed];
  }

  /** One page, newest first, of the statuses `include` accepts. */
  page(q: PageQuery, include: (s: MastodonStatus) => boolean): MastodonStatus[] {
    const out: MastodonStatus[] = [];
    if (q.limit <= 0) return out;
    if (q.minId) {
      // Oldest `limit` statuses above min_id (and below max_id), then reversed to newest first.
      for (let i = this.upperBound(q.minId); i < this.statuses.length && out.length < q.limit; i++) {
        const s = this.statuses[i] as MastodonStatus;
        if (q.maxId && compareIds(s.id, q.maxId) >= 0) break;
        if (include(s)) out.push(s);
      }
      return out.reverse();
    }
    const start = q.maxId ? this.lowerBound(q.maxId) - 1 : this.statuses.length - 1;
    for (let i = start; i >= 0 && out.length < q.limit; i--) {
      const s = this.statuses[i] as MastodonStatus;
      if (q.sinceId && compareIds(s.id, q.sinceId) <= 0) break;
      if (include(s)) out.push(s);
    }
    return out;
  }

  private indexOf(id: string): number {
    const i = this.lowerBound(id);
    return this.statuses[i]?.id === id ? i : -1;
  }

  /** First index whose id is ≥ id. */
  private lowerBound(id: string): number {
    let lo = 0;
    let hi = this.statuses.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds((this.statuses[mid] as MastodonStatus).id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose id is > id. */
  private upperBound(id: string): number {
    let lo = 0;
    let hi = this.statuses.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds((this.statuses[mid] as MastodonStatus).id, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

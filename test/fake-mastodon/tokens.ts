/**
 * Access tokens of the fake instance, with the distinctions Mastodon makes: a user token with
 * scopes, an app-only token (client credentials, no user behind it), and revocation.
 */

import { randomBytes } from 'node:crypto';

export interface TokenRecord {
  id: number;
  token: string;
  scopes: string[];
  /** Issued by client credentials: no user, so streams refuse it. */
  appOnly: boolean;
  /** The OAuth client it was issued to, or null for tokens given in the options. */
  clientId: string | null;
  revoked: boolean;
  createdAt: number;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export class TokenRegistry {
  private readonly tokens = new Map<string, TokenRecord>();
  private nextId = 1;
  private readonly revokeListeners: Array<(t: TokenRecord) => void> = [];

  add(token: string, opts: { scopes?: string[]; appOnly?: boolean; clientId?: string | null } = {}): TokenRecord {
    const record: TokenRecord = {
      id: this.nextId++,
      token,
      scopes: opts.scopes ?? ['read'],
      appOnly: opts.appOnly ?? false,
      clientId: opts.clientId ?? null,
      revoked: false,
      createdAt: Date.now(),
    };
    this.tokens.set(token, record);
    return record;
  }

  /** The record, revoked ones included (callers tell "revoked" from "unknown"). */
  lookup(token: string | undefined): TokenRecord | undefined {
    return token ? this.tokens.get(token) : undefined;
  }

  /** A usable token: known and not revoked. */
  active(token: string | undefined): TokenRecord | undefined {
    const t = this.lookup(token);
    return t && !t.revoked ? t : undefined;
  }

  revoke(token: string): boolean {
    const t = this.tokens.get(token);
    if (!t || t.revoked) return false;
    t.revoked = true;
    for (const listener of this.revokeListeners) listener(t);
    return true;
  }

  onRevoke(listener: (t: TokenRecord) => void): void {
    this.revokeListeners.push(listener);
  }
}

/** Scopes that allow reading public timelines: `read` or `read:statuses` (Mastodon's scope tree). */
export function canReadStatuses(t: TokenRecord): boolean {
  return t.scopes.includes('read') || t.scopes.includes('read:statuses');
}

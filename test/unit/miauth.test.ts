import { afterEach, describe, expect, it } from 'vitest';
import { checkMiAuth, miAuthUrl } from '../../src/sources/miauth';
import { readCallback, withoutCallback } from '../../src/sources/oauth';
import { startFakeMisskey, type FakeMisskey } from '../fake-mastodon/misskey';

let fake: FakeMisskey | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

/** Issue 19: Misskey's sign-in. */
describe('MiAuth', () => {
  it('hands the token over once, to the session the person accepted, and to no other', async () => {
    fake = await startFakeMisskey({ policies: { gtlAvailable: false } });
    const url = miAuthUrl(fake.url, 'the-session', 'https://page.test/app/?instances=x');
    expect(new URL(url).pathname).toBe('/miauth/the-session');
    // The person accepts on the server, which sends them back with the session.
    const back = await fetch(url, { redirect: 'manual' });
    const location = back.headers.get('Location')!;
    expect(location).toBe('https://page.test/app/?instances=x&session=the-session');
    expect(readCallback(new URL(location).search)).toEqual({ session: 'the-session', state: 'the-session' });
    expect(withoutCallback(new URL(location).search)).toBe('?instances=x');
    const token = await checkMiAuth(fake.url, 'the-session');
    expect(token).toMatch(/^mi-/);
    // Once: a second check (a replayed return) and an unknown session get nothing.
    await expect(checkMiAuth(fake.url, 'the-session')).rejects.toThrow(/no token for this sign-in/);
    await expect(checkMiAuth(fake.url, 'never-accepted')).rejects.toThrow(/no token for this sign-in/);
  });
});

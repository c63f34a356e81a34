import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The page, with the names people and tools rely on (issue 2 § Names). */
export async function openApp(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('dialog', (d) => {
    throw new Error(`the page opened a ${d.type()} dialog: ${d.message()}`);
  });
  await page.goto(url);
  return page;
}

/** URLs the context requests off `url`'s origin (blob: and data: aside), collected as they happen. */
export function requestsOffOrigin(context: BrowserContext, url: string): string[] {
  const origin = new URL(url).origin;
  const off: string[] = [];
  context.on('request', (r) => {
    if (!r.url().startsWith(origin) && !/^(blob|data):/.test(r.url())) off.push(r.url());
  });
  return off;
}

export async function tootsCollected(page: Page): Promise<number> {
  const text = await page.getByLabel('Toots collected', { exact: true }).textContent();
  // Digits only: the separator is the browser locale's ("1,234", "1.234", "1 234").
  return Number((text ?? '').replace(/\D/g, ''));
}

/** Waits (polling) until the deduplicated count is `n`; fails with the last value seen. */
export async function waitForCount(page: Page, n: number, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < end) {
    last = await tootsCollected(page);
    if (last === n) return;
    await page.waitForTimeout(250);
  }
  // Say what the page showed: whether DuckDB ever started, and each instance row's state.
  const shown = await page
    .locator('section.summary, section[aria-labelledby="sources-h"], [role="alert"]')
    .allInnerTexts()
    .then((t) => t.join(' | ').replace(/\s+/g, ' ').slice(0, 800))
    .catch((e: Error) => `(page text unavailable: ${e.message})`);
  expect(last, `Toots collected; the page showed: ${shown}`).toBe(n);
}

export function row(page: Page, host: string) {
  return page.locator(`li.row[data-host="${host}"]`);
}

/** Clicks the row's "Retry now" if it is waiting out a backoff; true if it did. */
export async function retryNow(page: Page, host: string): Promise<boolean> {
  const button = row(page, host).getByRole('button', { name: 'Retry now' });
  if (!(await button.count())) return false;
  // The button goes as soon as the retry starts, possibly between the count and the click; a
  // click would then wait out Playwright's 30 s default for a button that never comes back. The
  // callers poll, so a missed click is simply tried again.
  const clicked = await button.click({ timeout: 2_000 }).then(() => true, () => false);
  return clicked;
}

export async function waitForRowState(page: Page, host: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const state = row(page, host).getByTestId('state');
  const end = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < end) {
    text = (await state.textContent()) ?? '';
    if (pattern.test(text)) return text;
    await page.waitForTimeout(200);
  }
  expect(text, `state of ${host}`).toMatch(pattern);
  return text;
}

export async function addInstance(page: Page, url: string): Promise<void> {
  await page.getByLabel('Instance URL').fill(url);
  await page.getByRole('button', { name: 'Add instance' }).click();
}

export async function setToken(page: Page, host: string, token: string): Promise<void> {
  const field = row(page, host).getByLabel('Access token');
  await field.fill(token);
  await field.press('Enter');
}

import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness';
import { openApp } from './support/app-page';
import { card, readTable } from './support/charts-page';

/**
 * Issue 17: instances grouped under a name the person gives (the mybinder notebook's `origins`):
 * the activity chart draws each group as one series, says so, and keeps the groups in this browser.
 */
describe('groups of instances in the activity chart', () => {
  const h = useHarness();

  it('draws two instances as one named series, explains a line it cannot read, and keeps the groups', async () => {
    const page = await openApp(h.context, `${h.url}?demo`);
    await page.locator('#demo-rate').selectOption('100');
    const activity = card(page, 'Activity over time by instance');
    const series = async () => [...new Set((await readTable(activity)).rows.map((r) => r[1]!))];
    await expect.poll(async () => (await series()).filter((s) => s !== 'other').length, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    const [one, two] = (await series()).filter((s) => s !== 'other');
    await page.getByRole('button', { name: 'Stop demo' }).click();

    await activity.getByText('Group instances').click();
    const field = activity.getByLabel(/One group per line/);
    await field.fill(`pair: ${one}\nno colon here`);
    await activity.getByRole('button', { name: 'Apply groups' }).click();
    await expect.poll(() => activity.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('Line 2: write it as “name: host, host”');

    await field.fill(`pair: ${one}, https://${two}/`);
    await activity.getByRole('button', { name: 'Apply groups' }).click();
    await expect.poll(series, { timeout: 30_000 }).toContain('pair (group)');
    const now = await series();
    expect(now).not.toContain(one);
    expect(now).not.toContain(two);
    expect(await activity.textContent()).toContain('with your groups of instances each as one');

    // Kept in this browser: a new page draws the same groups.
    const again = await openApp(h.context, h.url);
    const activity2 = card(again, 'Activity over time by instance');
    await expect.poll(async () => [...new Set((await readTable(activity2)).rows.map((r) => r[1]!))], { timeout: 60_000 }).toContain('pair (group)');
  });
});

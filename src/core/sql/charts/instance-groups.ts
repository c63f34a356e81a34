/**
 * Instances grouped under a name the person gives, as the mybinder notebook's `origins` mapping
 * grouped servers for its rollups (issue 17). Applies to the activity chart's series.
 */

/** Host → group name. */
export type InstanceGroups = Readonly<Record<string, string>>;

/**
 * A group's series key: a space never occurs in a host or a URL, so a group can never be taken
 * for an instance (a click on it must not filter by an instance of that name).
 */
export const GROUP_PREFIX = 'group ';

const MAX_GROUPS = 50;
const MAX_NAME = 60;
const HOST = /^[a-z0-9.-]+(:\d{1,5})?$/i;

/**
 * Reads lines of `name: host, host, …` (a URL is taken for its host). Returns the mapping and, per
 * line that cannot be read, why: in plain words for the page.
 */
export function parseInstanceGroups(text: string): { groups: InstanceGroups; errors: string[] } {
  const groups: Record<string, string> = {};
  const errors: string[] = [];
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!name || name.length > MAX_NAME) {
      errors.push(`Line ${i + 1}: write it as “name: host, host” (a name of at most ${MAX_NAME} characters).`);
      continue;
    }
    if (new Set(Object.values(groups)).size >= MAX_GROUPS && !Object.values(groups).includes(name)) {
      errors.push(`Line ${i + 1}: at most ${MAX_GROUPS} groups.`);
      continue;
    }
    for (const raw of line.slice(colon + 1).split(',').map((h) => h.trim()).filter(Boolean)) {
      const host = hostOf(raw);
      if (!host) errors.push(`Line ${i + 1}: “${raw.slice(0, 80)}” is not an instance's address.`);
      else if (groups[host] !== undefined && groups[host] !== name) errors.push(`Line ${i + 1}: ${host} is already in “${groups[host]}”.`);
      else groups[host] = name;
    }
  }
  return { groups, errors };
}

function hostOf(raw: string): string | null {
  const text = /^https?:\/\//i.test(raw) ? raw : `https://${raw}`;
  try {
    const url = new URL(text);
    return HOST.test(url.host) ? url.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** The groups as text, one line per group, for the editor. */
export function formatInstanceGroups(groups: InstanceGroups): string {
  const byName = new Map<string, string[]>();
  for (const [host, name] of Object.entries(groups)) byName.set(name, [...(byName.get(name) ?? []), host]);
  return [...byName].map(([name, hosts]) => `${name}: ${hosts.join(', ')}`).join('\n');
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The series key for `column` (`from_instance`: a host; `base_url`: `https://host`) with the
 * groups applied: a grouped instance's key is GROUP_PREFIX + the group's name.
 */
export function groupedKeySql(column: 'from_instance' | 'base_url', groups: InstanceGroups | undefined): string {
  const entries = Object.entries(groups ?? {});
  if (!entries.length) return column;
  const whens = entries.map(([host, name]) => `WHEN ${quote(column === 'base_url' ? `https://${host}` : host)} THEN ${quote(GROUP_PREFIX + name)}`);
  return `CASE ${column} ${whens.join(' ')} ELSE ${column} END`;
}

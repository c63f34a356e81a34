import type { InstanceSoftware } from '../store/export/stored-export';
import type { AppState } from './app-state.svelte';

/**
 * Each instance's server software as last discovered, for the exports' metadata: the instances
 * shown now, those whose rows outlived their removal (kept in settings), and the demo stream.
 */
export async function instanceSoftware(app: Pick<AppState, 'settingsStore' | 'instances' | 'demo'>): Promise<InstanceSoftware[]> {
  const known = { ...(await app.settingsStore.software()) };
  for (const i of app.instances) if (i.info?.software) known[i.baseUrl] = i.info.software;
  const list = Object.entries(known).map(([base_url, s]) => ({ base_url, software: s.name, version: s.version }));
  return [...list, { base_url: app.demo.baseUrl, software: 'tootscope-demo', version: '' }].sort((a, b) => a.base_url.localeCompare(b.base_url));
}

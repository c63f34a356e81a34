/** `?instances=URL1,URL2` and `?demo`: links that start a view. Tokens never go here. */
export interface UrlState {
  instances: string[];
  demo: boolean;
}

export function readUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const instances = (q.get('instances') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { instances, demo: q.has('demo') };
}

import {
  isCollectedFrom, parseFilterParams, writeFilterParams, type ChartFilters,
} from '../core/sql/charts/filters';
import type { Pick } from '../charts/scene';

export interface FilterChip {
  key: string;
  /** What the chip says, e.g. "language: ja". */
  label: string;
  remove: () => void;
}

/**
 * The cross-filter all charts share: a time range (brushed on the activity chart), instances and
 * languages (clicked anywhere). It lives in the URL (`?from=…&to=…&instance=…&lang=…`) so a link
 * reproduces the view; other parameters (`instances`, `demo`) are left exactly as they are.
 */
export class FilterState {
  from = $state<number | null>(null);
  to = $state<number | null>(null);
  instances = $state<string[]>([]);
  languages = $state<string[]>([]);

  /** The filter the SQL builders take. */
  readonly value: ChartFilters = $derived.by(() => {
    const f: ChartFilters = {};
    if (this.from !== null) f.from = this.from;
    if (this.to !== null) f.to = this.to;
    if (this.instances.length) f.instances = [...this.instances];
    if (this.languages.length) f.languages = [...this.languages];
    return f;
  });

  readonly active = $derived(this.from !== null || this.to !== null || this.instances.length > 0 || this.languages.length > 0);

  constructor(search = '') {
    this.load(search);
  }

  load(search: string): void {
    const f = parseFilterParams(search);
    this.from = f.from ?? null;
    this.to = f.to ?? null;
    this.instances = f.instances ?? [];
    this.languages = f.languages ?? [];
  }

  setRange(from: number, to: number): void {
    if (!Number.isFinite(from) || !Number.isFinite(to) || from === to) return;
    this.from = Math.min(from, to);
    this.to = Math.max(from, to);
  }

  clearRange(): void {
    this.from = null;
    this.to = null;
  }

  /** A click on an instance or a language adds it to the filter, a second click removes it. */
  toggle(pick: Pick): void {
    const list = pick.kind === 'instance' ? this.instances : this.languages;
    const next = list.includes(pick.value) ? list.filter((v) => v !== pick.value) : [...list, pick.value];
    if (pick.kind === 'instance') this.instances = next;
    else this.languages = next;
  }

  remove(pick: Pick): void {
    if (pick.kind === 'instance') this.instances = this.instances.filter((v) => v !== pick.value);
    else this.languages = this.languages.filter((v) => v !== pick.value);
  }

  clear(): void {
    this.clearRange();
    this.instances = [];
    this.languages = [];
  }

  /**
   * Chips for the active filters. `formatTime` shows the range in the charts' time zone;
   * `languageName` names a code.
   */
  chips(formatTime: (ms: number) => string, languageName: (code: string) => string): FilterChip[] {
    const out: FilterChip[] = [];
    if (this.from !== null || this.to !== null) {
      const from = this.from !== null ? formatTime(this.from) : 'the start';
      const to = this.to !== null ? formatTime(this.to) : 'now';
      out.push({ key: 'time', label: `time: ${from} – ${to}`, remove: () => this.clearRange() });
    }
    for (const v of this.instances) {
      const label = isCollectedFrom(v) ? `collected from: ${v.replace(/^https?:\/\//i, '')}` : `author's instance: ${v}`;
      out.push({ key: `i:${v}`, label, remove: () => this.remove({ kind: 'instance', value: v }) });
    }
    for (const v of this.languages) {
      const name = languageName(v);
      out.push({ key: `l:${v}`, label: `language: ${name === v ? v : `${name} (${v})`}`, remove: () => this.remove({ kind: 'lang', value: v }) });
    }
    return out;
  }

  /** Writes the filter into the address bar without a history entry. Call from an effect. */
  syncUrl(): void {
    const next = writeFilterParams(location.search, this.value);
    if (next === location.search) return;
    history.replaceState(history.state, '', `${location.pathname}${next}${location.hash}`);
  }
}

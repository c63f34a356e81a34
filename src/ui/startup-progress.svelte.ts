import type { StartStep } from '../db/start-step';

/** How far DuckDB's start is, for the summary panel's bar (issue 16: never a frozen "Starting…"). */
export class StartupProgress {
  step = $state.raw<StartStep | null>(null);
  readonly report = (s: StartStep): void => {
    this.step = s;
  };
}

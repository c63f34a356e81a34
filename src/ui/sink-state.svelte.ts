import type { AppState } from './app-state.svelte';
import { SinkSettings, configProblem, type SinkConfig } from '../store/sink/sink-settings';
import { SinkUploader, type SinkStatus } from '../store/sink/uploader';
import { workerParquetCodec } from '../store/archive/parquet-worker-client';
import { instanceSoftware } from './instance-software';

/** How often the sink looks for a new manifest: a compaction is minutes apart, a check is one IndexedDB read. */
const CHECK_EVERY_MS = 2_000;

const OFF: SinkStatus = { state: 'off', message: '', lastUploadAt: 0, segmentsBehind: 0, bytesBehind: 0, objects: 0, bytes: 0, retryAt: 0 };

/**
 * The bucket sink on the page: its config (the key pair stays in IndexedDB and the key field),
 * and the uploader, run by the collecting tab only, so two tabs never write one writer's folder.
 */
export class SinkState {
  /** The saved destination without the secret: what the form starts from. */
  saved = $state.raw<Omit<SinkConfig, 'secretAccessKey'> | null>(null);
  hasSecret = $state(false);
  status = $state.raw<SinkStatus>(OFF);
  formError = $state('');
  private settings = new SinkSettings();
  private uploader: SinkUploader | null = null;
  private config: SinkConfig | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly appOf: () => AppState) {}

  async load(): Promise<void> {
    this.setConfig(await this.settings.config());
    this.timer = setInterval(() => this.tick(), CHECK_EVERY_MS);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Saves a destination; an empty secret keeps the saved one (the field never shows it). */
  async save(draft: SinkConfig): Promise<boolean> {
    const config = { ...draft, secretAccessKey: draft.secretAccessKey || this.config?.secretAccessKey || '' };
    const problem = configProblem(config);
    this.formError = problem ?? '';
    if (problem) return false;
    await this.settings.saveConfig(config);
    this.setConfig(await this.settings.config());
    this.tick();
    return true;
  }

  async remove(): Promise<void> {
    await this.settings.saveConfig(null);
    this.setConfig(null);
  }

  retryNow(): void {
    void this.uploader?.retryNow();
  }

  private setConfig(config: SinkConfig | null): void {
    this.config = config;
    this.hasSecret = !!config?.secretAccessKey;
    if (config) {
      const { secretAccessKey: _, ...rest } = config;
      this.saved = rest;
    } else {
      this.saved = null;
    }
    this.uploader?.configure(config);
    if (!config) this.status = OFF;
  }

  /** Starts the uploader once the stored data is open, in the collecting tab; then a round per tick. */
  private tick(): void {
    const app = this.appOf();
    const data = app.localData;
    if (!this.config || !data || app.role !== 'collector') return;
    if (!this.uploader) {
      this.uploader = new SinkUploader(
        {
          db: data.db,
          store: data.store,
          codec: async () => workerParquetCodec,
          settings: this.settings,
          run: (fn) => app.exclusive(fn),
          instances: () => instanceSoftware(app),
        },
        (s) => (this.status = s),
      );
      this.uploader.configure(this.config);
    }
    void this.uploader.sync();
  }
}

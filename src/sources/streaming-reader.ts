import type { Source } from './source';

/**
 * A reader that runs until stopped: `start` (re)starts its `run` under a fresh signal, `stop`
 * aborts it. The SSE and WebSocket readers share this and `reconnectLoop`.
 */
export abstract class StreamingReader implements Source {
  private abort: AbortController | null = null;

  start(): void {
    this.stop();
    const abort = new AbortController();
    this.abort = abort;
    void this.run(abort.signal);
  }

  stop(): void {
    this.abort?.abort(new DOMException('stopped', 'AbortError'));
    this.abort = null;
  }

  protected abstract run(signal: AbortSignal): Promise<void>;
}

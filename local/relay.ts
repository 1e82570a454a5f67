import { ready } from '#shared/wiring.ts';
import { relayPending } from '#shared/usecases/relay.ts';
import { maskIds } from '#shared/http/api.ts';

/**
 * The embedded relay (SPEC rule 15): where a deployment has the outbox's DynamoDB stream, SQS
 * and the delivery function, this loop reads the outbox's pending index and runs the same relay
 * code (shared/usecases/relay.ts). Its state is in the tables (an entry stays pending until it
 * is relayed, each delivery's attempts and next try are recorded), so a restart goes on where
 * the last run stopped. Stopped, commits still write their events; they wait in the outbox.
 */
export class LocalRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly log: (line: string) => void,
    private readonly intervalMs = 25,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops after the pass under way (a test breaks delivery between commit and send). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  get isRunning() {
    return !this.stopped;
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
      });
    }, ms);
    this.timer.unref?.();
  }

  private async pass() {
    let pass = { read: 0, settled: 0 };
    try {
      pass = await relayPending(await ready());
    } catch (e) {
      this.log(`relay: ${maskIds((e as Error).message)}`);
    }
    // Progress: go on at once. Nothing pending: poll. Only entries waiting for a retry: look again
    // a little later, not re-reading a backlog every 25 ms.
    this.schedule(pass.settled ? 0 : pass.read ? this.intervalMs * 4 : this.intervalMs);
  }
}

import { ready } from '#shared/wiring.ts';
import { relayPending } from '#shared/usecases/relay.ts';
import { maskIds } from '#shared/http/api.ts';

/**
 * The embedded relay (SPEC rule 15): where a deployment has the outbox's DynamoDB stream, SQS
 * and the delivery function, this loop reads the outbox's pending index and runs the same relay
 * code (shared/usecases/relay.ts). Its state is in the tables (an entry stays pending until it
 * is relayed, each delivery's attempts and next try are recorded), so a restart goes on where
 * the last run stopped. Stopped, commits still write their events; they wait in the outbox.
 *
 * It does not poll fast for nothing: the runtime nudges it after every function invocation
 * (every commit happens in one), so an event goes out at once; an idle platform reads the
 * outbox once a second, as a backstop.
 */
export class LocalRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private nudged = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly idleMs = 1_000,
    private readonly retryMs = 100,
  ) {}

  /** Something may have committed: look now (or right after the pass under way). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.nudged = true;
    else {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

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
    // Progress, or a nudge during the pass: go on at once. Only entries waiting for a retry: look
    // again a little later. Nothing pending: wait for a nudge, or the idle backstop.
    const again = pass.settled || this.nudged;
    this.nudged = false;
    this.schedule(again ? 0 : pass.read ? this.retryMs : this.idleMs);
  }
}

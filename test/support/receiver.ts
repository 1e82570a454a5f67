import { createServer, type Server } from 'node:http';
import { verifyWebhook } from '../../shared/domain/events.ts';

/**
 * A subscriber's webhook receiver for the tests, over real HTTP: it checks every signature (and
 * that X-Oneseal-Event-Id names the body's event) as the README's receiver does, can refuse with
 * 500s, and keeps what it took (2xx) in the order it arrived.
 */
export interface Received {
  eventId: string;
  type: string;
  applicationId: string;
  seq: number;
  status: string;
  data: Record<string, any>;
}

/** The provincial platform's receiver: checks each signature, answers `failNext` 500s first, keeps what it took (2xx). */
export class Receiver {
  server!: Server;
  url = '';
  failNext = 0;
  /** Applications whose events are refused (500); `*` refuses every application's. */
  failFor = new Set<string>();
  attempts = 0;
  refused = 0;
  badSignatures = 0;
  taken: Received[] = [];

  constructor(private readonly secret: string) {}

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.attempts++;
        const raw = Buffer.concat(chunks).toString('utf8');
        const ts = String(req.headers['x-oneseal-timestamp'] ?? '');
        const sig = String(req.headers['x-oneseal-signature'] ?? '');
        if (!verifyWebhook(this.secret, ts, raw, sig, new Date())) {
          this.badSignatures++;
          res.writeHead(401).end();
          return;
        }
        const body = JSON.parse(raw) as Received;
        if (req.headers['x-oneseal-event-id'] !== body.eventId) this.badSignatures++;
        if (this.failNext > 0 || this.failFor.has(body.applicationId) || this.failFor.has('*')) {
          this.failNext = Math.max(0, this.failNext - 1);
          this.refused++;
          res.writeHead(500).end();
          return;
        }
        this.taken.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/oneseal`;
  }

  of(applicationId: string) {
    return this.taken.filter((e) => e.applicationId === applicationId);
  }

  async waitFor(applicationId: string, type: string, timeoutMs = 20_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.of(applicationId).some((e) => e.type === type)) return this.of(applicationId);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${type} for ${applicationId}; got ${this.of(applicationId).map((e) => e.type).join(', ')}`);
  }
}


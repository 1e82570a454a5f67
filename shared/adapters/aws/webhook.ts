import type { WebhookSender } from '../../ports.ts';

/** Webhooks over HTTPS with Node's fetch: a subscriber that does not answer within 10 s counts as failed (and is retried). */
export class FetchWebhooks implements WebhookSender {
  async post(url: string, headers: Record<string, string>, body: string): Promise<number> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer().catch(() => undefined); // frees the connection
    return res.status;
  }
}

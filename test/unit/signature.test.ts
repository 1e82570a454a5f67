import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { signatureProblem, signTimestamped } from '#shared/domain/signature.ts';
import { EmsHttpCourier } from '#shared/adapters/aws/ems-courier.ts';

/** The one webhook signature (HMAC-SHA256 over `timestamp.body`, ±300 s), checked against an HMAC computed here independently. */
const now = new Date('2026-06-01T02:00:00Z');
const ts = String(now.getTime() / 1000);
const hmac = (secret: string, body: string, t = ts) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

describe('the webhook signature', () => {
  it('is sha256= and the hex HMAC-SHA256 of timestamp.body', () => {
    expect(signTimestamped('k', ts, '{"a":1}')).toBe(`sha256=${hmac('k', '{"a":1}')}`);
  });

  it('holds under any active secret, in either case of hex, within 300 s either way', () => {
    const sig = `sha256=${hmac('new', '{}')}`;
    expect(signatureProblem(['old', 'new'], ts, '{}', sig, now)).toBeNull();
    expect(signatureProblem(['new'], ts, '{}', sig.toUpperCase().replace('SHA256=', 'sha256='), now)).toBeNull();
    expect(signatureProblem(['new'], ts, '{}', sig, new Date(now.getTime() + 300_000))).toBeNull();
    expect(signatureProblem(['new'], ts, '{}', sig, new Date(now.getTime() - 300_000))).toBeNull();
  });

  it('says why it does not hold, the timestamp first', () => {
    const sig = `sha256=${hmac('k', '{}')}`;
    expect(signatureProblem(['k'], undefined, '{}', sig, now)).toBe('timestamp');
    expect(signatureProblem(['k'], '17e8', '{}', sig, now)).toBe('timestamp');
    expect(signatureProblem(['k'], ts, '{}', sig, new Date(now.getTime() + 301_000))).toBe('skew');
    expect(signatureProblem(['k'], ts, '{}', undefined, now)).toBe('signature');
    expect(signatureProblem(['k'], ts, '{}', hmac('k', '{}'), now)).toBe('signature');
    expect(signatureProblem(['k'], ts, '{}', `sha256=${hmac('k', '{}').slice(2)}`, now)).toBe('signature');
    expect(signatureProblem(['k'], ts, '{"a":1}', sig, now)).toBe('mismatch');
    expect(signatureProblem(['other'], ts, '{}', sig, now)).toBe('mismatch');
    expect(signatureProblem([], ts, '{}', sig, now)).toBe('mismatch');
  });

  it('is what the EMS courier sends with its waybill request', async () => {
    let seen: { ts: string; sig: string; body: string } | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { ts: String(req.headers['x-ems-timestamp']), sig: String(req.headers['x-ems-signature']), body: Buffer.concat(chunks).toString('utf8') };
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"waybillNo":"1100000000001"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const courier = new EmsHttpCourier(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, async () => ({ partnerId: 'p', key: 'ems-key' }));
      await courier.createWaybill({ applicationNo: '64010020260601000001', recipient: '马晓燕', phone: '13995000000', address: '银川市', contents: ['执业药师注册证'] });
      expect(seen!.sig).toBe(`sha256=${hmac('ems-key', seen!.body, seen!.ts)}`);
      expect(signatureProblem(['ems-key'], seen!.ts, seen!.body, seen!.sig, new Date())).toBeNull();
    } finally {
      server.close();
    }
  });
});

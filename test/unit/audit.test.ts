import { describe, expect, it } from 'vitest';
import { chainEvent, GENESIS, verifyChain, type AuditEvent } from '#shared/domain/audit.ts';
import { canonicalJson } from '#shared/domain/canonical.ts';

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let head = GENESIS;
  for (let i = 0; i < n; i++) {
    const e = chainEvent('app_1', head, `2026-11-22T0${i}:00:00Z`, { actor: 'officer-001', action: `step.${i}`, details: { i } });
    events.push(e);
    head = { seq: e.seq, hash: e.hash };
  }
  return events;
}

describe('the audit hash chain', () => {
  it('links each event to the previous one', () => {
    const events = chain(3);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[1].prevHash).toBe(events[0].hash);
    expect(verifyChain(events, { seq: 3, hash: events[2].hash })).toEqual({ intact: true });
  });
  it('detects a changed event', () => {
    const events = chain(3);
    events[1] = { ...events[1], details: { i: 99 } };
    expect(verifyChain(events, { seq: 3, hash: events[2].hash })).toEqual({ intact: false, brokenAt: 2 });
  });
  it('detects a deleted event, in the middle or at the end', () => {
    const events = chain(3);
    expect(verifyChain([events[0], events[2]], { seq: 3, hash: events[2].hash }).intact).toBe(false);
    expect(verifyChain(events.slice(0, 2), { seq: 3, hash: events[2].hash }).intact).toBe(false);
  });
});

describe('canonical JSON', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'z' } })).toBe('{"a":{"c":"z","d":[1,{"x":1,"y":2}]},"b":1}');
  });
});

describe('SM3 chains (cities that seal with SM2)', () => {
  it('use SM3 as GB/T 32905 defines it', async () => {
    const { sm3 } = await import('sm-crypto-v2');
    expect(sm3('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'); // the standard's example
  });

  it('hash with Node\'s SM3 exactly as sm-crypto does, Chinese text included (chains written before keep verifying)', async () => {
    const { sm3 } = await import('sm-crypto-v2');
    const { createHash } = await import('node:crypto');
    for (const text of ['abc', '', '银川市行政审批服务局', JSON.stringify({ actor: '马晓燕', details: { 意见: '准予' } }), 'x'.repeat(1000)]) {
      expect(createHash('sm3').update(text, 'utf8').digest('hex')).toBe(sm3(text));
    }
    const { genesis } = await import('#shared/domain/audit.ts');
    const e = chainEvent('app_sm3', genesis('SM3'), '2026-06-01T00:00:00Z', { actor: '马晓燕', action: 'submitted' });
    const { canonicalJson } = await import('#shared/domain/canonical.ts');
    const { hash, ...body } = e;
    expect(hash).toBe(sm3(canonicalJson(body)));
  });

  it('carry their algorithm in every event and verify with it', async () => {
    const { genesis, headOf } = await import('#shared/domain/audit.ts');
    let head = genesis('SM3');
    const events = [];
    for (let i = 0; i < 3; i++) {
      const e = chainEvent('app_sm3', head, `2026-06-01T0${i}:00:00Z`, { actor: 'officer-001', action: `step.${i}` });
      events.push(e);
      head = headOf(e);
    }
    expect(events.every((e) => e.alg === 'SM3')).toBe(true);
    expect(verifyChain(events, head)).toEqual({ intact: true });
    // The same content hashed with SHA-256 is another chain.
    expect(chainEvent('app_sm3', GENESIS, events[0].at, { actor: 'officer-001', action: 'step.0' }).hash).not.toBe(events[0].hash);
    expect(verifyChain([{ ...events[0], alg: undefined }, ...events.slice(1)], head).intact).toBe(false);
  });
});

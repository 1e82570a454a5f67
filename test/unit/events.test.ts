import { describe, expect, it } from 'vitest';
import { eventsOf, licenseAnnouncement, numberEvents, outboxOf, signWebhook, verifyWebhook, wants } from '../../shared/domain/events.ts';
import type { ApplicationRecord } from '../../shared/domain/application.ts';
import { maskActor } from '../../shared/domain/identity.ts';

/** The events of a change (SPEC rule 15), derived in one pure place. */
const app = (over: Partial<ApplicationRecord> = {}): ApplicationRecord =>
  ({
    applicationId: 'app_1',
    applicationNo: '64010020260601000001',
    itemCode: 'pharmacist-registration',
    status: 'submitted',
    flow: 'instant',
    applicant: { kind: 'person', idNumber: '64010419900101123X', name: '马晓明', phone: '13995000000' },
    delivery: { method: 'electronic' },
    audit: { seq: 1, hash: 'x' },
    ...over,
  }) as ApplicationRecord;

describe('eventsOf', () => {
  it('tells a submission, an instant acceptance as accepted and approved, a correction, a resumption, a completion by delivery', () => {
    expect(eventsOf(undefined, app(), { actor: 'x', action: 'submitted' }).map((e) => e.type)).toEqual(['application.submitted']);
    expect(eventsOf(app(), app({ status: 'approved', acceptedAt: 't' }), { actor: 'o', action: 'acceptance.accept' }).map((e) => e.type)).toEqual(['application.accepted', 'application.approved']);
    expect(eventsOf(app({ status: 'correcting' }), app(), { actor: 'a', action: 'corrected' }).map((e) => e.type)).toEqual(['application.corrected']);
    expect(eventsOf(app({ status: 'suspended' }), app({ status: 'accepted' }), { actor: 'o', action: 'resumed' }).map((e) => e.type)).toEqual(['application.resumed']);
    expect(eventsOf(app({ status: 'issued' }), app({ status: 'completed', delivery: { method: 'electronic', status: 'delivered' } }), { actor: 's', action: 'delivery.electronic' }).map((e) => e.type)).toEqual([
      'application.delivered',
      'application.completed',
    ]);
  });

  it('tells a deadline recomputation, a flow failure and a return by their action, and any other change as application.updated', () => {
    expect(eventsOf(app(), app(), { actor: 's', action: 'deadline.recomputed' }).map((e) => e.type)).toEqual(['application.deadline-recomputed']);
    expect(eventsOf(app(), app({ flowError: { error: 'E', cause: '', at: 't' } }), { actor: 's', action: 'flow.failed' }).map((e) => e.type)).toEqual(['application.flow-failed']);
    expect(eventsOf(app({ status: 'delivering' }), app({ status: 'issued' }), { actor: 'ems', action: 'delivery.ems.returned' }).map((e) => e.type)).toEqual(['application.returned']);
    expect(eventsOf(app(), app(), { actor: 's', action: 'license.numbered' })).toEqual([{ type: 'application.updated', data: expect.objectContaining({ action: 'license.numbered' }) }]);
  });

  it('numbers events on from the application, masks the applicant, and keeps the full identity apart for the outbox', () => {
    const after = app({ status: 'accepted', eventSeq: 3 });
    const [e] = numberEvents(after, 3, '2026-06-01T02:00:00.000Z', eventsOf(app(), after, { actor: '64010419900101123X', action: 'x' }));
    expect(e).toMatchObject({ seq: 4, status: 'accepted', data: { actor: '640104********123X', applicant: { kind: 'person', id: '640104********123X', name: '马**' } } });
    expect(JSON.stringify(e)).not.toContain('64010419900101123X');
    const [entry, callback] = outboxOf(after, [e], 2, { kind: 'success', taskToken: 't', output: {} });
    expect(entry.identity).toEqual({ id: '64010419900101123X', name: '马晓明' });
    expect(callback.callback).toEqual({ kind: 'success', taskToken: 't', output: {} });
  });

  it('masks an applicant actor whatever its credit code begins with, as the audit trail does, and leaves officers and the system alone', () => {
    const actorOf = (actor: string) => eventsOf(app(), app(), { actor, action: 'corrected' })[0].data.actor;
    // Credit codes of a 民办非企业单位 (Y1…), a 农民专业合作社 (N2…), a 律师事务所 (A1…), and a company (91…).
    for (const [code, masked] of [
      ['Y1640100MA76XY812P', 'Y16401********812P'],
      ['N2640100MA76XY812W', 'N26401********812W'],
      ['A1640100MA76XY812C', 'A16401********812C'],
      ['91640100MA76XY812D', '916401********812D'],
      ['64010419900101123X', '640104********123X'],
    ]) {
      expect(actorOf(code)).toBe(masked);
      expect(maskActor(code)).toBe(masked);
    }
    for (const actor of ['officer-001', 'system', 'admin-001', 'ems', '123456789012345']) expect(actorOf(actor)).toBe(actor);
  });

  it('masks a license holder in a license event', () => {
    const a = licenseAnnouncement('license.issued', { holder: '马晓明', holderCode: '64010419900101123X', holderCodeType: '111', number: 'N' });
    expect(a.data.license).toMatchObject({ holder: '马**', holderCode: '640104********123X', number: 'N' });
  });
});

describe('webhook signatures and subscriptions', () => {
  it('signs timestamp.body with HMAC-SHA256 and refuses a changed body, another secret or an old timestamp', () => {
    const now = new Date('2026-06-01T02:00:00Z');
    const ts = String(now.getTime() / 1000);
    const sig = signWebhook('s3cret-s3cret', ts, '{"a":1}');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook('s3cret-s3cret', ts, '{"a":1}', sig, now)).toBe(true);
    expect(verifyWebhook('s3cret-s3cret', ts, '{"a":2}', sig, now)).toBe(false);
    expect(verifyWebhook('other-secret', ts, '{"a":1}', sig, now)).toBe(false);
    expect(verifyWebhook('s3cret-s3cret', ts, '{"a":1}', sig, new Date(now.getTime() + 301_000))).toBe(false);
  });

  it('matches types, families and everything', () => {
    expect(wants(['*'], 'license.issued')).toBe(true);
    expect(wants(['license.*'], 'license.revoked')).toBe(true);
    expect(wants(['license.*'], 'application.completed')).toBe(false);
    expect(wants(['application.completed'], 'application.completed')).toBe(true);
  });
});

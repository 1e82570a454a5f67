import { describe, expect, it } from 'vitest';
import { callerOf, maskIds, parseBody, parseJson, pathParam, problem, type ApiEvent } from '#shared/http/api.ts';
import { canonicalJson } from '#shared/domain/canonical.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { SubmitRequest } from '#shared/contract.ts';
import { cachedFetch } from '#shared/cached.ts';
import { checkEmsSignature, isNewer } from '#shared/usecases/delivery.ts';

/** The findings of issue 14 that a single module shows: each would have failed before the fix. */

const eventWith = (over: Partial<ApiEvent> & { claims?: Record<string, unknown> }): ApiEvent =>
  ({
    headers: {},
    isBase64Encoded: false,
    ...over,
    requestContext: { http: { method: 'POST' }, ...(over.claims ? { authorizer: { jwt: { claims: over.claims } } } : {}) },
  }) as unknown as ApiEvent;

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return { status: e.statusCode, code: e.code, errors: e.errors };
    throw e;
  }
  throw new Error('not refused');
};

describe('path parameters', () => {
  it('a malformed percent-encoding is a 400, not a URIError', () => {
    expect(refusal(() => pathParam(eventWith({ pathParameters: { applicationId: '%E0%A4%A' } }), 'applicationId'))).toMatchObject({ status: 400, code: 'request.path-invalid' });
  });
  it('a parameter over 128 characters or with characters no id has is 404 before any store call', () => {
    expect(refusal(() => pathParam(eventWith({ pathParameters: { licenseNo: 'A'.repeat(2049) } }), 'licenseNo'))).toMatchObject({ status: 404, code: 'request.path-not-found' });
    expect(refusal(() => pathParam(eventWith({ pathParameters: { licenseNo: '%3Cscript%3E' } }), 'licenseNo'))).toMatchObject({ status: 404 });
    expect(refusal(() => pathParam(eventWith({ pathParameters: {} }), 'licenseNo'))).toMatchObject({ status: 404 });
  });
  it('ids, license numbers, 证照标识, ID numbers and years pass decoded', () => {
    for (const v of ['app_5d1c0e8b2a7f43e9b6c4d210', 'ZYYS-640100-2026-000001-6', '1.2.156.3005.2.11100000MB0143028X001.640100.2026000001.001.J', '64010419900101123X', '2026']) {
      expect(pathParam(eventWith({ pathParameters: { p: encodeURIComponent(v) } }), 'p')).toBe(v);
    }
  });
});

describe('JSON bodies', () => {
  it('a form nested 20,000 levels deep is a 400 before anything walks it (canonicalJson would overflow)', () => {
    const deep = `{"itemCode":"x","form":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    expect(() => canonicalJson(JSON.parse(deep))).toThrow(RangeError);
    expect(refusal(() => parseJson(deep))).toMatchObject({ status: 400, code: 'request.too-deep' });
  });
  it('100,000 keys are a 400 with a short answer, not a 9.7 MB error list', () => {
    const wide = JSON.stringify({ form: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) });
    expect(refusal(() => parseJson(wide))).toMatchObject({ status: 400, code: 'request.too-many-values' });
  });
  it('brackets and commas inside strings do not count', () => {
    expect(parseJson(JSON.stringify({ text: '['.repeat(100) + ','.repeat(20_000) + '\\"[' }))).toMatchObject({ text: expect.any(String) });
  });
  it('form values must be scalars before anything is hashed', () => {
    const body = { itemCode: 'x', applicant: {}, form: { a: { nested: true }, b: [1], c: 'ok', d: 1, e: true, f: null }, materials: [], delivery: { method: 'pickup' } };
    const r = refusal(() => parseBody(eventWith({ body: JSON.stringify(body) }), SubmitRequest));
    expect(r.status).toBe(422);
    expect(r.errors!.map((e) => e.path)).toEqual(expect.arrayContaining(['form.a', 'form.b']));
    expect(r.errors!.map((e) => e.path)).not.toContain('form.c');
  });
});

describe('problem lists', () => {
  it('list the first 50 problems and say how many there were; paths and messages are cut', () => {
    const errors = Array.from({ length: 9000 }, (_, i) => ({ path: `form.${'k'.repeat(1000)}${i}`, code: 'request.invalid_type', message: 'x'.repeat(5000) }));
    const r = problem(422, 'request.invalid', '请求内容不符合要求', errors);
    const body = JSON.parse(r.body as string);
    expect(body.errors).toHaveLength(50);
    expect(body).toMatchObject({ errorCount: 9000, errorsTruncated: true });
    expect((r.body as string).length).toBeLessThan(64 * 1024);
  });
  it('a short list stays as it is, without the count', () => {
    const body = JSON.parse(problem(422, 'request.invalid', '请求内容不符合要求', [{ path: 'a', code: 'c', message: 'm' }]).body as string);
    expect(body.errors).toHaveLength(1);
    expect(body.errorCount).toBeUndefined();
  });
});

describe('log masking', () => {
  it('masks ID numbers whatever their case, credit codes and mobile numbers', () => {
    const line = maskIds('id 64010419900101123x, ID 64010419900101123X, code 91640100MA76XY812D, phone 13995001234, tel 0951-5012345, app app_5d1c0e8b2a7f43e9b6c4d210 at 2026-06-01T02:00:00Z');
    for (const secret of ['64010419900101123x', '64010419900101123X', '91640100MA76XY812D', '13995001234', '0951-5012345']) expect(line).not.toContain(secret);
    expect(line).toContain('0951-****2345');
    expect(line).toContain('2026-06-01T02:00:00Z');
    expect(line).toContain('640104********123x');
    expect(line).toContain('139****1234');
    expect(line).toContain('app_5d1c0e8b2a7f43e9b6c4d210');
  });
});

describe('token claims', () => {
  const good = { sub: '64010419900101123X', role: 'applicant', exp: '4102444800', scope: 'openid oneseal' };
  it('a token with the scope and an expiry passes', () => {
    expect(callerOf(eventWith({ claims: good }), 'applicant')).toEqual({ sub: good.sub, role: 'applicant' });
  });
  it('the scope may come as scp, or as the list API Gateway passes on', () => {
    const { scope: _scope, ...noScope } = good;
    expect(callerOf(eventWith({ claims: { ...noScope, scp: '[openid oneseal]' } }), 'applicant').sub).toBe(good.sub);
  });
  it('a token without exp is refused', () => {
    const { exp: _exp, ...noExp } = good;
    expect(refusal(() => callerOf(eventWith({ claims: noExp }), 'applicant'))).toMatchObject({ status: 401 });
  });
  it('a token without the API scope is refused (AUTH_SCOPE, default oneseal)', () => {
    expect(refusal(() => callerOf(eventWith({ claims: { ...good, scope: 'openid' } }), 'applicant'))).toMatchObject({ status: 401 });
    expect(refusal(() => callerOf(eventWith({ claims: { ...good, scope: 'oneseal-admin' } }), 'applicant'))).toMatchObject({ status: 401 });
    const { scope: _scope, ...noScope } = good;
    expect(refusal(() => callerOf(eventWith({ claims: noScope }), 'applicant'))).toMatchObject({ status: 401 });
  });
  it('an officer token naming an internal queue (@delivery) is refused', () => {
    expect(refusal(() => callerOf(eventWith({ claims: { ...good, sub: 'o1', role: 'officer', dept: '@delivery', rank: 'clerk' } }), 'officer'))).toMatchObject({ status: 401 });
  });
});

describe('fail closed', () => {
  it('a failed fetch is not cached: the next call fetches again', async () => {
    let calls = 0;
    const get = cachedFetch(async () => {
      calls++;
      if (calls === 1) throw new Error('Secrets Manager unavailable');
      return 'secret';
    }, 300_000);
    await expect(get()).rejects.toThrow('unavailable');
    await expect(get()).resolves.toBe('secret');
    await expect(get()).resolves.toBe('secret');
    expect(calls).toBe(2);
  });
  it('a value is fetched again once its time is up', async () => {
    let t = 0;
    let calls = 0;
    const get = cachedFetch(async () => ++calls, 1000, () => t);
    await get();
    t = 999;
    await get();
    t = 1001;
    await get();
    expect(calls).toBe(2);
  });
  it('with no EMS secret configured, every webhook call is refused', () => {
    expect(refusal(() => checkEmsSignature([], String(Math.floor(Date.now() / 1000)), `sha256=${'0'.repeat(64)}`, '{}', new Date()))).toMatchObject({ status: 503, code: 'ems.not-configured' });
  });
  it('EMS events are ordered by (occurredAt, eventId): an event of the same second is taken', () => {
    const last = { lastEventAt: '2026-06-01T10:00:00+08:00', lastEventId: 'evt-2' };
    expect(isNewer({ occurredAt: '2026-06-01T02:00:00Z', eventId: 'evt-3' }, last)).toBe(true);
    expect(isNewer({ occurredAt: '2026-06-01T02:00:00Z', eventId: 'evt-1' }, last)).toBe(false);
    expect(isNewer({ occurredAt: '2026-06-01T01:59:59Z', eventId: 'evt-9' }, last)).toBe(false);
    expect(isNewer({ occurredAt: '2026-06-01T02:00:01Z', eventId: 'evt-0' }, last)).toBe(true);
    expect(isNewer({ occurredAt: '2026-06-01T02:00:00Z', eventId: 'evt-0' }, { lastEventAt: '2026-06-01T02:00:00Z' })).toBe(true);
  });
});

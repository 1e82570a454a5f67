import { describe, expect, it } from 'vitest';
import { openApiDocument } from '#shared/http/openapi.ts';
import { TAGS } from '#shared/http/operations.ts';
import { ContractValidator } from '../support/contract.ts';

/** The OpenAPI document as the provincial platform reads it, and the e2e tests' check against it. */
const doc = openApiDocument('https://oneseal.yinchuan.gov.cn') as unknown as {
  paths: Record<string, Record<string, { summary: string; description: string; tags: string[]; responses: Record<string, { content?: Record<string, { schema: unknown; examples?: Record<string, { value: unknown }> }> }> }>>;
};
const validator = new ContractValidator(doc);
const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
const sample = (template: string) => template.replace(/\{\w+\}/g, 'x1');

describe('the OpenAPI document', () => {
  it('gives every operation a summary, a description, its users and a success response with a named schema', () => {
    const tags = new Set<string>(TAGS.map((t) => t.name));
    for (const { method, path, op } of operations) {
      const where = `${method} ${path}`;
      expect(op.summary, where).toMatch(/\p{Script=Han}.*（.*[A-Za-z].*）/u);
      expect(op.description.length, where).toBeGreaterThan(10);
      expect(op.tags.length, where).toBeGreaterThan(0);
      for (const tag of op.tags) expect(tags.has(tag), `${where}: ${tag}`).toBe(true);
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect(success, where).toHaveLength(1);
      expect(success[0][1].content?.['application/json']?.schema, where).toMatchObject({ $ref: expect.stringMatching(/^#\/components\/schemas\/\w+$/) });
    }
  });

  it('has examples of the main journeys, each as the API answers it, without a field the document does not name', () => {
    const examples = operations.flatMap(({ method, path, op }) =>
      Object.entries(op.responses).flatMap(([status, r]) => Object.values(r.content?.['application/json']?.examples ?? {}).map((e) => ({ method, path, status: Number(status), value: e.value }))),
    );
    expect(examples.map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(['POST /v1/applications', 'POST /v1/tasks/{taskId}/complete', 'GET /v1/licenses/{licenseNo}/verify']));
    for (const e of examples) expect(validator.check(e.method, sample(e.path), e.status, 'application/json', e.value)).toEqual([]);
  });
});

describe('the check of responses against the document', () => {
  const application = doc.paths['/v1/applications'].post.responses['201'].content!['application/json'].examples!.submitted.value as Record<string, unknown>;
  const problem = { type: 'https://oneseal.gov.cn/problems/application.not-found', title: '办件不存在', status: 404, detail: '办件不存在', code: 'application.not-found' };

  it('maps a path to its template, the most literal first', () => {
    expect(validator.template('/v1/licenses/ZYYS-640100-2026-000001-6/verify')).toBe('/v1/licenses/{licenseNo}/verify');
    expect(validator.template('/v1/licenses/ZYYS-640100-2026-000001-6')).toBe('/v1/licenses/{licenseNo}');
    expect(validator.template('/v1/applications')).toBe('/v1/applications');
  });

  it('accepts a documented response, and the router’s problem for a path or method the API does not have', () => {
    expect(validator.check('GET', '/v1/applications/app_1?x=1', 200, 'application/json; charset=utf-8', application)).toEqual([]);
    expect(validator.check('GET', '/v1/applications/app_1', 404, 'application/problem+json; charset=utf-8', problem)).toEqual([]);
    expect(validator.check('GET', '/v1/nowhere', 404, 'application/problem+json', { ...problem, code: 'route.not-found' })).toEqual([]);
    expect(validator.check('PATCH', '/v1/applications', 405, 'application/problem+json', { ...problem, status: 405 })).toEqual([]);
    expect(validator.check('GET', '/v1/applications', 401, 'application/json', { message: 'Unauthorized' })).toEqual([]);
    expect(validator.check('POST', '/dev/clock', 200, 'application/json', {})).toEqual([]);
  });

  it('refuses an undocumented status, content type or field, a missing field and a value outside its enum', () => {
    expect(validator.check('GET', '/v1/applications/app_1', 418, 'application/problem+json', problem).join()).toContain('answered 418, which the document does not list');
    expect(validator.check('GET', '/v1/applications/app_1', 200, 'text/html', '<html>').join()).toContain('as text/html, which the document does not list');
    expect(validator.check('GET', '/v1/applications/app_1', 200, 'application/json', { ...application, surprise: 1 }).join()).toContain('must NOT have additional properties: surprise');
    expect(validator.check('GET', '/v1/applications/app_1', 200, 'application/json', { ...application, flow: 'paused' }).join()).toContain('/flow must be equal to one of the allowed values');
    const { light: _light, ...withoutLight } = application;
    expect(validator.check('GET', '/v1/applications/app_1', 200, 'application/json', withoutLight).join()).toContain("must have required property 'light'");
    expect(validator.check('GET', '/v1/nowhere', 200, 'application/json', {}).join()).toContain('is not in the OpenAPI document');
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime, type Runtime } from '../../local/runtime.ts';
import { contractOf } from './contract.ts';

/**
 * The embedded platform for integration and e2e tests, and a small client that drives it over
 * HTTP as the provincial platform and the officers' window system would.
 */
export const PERSON_ID = '64010419900101123X';
export const OTHER_PERSON_ID = '640102199208150015';
export const ENTERPRISE_CODE = '91640100MA76XY812D';

/** A minimal but well-formed PDF: the intake recognises formats by their bytes. */
export const pdfBytes = (text = 'oneseal test material') =>
  Buffer.from(`%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\n% ${text}\ntrailer<< /Root 1 0 R >>\n%%EOF\n`);

export interface Platform {
  runtime: Runtime;
  url: string;
  close(): Promise<void>;
}

/**
 * Tests run on a fixed day of 2026 (Monday 1 June, 10:00 in Beijing), so that their deadlines
 * never depend on the day they run, nor reach a year whose holidays are not yet published.
 */
export const TEST_NOW = '2026-06-01T02:00:00Z';

export async function startPlatform(dataDir = mkdtempSync(join(tmpdir(), 'oneseal-test-')), log?: (line: string) => void): Promise<Platform> {
  const runtime = await startRuntime({ dataDir, log });
  await new Client(runtime.url).post('/dev/clock', { now: TEST_NOW });
  return {
    runtime,
    url: runtime.url,
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class Client {
  constructor(
    readonly url: string,
    readonly token?: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    // Every response of the API must be what its OpenAPI document says (test/support/contract.ts).
    const mismatches = path.startsWith('/v1/') ? (await contractOf(this.url)).check(method, path, res.status, res.headers.get('content-type'), parsed) : [];
    if (mismatches.length) throw new Error(`the response does not match the OpenAPI document:\n  ${mismatches.join('\n  ')}\n${text.slice(0, 2000)}`);
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.request<T>('POST', path, body ?? {}, headers);
}

export async function tokenFor(url: string, claims: { sub: string; role: string; dept?: string; rank?: string }): Promise<string> {
  const r = await new Client(url).post('/dev/token', claims);
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

export async function as(url: string, claims: { sub: string; role: string; dept?: string; rank?: string }) {
  return new Client(url, await tokenFor(url, claims));
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Declares and uploads one material; returns its upload id. */
export async function upload(client: Client, bytes: Buffer, fileName = 'material.pdf', contentType = 'application/pdf', declared: { size?: number; sha256?: string } = {}) {
  const r = await client.post('/v1/uploads', { fileName, contentType, size: declared.size ?? bytes.length, sha256: declared.sha256 ?? sha256(bytes) });
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${JSON.stringify(r.body)}`);
  const put = await fetch(r.body.url, { method: 'PUT', headers: r.body.headers, body: bytes });
  if (!put.ok) throw new Error(`PUT to the presigned URL: ${put.status}`);
  return r.body.uploadId as string;
}

export async function uploadAll(client: Client, codes: string[]) {
  return Promise.all(codes.map(async (materialCode) => ({ materialCode, uploadId: await upload(client, pdfBytes(materialCode), `${materialCode}.pdf`) })));
}

export const PHARMACIST_MATERIALS = ['application-form', 'qualification-certificate', 'employer-license'];
export const PHARMACY_MATERIALS = ['application-form', 'business-license', 'pharmacist-certificate', 'premises-plan', 'quality-manual'];

export const pharmacistBody = (materials: { materialCode: string; uploadId: string }[], idNumber = PERSON_ID) => ({
  itemCode: 'pharmacist-registration',
  applicant: { kind: 'person', idNumber, name: '马晓燕', phone: '13995000000' },
  form: { certificateNo: 'ZY20240012345', category: '药学', scope: '药品经营', employer: '宁夏众康大药房连锁有限公司' },
  materials,
  delivery: { method: 'electronic' },
});

export const pharmacyBody = (materials: { materialCode: string; uploadId: string }[]) => ({
  itemCode: 'pharmacy-retail-license',
  applicant: { kind: 'enterprise', creditCode: ENTERPRISE_CODE, name: '宁夏众康大药房连锁有限公司', phone: '09515012345' },
  form: { businessAddress: '银川市兴庆区解放西街88号', businessScope: '处方药、非处方药、中药饮片', legalRepresentative: '王建国', qualityManager: '马晓燕', pharmacistCount: 2 },
  materials,
  delivery: { method: 'electronic' },
});

let keys = 0;
export const newKey = () => `test-${process.pid}-${Date.now()}-${keys++}`;

/** Polls until the application reaches a status (the flow moves asynchronously). */
export async function waitForStatus(client: Client, applicationId: string, status: string, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  let last: Reply | undefined;
  while (Date.now() < until) {
    last = await client.get(`/v1/applications/${applicationId}`);
    if (last.body?.status === status) return last.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`application ${applicationId} did not reach ${status}; last: ${JSON.stringify(last?.body?.status)} ${JSON.stringify(last?.body?.flowError ?? '')}`);
}

/** Polls the officer's inbox until the application's task for a step shows up. */
export async function waitForTask(officer: Client, applicationId: string, step: string, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await officer.get('/v1/tasks?status=open');
    const task = r.body.tasks?.find((t: any) => t.applicationId === applicationId && t.step === step);
    if (task) return task;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no open ${step} task for ${applicationId}`);
}

export const officers = {
  clerk: { sub: 'officer-001', role: 'officer', dept: 'drug', rank: 'clerk' },
  chief: { sub: 'chief-001', role: 'officer', dept: 'drug', rank: 'chief' },
  director: { sub: 'director-001', role: 'officer', dept: 'drug', rank: 'director' },
  otherDept: { sub: 'officer-101', role: 'officer', dept: 'construction', rank: 'clerk' },
};

/** Sample values that satisfy every form field of the demo catalogue. */
const SAMPLE_VALUES: Record<string, unknown> = {
  plateNumber: '宁A12345',
  travelFrom: '2026-12-01',
  travelTo: '2026-12-15',
  openingDate: '2027-01-01',
  certificateNo: 'ZY20240012345',
};

/** A valid submission for any item of the demo catalogue, from its published definition. */
export async function bodyFor(client: Client, itemCode: string, applicant: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const item = (await new Client(client.url).get(`/v1/catalog/items/${itemCode}`)).body;
  const form: Record<string, unknown> = {};
  for (const f of item.form) {
    form[f.field] = SAMPLE_VALUES[f.field] ?? (f.type === 'integer' ? 3 : f.type === 'enum' ? f.options[0] : f.type === 'date' ? '2026-12-01' : f.type === 'boolean' ? true : `${f.label}示例`);
  }
  const materials = await uploadAll(client, item.materials.filter((m: { required: boolean }) => m.required).map((m: { code: string }) => m.code));
  return { itemCode, applicant, form, materials, delivery: { method: 'electronic' }, ...extra };
}

export const enterpriseApplicant = { kind: 'enterprise', creditCode: ENTERPRISE_CODE, name: '宁夏众康大药房连锁有限公司', phone: '09515012345' };

/** Completes the application's open task of a step in the officer's inbox. */
export async function complete(officer: Client, applicationId: string, step: string, outcome: Record<string, unknown>) {
  const task = await waitForTask(officer, applicationId, step);
  const r = await officer.post(`/v1/tasks/${task.taskId}/complete`, outcome);
  if (r.status !== 200) throw new Error(`complete ${step}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Submits a pharmacy retail license application as the demo enterprise; answers its applicant and id. */
export async function submitPharmacy(url: string) {
  const applicant = await as(url, { sub: ENTERPRISE_CODE, role: 'applicant' });
  const r = await applicant.post('/v1/applications', pharmacyBody(await uploadAll(applicant, PHARMACY_MATERIALS)), { 'Idempotency-Key': newKey() });
  if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
  return { applicant, id: r.body.applicationId as string };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { wiring } from '#shared/wiring.ts';
import { ConflictError, type LicenseRecord } from '#shared/ports.ts';
import { startPlatform, type Platform } from '../support/platform.ts';

/** The sealed licenses' table in DynamoDB itself: a batch stored together, never twice, never under another's identifier. */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.close();
});

/** `n` sealed licenses of one batch, numbered from `from` (the fields the table keeps, not a real seal). */
function batch(n: number, from = 1): LicenseRecord[] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: n }, (_, i) => ({
    licenseNo: `TEST-${run}-${String(from + i).padStart(6, '0')}`,
    identifier: `1.2.156.3005.2.TEST.${run}.${String(from + i).padStart(10, '0')}.001.X`,
    applicationId: `app-${run}`,
    holderId: '91640100MA76XY812D',
    data: { licenseNo: `TEST-${run}-${from + i}` } as unknown as LicenseRecord['data'],
    pdfKey: `licenses/TEST-${run}-${from + i}.pdf`,
    pdfSha256: 'a'.repeat(64),
    signature: { algorithm: 'SM2_SM3', keyId: 'local:test', digest: 'b'.repeat(64), value: 'c2ln' },
    issuedAt: '2026-06-01T02:00:00.000Z',
    expiresAt: null,
  }));
}

describe('storing a batch of sealed licenses', () => {
  it('stores 60 licenses (two transactions), each found by its number and by its identifier', async () => {
    const { licenses } = wiring();
    const records = batch(60);

    await licenses.putAll(records);

    const found = await Promise.all(records.map((r) => licenses.get(r.licenseNo)));
    expect(found.map((r) => r?.licenseNo)).toEqual(records.map((r) => r.licenseNo));
    const byIdentifier = await Promise.all(records.map((r) => licenses.getByIdentifier(r.identifier!)));
    expect(byIdentifier.map((r) => r?.licenseNo)).toEqual(records.map((r) => r.licenseNo));
  });

  it('stores a batch again (a retried sealer) without error and without changing a record', async () => {
    const { licenses } = wiring();
    const records = batch(10);
    await licenses.putAll(records);

    await licenses.putAll(records.map((r) => ({ ...r, issuedAt: '2026-06-01T02:05:00.000Z' })));

    expect((await licenses.get(records[3].licenseNo))!.issuedAt).toBe('2026-06-01T02:00:00.000Z');
  });

  it('refuses a license under an identifier another license holds, and stores the rest of its batch', async () => {
    const { licenses } = wiring();
    const [holder] = batch(1);
    await licenses.putAll([holder]);
    const records = batch(5);
    records[2] = { ...records[2], identifier: holder.identifier };

    await expect(licenses.putAll(records)).rejects.toBeInstanceOf(ConflictError);

    expect(await licenses.get(records[2].licenseNo)).toBeUndefined();
    expect((await licenses.getByIdentifier(holder.identifier!))!.licenseNo).toBe(holder.licenseNo);
    for (const i of [0, 1, 3, 4]) expect((await licenses.get(records[i].licenseNo))?.licenseNo).toBe(records[i].licenseNo);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { sealLicenses } from '../../../shared/usecases/seal.ts';
import { completeTask } from '../../../shared/usecases/tasks.ts';
import { isWellFormedLicenseNumber, sealDigestInput } from '../../../shared/domain/license.ts';
import { sha256Hex } from '../../../shared/domain/canonical.ts';
import { fakeDeps, type FakeDeps } from '../../support/fakes.ts';
import { actions, drug, officer, openStep, stored, submit } from './scenario.ts';

/**
 * Sealing (SPEC rule 8): what is sealed, with which numbers, and what a retry does. Sealed on
 * Monday 1 June 2026 with a P-256 key in memory. The PDF renderer (hundreds of milliseconds per
 * license, tested in test/unit/seal.test.ts) is replaced by a one-line PDF naming the license.
 */
vi.mock('../../../shared/seal/pdf.ts', () => ({
  renderLicensePdf: async (data: { licenseNo: string; copy: { index: number } }) => Buffer.from(`%PDF-1.4\n% ${data.licenseNo} copy ${data.copy.index}\n%%EOF\n`),
}));

/** An instant pharmacist registration, approved by the window clerk: the flow's next step seals it. */
async function approvedPharmacist(deps: FakeDeps) {
  const id = await submit(deps, 'pharmacist-registration');
  await completeTask(deps, drug.clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'accept' });
  return id;
}

/** A batch of radiation worker certificates, approved by the health department's chief. */
async function approvedBatch(deps: FakeDeps, quantity: number) {
  const health = { clerk: officer('health', 'clerk'), chief: officer('health', 'chief') };
  const id = await submit(deps, 'radiation-worker-certificate', { quantity });
  await completeTask(deps, health.clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'accept' });
  await completeTask(deps, health.chief, (await openStep(deps, id, 'decision')).taskId, { outcome: 'approve', opinion: '准予核发' });
  return id;
}

/** How many times each license PDF is put (in a versioned bucket, each put is a version). */
function countPdfPuts(deps: FakeDeps) {
  const puts = new Map<string, number>();
  const put = deps.licenseFiles.put.bind(deps.licenseFiles);
  deps.licenseFiles.put = async (key, body, type) => {
    await put(key, body, type);
    if (key.endsWith('.pdf')) puts.set(key, (puts.get(key) ?? 0) + 1);
  };
  return puts;
}

describe('sealing the licenses of an application', () => {
  it('numbers, renders, signs and stores the license of an approved application, then marks it issued', async () => {
    // Prepare
    const deps = fakeDeps();
    const id = await approvedPharmacist(deps);

    // Act
    const { licenses } = await sealLicenses(deps, { applicationId: id });

    // Assess: the first ZYYS license of Yinchuan in 2026.
    expect(licenses).toHaveLength(1);
    const [licenseNo] = licenses;
    expect(licenseNo).toMatch(/^ZYYS-640100-2026-000001-[0-9A-Z]$/);
    expect(isWellFormedLicenseNumber(licenseNo)).toBe(true);
    const app = await stored(deps, id);
    expect(app.status).toBe('issued');
    expect(app.licenses).toEqual([{ licenseNo, identifier: expect.stringMatching(/^1\.2\.156\.3005\.2\./), sealedAt: '2026-06-01T02:00:00.000Z' }]);
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept', 'license.numbered', 'license.sealed']);
    expect((await deps.applications.audit(id)).at(-1)!.details).toEqual({ licenses: [licenseNo], identifiers: [app.licenses![0].identifier], seal: deps.signer.keyId, algorithm: 'ECDSA_P256_SHA256' });

    const record = (await deps.licenses.get(licenseNo))!;
    expect(record).toMatchObject({ applicationId: id, holderId: '64010419900101123X', pdfKey: `licenses/${licenseNo}.pdf`, issuedAt: '2026-06-01T02:00:00.000Z', expiresAt: '2031-05-31T15:59:59.999Z' });
    expect(record.data).toMatchObject({ licenseName: '执业药师注册证', issuer: '银川市行政审批服务局', verifyUrl: `https://zwfw.yinchuan.example/v1/licenses/${licenseNo}/verify`, copy: { index: 1, of: 1 } });
    expect(record.data.fields.map((f) => f.label)).toEqual(['职业资格证书编号', '执业类别', '执业范围', '执业单位']);
    const pdf = (await deps.licenseFiles.get(record.pdfKey))!;
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect(record.pdfSha256).toBe(sha256Hex(pdf));
    const message = Buffer.from(sealDigestInput(record.data, record.pdfSha256), 'utf8');
    expect(await deps.signer.verify(message, Buffer.from(record.signature.value, 'base64'))).toBe(true);
    expect(deps.licenseFiles.objects.has(`licenses/${licenseNo}.seal.json`)).toBe(true);
  });

  it('seals every license of a batch with consecutive numbers, each copy numbered in the batch', async () => {
    const deps = fakeDeps();
    const health = { clerk: officer('health', 'clerk'), chief: officer('health', 'chief') };
    const id = await submit(deps, 'radiation-worker-certificate', { quantity: 3 });
    await completeTask(deps, health.clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'accept' });
    await completeTask(deps, health.chief, (await openStep(deps, id, 'decision')).taskId, { outcome: 'approve', opinion: '准予核发' });

    const { licenses } = await sealLicenses(deps, { applicationId: id });

    expect(licenses.map((l) => l.split('-').slice(0, 4).join('-'))).toEqual(['FSGZ-640100-2026-000001', 'FSGZ-640100-2026-000002', 'FSGZ-640100-2026-000003']);
    const copies = await Promise.all(licenses.map(async (l) => (await deps.licenses.get(l))!.data.copy));
    expect(copies).toEqual([{ index: 1, of: 3 }, { index: 2, of: 3 }, { index: 3, of: 3 }]);
  });

  it('seals a filing straight from submission, and leaves it submitted until delivery', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'catering-filing');

    const { licenses } = await sealLicenses(deps, { applicationId: id });

    expect(licenses[0]).toMatch(/^SPBA-640100-2026-000001-/);
    expect((await deps.licenses.get(licenses[0]))!.expiresAt).toBeNull();
    expect((await stored(deps, id)).status).toBe('submitted');
    expect(await actions(deps, id)).toEqual(['submitted', 'license.numbered', 'license.sealed']);
  });

  it('refuses to seal what was not approved: a submitted, a denied application', async () => {
    const deps = fakeDeps();
    const submitted = await submit(deps, 'pharmacy-retail-license');
    const denied = await submit(deps, 'pharmacy-retail-license');
    await completeTask(deps, drug.clerk, (await openStep(deps, denied, 'acceptance')).taskId, { outcome: 'accept' });
    await completeTask(deps, drug.chief, (await openStep(deps, denied, 'decision')).taskId, { outcome: 'deny', reason: '不符合条件', legalBasis: '《药品管理法》第五十二条' });

    await expect(sealLicenses(deps, { applicationId: submitted })).rejects.toThrow(`application ${submitted} is submitted, not approved`);
    await expect(sealLicenses(deps, { applicationId: denied })).rejects.toThrow(`application ${denied} is denied, not approved`);
    expect(deps.licenses.items.size).toBe(0);
    expect(deps.counters.values.size).toBe(1); // the application numbers only
  });
});

describe('a retried seal step', () => {
  it('after success changes nothing: the same numbers, no new signature, no new event', async () => {
    const deps = fakeDeps();
    const id = await approvedPharmacist(deps);
    const first = await sealLicenses(deps, { applicationId: id });
    const before = { events: (await deps.applications.audit(id)).length, signed: deps.signer.signed.length, counters: [...deps.counters.values] };
    deps.clock.set('2026-06-01T02:05:00Z');

    const again = await sealLicenses(deps, { applicationId: id });

    expect(again).toEqual(first);
    expect((await deps.applications.audit(id)).length).toBe(before.events);
    expect(deps.signer.signed.length).toBe(before.signed);
    expect([...deps.counters.values]).toEqual(before.counters);
    expect((await deps.licenses.get(first.licenses[0]))!.issuedAt).toBe('2026-06-01T02:00:00.000Z');
  });

  it('after the records failed to store, stores the licenses it sealed: the same numbers, no second signature, no second PDF', async () => {
    // Prepare: a batch of two, sealed at 10:00; writing the records fails once.
    const deps = fakeDeps();
    const id = await approvedBatch(deps, 2);
    const pdfPuts = countPdfPuts(deps);
    vi.spyOn(deps.licenses, 'putAll').mockRejectedValueOnce(new Error('network'));
    await expect(sealLicenses(deps, { applicationId: id })).rejects.toThrow('network');
    const numbered = (await stored(deps, id)).licenses!.map((l) => l.licenseNo);
    expect(deps.licenses.items.size).toBe(0);
    deps.clock.set('2026-06-01T02:05:00Z');

    // Act: the flow retries the step.
    const { licenses } = await sealLicenses(deps, { applicationId: id });

    // Assess: each license was signed and its PDF stored once, and its record is the one signed at 10:00.
    expect(licenses).toEqual(numbered);
    expect(deps.counters.values.get('license#FSGZ#2026')).toBe(2);
    expect(deps.signer.signed).toHaveLength(2);
    expect(Object.fromEntries(pdfPuts)).toEqual(Object.fromEntries(numbered.map((l) => [`licenses/${l}.pdf`, 1])));
    for (const licenseNo of numbered) {
      const record = (await deps.licenses.get(licenseNo))!;
      expect(record.issuedAt).toBe('2026-06-01T02:00:00.000Z');
      expect(record.pdfSha256).toBe(sha256Hex((await deps.licenseFiles.get(record.pdfKey))!));
      expect(await deps.signer.verify(Buffer.from(record.signature.signedData!, 'utf8'), Buffer.from(record.signature.value, 'base64'))).toBe(true);
    }
    expect((await stored(deps, id)).status).toBe('issued');
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept', 'decision.approve', 'license.numbered', 'license.sealed']);
  });

  it('after one PDF failed to store, seals that license again and keeps the others', async () => {
    // Prepare: a batch of three; the second copy's PDF cannot be stored the first time.
    const deps = fakeDeps();
    const id = await approvedBatch(deps, 3);
    const pdfPuts = countPdfPuts(deps);
    const put = deps.licenseFiles.put.bind(deps.licenseFiles);
    let failed = false;
    vi.spyOn(deps.licenseFiles, 'put').mockImplementation(async (key, body, type) => {
      if (!failed && /-000002-.\.pdf$/.test(key)) {
        failed = true;
        throw new Error('network');
      }
      return put(key, body, type);
    });
    await expect(sealLicenses(deps, { applicationId: id })).rejects.toThrow('network');
    const numbered = (await stored(deps, id)).licenses!.map((l) => l.licenseNo);
    expect([...deps.licenses.items.keys()].sort()).toEqual([numbered[0], numbered[2]]);

    // Act
    const { licenses } = await sealLicenses(deps, { applicationId: id });

    // Assess: the first and third sealed once, the second once more (its first signature was never stored); each PDF stored once.
    expect(licenses).toEqual(numbered);
    expect(deps.signer.signed).toHaveLength(4);
    expect(Object.fromEntries(pdfPuts)).toEqual(Object.fromEntries(numbered.map((l) => [`licenses/${l}.pdf`, 1])));
    expect(deps.licenses.items.size).toBe(3);
    expect((await stored(deps, id)).status).toBe('issued');
  });

  it('after success on a filing appends no second license.sealed event', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'catering-filing');
    await sealLicenses(deps, { applicationId: id });

    await sealLicenses(deps, { applicationId: id });

    expect(await actions(deps, id)).toEqual(['submitted', 'license.numbered', 'license.sealed']);
  });
});

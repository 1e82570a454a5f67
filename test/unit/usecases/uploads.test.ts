import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUpload, MAX_OPEN_UPLOADS } from '../../../shared/usecases/uploads.ts';
import { checkMaterials } from '../../../shared/usecases/materials.ts';
import { findItem } from '../../../shared/domain/catalog.ts';
import { fakeDeps, MemoryObjectStore } from '../../support/fakes.ts';
import { applicantOf, PERSON_ID, pdf, refusal } from './scenario.ts';

/** Upload slots and intake's reading of them (issue 14: uploads bound to their content). */

const MB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const declare = (over: Record<string, unknown> = {}) => ({ fileName: 'a.pdf', contentType: 'application/pdf', size: 100, sha256: 'a'.repeat(64), ...over });

/** A materials bucket that is versioned, and says how far each read went. */
class VersionedStore extends MemoryObjectStore {
  readonly limits: number[] = [];
  override async digest(key: string, limit: number) {
    this.limits.push(limit);
    const d = await super.digest(key, limit);
    return d && { ...d, versionId: `v-${key}` };
  }
}

describe('upload slots', () => {
  it('are signed for the declared SHA-256 and refuse a second PUT', async () => {
    const deps = fakeDeps();
    const slot = await createUpload(deps, applicantOf(PERSON_ID), declare());
    expect(slot.headers).toMatchObject({ 'if-none-match': '*', 'x-amz-checksum-sha256': Buffer.from('a'.repeat(64), 'hex').toString('base64') });
  });

  it('are held to their material: its formats (422) and its size limit (413); without one, to the catalogue', async () => {
    const deps = fakeDeps();
    const me = applicantOf(PERSON_ID);
    const form = { itemCode: 'pharmacist-registration', materialCode: 'application-form' };
    expect(await refusal(createUpload(deps, me, declare({ ...form, size: 10 * MB + 1 })))).toMatchObject({ status: 413, code: 'upload.too-large' });
    expect(await refusal(createUpload(deps, me, declare({ ...form, contentType: 'image/png' })))).toMatchObject({ status: 422, code: 'upload.content-type' });
    expect(await refusal(createUpload(deps, me, declare({ itemCode: 'pharmacist-registration', materialCode: 'nonsense' })))).toMatchObject({ status: 422, code: 'upload.material-unknown' });
    expect(await refusal(createUpload(deps, me, declare({ size: 50 * MB + 1 })))).toMatchObject({ status: 413 });
    expect(await refusal(createUpload(deps, me, declare({ contentType: 'text/html' })))).toMatchObject({ status: 422 });
    await createUpload(deps, me, declare({ ...form, size: 10 * MB }));
  });

  it(`are at most ${MAX_OPEN_UPLOADS} open per applicant; taken or expired ones do not count`, async () => {
    const deps = fakeDeps();
    const me = applicantOf(PERSON_ID);
    const ids = [];
    for (let i = 0; i < MAX_OPEN_UPLOADS; i++) ids.push((await createUpload(deps, me, declare())).uploadId);
    expect(await refusal(createUpload(deps, me, declare()))).toMatchObject({ status: 429, code: 'upload.too-many-open' });
    await createUpload(deps, applicantOf('640102199208150015'), declare());
    // One taken by an application: a slot is free again.
    const taken = deps.uploads.items.get(ids[0])!;
    delete taken.openBy;
    taken.usedBy = 'app_x';
    await createUpload(deps, me, declare());
    expect(await refusal(createUpload(deps, me, declare()))).toMatchObject({ status: 429 });
    // A week later they have all expired.
    deps.clock.advance(8 * 86400_000);
    await createUpload(deps, me, declare());
  });

  it(`stay at most ${MAX_OPEN_UPLOADS} open when 80 requests race`, async () => {
    const deps = fakeDeps();
    const me = applicantOf(PERSON_ID);
    const answers = await Promise.allSettled(Array.from({ length: 80 }, () => createUpload(deps, me, declare())));
    const created = answers.filter((a) => a.status === 'fulfilled').length;
    expect(created).toBeLessThanOrEqual(MAX_OPEN_UPLOADS);
    expect([...deps.uploads.items.values()].filter((u) => u.openBy === PERSON_ID).length).toBe(created);
    for (const a of answers) if (a.status === 'rejected') expect(a.reason).toMatchObject({ statusCode: 429, code: 'upload.too-many-open' });
  });
});

describe('intake reading the materials', () => {
  it('reads each file no further than its declared size and limit, records the version it checked, and checks the declared type against the bytes', async () => {
    const materials = new VersionedStore('materials');
    const deps = fakeDeps({ materials });
    const me = applicantOf(PERSON_ID);
    const item = findItem(deps.catalog, 'pharmacist-registration')!;
    const slot = async (bytes: Buffer, contentType: string, materialCode: string) => {
      const { uploadId } = await createUpload(deps, me, declare({ size: bytes.length, sha256: sha(bytes), contentType }));
      await materials.put((await deps.uploads.get(uploadId))!.key, bytes, contentType);
      return { materialCode, uploadId };
    };
    const form = pdf('form');
    const refs = [await slot(form, 'application/pdf', 'application-form'), await slot(pdf('certificate'), 'image/jpeg', 'qualification-certificate')];
    const { problems, stored } = await checkMaterials(deps, me, item, refs, 'app_1');
    expect(materials.limits).toEqual(expect.arrayContaining([form.length]));
    expect(Math.max(...materials.limits)).toBeLessThanOrEqual(10 * MB);
    expect(stored).toEqual([expect.objectContaining({ materialCode: 'application-form', versionId: expect.stringMatching(/^v-materials\//) })]);
    expect(problems).toEqual([expect.objectContaining({ path: 'materials.1', code: 'material.content-type' })]);
  });
});

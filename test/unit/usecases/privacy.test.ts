import { describe, expect, it, vi } from 'vitest';
import { sealLicenses } from '../../../shared/usecases/seal.ts';
import { completeTask } from '../../../shared/usecases/tasks.ts';
import { readAudit } from '../../../shared/usecases/audit.ts';
import { getApplication, getLicense, getLicenseSeal } from '../../../shared/usecases/queries.ts';
import { chainEvent, headOf } from '../../../shared/domain/audit.ts';
import { fakeDeps, type FakeDeps } from '../../support/fakes.ts';
import { applicantOf, drug, officer, openStep, PERSON_ID, refusal, submit } from './scenario.ts';

/**
 * Privacy (issue 14): the audit trail masks the applicant for everyone but the owner, exactly as
 * the application view does; a license PDF, which prints the holder's full ID number, is for the
 * holder and the issuing department's officers only.
 */
vi.mock('../../../shared/seal/pdf.ts', () => ({
  renderLicensePdf: async (data: { licenseNo: string }) => Buffer.from(`%PDF-1.4\n% ${data.licenseNo}\n%%EOF\n`),
}));

const supervisor = { sub: 'supervisor-001', role: 'supervisor' as const };

async function issued(deps: FakeDeps) {
  const id = await submit(deps, 'pharmacist-registration');
  await completeTask(deps, drug.clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'accept' });
  const { licenses } = await sealLicenses(deps, { applicationId: id });
  return { id, licenseNo: licenses[0] };
}

describe('the audit trail as officers and supervisors read it', () => {
  it('shows no full ID number and no recipient name, as the application view does, and the chain still checks', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacist-registration');
    // A delivered parcel names the person who signed for it.
    const app = (await deps.applications.get(id))!;
    const delivered = chainEvent(id, app.audit, '2026-06-02T02:00:00.000Z', { actor: 'ems', action: 'delivery.ems.delivered', details: { signedBy: '马晓燕' } });
    await deps.applications.commit({ next: { ...app, audit: headOf(delivered) }, expectedSeq: app.audit.seq, events: [delivered] });

    for (const reader of [supervisor, drug.clerk]) {
      const trail = await readAudit(deps, reader, id);
      const text = JSON.stringify(trail);
      expect(text).not.toContain(PERSON_ID);
      expect(text).not.toContain('马晓燕');
      expect(trail.events[0].actor).toBe('640104********123X');
      expect(trail.events[1].details).toEqual({ signedBy: '马**' });
      expect(trail.intact).toBe(true);
      // The application view masks the same way.
      const view = await getApplication(deps, reader, id);
      expect(view.timeline[0].actor).toBe(trail.events[0].actor);
    }
    // The applicant reads its own application in full (and has no audit endpoint).
    expect((await getApplication(deps, applicantOf(PERSON_ID), id)).timeline[0].actor).toBe(PERSON_ID);
    expect(await refusal(readAudit(deps, applicantOf(PERSON_ID), id))).toMatchObject({ status: 404 });
  });
});

describe('who may download a license PDF', () => {
  it('the holder and the issuing department’s officers get a download URL; a supervisor does not', async () => {
    const deps = fakeDeps();
    const { licenseNo } = await issued(deps);
    expect((await getLicense(deps, applicantOf(PERSON_ID), licenseNo)).download?.url).toBeTruthy();
    expect((await getLicense(deps, drug.clerk, licenseNo)).download?.url).toBeTruthy();
    const seen = await getLicense(deps, supervisor, licenseNo);
    expect(seen.download).toBeUndefined();
    expect(seen.holder.subjectId).toBe('640104********123X');
    expect(await refusal(getLicense(deps, officer('transport', 'clerk'), licenseNo))).toMatchObject({ status: 403 });
  });

  it('what the seal signed names the holder in full, so it goes where the PDF goes: not to a supervisor', async () => {
    const deps = fakeDeps();
    const { licenseNo } = await issued(deps);
    expect((await getLicenseSeal(deps, applicantOf(PERSON_ID), licenseNo)).signedData).toContain(PERSON_ID);
    expect((await getLicenseSeal(deps, drug.clerk, licenseNo)).signedData).toContain(PERSON_ID);
    expect(await refusal(getLicenseSeal(deps, supervisor, licenseNo))).toMatchObject({ status: 403, code: 'license.seal-not-for-supervisors' });
  });
});

import { describe, expect, it } from 'vitest';
import { correctApplication } from '../../../shared/usecases/corrections.ts';
import { completeTask } from '../../../shared/usecases/tasks.ts';
import { APPLICANT_INBOX } from '../../../shared/domain/task.ts';
import { fakeDeps, type FakeDeps } from '../../support/fakes.ts';
import { actions, applicantOf, drug, ENTERPRISE_CODE, openStep, OTHER, PERSON_ID, pdf, refusal, stored, submit, uploadMaterial } from './scenario.ts';

/**
 * The applicant's one correction (补正, SPEC rule 4) and deferred materials supplied after
 * acceptance (容缺), through correctApplication with fake ports. Submitted Monday 1 June 2026.
 */
const company = applicantOf(ENTERPRISE_CODE);

/** A pharmacy application the clerk sent back for a correction; the flow waits at its correction step. */
async function correcting(deps: FakeDeps) {
  const id = await submit(deps, 'pharmacy-retail-license');
  await completeTask(deps, drug.clerk, (await openStep(deps, id, 'acceptance')).taskId, {
    outcome: 'correction',
    items: [
      { materialCode: 'premises-plan', reason: '平面图未标注仓库面积' },
      { field: 'pharmacistCount', reason: '执业药师人数应至少为1' },
    ],
  });
  const task = await openStep(deps, id, 'correction');
  return { id, task };
}

describe('a correction', () => {
  it('is the applicant’s step: in no officer’s inbox and not supervised', async () => {
    const deps = fakeDeps();

    const { task } = await correcting(deps);

    expect(task).toMatchObject({ step: 'correction', dept: APPLICANT_INBOX, status: 'open' });
    expect(task.watch).toBeUndefined();
    expect(task.watchAt).toBeUndefined();
  });

  it('completes the correction step, receives the application anew (the acceptance clock restarts) and lets the flow return to acceptance', async () => {
    // Prepare: the correction arrives on Thursday 4 June.
    const deps = fakeDeps();
    const { id, task } = await correcting(deps);
    deps.clock.set('2026-06-04T01:00:00Z');
    const plan = await uploadMaterial(deps, ENTERPRISE_CODE, pdf('premises plan with areas'));

    // Act
    const view = await correctApplication(deps, company, id, { materials: [{ materialCode: 'premises-plan', uploadId: plan }], form: { pharmacistCount: 2 } });

    // Assess
    expect(view.status).toBe('submitted');
    const app = await stored(deps, id);
    expect(app.receivedAt).toBe('2026-06-04T01:00:00.000Z');
    expect(app.corrections!.resolvedAt).toBe('2026-06-04T01:00:00.000Z');
    expect(app.form.pharmacistCount).toBe(2);
    expect(app.materials.find((m) => m.materialCode === 'premises-plan')!.uploadId).toBe(plan);
    expect(app.materials.map((m) => m.materialCode)).toEqual(['application-form', 'business-license', 'pharmacist-certificate', 'premises-plan', 'quality-manual']);
    expect(await deps.tasks.get(task.taskId)).toMatchObject({ status: 'completed', completedBy: ENTERPRISE_CODE, outcome: { outcome: 'corrected' } });
    expect((await deps.uploads.get(plan))!.usedBy).toBe(id);
    expect(deps.workflow.successes(task.taskToken).map((c) => c.output)).toEqual([{ outcome: 'corrected' }]);
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.correction', 'corrected']);
    // Acceptance is due 5 working days after the correction: 5, 8, 9, 10, 11 June.
    const acceptance = await openStep(deps, id, 'acceptance');
    expect(acceptance.dueAt).toBe('2026-06-11T15:59:59.999Z');
  });

  it('tells every problem of the corrected application at once, and changes nothing', async () => {
    const deps = fakeDeps();
    const { id, task } = await correcting(deps);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const manual = await uploadMaterial(deps, ENTERPRISE_CODE, png); // PNG where only PDF/OFD are allowed

    const refused = await refusal(correctApplication(deps, company, id, { materials: [{ materialCode: 'quality-manual', uploadId: manual }], form: { pharmacistCount: -1, legalRepresentative: '', colour: 'red' } }));

    expect(refused.status).toBe(422);
    expect(refused.code).toBe('correction.invalid');
    expect(refused.errors!.map((e) => `${e.path} ${e.code}`).sort()).toEqual(
      ['materials.0 material.format', 'form.pharmacistCount form.type', 'form.legalRepresentative form.required', 'form.colour form.unknown-field'].sort(),
    );
    expect((await stored(deps, id)).status).toBe('correcting');
    expect((await deps.tasks.get(task.taskId))!.status).toBe('open');
    expect((await deps.uploads.get(manual))!.usedBy).toBeUndefined();
    expect(deps.workflow.successes()).toHaveLength(1); // the acceptance outcome only
  });

  it('is refused with 409 before the correction step is open, and when nothing is to be corrected', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    await completeTask(deps, drug.clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'correction', items: [{ field: 'pharmacistCount', reason: '人数有误' }] });
    expect(await refusal(correctApplication(deps, company, id, { materials: [], form: { pharmacistCount: 2 } }))).toMatchObject({ status: 409, code: 'correction.not-ready' });

    const fresh = await submit(deps, 'pharmacy-retail-license');
    expect(await refusal(correctApplication(deps, company, fresh, { materials: [] }))).toMatchObject({ status: 409, code: 'application.not-correcting' });
  });

  it('is anyone else’s to make: 404 for another applicant', async () => {
    const deps = fakeDeps();
    const { id } = await correcting(deps);

    expect(await refusal(correctApplication(deps, applicantOf(OTHER), id, { materials: [], form: { pharmacistCount: 2 } }))).toMatchObject({ status: 404, code: 'application.not-found' });
  });
});

describe('deferred materials (容缺)', () => {
  async function acceptedWithDeferred(deps: FakeDeps) {
    const id = await submit(deps, 'pharmacy-retail-license');
    await completeTask(deps, drug.clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'accept-deferred', deferred: ['premises-plan'] });
    return id;
  }

  it('joins the application when supplied, leaves the list and marks it supplied; the application stays accepted', async () => {
    const deps = fakeDeps();
    const id = await acceptedWithDeferred(deps);
    deps.clock.set('2026-06-03T03:00:00Z');
    const plan = await uploadMaterial(deps, ENTERPRISE_CODE, pdf('final premises plan'));

    const view = await correctApplication(deps, company, id, { materials: [{ materialCode: 'premises-plan', uploadId: plan }] });

    expect(view.status).toBe('accepted');
    const app = await stored(deps, id);
    expect(app.deferred).toEqual({ materialCodes: [], dueAt: '2026-06-08T15:59:59.999Z', suppliedAt: '2026-06-03T03:00:00.000Z' });
    expect(app.materials.find((m) => m.materialCode === 'premises-plan')!.uploadId).toBe(plan);
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept-deferred', 'deferred.supplied']);
    expect(deps.workflow.successes()).toHaveLength(1); // no flow step waits for it
  });

  it('refuses a material that was not deferred, and a form change', async () => {
    const deps = fakeDeps();
    const id = await acceptedWithDeferred(deps);
    const manual = await uploadMaterial(deps, ENTERPRISE_CODE);

    const refused = await refusal(correctApplication(deps, company, id, { materials: [{ materialCode: 'quality-manual', uploadId: manual }], form: { pharmacistCount: 5 } }));

    expect(refused).toMatchObject({ status: 422, code: 'deferred.invalid' });
    expect(refused.errors!.map((e) => e.code).sort()).toEqual(['deferred.form', 'deferred.not-deferred']);
    expect((await stored(deps, id)).deferred!.materialCodes).toEqual(['premises-plan']);
  });

  it('refuses an upload another application already took', async () => {
    const deps = fakeDeps();
    const id = await acceptedWithDeferred(deps);
    const other = await submit(deps, 'pharmacy-retail-license');
    const taken = (await stored(deps, other)).materials.find((m) => m.materialCode === 'premises-plan')!.uploadId;

    const refused = await refusal(correctApplication(deps, company, id, { materials: [{ materialCode: 'premises-plan', uploadId: taken }] }));

    expect(refused).toMatchObject({ status: 422, errors: [{ path: 'materials.0', code: 'material.upload-used' }] });
  });
});

describe('deferred materials of an instant item (即办件)', () => {
  it('takes the deferred material after the instant approval, before its due time', async () => {
    const deps = fakeDeps();
    const person = applicantOf(PERSON_ID);
    const id = await submit(deps, 'pharmacist-registration');
    await completeTask(deps, drug.clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'accept-deferred', deferred: ['employer-license'] });
    expect(await stored(deps, id)).toMatchObject({ status: 'approved', deferred: { materialCodes: ['employer-license'], dueAt: '2026-06-08T15:59:59.999Z' } });
    deps.clock.set('2026-06-03T02:00:00Z');
    const license = await uploadMaterial(deps, PERSON_ID, pdf('employer license'));

    const view = await correctApplication(deps, person, id, { materials: [{ materialCode: 'employer-license', uploadId: license }] });

    expect(view.deferred).toEqual({ materialCodes: [], dueAt: '2026-06-08T15:59:59.999Z', suppliedAt: '2026-06-03T02:00:00.000Z' });
  });
});

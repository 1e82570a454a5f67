import { describe, expect, it, vi } from 'vitest';
import { completeTask, listTasks, openTask } from '../../../shared/usecases/tasks.ts';
import { REMEDIES_NOTICE } from '../../../shared/domain/application.ts';
import { ConflictError } from '../../../shared/ports.ts';
import { fakeDeps } from '../../support/fakes.ts';
import { actions, drug, officer, openStep, refusal, stored, submit } from './scenario.ts';

/**
 * Acceptance and the officer steps (SPEC rules 4, 6, 7), through completeTask with fake ports.
 * Every test runs on Monday 1 June 2026, 10:00 in Beijing (02:00Z). Working days of June 2026:
 * 1–5, 8–12, 15–18, 22–26, 29–30 (端午: 19–21 June off). A limit of N working days ends at the
 * end of the Nth working day after the start day (15:59:59.999Z).
 */

describe('opening an acceptance task', () => {
  it('puts it in the window clerk’s inbox, due 5 working days after receipt, watched from the day it turns yellow', async () => {
    // Prepare
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');

    // Act
    const { taskId } = await openTask(deps, { taskToken: 'token-1', applicationId: id, step: 'acceptance' });

    // Assess: due Monday 8 June (2, 3, 4, 5, 8); yellow from Friday 5 June (one working day left).
    const task = await deps.tasks.get(taskId);
    expect(task).toMatchObject({ step: 'acceptance', dept: 'drug', rank: 'clerk', status: 'open', dueAt: '2026-06-08T15:59:59.999Z', dueCalendar: 'official', watch: 'open', watchAt: '2026-06-04T16:00:00.000Z' });
    const inbox = await listTasks(deps, drug.clerk);
    expect(inbox.map((t) => [t.taskId, t.light])).toEqual([[taskId, 'green']]);
    expect(await listTasks(deps, drug.chief)).toEqual([]);
  });

  it('opens one task for a token given twice (a retried flow step)', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');

    const first = await openTask(deps, { taskToken: 'same-token', applicationId: id, step: 'acceptance' });
    const again = await openTask(deps, { taskToken: 'same-token', applicationId: id, step: 'acceptance' });

    expect(again.taskId).toBe(first.taskId);
    expect(deps.tasks.all()).toHaveLength(1);
  });
});

describe('completing an acceptance task', () => {
  it('accepts: the decision is due within the promised (10) and legal (20) working days from today, and the flow gets the outcome', async () => {
    // Prepare
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');

    // Act
    const result = await completeTask(deps, drug.clerk, task.taskId, { outcome: 'accept', opinion: '材料齐全，予以受理' });

    // Assess
    expect(result).toMatchObject({ status: 'completed', application: { applicationId: id, status: 'accepted' } });
    const app = await stored(deps, id);
    expect(app.status).toBe('accepted');
    expect(app.acceptedAt).toBe('2026-06-01T02:00:00.000Z');
    // Promised: 2–5, 8–12, 15 June → 15 June. Legal: then 16, 17, 18, 22–26, 29, 30 → 30 June.
    expect(app.due).toEqual({ promisedAt: '2026-06-15T15:59:59.999Z', legalAt: '2026-06-30T15:59:59.999Z', calendar: 'official' });
    expect(await deps.tasks.get(task.taskId)).toMatchObject({ status: 'completed', completedBy: drug.clerk.sub, completedAt: '2026-06-01T02:00:00.000Z', outcome: { outcome: 'accept' } });
    expect(await listTasks(deps, drug.clerk)).toEqual([]);
    expect(deps.workflow.successes(task.taskToken).map((c) => c.output)).toEqual([{ outcome: 'accept', opinion: '材料齐全，予以受理' }]);
    const trail = await deps.applications.audit(id);
    expect(trail.map((e) => e.action)).toEqual(['submitted', 'acceptance.accept']);
    expect(trail[1]).toMatchObject({ actor: drug.clerk.sub, reason: '材料齐全，予以受理', details: { taskId: task.taskId, step: 'acceptance', dept: 'drug', rank: 'clerk' } });
  });

  it('accepts with deferred materials: the deferrable one is due in 5 working days', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');

    await completeTask(deps, drug.clerk, task.taskId, { outcome: 'accept-deferred', deferred: ['premises-plan'] });

    const app = await stored(deps, id);
    expect(app.status).toBe('accepted');
    expect(app.deferred).toEqual({ materialCodes: ['premises-plan'], dueAt: '2026-06-08T15:59:59.999Z' });
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept-deferred']);
  });

  it('refuses to defer a key material: 422 naming each one, and nothing changes', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');

    const refused = await refusal(completeTask(deps, drug.clerk, task.taskId, { outcome: 'accept-deferred', deferred: ['premises-plan', 'business-license', 'no-such-material'] }));

    expect(refused).toEqual({
      status: 422,
      code: 'task.invalid-outcome',
      name: 'DomainError',
      errors: [
        { path: 'deferred', code: 'material.not-deferrable' },
        { path: 'deferred', code: 'material.not-deferrable' },
      ],
    });
    expect((await stored(deps, id)).status).toBe('submitted');
    expect((await deps.tasks.get(task.taskId))!.status).toBe('open');
    expect(deps.workflow.successes()).toEqual([]);
  });

  it('asks for a correction listing every item at once; the clock does not start', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');
    const items = [
      { materialCode: 'premises-plan', reason: '平面图未标注仓库面积' },
      { field: 'pharmacistCount', reason: '执业药师人数与注册证数量不符' },
    ];

    await completeTask(deps, drug.clerk, task.taskId, { outcome: 'correction', items });

    const app = await stored(deps, id);
    expect(app.status).toBe('correcting');
    expect(app.corrections).toEqual({ items, requestedAt: '2026-06-01T02:00:00.000Z' });
    expect(app.acceptedAt).toBeUndefined();
    expect(app.due).toBeUndefined();
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.correction']);
  });

  it('refuses with the reason and legal basis, on the application and in its trail', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');
    const reason = '申请事项不属于本机关职权范围';
    const legalBasis = '《中华人民共和国行政许可法》第三十二条第一款第（二）项';

    await completeTask(deps, drug.clerk, task.taskId, { outcome: 'refuse', reason, legalBasis });

    const app = await stored(deps, id);
    expect(app.status).toBe('refused');
    expect(app.refusal).toEqual({ reason, legalBasis, by: drug.clerk.sub, at: '2026-06-01T02:00:00.000Z' });
    const [, event] = await deps.applications.audit(id);
    expect(event).toMatchObject({ action: 'acceptance.refuse', reason, legalBasis });
  });

  it('refuses an outcome that is not one of the step’s (422 request.invalid), and a refusal without legal basis', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');

    expect(await refusal(completeTask(deps, drug.clerk, task.taskId, { outcome: 'approve', opinion: '同意' }))).toMatchObject({ status: 422, code: 'request.invalid' });
    expect(await refusal(completeTask(deps, drug.clerk, task.taskId, { outcome: 'refuse', reason: '不符合条件' }))).toMatchObject({ status: 422, code: 'request.invalid', errors: [{ path: 'legalBasis', code: 'request.invalid_type' }] });
    expect((await deps.tasks.get(task.taskId))!.status).toBe('open');
  });

  it('answers 403 to an officer of another department or rank, and 404 for no such task', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');

    expect(await refusal(completeTask(deps, officer('construction', 'clerk'), task.taskId, { outcome: 'accept' }))).toMatchObject({ status: 403, code: 'task.not-yours' });
    expect(await refusal(completeTask(deps, drug.chief, task.taskId, { outcome: 'accept' }))).toMatchObject({ status: 403, code: 'task.not-yours' });
    expect(await refusal(completeTask(deps, drug.clerk, 'tsk_nothing', { outcome: 'accept' }))).toMatchObject({ status: 404, code: 'task.not-found' });
    expect((await stored(deps, id)).status).toBe('submitted');
  });

  it('answers 409 task.completed to a second completion, and moves the flow once', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');
    await completeTask(deps, drug.clerk, task.taskId, { outcome: 'accept' });

    const again = await refusal(completeTask(deps, drug.clerk, task.taskId, { outcome: 'refuse', reason: '重复', legalBasis: '无' }));

    expect(again).toMatchObject({ status: 409, code: 'task.completed' });
    expect((await stored(deps, id)).status).toBe('accepted');
    expect(deps.workflow.successes()).toHaveLength(1);
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept']);
  });

  it('applies the outcome to the application’s new state when another writer moved it on meanwhile', async () => {
    // Prepare: the first commit loses a race (a supervision event was appended in between).
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacy-retail-license');
    const task = await openStep(deps, id, 'acceptance');
    const commit = vi.spyOn(deps.applications, 'commit').mockRejectedValueOnce(new ConflictError('changed meanwhile', ['ConditionalCheckFailed']));

    // Act
    await completeTask(deps, drug.clerk, task.taskId, { outcome: 'accept' });

    // Assess: written once, on the second attempt
    expect(commit).toHaveBeenCalledTimes(2);
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept']);
    expect(deps.workflow.successes()).toHaveLength(1);
  });

  it('answers 409 task.flow-ended for a task of a failed flow, and for one its flow’s end cancelled', async () => {
    const deps = fakeDeps();
    const failedId = await submit(deps, 'pharmacy-retail-license');
    const failedTask = await openStep(deps, failedId, 'acceptance');
    // The flow failed but the task was not closed yet (the failure is being recorded).
    const app = await stored(deps, failedId);
    await deps.applications.commit({ next: { ...app, flowError: { error: 'States.Timeout', cause: '', at: '2026-06-01T02:00:00.000Z' } }, expectedSeq: app.audit.seq, events: [] });
    const withdrawnId = await submit(deps, 'pharmacy-retail-license');
    const cancelledTask = await openStep(deps, withdrawnId, 'acceptance');
    const other = await stored(deps, withdrawnId);
    await deps.applications.commit({ next: { ...other, status: 'withdrawn' }, expectedSeq: other.audit.seq, events: [], cancelTasks: [cancelledTask.taskId] });

    expect(await refusal(completeTask(deps, drug.clerk, failedTask.taskId, { outcome: 'accept' }))).toMatchObject({ status: 409, code: 'task.flow-ended' });
    expect(await refusal(completeTask(deps, drug.clerk, cancelledTask.taskId, { outcome: 'accept' }))).toMatchObject({ status: 409, code: 'task.flow-ended' });
    expect(deps.workflow.successes()).toEqual([]);
  });
});

describe('an instant item (即办件)', () => {
  it('is accepted and approved by the window in one step, the license due within 10 working days', async () => {
    const deps = fakeDeps();
    const id = await submit(deps, 'pharmacist-registration');
    const task = await openStep(deps, id, 'acceptance');

    await completeTask(deps, drug.clerk, task.taskId, { outcome: 'accept' });

    const app = await stored(deps, id);
    expect(app.status).toBe('approved');
    expect(app.decision).toEqual({ outcome: 'approve', opinion: '符合条件，准予许可', by: drug.clerk.sub, at: '2026-06-01T02:00:00.000Z' });
    // Promised limit 0: today. Legal 20: 30 June. Issue: 10 working days → 15 June.
    expect(app.due).toEqual({ promisedAt: '2026-06-01T15:59:59.999Z', legalAt: '2026-06-30T15:59:59.999Z', calendar: 'official', issueAt: '2026-06-15T15:59:59.999Z' });
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept']);
  });
});

describe('the decision', () => {
  /** A pharmacy application at its decision step (accepted, reviewed, inspected). */
  async function atDecision(itemCode = 'pharmacy-retail-license', clerk = drug.clerk) {
    const deps = fakeDeps();
    const id = await submit(deps, itemCode);
    await completeTask(deps, clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'accept' });
    await completeTask(deps, clerk, (await openStep(deps, id, 'review')).taskId, { outcome: 'pass' });
    const decision = await openStep(deps, id, 'decision');
    return { deps, id, decision };
  }

  it('is the chief representative’s for a pharmacy, due when the decision is; review leaves the application as it is', async () => {
    const { deps, id, decision } = await atDecision();

    expect(decision).toMatchObject({ dept: 'drug', rank: 'chief', dueAt: '2026-06-15T15:59:59.999Z' });
    expect((await stored(deps, id)).status).toBe('accepted');
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept', 'review.pass']);
  });

  it('approves with the opinion, the license due 10 working days after the decision', async () => {
    const { deps, id, decision } = await atDecision();
    deps.clock.set('2026-06-10T06:00:00Z'); // Wednesday 10 June

    await completeTask(deps, drug.chief, decision.taskId, { outcome: 'approve', opinion: '经审查符合条件，准予许可' });

    const app = await stored(deps, id);
    expect(app.status).toBe('approved');
    expect(app.decision).toEqual({ outcome: 'approve', opinion: '经审查符合条件，准予许可', by: drug.chief.sub, at: '2026-06-10T06:00:00.000Z' });
    // 11, 12, 15, 16, 17, 18, 22, 23, 24, 25 June
    expect(app.due).toMatchObject({ promisedAt: '2026-06-15T15:59:59.999Z', issueAt: '2026-06-25T15:59:59.999Z' });
  });

  it('denies with the reason, the legal basis and the notice of remedies (Art. 38)', async () => {
    const { deps, id, decision } = await atDecision();

    await completeTask(deps, drug.chief, decision.taskId, { outcome: 'deny', reason: '营业场所不符合要求', legalBasis: '《药品管理法》第五十二条' });

    const app = await stored(deps, id);
    expect(app.status).toBe('denied');
    expect(app.decision).toMatchObject({ outcome: 'deny', reason: '营业场所不符合要求', legalBasis: '《药品管理法》第五十二条', remedies: REMEDIES_NOTICE });
  });

  it('lets the chief representative escalate: the application waits for the deputy director', async () => {
    const { deps, id, decision } = await atDecision();

    await completeTask(deps, drug.chief, decision.taskId, { outcome: 'escalate', reason: '涉及跨区经营，提请副局长决定' });
    const escalated = await openStep(deps, id, 'escalated-decision');

    expect((await stored(deps, id)).status).toBe('accepted');
    expect(escalated).toMatchObject({ dept: 'drug', rank: 'director' });
    expect(await refusal(completeTask(deps, drug.chief, escalated.taskId, { outcome: 'approve', opinion: '同意' }))).toMatchObject({ status: 403 });
    // The deputy director decides; escalating again is not one of that step's outcomes.
    expect(await refusal(completeTask(deps, drug.director, escalated.taskId, { outcome: 'escalate', reason: '再报' }))).toMatchObject({ status: 422, code: 'request.invalid' });
    await completeTask(deps, drug.director, escalated.taskId, { outcome: 'approve', opinion: '同意' });
    expect((await stored(deps, id)).decision).toMatchObject({ outcome: 'approve', by: drug.director.sub });
  });

  it('refuses an escalation by a deputy director who decides the item himself (422 task.invalid-outcome)', async () => {
    // A pre-sale permit is decided by the deputy director of construction.
    const construction = { clerk: officer('construction', 'clerk'), director: officer('construction', 'director') };
    const { deps, id, decision } = await atDecision('presale-permit', construction.clerk);
    expect(decision).toMatchObject({ dept: 'construction', rank: 'director' });

    const refused = await refusal(completeTask(deps, construction.director, decision.taskId, { outcome: 'escalate', reason: '提请局务会' }));

    expect(refused).toMatchObject({ status: 422, code: 'task.invalid-outcome' });
    expect((await deps.tasks.get(decision.taskId))!.status).toBe('open');
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept', 'review.pass']);
  });

  it('answers 409 application.suspended while the clock is stopped', async () => {
    const { deps, id, decision } = await atDecision();
    const app = await stored(deps, id);
    await deps.applications.commit({ next: { ...app, status: 'suspended', clockPaused: true, suspension: { kind: 'hearing', reason: '听证', since: '2026-06-01T02:00:00.000Z' } }, expectedSeq: app.audit.seq, events: [] });

    expect(await refusal(completeTask(deps, drug.chief, decision.taskId, { outcome: 'approve', opinion: '同意' }))).toMatchObject({ status: 409, code: 'application.suspended' });
    expect((await deps.tasks.get(decision.taskId))!.status).toBe('open');
  });
});

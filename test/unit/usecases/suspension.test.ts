import { describe, expect, it } from 'vitest';
import { extendApplication, resumeApplication, suspendApplication } from '../../../shared/usecases/suspension.ts';
import { completeTask } from '../../../shared/usecases/tasks.ts';
import { runSupervisionScan } from '../../../shared/usecases/supervision.ts';
import { fakeDeps, type FakeDeps } from '../../support/fakes.ts';
import { accepted, actions, drug, officer, openStep, refusal, stored, submit } from './scenario.ts';

/**
 * The clock of an accepted application (SPEC rule 5): suspension (中止) stops it and the paused
 * working days are added to its due times; an extension (延期) by the deputy director adds 10
 * working days (15 for a joint review), once. Accepted Monday 1 June 2026: promised 15 June,
 * legal 30 June (working days of June: 1–5, 8–12, 15–18, 22–26, 29, 30; July: 1–3, 6–10, 13–17, 20–24).
 */

/** A pharmacy application accepted on 1 June, waiting at review. */
async function atReview(deps: FakeDeps) {
  const id = await accepted(deps, 'pharmacy-retail-license');
  const review = await openStep(deps, id, 'review');
  return { id, review };
}

describe('suspension (中止)', () => {
  it('stops the clock: the application is suspended, its open steps leave the scan and are never lit', async () => {
    // Prepare
    const deps = fakeDeps();
    const { id, review } = await atReview(deps);
    expect(review).toMatchObject({ dueAt: '2026-06-15T15:59:59.999Z', watch: 'open', watchAt: '2026-06-10T16:00:00.000Z' });
    deps.clock.set('2026-06-03T02:00:00Z'); // Wednesday

    // Act
    const view = await suspendApplication(deps, drug.chief, id, { kind: 'expert-review', reason: '组织专家对仓储条件进行评审' });

    // Assess
    expect(view).toMatchObject({ status: 'suspended', clockPaused: true, suspension: { kind: 'expert-review', reason: '组织专家对仓储条件进行评审', since: '2026-06-03T02:00:00.000Z' } });
    const task = (await deps.tasks.get(review.taskId))!;
    expect(task.dueAt).toBe('2026-06-15T15:59:59.999Z');
    expect(task.watch).toBeUndefined();
    expect(task.watchAt).toBeUndefined();
    // Far past both limits, the scan does not see it.
    deps.clock.set('2026-07-20T02:00:00Z');
    expect(await runSupervisionScan(deps)).toMatchObject({ read: 0, red: 0, casesOpened: 0 });
    expect(await deps.tasks.listLit('red')).toEqual([]);
    const [event] = (await deps.applications.audit(id)).slice(-1);
    expect(event).toMatchObject({ action: 'suspended', actor: drug.chief.sub, reason: '组织专家对仓储条件进行评审', details: { kind: 'expert-review' } });
  });

  it('resumes: the due times move by exactly the working days paused, and the steps are watched again', async () => {
    // Prepare: suspended Wednesday 3 June, resumed Wednesday 10 June: 4, 5, 8, 9, 10 June paused (5).
    const deps = fakeDeps();
    const { id, review } = await atReview(deps);
    deps.clock.set('2026-06-03T02:00:00Z');
    await suspendApplication(deps, drug.chief, id, { kind: 'hearing', reason: '举行听证' });
    deps.clock.set('2026-06-10T02:00:00Z');

    // Act
    const view = await resumeApplication(deps, drug.director, id);

    // Assess: promised 15 June + 5 → 23 June (16, 17, 18, 22, 23); legal 30 June + 5 → 7 July (1, 2, 3, 6, 7).
    expect(view).toMatchObject({ status: 'accepted', clockPaused: false });
    expect(view.due).toEqual({ promisedAt: '2026-06-23T15:59:59.999Z', legalAt: '2026-07-07T15:59:59.999Z', calendar: 'official' });
    const app = await stored(deps, id);
    expect(app.suspension).toBeUndefined();
    expect(app.suspensions).toEqual([{ kind: 'hearing', reason: '举行听证', since: '2026-06-03T02:00:00.000Z', until: '2026-06-10T02:00:00.000Z', workingDays: 5 }]);
    // The step is due when the decision is, and turns yellow on 17 June (80 % of 15 working days used).
    expect(await deps.tasks.get(review.taskId)).toMatchObject({ dueAt: '2026-06-23T15:59:59.999Z', watch: 'open', watchAt: '2026-06-16T16:00:00.000Z' });
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept', 'suspended', 'resumed']);
    expect((await deps.applications.audit(id)).at(-1)!.details).toMatchObject({ pausedWorkingDays: 5 });
    // The step can be completed again.
    await completeTask(deps, drug.clerk, review.taskId, { outcome: 'pass' });
  });

  it('counts no working day for a suspension over a weekend and a holiday: Friday 19 June (端午) to Sunday 21 June', async () => {
    const deps = fakeDeps();
    const { id } = await atReview(deps);
    deps.clock.set('2026-06-18T09:00:00Z'); // Thursday 18 June, 17:00 in Beijing
    await suspendApplication(deps, drug.chief, id, { kind: 'testing', reason: '抽样检验' });
    deps.clock.set('2026-06-21T02:00:00Z');

    const view = await resumeApplication(deps, drug.chief, id);

    expect(view.due).toMatchObject({ promisedAt: '2026-06-15T15:59:59.999Z', legalAt: '2026-06-30T15:59:59.999Z' });
    expect((await stored(deps, id)).suspensions![0].workingDays).toBe(0);
  });

  it('is for the chief representative or the deputy director of the department: 403 for a clerk, 404 for another department', async () => {
    const deps = fakeDeps();
    const { id } = await atReview(deps);

    expect(await refusal(suspendApplication(deps, drug.clerk, id, { kind: 'hearing', reason: '听证' }))).toMatchObject({ status: 403, code: 'auth.rank' });
    expect(await refusal(suspendApplication(deps, officer('construction', 'chief'), id, { kind: 'hearing', reason: '听证' }))).toMatchObject({ status: 404, code: 'application.not-found' });
    expect((await stored(deps, id)).status).toBe('accepted');
  });

  it('is only for an accepted application (409), and resuming only for a suspended one (409)', async () => {
    const deps = fakeDeps();
    const submitted = await submit(deps, 'pharmacy-retail-license');
    const { id } = await atReview(deps);

    expect(await refusal(suspendApplication(deps, drug.chief, submitted, { kind: 'hearing', reason: '听证' }))).toMatchObject({ status: 409, code: 'application.not-running' });
    expect(await refusal(resumeApplication(deps, drug.chief, id))).toMatchObject({ status: 409, code: 'application.not-suspended' });
    await suspendApplication(deps, drug.chief, id, { kind: 'hearing', reason: '听证' });
    expect(await refusal(suspendApplication(deps, drug.chief, id, { kind: 'hearing', reason: '再次听证' }))).toMatchObject({ status: 409, code: 'application.not-running' });
  });
});

describe('extension (延期)', () => {
  it('adds 10 working days to the due times, with the deputy director’s reason, once', async () => {
    // Prepare
    const deps = fakeDeps();
    const { id, review } = await atReview(deps);
    deps.clock.set('2026-06-12T02:00:00Z');

    // Act
    const view = await extendApplication(deps, drug.director, id, '需补充现场核查，经副局长批准延长十个工作日');

    // Assess: legal 30 June + 10 → 14 July (1–3, 6–10, 13, 14); promised 15 June + 10 → 30 June (16–18, 22–26, 29, 30).
    expect(view.due).toEqual({ promisedAt: '2026-06-30T15:59:59.999Z', legalAt: '2026-07-14T15:59:59.999Z', calendar: 'official' });
    expect((await stored(deps, id)).extension).toEqual({ days: 10, reason: '需补充现场核查，经副局长批准延长十个工作日', by: drug.director.sub, at: '2026-06-12T02:00:00.000Z' });
    expect(await deps.tasks.get(review.taskId)).toMatchObject({ dueAt: '2026-06-30T15:59:59.999Z', watch: 'open' });
    expect((await deps.applications.audit(id)).at(-1)).toMatchObject({ action: 'extended', reason: '需补充现场核查，经副局长批准延长十个工作日', details: { workingDays: 10 } });
    // Once only.
    expect(await refusal(extendApplication(deps, drug.director, id, '再次延期'))).toMatchObject({ status: 409, code: 'application.already-extended' });
  });

  it('needs the deputy director: 403 for a chief representative', async () => {
    const deps = fakeDeps();
    const { id } = await atReview(deps);

    expect(await refusal(extendApplication(deps, drug.chief, id, '情况复杂'))).toMatchObject({ status: 403, code: 'auth.rank' });
    expect((await stored(deps, id)).extension).toBeUndefined();
  });

  it('adds 15 working days for a joint review, and moves the parallel reviews of the other departments too', async () => {
    const deps = fakeDeps();
    const transport = { clerk: officer('transport', 'clerk'), director: officer('transport', 'director') };
    const id = await accepted(deps, 'oversize-transport-permit', transport.clerk);
    const highway = await openStep(deps, id, 'joint-review', 'highway');
    const before = (await stored(deps, id)).due!;
    // Joint: promised 15 → 23 June (2–5, 8–12, 15–18, 22, 23); legal 45 → 4 August (… 27–31 July: 43, 3 and 4 August).
    expect(before).toEqual({ promisedAt: '2026-06-23T15:59:59.999Z', legalAt: '2026-08-04T15:59:59.999Z', calendar: 'official' });

    const view = await extendApplication(deps, transport.director, id, '三部门并联审查需延长');

    // 23 June + 15: 24–26, 29, 30 June, 1–3, 6–10, 13, 14 July; 4 August + 15: 5–7, 10–14, 17–21, 24, 25 August.
    expect(view.due).toMatchObject({ promisedAt: '2026-07-14T15:59:59.999Z', legalAt: '2026-08-25T15:59:59.999Z' });
    expect(await deps.tasks.get(highway.taskId)).toMatchObject({ dept: 'highway', dueAt: '2026-07-14T15:59:59.999Z' });
  });

  it('during a suspension moves the due times and keeps the steps paused', async () => {
    const deps = fakeDeps();
    const { id, review } = await atReview(deps);
    await suspendApplication(deps, drug.chief, id, { kind: 'public-notice', reason: '公示' });

    await extendApplication(deps, drug.director, id, '公示期间延期');

    const task = (await deps.tasks.get(review.taskId))!;
    expect(task.dueAt).toBe('2026-06-30T15:59:59.999Z');
    expect(task.watch).toBeUndefined();
    expect((await stored(deps, id)).status).toBe('suspended');
  });
});

import { describe, expect, it } from 'vitest';
import { publishCalendarYear, recomputeApplication } from '../../../shared/usecases/calendar.ts';
import { completeTask } from '../../../shared/usecases/tasks.ts';
import { listLights, runSupervisionScan } from '../../../shared/usecases/supervision.ts';
import { statutoryHolidays, WorkingCalendar } from '../../../shared/domain/calendar.ts';
import { fakeDeps } from '../../support/fakes.ts';
import { accepted, actions, admin, drug, openStep, refusal, stored, submit } from './scenario.ts';

/**
 * Publishing a year's official schedule (SPEC rule 5) recounts every open deadline that reaches
 * it. 2027 is provisional in the shipped calendar (weekends and the statutory days: 1 January
 * off). The schedule published here gives Monday 4 January off as well and has Saturday 9
 * January worked, so that a limit ending between 4 and 8 January moves one working day later
 * and one ending after 9 January does not move.
 *
 * Working days from Monday 21 December 2026, provisional: 22–25, 28–31 December, 4, 5 January
 * (10), 6–8, 11–15, 18, 19 (20). Official: 22–25, 28–31, 5, 6 (10), 7, 8, 9, 11–15, 18, 19 (20).
 */
const SCHEDULE_2027 = {
  holidays: [...statutoryHolidays(2027).map((h) => h.date), '2027-01-02', '2027-01-03', '2027-01-04'],
  workdays: ['2027-01-09'],
  source: '国务院办公厅关于2027年部分节假日安排的通知（单元测试用）',
};

describe('publishing a year’s official schedule', () => {
  it('makes the year official and recounts each open deadline that reaches it, recording old and new due time', async () => {
    // Prepare: a pharmacy accepted on 21 December (at review), another submitted on 28 December (at acceptance).
    const deps = fakeDeps({ now: '2026-12-21T02:00:00Z' });
    const reviewing = await accepted(deps, 'pharmacy-retail-license');
    const review = await openStep(deps, reviewing, 'review');
    expect((await stored(deps, reviewing)).due).toEqual({ promisedAt: '2027-01-05T15:59:59.999Z', legalAt: '2027-01-19T15:59:59.999Z', calendar: 'provisional' });
    expect(review).toMatchObject({ dueAt: '2027-01-05T15:59:59.999Z', dueCalendar: 'provisional' });
    deps.clock.set('2026-12-28T02:00:00Z');
    const waiting = await submit(deps, 'pharmacy-retail-license');
    const acceptance = await openStep(deps, waiting, 'acceptance'); // 29, 30, 31 December, 4, 5 January
    expect(acceptance.dueAt).toBe('2027-01-05T15:59:59.999Z');

    // Act
    const result = await publishCalendarYear(deps, admin, 2027, SCHEDULE_2027);

    // Assess: two deadlines moved (the promised limit, the acceptance); the legal limit did not.
    expect(result).toMatchObject({ year: 2027, status: 'official', source: SCHEDULE_2027.source, workdays: ['2027-01-09'], recomputed: 2 });
    expect(result.holidays).toContain('2027-01-04');
    expect(result).not.toHaveProperty('warnings');
    expect(result).not.toHaveProperty('failed');
    expect(deps.calendar.yearStatus(2027)).toBe('official');

    expect((await stored(deps, reviewing)).due).toEqual({ promisedAt: '2027-01-06T15:59:59.999Z', legalAt: '2027-01-19T15:59:59.999Z', calendar: 'official' });
    // Yellow from 31 December: 8 of its 10 working days used.
    expect(await deps.tasks.get(review.taskId)).toMatchObject({ dueAt: '2027-01-06T15:59:59.999Z', dueCalendar: 'official', watch: 'open', watchAt: '2026-12-30T16:00:00.000Z' });
    expect((await deps.applications.audit(reviewing)).at(-1)).toMatchObject({
      action: 'deadline.recomputed',
      actor: admin.sub,
      details: { year: 2027, changes: [{ deadline: 'promisedAt', from: '2027-01-05T15:59:59.999Z', to: '2027-01-06T15:59:59.999Z' }] },
    });
    expect(await deps.tasks.get(acceptance.taskId)).toMatchObject({ dueAt: '2027-01-06T15:59:59.999Z', dueCalendar: 'official' });
    expect((await deps.applications.audit(waiting)).at(-1)!.details).toEqual({ year: 2027, changes: [{ deadline: 'acceptance', from: '2027-01-05T15:59:59.999Z', to: '2027-01-06T15:59:59.999Z' }] });

    const published = (await deps.calendars.get(2027))!;
    expect(published).toMatchObject({ year: 2027, workdays: ['2027-01-09'], publishedBy: admin.sub, publishedAt: '2026-12-28T02:00:00.000Z', audit: { seq: 1 } });
    expect((await deps.calendars.trail(2027)).map((e) => [e.action, e.reason])).toEqual([['calendar.published', SCHEDULE_2027.source]]);
  });

  it('recounts an application between two steps, with no task open, and its next step takes the new due time', async () => {
    // Prepare: accepted on 21 December; the acceptance task is done and the flow has not opened review yet.
    const deps = fakeDeps({ now: '2026-12-21T02:00:00Z' });
    const id = await accepted(deps, 'pharmacy-retail-license');
    expect(await deps.tasks.openForApplication(id)).toEqual([]);
    expect((await stored(deps, id)).due!.promisedAt).toBe('2027-01-05T15:59:59.999Z');

    // Act
    const result = await publishCalendarYear(deps, admin, 2027, SCHEDULE_2027);

    // Assess: the promised limit moved; the review, opened afterwards, is due then.
    expect(result.recomputed).toBe(1);
    expect((await stored(deps, id)).due).toMatchObject({ promisedAt: '2027-01-06T15:59:59.999Z', calendar: 'official' });
    expect((await deps.applications.audit(id)).at(-1)).toMatchObject({ action: 'deadline.recomputed', details: { changes: [{ deadline: 'promisedAt', from: '2027-01-05T15:59:59.999Z', to: '2027-01-06T15:59:59.999Z' }] } });
    expect(await openStep(deps, id, 'review')).toMatchObject({ dueAt: '2027-01-06T15:59:59.999Z', dueCalendar: 'official' });
  });

  it('leaves alone an application whose deadlines all end before the year', async () => {
    const deps = fakeDeps();
    const id = await accepted(deps, 'pharmacy-retail-license');
    await openStep(deps, id, 'review');

    const result = await publishCalendarYear(deps, admin, 2027, SCHEDULE_2027);

    expect(result.recomputed).toBe(0);
    expect(await actions(deps, id)).toEqual(['submitted', 'acceptance.accept']);
  });

  it('records a second publication of the year as republished, and moves nothing twice', async () => {
    const deps = fakeDeps({ now: '2026-12-21T02:00:00Z' });
    const id = await accepted(deps, 'pharmacy-retail-license');
    await openStep(deps, id, 'review');
    await publishCalendarYear(deps, admin, 2027, SCHEDULE_2027);

    const again = await publishCalendarYear(deps, admin, 2027, { ...SCHEDULE_2027, source: `${SCHEDULE_2027.source}（更正）` });

    expect(again.recomputed).toBe(0);
    expect((await deps.calendars.trail(2027)).map((e) => e.action)).toEqual(['calendar.published', 'calendar.republished']);
    expect((await actions(deps, id)).filter((a) => a === 'deadline.recomputed')).toHaveLength(1);
  });

  it('refuses a date outside the year and a weekday “worked”, storing nothing', async () => {
    const deps = fakeDeps();

    const outside = await refusal(publishCalendarYear(deps, admin, 2027, { ...SCHEDULE_2027, holidays: [...SCHEDULE_2027.holidays, '2026-12-31'] }));
    const weekday = await refusal(publishCalendarYear(deps, admin, 2027, { ...SCHEDULE_2027, workdays: ['2027-01-08'] }));

    expect(outside).toMatchObject({ status: 422, code: 'calendar.date-outside-year', errors: [{ path: `holidays.${SCHEDULE_2027.holidays.length}`, code: 'calendar.date-outside-year' }] });
    expect(weekday).toMatchObject({ status: 422, code: 'calendar.schedule-invalid' });
    expect(await deps.calendars.published()).toEqual([]);
    expect(deps.calendar.yearStatus(2027)).toBe('provisional');
  });

  it('warns of a statutory day the schedule does not give off, and publishes it as given', async () => {
    const deps = fakeDeps();

    const result = await publishCalendarYear(deps, admin, 2027, { ...SCHEDULE_2027, holidays: SCHEDULE_2027.holidays.filter((d) => d !== '2027-04-05') });

    expect(result.status).toBe('official');
    expect(result.warnings).toEqual([expect.stringContaining('2027-04-05（清明节）')]);
  });
});

describe('recomputing one application', () => {
  const before = new WorkingCalendar();
  const after = before.withSchedule({ year: 2027, ...SCHEDULE_2027 });

  it('moves the deferred materials’ due time and keeps a paused step paused', async () => {
    // Prepare: accepted on 28 December with a deferred material, then suspended at review.
    const deps = fakeDeps({ now: '2026-12-28T02:00:00Z' });
    const id = await submit(deps, 'pharmacy-retail-license');
    await completeTask(deps, drug.clerk, (await openStep(deps, id, 'acceptance')).taskId, { outcome: 'accept-deferred', deferred: ['premises-plan'] });
    const app = await stored(deps, id);
    const review = { ...(await openStep(deps, id, 'review')), watch: undefined, watchAt: undefined }; // paused
    // Deferred: 29–31 December, 4, 5 January. Promised: …, 4–8, 11, 12 January, and 12 January officially too (9 January worked).
    expect(app.deferred!.dueAt).toBe('2027-01-05T15:59:59.999Z');
    expect(app.due!.promisedAt).toBe('2027-01-12T15:59:59.999Z');

    // Act
    const { next, changes, retimeTasks } = recomputeApplication(before, after, { ...app, status: 'suspended', clockPaused: true }, [review], deps.lightRule);

    // Assess
    expect(changes).toEqual([{ deadline: 'deferredMaterials', from: '2027-01-05T15:59:59.999Z', to: '2027-01-06T15:59:59.999Z' }]);
    expect(next.deferred!.dueAt).toBe('2027-01-06T15:59:59.999Z');
    expect(next.due).toMatchObject({ promisedAt: '2027-01-12T15:59:59.999Z', calendar: 'official' });
    // Its due time did not move; it now rests on the official calendar, and stays paused.
    expect(retimeTasks).toEqual([{ taskId: review.taskId, dueAt: '2027-01-12T15:59:59.999Z', dueCalendar: 'official', watchAt: null }]);
  });
});

describe('a step that was red when the schedule came out', () => {
  it('turns red again once it is overdue on the new calendar', async () => {
    // Prepare: at review since 21 December, due 5 January; red on 6 January.
    const deps = fakeDeps({ now: '2026-12-21T02:00:00Z' });
    const id = await accepted(deps, 'pharmacy-retail-license');
    const review = await openStep(deps, id, 'review');
    deps.clock.set('2027-01-06T02:00:00Z');
    expect(await runSupervisionScan(deps)).toMatchObject({ red: 1, casesOpened: 1 });
    // The schedule moves the step's due time to the end of 6 January.
    await publishCalendarYear(deps, admin, 2027, SCHEDULE_2027);
    expect((await deps.tasks.get(review.taskId))!.dueAt).toBe('2027-01-06T15:59:59.999Z');

    // Act: Thursday 7 January, overdue again.
    deps.clock.set('2027-01-07T02:00:00Z');
    const report = await runSupervisionScan(deps);

    // Assess
    expect(report).toMatchObject({ red: 1 });
    expect((await listLights(deps, 'red')).map((t) => t.taskId)).toEqual([review.taskId]);
  });
});

describe('a deadline whose date the schedule does not move', () => {
  it('moves from the provisional to the official calendar, and the trail says so', async () => {
    // Prepare: accepted 28 December; promised 12 January and legal 26 January, the same on both calendars.
    const deps = fakeDeps({ now: '2026-12-28T02:00:00Z' });
    const id = await accepted(deps, 'pharmacy-retail-license');
    await openStep(deps, id, 'review');
    expect((await stored(deps, id)).due).toMatchObject({ promisedAt: '2027-01-12T15:59:59.999Z', calendar: 'provisional' });

    // Act
    const result = await publishCalendarYear(deps, admin, 2027, SCHEDULE_2027);

    // Assess
    const app = await stored(deps, id);
    expect(app.due).toMatchObject({ promisedAt: '2027-01-12T15:59:59.999Z', calendar: 'official' });
    expect((await actions(deps, id)).at(-1)).toBe('deadline.recomputed');
    expect(result.recomputed).toBe(0); // no due time changed
  });
});

import type { Deps } from '../deps.ts';
import { chinaDate, yellowAt } from '../domain/calendar.ts';
import { shiftDue } from '../domain/deadlines.ts';
import { conflict, forbidden, notFound } from '../domain/errors.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import type { Caller } from '../domain/caller.ts';
import { isBureauStep } from '../domain/task.ts';
import { getApplication } from './queries.ts';
import { amend } from './amend.ts';

/**
 * The clock of an accepted application (SPEC rule 5): suspension (中止) for a hearing, testing,
 * inspection, expert review or public notice stops it, and the paused working days are not
 * counted; an extension (延期) approved by the deputy director adds 10 working days (15 for a
 * joint review), once. Open steps' due times move with the application's.
 */
type ClockDeps = Pick<Deps, 'clock' | 'calendar' | 'lightRule' | 'applications' | 'tasks' | 'catalog'>;

/** The decision's due times moved on by `days` working days, and the calendar they now rest on. */
function moveDue(deps: Pick<Deps, 'calendar'>, app: ApplicationRecord, days: number): NonNullable<ApplicationRecord['due']> {
  const legalAt = shiftDue(deps.calendar, app.due!.legalAt, days);
  const calendar = deps.calendar.kindBetween(chinaDate(new Date(app.acceptedAt!)), chinaDate(new Date(legalAt)));
  return { ...app.due!, promisedAt: shiftDue(deps.calendar, app.due!.promisedAt, days), legalAt, calendar };
}

async function changeClock(
  deps: ClockDeps,
  caller: Caller,
  applicationId: string,
  ranks: string[],
  apply: (app: ApplicationRecord, at: Date) => { next: ApplicationRecord; action: string; reason?: string; details: Record<string, unknown>; pause: boolean },
) {
  await amend(deps, applicationId, async (app) => {
    if (caller.dept !== app.department) throw notFound('application.not-found', '办件不存在');
    if (!ranks.includes(caller.rank!)) throw forbidden('auth.rank', ranks.includes('chief') ? '须由首席代表或副局长办理' : '延期须经副局长批准');
    const now = deps.clock.now();
    const { next, action, reason, details, pause } = apply(app, now);
    // The steps after acceptance are due when the decision is; acceptance keeps its own due time.
    const open = (await deps.tasks.openForApplication(applicationId)).filter((t) => isBureauStep(t.step) && t.step !== 'acceptance');
    const dueAt = next.due!.promisedAt;
    const retimeTasks = open.map((t) => ({ taskId: t.taskId, dueAt, watchAt: pause ? null : yellowAt(deps.calendar, new Date(t.openedAt), new Date(dueAt), deps.lightRule).toISOString() }));
    return { next, at: now.toISOString(), entry: { actor: caller.sub, action, details, ...(reason ? { reason } : {}) }, retimeTasks };
  });
  return getApplication(deps, caller, applicationId);
}

export const suspendApplication = (deps: ClockDeps, caller: Caller, applicationId: string, input: { kind: string; reason: string }) =>
  changeClock(deps, caller, applicationId, ['chief', 'director'], (app, now) => {
    if (app.status !== 'accepted') throw conflict('application.not-running', '只有已受理、正在办理的办件可以中止');
    return {
      next: { ...app, status: 'suspended', clockPaused: true, suspension: { kind: input.kind, reason: input.reason, since: now.toISOString() } },
      action: 'suspended',
      reason: input.reason,
      details: { kind: input.kind },
      pause: true,
    };
  });

export const resumeApplication = (deps: ClockDeps, caller: Caller, applicationId: string) =>
  changeClock(deps, caller, applicationId, ['chief', 'director'], (app, now) => {
    if (app.status !== 'suspended' || !app.suspension) throw conflict('application.not-suspended', '办件未处于中止状态');
    // The working days the clock stood still, counted as limits are: the suspension day not included.
    const paused = deps.calendar.workingDaysBetween(chinaDate(new Date(app.suspension.since)), chinaDate(now));
    const due = moveDue(deps, app, paused);
    const { suspension, ...rest } = app;
    return {
      next: { ...rest, status: 'accepted', clockPaused: false, due, suspensions: [...(app.suspensions ?? []), { ...suspension, until: now.toISOString(), workingDays: paused }] },
      action: 'resumed',
      details: { pausedWorkingDays: paused, due },
      pause: false,
    };
  });

export const extendApplication = (deps: ClockDeps, caller: Caller, applicationId: string, reason: string) =>
  changeClock(deps, caller, applicationId, ['director'], (app, now) => {
    if (app.status !== 'accepted' && app.status !== 'suspended') throw conflict('application.not-running', '只有已受理、尚未决定的办件可以延期');
    if (app.extension) throw conflict('application.already-extended', '该办件已经延期一次');
    const days = app.flow === 'joint' ? 15 : 10;
    const due = moveDue(deps, app, days);
    return {
      next: { ...app, due, extension: { days, reason, by: caller.sub, at: now.toISOString() } },
      action: 'extended',
      reason,
      details: { workingDays: days, due },
      pause: app.clockPaused,
    };
  });

import { chinaDate, endOfChinaDay, type CalendarKind, type WorkingCalendar } from './calendar.ts';
import type { ApplicationRecord } from './application.ts';

/**
 * The bureau's deadlines (SPEC rules 4 and 5), each computed in one place. Every limit counts
 * working days on the city's calendar from the day its clock starts, that day not counted.
 */

/** Acceptance is due within 5 working days of receipt (Art. 32). */
export const ACCEPTANCE_DAYS = 5;
/** Materials deferred at acceptance (容缺) are due within this many working days. */
export const DEFERRED_DAYS = 5;
/** Issuing the license is due within 10 working days of approval (Art. 44). */
export const ISSUE_DAYS = 10;

export type { CalendarKind };

/** When the complete application was received: the submission, or the correction that completed it. */
export const receivedAt = (app: Pick<ApplicationRecord, 'receivedAt' | 'submittedAt'>) => new Date(app.receivedAt ?? app.submittedAt);

/** The acceptance decision's due time: the task, the light and the view all read it here. */
export const acceptanceDue = (calendar: WorkingCalendar, app: Pick<ApplicationRecord, 'receivedAt' | 'submittedAt'>) => calendar.deadline(receivedAt(app), ACCEPTANCE_DAYS);

/** The decision's due times from acceptance: the promised and the legal limit. */
export function decisionDue(calendar: WorkingCalendar, acceptedAt: Date, limits: { promisedLimitDays: number; legalLimitDays: number }) {
  const promised = calendar.deadline(acceptedAt, limits.promisedLimitDays);
  const legal = calendar.deadline(acceptedAt, limits.legalLimitDays);
  return { promisedAt: promised.at.toISOString(), legalAt: legal.at.toISOString(), calendar: worst(promised.calendar, legal.calendar) };
}

export const worst = (...kinds: CalendarKind[]): CalendarKind => (kinds.includes('provisional') ? 'provisional' : 'official');

/** A due time moved on by `days` working days (a resumed suspension, an extension). */
export const shiftDue = (calendar: WorkingCalendar, due: string, days: number) => endOfChinaDay(calendar.addWorkingDays(chinaDate(new Date(due)), days)).toISOString();

/**
 * A due time computed on one calendar, computed again on another: the same number of working
 * days from the same start day. This is how a published schedule moves open deadlines.
 */
export function recount(before: WorkingCalendar, after: WorkingCalendar, start: string, due: string): string {
  const startDay = chinaDate(new Date(start));
  const days = before.workingDaysBetween(startDay, chinaDate(new Date(due)));
  return endOfChinaDay(after.addWorkingDays(startDay, days)).toISOString();
}

/** The statuses in which materials deferred at acceptance are still owed (until supplied), also after the decision. */
export const DEFERRED_OWED_STATUSES: readonly ApplicationRecord['status'][] = ['accepted', 'suspended', 'approved', 'issued', 'delivering', 'completed'];

/**
 * Which of an application's own deadlines still run, each until what it waits for happens:
 * the decision's promised and legal limits until the decision (an accepted or suspended
 * application), the license's issue limit until it is sealed (an approved one), deferred
 * materials until supplied. A published calendar moves these and no others: a deadline that
 * has been met or has no longer a purpose is history.
 */
export function runningDeadlines(app: Pick<ApplicationRecord, 'status' | 'acceptedAt' | 'due' | 'decision' | 'deferred'>) {
  return {
    decision: (app.status === 'accepted' || app.status === 'suspended') && !!app.due && !!app.acceptedAt,
    issue: app.status === 'approved' && !!app.due?.issueAt && !!app.decision,
    deferred: !!app.deferred && !app.deferred.suppliedAt && !!app.acceptedAt && DEFERRED_OWED_STATUSES.includes(app.status),
  };
}

/** Whether any of the application's own deadlines runs (the `byRunningDeadlines` index holds exactly these). */
export const deadlinesRunning = (app: Parameters<typeof runningDeadlines>[0]) => Object.values(runningDeadlines(app)).some(Boolean);

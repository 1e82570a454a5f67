import type { Deps } from '../deps.ts';
import { chainEvent, genesis, headOf } from '../domain/audit.ts';
import { chinaDate, scheduleProblems, scheduleWarnings, yellowAt, type WorkingCalendar } from '../domain/calendar.ts';
import { acceptanceDue, recount, runningDeadlines } from '../domain/deadlines.ts';
import { DomainError } from '../domain/errors.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import { APPLICANT_INBOX, DELIVERY_INBOX, isBureauStep, Rank, type TaskRecord } from '../domain/task.ts';
import { calendarTrailId, ConflictError, type ApplicationChange, type PublishedYear } from '../ports.ts';
import type { Caller } from '../domain/caller.ts';
import { amend } from './amend.ts';
import { retry } from '../retry.ts';

/**
 * The working-day calendar's official layer (SPEC rule 5): the State Council's yearly schedule,
 * published by an admin, read by every function, and moving every open deadline it touches.
 */

/** The years a schedule may be published for: the statutory rules are computed through 2100. */
export const CALENDAR_YEARS = { min: 2000, max: 2100 } as const;

export function checkYear(raw: string): number {
  const year = /^\d{4}$/.test(raw) ? Number(raw) : NaN;
  if (!(year >= CALENDAR_YEARS.min && year <= CALENDAR_YEARS.max)) {
    throw new DomainError(404, 'calendar.year-out-of-range', `工作日历只覆盖${CALENDAR_YEARS.min}年至${CALENDAR_YEARS.max}年`, [{ path: 'year', code: 'calendar.year-out-of-range', message: `年份应在${CALENDAR_YEARS.min}至${CALENDAR_YEARS.max}之间` }]);
  }
  return year;
}

/** GET /v1/calendar/{year}: the year as every function computes with it. */
export const calendarYear = (deps: Pick<Deps, 'calendar'>, year: number) => deps.calendar.yearView(year);

/**
 * PUT /v1/calendar/{year} (admin): publishes a year's official schedule.
 * Steps: every date must lie in that year (422); store the schedule with its audit event
 * (`calendar.published`, on the trail calendar#<year>), guarded by the trail's sequence; from
 * then on this container computes with it (the others within a minute); then every open
 * deadline is counted again on the new calendar, each changed one recorded on its application.
 * Output: the year, now official, and how many open deadlines changed.
 */
export async function publishCalendarYear(
  deps: Pick<Deps, 'clock' | 'calendar' | 'calendars' | 'adoptCalendar' | 'auditHash' | 'applications' | 'tasks' | 'catalog' | 'lightRule'>,
  caller: Caller,
  year: number,
  input: { holidays: string[]; workdays: string[]; source: string },
) {
  const outside = [...input.holidays.map((d, i) => ({ d, path: `holidays.${i}` })), ...input.workdays.map((d, i) => ({ d, path: `workdays.${i}` }))].filter(({ d }) => !d.startsWith(`${year}-`));
  if (outside.length) throw new DomainError(422, 'calendar.date-outside-year', `日期应在${year}年之内`, outside.map(({ d, path }) => ({ path, code: 'calendar.date-outside-year', message: `${d} 不在${year}年` })));
  const schedule = { year, holidays: [...new Set(input.holidays)].sort(), workdays: [...new Set(input.workdays)].sort(), source: input.source };
  const problems = scheduleProblems(schedule);
  if (problems.length) throw new DomainError(422, 'calendar.schedule-invalid', '节假日安排不符合要求', problems.map((message) => ({ path: '(body)', code: 'calendar.schedule-invalid', message })));
  await retry({ attempts: 5, retryable: (e) => e instanceof ConflictError }, async () => {
    const existing = await deps.calendars.get(year);
    const at = deps.clock.now().toISOString();
    const head = existing?.audit ?? genesis(deps.auditHash);
    const event = chainEvent(calendarTrailId(year), head, at, { actor: caller.sub, action: existing ? 'calendar.republished' : 'calendar.published', details: { ...schedule }, reason: input.source });
    const next: PublishedYear = { ...schedule, publishedBy: caller.sub, publishedAt: at, audit: headOf(event) };
    await deps.calendars.commit({ next, expectedSeq: head.seq, events: [event] });
  });
  const before = deps.calendar;
  const after = before.withSchedule(schedule);
  deps.adoptCalendar(after);
  const { recomputed, failed } = await recomputeOpenDeadlines(deps, before, after, year, caller.sub);
  // Statutory days the schedule does not give off: published as given, but said.
  const warnings = scheduleWarnings(schedule);
  return { ...after.yearView(year), recomputed, ...(failed ? { failed } : {}), ...(warnings.length ? { warnings } : {}) };
}

/** Every inbox an open task can be in: each department at each rank, the applicant's and the courier's. */
function inboxes(deps: Pick<Deps, 'catalog'>): [string, string][] {
  return [...deps.catalog.departments.flatMap((d) => Rank.options.map((r): [string, string] => [d.code, r])), [APPLICANT_INBOX, 'clerk'], [DELIVERY_INBOX, 'clerk']];
}

/** Applications recomputed at once by a publication. */
const RECOMPUTE_CONCURRENCY = 16;

/**
 * Counts the open deadlines again on the new calendar: the decision's promised and legal
 * limits, the license's issue limit, deferred materials, and the open tasks' due times.
 * Reads every application whose own deadlines still run (the sparse `byRunningDeadlines`
 * index: also one between two steps, whose next task is not open yet and will take its due
 * time from the application, or one owing deferred materials after its completion), and every
 * open task (by inbox: an acceptance task is due before the application has deadlines of its
 * own). An application whose deadlines all end before the year is left alone.
 */
async function recomputeOpenDeadlines(
  deps: Pick<Deps, 'clock' | 'applications' | 'tasks' | 'catalog' | 'lightRule' | 'calendar'>,
  before: WorkingCalendar,
  after: WorkingCalendar,
  year: number,
  actor: string,
) {
  const [open, running] = await Promise.all([Promise.all(inboxes(deps).map(([dept, rank]) => deps.tasks.listOpen(dept, rank))).then((lists) => lists.flat()), deps.applications.withRunningDeadlines()]);
  const byApplication = new Map<string, TaskRecord[]>(running.map((id) => [id, []]));
  for (const t of open) byApplication.set(t.applicationId, [...(byApplication.get(t.applicationId) ?? []), t]);
  let recomputed = 0;
  let failed = 0;
  // Sixteen applications at a time: one after another, a city's thousands of running
  // applications (a read and a transaction each) would outlast the API's 30 seconds.
  const queue = [...byApplication];
  const worker = async () => {
    for (let taken = queue.shift(); taken; taken = queue.shift()) {
      const [applicationId, tasks] = taken;
      try {
        let changed = 0; // of the attempt that was written: amend may apply more than once
        const { changed: written } = await amend(deps, applicationId, (app) => {
          const { next, changes, retimeTasks } = recomputeApplication(before, after, app, tasks, deps.lightRule);
          changed = changes.length;
          // A deadline that kept its date may still move from a provisional to the official calendar: that is recorded too.
          const relabelled = next.due?.calendar !== app.due?.calendar || retimeTasks.length > 0;
          if (!changes.length && !relabelled) return null;
          return { next, at: deps.clock.now().toISOString(), entry: { actor, action: 'deadline.recomputed', details: { year, changes, ...(next.due?.calendar ? { calendar: next.due.calendar } : {}) } }, retimeTasks };
        });
        if (written) recomputed += changed;
      } catch {
        failed++; // moved on meanwhile beyond the retries: its deadlines stay as they were, the others go on
      }
    }
  };
  await Promise.all(Array.from({ length: RECOMPUTE_CONCURRENCY }, worker));
  return { recomputed, failed };
}

type Change = { deadline: string; from: string; to: string };

/** One application's deadlines on the new calendar, what changed, and its open tasks' new due times. */
export function recomputeApplication(before: WorkingCalendar, after: WorkingCalendar, app: ApplicationRecord, tasks: TaskRecord[], lightRule: Deps['lightRule']) {
  const changes: Change[] = [];
  const moved = (deadline: string, start: string, due: string) => {
    const to = recount(before, after, start, due);
    if (to !== due) changes.push({ deadline, from: due, to });
    return to;
  };
  const next: ApplicationRecord = { ...app };
  // Only the deadlines still running move: one that was met (a decision made, a license sealed) is history.
  const running = runningDeadlines(app);
  if (app.due && app.acceptedAt && (running.decision || running.issue)) {
    const due = { ...app.due };
    if (running.decision) Object.assign(due, { promisedAt: moved('promisedAt', app.acceptedAt, app.due.promisedAt), legalAt: moved('legalAt', app.acceptedAt, app.due.legalAt) });
    if (running.issue) due.issueAt = moved('issueAt', app.decision!.at, app.due.issueAt!);
    due.calendar = after.kindBetween(chinaDate(new Date(app.acceptedAt)), chinaDate(new Date(due.legalAt)));
    next.due = due;
  }
  if (running.deferred) next.deferred = { ...app.deferred!, dueAt: moved('deferredMaterials', app.acceptedAt!, app.deferred!.dueAt) };
  const retimeTasks: NonNullable<ApplicationChange['retimeTasks']> = [];
  // A step is paused when the application's clock is, not when it lacks a watch (a red step has none either).
  for (const t of tasks) {
    if (!isBureauStep(t.step)) continue;
    const dueAt = t.step === 'acceptance' ? acceptanceDue(after, app).at.toISOString() : (next.due?.promisedAt ?? t.dueAt);
    const dueCalendar = after.kindBetween(chinaDate(new Date(t.openedAt)), chinaDate(new Date(dueAt)));
    if (dueAt === t.dueAt && dueCalendar === (t.dueCalendar ?? 'official')) continue;
    if (t.step === 'acceptance' && dueAt !== t.dueAt) changes.push({ deadline: 'acceptance', from: t.dueAt, to: dueAt });
    retimeTasks.push({ taskId: t.taskId, dueAt, dueCalendar, watchAt: app.clockPaused ? null : yellowAt(after, new Date(t.openedAt), new Date(dueAt), lightRule).toISOString() });
  }
  return { next, changes, retimeTasks };
}

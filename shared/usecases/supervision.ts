import type { Deps } from '../deps.ts';
import { DomainError } from '../domain/errors.ts';
import { chinaDate, endOfChinaDay, lightOf, startOfChinaDay } from '../domain/calendar.ts';
import { publishedItems } from '../domain/catalog.ts';
import { blockedCounter } from './blacklist.ts';
import { ConflictError } from '../ports.ts';
import type { TaskRecord } from '../domain/task.ts';
import type { Caller } from '../domain/caller.ts';
import { completeTask, taskView } from './tasks.ts';
import { amend } from './amend.ts';
import { statistics as aggregateStatistics, statisticsWithItems } from './stats.ts';

/**
 * Electronic supervision (电子监察, SPEC rule 10). The scan reads only the open steps whose light
 * can have changed since the last scan (the tasks' watch index), so its cost grows with what is
 * due, not with all applications. It is idempotent: a light already set and a case already open
 * are left as they are.
 */
type ScanDeps = Pick<Deps, 'clock' | 'catalog' | 'calendar' | 'lightRule' | 'applications' | 'tasks' | 'cases' | 'workflow'>;

const SYSTEM = 'system:supervision';

/** Appends a supervision event to the application's trail; a step whose application is gone, or stays contended, is left to the next scan. */
async function audit(deps: Pick<Deps, 'applications' | 'catalog' | 'calendar'>, applicationId: string, at: string, action: string, details: Record<string, unknown>) {
  try {
    await amend(deps, applicationId, (app) => ({ next: app, at, entry: { actor: SYSTEM, action, details } }), { attempts: 5 });
  } catch (e) {
    if (e instanceof ConflictError || (e as { code?: string }).code === 'application.not-found') return;
    throw e;
  }
}

export interface ScanReport {
  read: number;
  yellow: number;
  red: number;
  casesOpened: number;
  deemedAccepted: number;
  /** Steps the scan could not finish: each is logged, left in the index and tried again next time. */
  failed: number;
}

/**
 * Runs the supervision scan.
 * Steps: read the open steps due for a look; for each on its own (one step that fails never
 * stops the others): a step past its due time turns red, opens an accountability case naming
 * the application, step, department and rank, and — for an acceptance nobody decided within 5
 * working days — is deemed accepted from the day of receipt (Art. 32) and its flow moves on; a
 * step close to its due time turns yellow and is looked at again when it falls due. A step
 * that fails goes back into the index for the next scan, which redoes only what is undone.
 * Output: what the scan read and did.
 */
export async function runSupervisionScan(deps: ScanDeps, onFailure: (task: TaskRecord, error: unknown) => void = () => {}): Promise<ScanReport> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const due = await deps.tasks.watchDue(at);
  const report: ScanReport = { read: due.length, yellow: 0, red: 0, casesOpened: 0, deemedAccepted: 0, failed: 0 };
  for (const task of due) {
    try {
      await superviseStep(deps, task, now, report);
    } catch (e) {
      report.failed++;
      onFailure(task, e);
      // Back into the index, so that the next scan tries again: every action is idempotent.
      await deps.tasks.watchAgain(task.taskId, at).catch((again: unknown) => onFailure(task, again));
    }
  }
  return report;
}

async function superviseStep(deps: ScanDeps, task: TaskRecord, now: Date, report: ScanReport) {
  const at = now.toISOString();
  const light = lightOf(deps.calendar, now, new Date(task.openedAt), new Date(task.dueAt), deps.lightRule);
  if (light === 'green') return;
  if (light === 'yellow') {
    if (await deps.tasks.setLight(task.taskId, 'yellow', task.dueAt)) {
      report.yellow++;
      await audit(deps, task.applicationId, at, 'supervision.yellow', { taskId: task.taskId, step: task.step, dueAt: task.dueAt });
    }
    return;
  }
  if (await deps.tasks.setLight(task.taskId, 'red', null)) {
    report.red++;
    await audit(deps, task.applicationId, at, 'supervision.red', { taskId: task.taskId, step: task.step, dueAt: task.dueAt });
  }
  if (await openOverdueCase(deps, task, at)) report.casesOpened++;
  if (task.step === 'acceptance' && (await deemAccepted(deps, task))) report.deemedAccepted++;
}

async function openOverdueCase(deps: ScanDeps, task: TaskRecord, at: string) {
  const opened = await deps.cases.open({
    caseId: `case_${task.taskId}`,
    kind: 'overdue',
    status: 'open',
    applicationId: task.applicationId,
    applicationNo: task.applicationNo,
    itemCode: task.itemCode,
    dept: task.dept,
    step: task.step,
    rank: task.rank,
    taskId: task.taskId,
    dueAt: task.dueAt,
    openedAt: at,
    detail: `${task.applicationNo} 的“${task.step}”环节已超过期限（${task.dueAt}），责任部门 ${task.dept}（${task.rank}）`,
  });
  if (opened) await audit(deps, task.applicationId, at, 'supervision.case-opened', { caseId: `case_${task.taskId}`, step: task.step, dept: task.dept, rank: task.rank });
  return opened;
}

async function deemAccepted(deps: ScanDeps, task: TaskRecord) {
  const system: Caller = { sub: 'system:deemed-acceptance', role: 'officer', dept: task.dept, rank: task.rank };
  try {
    await completeTask(deps, system, task.taskId, { outcome: 'accept', opinion: '逾期未作出受理决定，依法自收到申请材料之日起视为受理（《行政许可法》第三十二条）' }, { deemed: true });
    return true;
  } catch (e) {
    // Completed meanwhile by an officer, or the application moved on: nothing to deem.
    if ((e as { code?: string }).code === 'task.completed' || (e as { code?: string }).code === 'application.suspended') return false;
    throw e;
  }
}

/** GET /v1/supervision/lights: open steps that are yellow or red, by department. */
export async function listLights(deps: Pick<Deps, 'tasks' | 'calendar' | 'lightRule' | 'clock'>, color?: 'yellow' | 'red', dept?: string) {
  const colors = color ? [color] : (['red', 'yellow'] as const);
  const tasks = (await Promise.all(colors.map((c) => deps.tasks.listLit(c)))).flat();
  return tasks.filter((t) => !dept || t.dept === dept).map((t) => taskView(deps, t));
}

export const listCases = async (deps: Pick<Deps, 'cases'>, status: 'open' | 'closed' = 'open') => deps.cases.list(status);

/** From 1 November (China time), next year's official schedule should be in: the alarm that says so reads this. */
export function nextYearProvisional(calendar: Pick<Deps['calendar'], 'yearStatus'>, now: Date): boolean {
  const [year, month] = chinaDate(now).split('-').map(Number);
  return month >= 11 && calendar.yearStatus(year + 1) === 'provisional';
}

/**
 * The period of a statistics query, as [from, to) instants: a China date stands for the whole
 * day (`to` included), a date-time for itself; without them, the current China month so far.
 */
export function statsPeriod(now: Date, from?: string, to?: string): { from: string; to: string } {
  const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
  const today = chinaDate(now);
  const start = from ? (isDate(from) ? startOfChinaDay(from) : new Date(from)) : startOfChinaDay(`${today.slice(0, 7)}-01`);
  const end = to ? (isDate(to) ? new Date(endOfChinaDay(to).getTime() + 1) : new Date(to)) : new Date(endOfChinaDay(today).getTime() + 1);
  if (start.getTime() >= end.getTime()) throw new DomainError(422, 'request.invalid', '统计区间的起点应早于终点', [{ path: 'to', code: 'request.period', message: 'to 应晚于 from' }]);
  return { from: start.toISOString(), to: end.toISOString() };
}

/**
 * Statistics (SPEC rule 14) of the applications submitted in the China days of [from, to), by
 * department and item: the daily buckets (usecases/stats.ts) and the blacklist's daily counters.
 */
export async function statistics(deps: Pick<Deps, 'catalog' | 'stats' | 'counters'>, query: { from: string; to: string; dept?: string; itemCode?: string }) {
  const figures = await aggregateStatistics(deps, query);
  return { ...figures, blockedAttempts: await blockedAttempts(deps, { ...query, ...figures.period }) };
}

const CSV_COLUMNS = ['submitted', 'accepted', 'refused', 'withdrawn', 'approved', 'denied', 'completed', 'onTimeRate', 'averageWorkingDaysUsed', 'averageLegalLimitDays', 'sameDayCompletionRate', 'zeroVisitRate', 'fullyOnlineRate', 'averageEvaluation'] as const;
const csvCell = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * The statistics as CSV for a spreadsheet: one row per department and item with applications
 * in the period, then the total (合计) with the blacklist's refusals. UTF-8 with a byte-order
 * mark, which spreadsheet programs need to read the Chinese names.
 */
export async function statisticsCsv(deps: Pick<Deps, 'catalog' | 'stats' | 'counters'>, query: { from: string; to: string; dept?: string; itemCode?: string }) {
  const { items: rows, ...figures } = await statisticsWithItems(deps, query);
  const total = { ...figures, blockedAttempts: await blockedAttempts(deps, { ...query, ...figures.period }) };
  const lines = [
    ['periodFrom', 'periodTo', 'dept', 'itemCode', 'itemName', ...CSV_COLUMNS, 'blockedAttempts'],
    ...rows.map((r) => [total.period.from, total.period.to, r.dept, r.itemCode, r.itemName, ...CSV_COLUMNS.map((c) => r[c]), null]),
    [total.period.from, total.period.to, query.dept ?? '', query.itemCode ?? '', '合计', ...CSV_COLUMNS.map((c) => total[c]), total.blockedAttempts],
  ];
  return `\uFEFF${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Attempts refused for the blacklist, from the per-item, per-day counters the intake keeps. */
export async function blockedAttempts(deps: Pick<Deps, 'catalog' | 'counters'>, query: { from: string; to: string; dept?: string; itemCode?: string }) {
  const items = publishedItems(deps.catalog).filter((i) => (!query.dept || i.department === query.dept) && (!query.itemCode || i.code === query.itemCode));
  const days: string[] = [];
  for (let d = chinaDate(new Date(query.from)); d <= chinaDate(new Date(Date.parse(query.to) - 1)) && days.length < 800; d = chinaDate(new Date(Date.parse(`${d}T12:00:00+08:00`) + 86400_000))) days.push(d);
  return deps.counters.sum(items.flatMap((i) => days.map((d) => blockedCounter(i.code, d))));
}

import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { BlacklistRequest } from '../contract.ts';
import { chainEvent, genesis, GENESIS, headOf } from '../domain/audit.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { creditCodeProblem, idNumberProblem } from '../domain/identity.ts';
import { chinaDate } from '../domain/calendar.ts';
import { blacklistTrailId, ConflictError, type BlacklistEntry } from '../ports.ts';
import type { Caller } from '../domain/caller.ts';
import { retry } from '../retry.ts';

/** The credit blacklist (失信黑名单, SPEC rule 12): admins list and unlist; intake refuses and counts. */

const isListed = (entry: BlacklistEntry | undefined, now: Date): entry is BlacklistEntry =>
  !!entry && entry.active && (!entry.until || Date.parse(entry.until) > now.getTime());

function checkSubject(subjectId: string, now: Date) {
  const valid = /^\d{17}[\dX]$/.test(subjectId) ? idNumberProblem(subjectId, chinaDate(now)) === null : creditCodeProblem(subjectId) === null;
  if (!valid) throw new DomainError(422, 'blacklist.subject-invalid', '主体标识应为有效的身份证号或统一社会信用代码', [{ path: 'subjectId', code: 'subject.invalid', message: '不是有效的身份证号或统一社会信用代码' }]);
}

/** Changes an entry and appends the change to its trail, in one write; when another writer moved the trail on meanwhile, `apply` runs again on the new entry. */
async function changeEntry(deps: Pick<Deps, 'blacklist' | 'clock' | 'auditHash'>, subjectId: string, apply: (entry: BlacklistEntry | undefined, at: string) => { next: BlacklistEntry; action: string; details: Record<string, unknown>; actor: string; reason?: string }) {
  return retry({ attempts: 6, retryable: (e) => e instanceof ConflictError }, async () => {
    const entry = await deps.blacklist.get(subjectId);
    const at = deps.clock.now().toISOString();
    const { next, action, details, actor, reason } = apply(entry, at);
    const head = entry?.audit ?? genesis(deps.auditHash);
    const event = chainEvent(blacklistTrailId(subjectId), head, at, { actor, action, details, ...(reason ? { reason } : {}) });
    await deps.blacklist.commit({ next: { ...next, audit: headOf(event) }, expectedSeq: head.seq, events: [event] });
    return next;
  });
}

export async function putOnBlacklist(deps: Pick<Deps, 'blacklist' | 'clock' | 'auditHash'>, caller: Caller, subjectId: string, input: z.infer<typeof BlacklistRequest>) {
  checkSubject(subjectId, deps.clock.now());
  const next = await changeEntry(deps, subjectId, (entry, at) => ({
    next: { subjectId, reason: input.reason, source: input.source, until: input.until, active: true, addedBy: caller.sub, addedAt: at, blockedCount: entry?.blockedCount ?? 0, audit: GENESIS /* set by changeEntry() */ },
    action: 'blacklist.listed',
    details: { source: input.source, until: input.until ?? null },
    actor: caller.sub,
    reason: input.reason,
  }));
  return blacklistView(next, deps.clock.now());
}

export async function removeFromBlacklist(deps: Pick<Deps, 'blacklist' | 'clock' | 'auditHash'>, caller: Caller, subjectId: string) {
  const existing = await deps.blacklist.get(subjectId);
  if (!existing?.active) throw notFound('blacklist.not-listed', '该主体不在失信黑名单中');
  const next = await changeEntry(deps, subjectId, (entry, at) => ({ next: { ...entry!, active: false, removedAt: at }, action: 'blacklist.removed', details: {}, actor: caller.sub }));
  return blacklistView(next, deps.clock.now());
}

export async function getBlacklistEntry(deps: Pick<Deps, 'blacklist' | 'clock'>, subjectId: string) {
  const entry = await deps.blacklist.get(subjectId);
  if (!entry) throw notFound('blacklist.not-listed', '该主体不在失信黑名单中');
  const trail = await deps.blacklist.trail(subjectId);
  return { ...blacklistView(entry, deps.clock.now()), trail: trail.map(({ seq, at, actor, action, details, reason }) => ({ seq, at, actor, action, details, ...(reason ? { reason } : {}) })) };
}

const blacklistView = (e: BlacklistEntry, now: Date) => {
  const { audit: _audit, ...rest } = e;
  return { ...rest, listed: isListed(e, now) };
};

/** The counter of attempts blocked for an item on a China day, which statistics add up. */
export const blockedCounter = (itemCode: string, day: string) => `blocked#${itemCode}#${day}`;

/**
 * At intake: a listed subject is refused with the reason; the attempt is counted and audited
 * on the entry's trail before the refusal goes out.
 */
export async function refuseIfListed(
  deps: Pick<Deps, 'blacklist' | 'clock' | 'counters' | 'auditHash'>,
  entry: BlacklistEntry | undefined,
  subjectId: string,
  itemCode: string,
  now: Date,
) {
  if (!isListed(entry, now)) return;
  await deps.counters.reserve(blockedCounter(itemCode, chinaDate(now)));
  await changeEntry(deps, subjectId, (current) => ({
    next: { ...current!, blockedCount: current!.blockedCount + 1 },
    action: 'blacklist.blocked',
    details: { itemCode },
    actor: subjectId,
  }));
  throw new DomainError(403, 'applicant.blacklisted', `申请人已被列入失信黑名单，暂不能申请：${entry.reason}`, undefined, { reason: entry.reason, source: entry.source });
}

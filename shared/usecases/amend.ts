import type { Deps } from '../deps.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import { chainEvent, headOf, type AuditEntry } from '../domain/audit.ts';
import { notFound } from '../domain/errors.ts';
import { ConflictError, type ApplicationChange } from '../ports.ts';
import { retry } from '../retry.ts';
import { eventsOf, numberEvents, outboxOf, type Announcement, type Callback } from '../domain/events.ts';
import { statsChange } from './stats.ts';

/**
 * What a change does to an application: its next state, the audit entry that records it, and what
 * else the same transaction writes: events beyond those the change itself gives (`announce`,
 * e.g. license.issued with its metadata) and the callback it owes the flow (`callback`).
 */
export type Amendment = Omit<ApplicationChange, 'next' | 'expectedSeq' | 'events' | 'outbox'> & { next: ApplicationRecord; at: string; entry: AuditEntry; announce?: Announcement[]; callback?: Callback };

/**
 * Changes one application with its audit event in one write guarded by the audit sequence.
 * `apply` reads the current application and decides: an amendment, null for "nothing to do",
 * or a domain error. If another writer moved the application on meanwhile, `apply` runs again
 * on the new state, up to `attempts` times (4 unless said); then the conflict goes to the caller.
 * A caller that holds the application as it just read or wrote it passes it as `current`: the
 * first attempt starts from it instead of reading it again.
 * Output: the application as written (or as found, when nothing changed) and whether it changed.
 */
export async function amend(
  deps: Pick<Deps, 'applications' | 'catalog' | 'calendar'>,
  applicationId: string,
  apply: (app: ApplicationRecord) => Amendment | null | Promise<Amendment | null>,
  options: { attempts?: number; current?: ApplicationRecord } = {},
): Promise<{ app: ApplicationRecord; changed: boolean }> {
  return retry({ attempts: options.attempts ?? 4, retryable: (e) => e instanceof ConflictError }, async (attempt) => {
    const app = attempt === 1 && options.current ? options.current : await deps.applications.get(applicationId);
    if (!app) throw notFound('application.not-found', '办件不存在');
    const amendment = await apply(app);
    if (!amendment) return { app, changed: false };
    const { next, at, entry, announce, callback, ...also } = amendment;
    const event = chainEvent(applicationId, app.audit, at, entry);
    // The events of the change (SPEC rule 15), numbered on from the application's, go to the outbox in the same write;
    // what it adds to the statistics buckets too.
    const numbered = numberEvents(next, app.eventSeq ?? 0, at, eventsOf(app, next, entry, announce));
    const written = { ...next, audit: headOf(event), eventSeq: (app.eventSeq ?? 0) + numbered.length };
    const outbox = outboxOf(written, numbered, event.seq, callback);
    await deps.applications.commit({ ...also, next: written, expectedSeq: app.audit.seq, events: [event], outbox, stats: statsChange(deps, app, written) });
    return { app: written, changed: true };
  });
}

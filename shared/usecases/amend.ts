import type { Deps } from '../deps.ts';
import type { ApplicationRecord } from '../domain/application.ts';
import { chainEvent, headOf, type AuditEntry } from '../domain/audit.ts';
import { notFound } from '../domain/errors.ts';
import { ConflictError, type ApplicationChange } from '../ports.ts';

/** What a change does to an application: its next state, the audit entry that records it, and what else the same transaction writes. */
export type Amendment = Omit<ApplicationChange, 'next' | 'expectedSeq' | 'events'> & { next: ApplicationRecord; at: string; entry: AuditEntry };

/**
 * Changes one application with its audit event in one write guarded by the audit sequence.
 * `apply` reads the current application and decides: an amendment, null for "nothing to do",
 * or a domain error. If another writer moved the application on meanwhile, `apply` runs again
 * on the new state, up to `attempts` times; then the conflict goes to the caller.
 * Output: the application as written (or as found, when nothing changed) and whether it changed.
 */
export async function amend(
  deps: Pick<Deps, 'applications'>,
  applicationId: string,
  apply: (app: ApplicationRecord) => Amendment | null | Promise<Amendment | null>,
  attempts = 4,
): Promise<{ app: ApplicationRecord; changed: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const app = await deps.applications.get(applicationId);
    if (!app) throw notFound('application.not-found', '办件不存在');
    const amendment = await apply(app);
    if (!amendment) return { app, changed: false };
    const { next, at, entry, ...also } = amendment;
    const event = chainEvent(applicationId, app.audit, at, entry);
    const written = { ...next, audit: headOf(event) };
    try {
      await deps.applications.commit({ ...also, next: written, expectedSeq: app.audit.seq, events: [event] });
      return { app: written, changed: true };
    } catch (e) {
      if (e instanceof ConflictError && attempt < attempts) continue;
      throw e;
    }
  }
}

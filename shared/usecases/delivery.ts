import type { Deps } from '../deps.ts';
import { chainEvent } from '../domain/audit.ts';
import type { ApplicationRecord } from '../domain/application.ts';

/**
 * Delivers the sealed licenses (SPEC rule 9). Electronic delivery completes the application at
 * once; pickup and EMS leave it waiting for the pickup or the courier.
 */
export async function deliver(deps: Pick<Deps, 'clock' | 'applications'>, input: { applicationId: string }) {
  const app = (await deps.applications.get(input.applicationId))!;
  const ready = app.status === 'issued' || (app.flow === 'filing' && app.status === 'submitted' && !!app.licenses);
  if (!ready) return { status: app.status };
  const at = deps.clock.now().toISOString();
  const electronic = app.delivery.method === 'electronic';
  const event = chainEvent(app.applicationId, app.audit, at, {
    actor: 'system',
    action: electronic ? 'delivery.electronic' : `delivery.${app.delivery.method}.awaiting`,
    details: { method: app.delivery.method },
  });
  const next: ApplicationRecord = electronic
    ? { ...app, status: 'completed', completedAt: at, delivery: { ...app.delivery, status: 'delivered' } }
    : { ...app, delivery: { ...app.delivery, status: app.delivery.method === 'pickup' ? 'awaiting-pickup' : 'awaiting-courier' } };
  next.audit = { seq: event.seq, hash: event.hash };
  await deps.applications.commit({ next, expectedSeq: app.audit.seq, events: [event] });
  return { status: next.status };
}

/** Records that a flow failed, so that the application shows it and supervisors can act. */
export async function recordFlowFailure(deps: Pick<Deps, 'clock' | 'applications'>, input: { applicationId: string; error?: { Error?: string; Cause?: string } }) {
  const app = await deps.applications.get(input.applicationId);
  if (!app) return { recorded: false };
  const at = deps.clock.now().toISOString();
  const error = { error: input.error?.Error ?? 'Unknown', cause: String(input.error?.Cause ?? '').slice(0, 1000), at };
  const event = chainEvent(app.applicationId, app.audit, at, { actor: 'system', action: 'flow.failed', details: { error: error.error } });
  await deps.applications.commit({ next: { ...app, flowError: error, audit: { seq: event.seq, hash: event.hash } }, expectedSeq: app.audit.seq, events: [event] });
  return { recorded: true };
}


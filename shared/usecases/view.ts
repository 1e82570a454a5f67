import type { Deps } from '../deps.ts';
import { flowState, type ApplicationRecord } from '../domain/application.ts';
import type { AuditEvent } from '../domain/audit.ts';
import { lightOf, type Light } from '../domain/calendar.ts';
import { maskActor, maskPersonName, maskPhone, maskSubjectId } from '../domain/identity.ts';
import type { Caller } from '../domain/caller.ts';
import { acceptanceDue, receivedAt } from '../domain/deadlines.ts';

export const isOwner = (caller: Caller, app: ApplicationRecord) => caller.role === 'applicant' && caller.sub === app.applicantId;

/** The applicant as a viewer may see it: in full to the applicant, masked to everyone else (SPEC rule 2). */
export function applicantView(app: ApplicationRecord, own: boolean) {
  if (own) return app.applicant;
  const a = app.applicant;
  return a.kind === 'person'
    ? { kind: a.kind, idNumber: maskSubjectId(a.idNumber), name: maskPersonName(a.name), phone: maskPhone(a.phone) }
    : { kind: a.kind, creditCode: maskSubjectId(a.creditCode), name: a.name, phone: maskPhone(a.phone) };
}

/** The light of the application's running clock: acceptance before acceptance, the promised limit after. */
export function applicationLight(deps: Pick<Deps, 'calendar' | 'lightRule'>, app: ApplicationRecord, now: Date): Light {
  if (app.status === 'submitted') return lightOf(deps.calendar, now, receivedAt(app), acceptanceDue(deps.calendar, app).at, deps.lightRule);
  if ((app.status === 'accepted' || app.status === 'suspended') && app.due && app.acceptedAt && !app.clockPaused) {
    return lightOf(deps.calendar, now, new Date(app.acceptedAt), new Date(app.due.promisedAt), deps.lightRule);
  }
  return 'green';
}

/**
 * The application's licenses that are sealed and stored — verifiable — as `{licenseNo, identifier}`;
 * numbers reserved for licenses still being sealed are not shown. (Licenses numbered before
 * identifiers existed carry no seal mark: they are sealed once the application is issued.)
 */
export function sealedLicenses(app: ApplicationRecord) {
  const legacySealed = ['issued', 'delivering', 'completed'].includes(app.status);
  return (app.licenses ?? [])
    .filter((l) => l.sealedAt || (!l.identifier && legacySealed))
    .map((l) => ({ licenseNo: l.licenseNo, ...(l.identifier ? { identifier: l.identifier } : {}) }));
}

/**
 * An audit event's details as a viewer other than the owner may see them: the names of people
 * (the recipient who signed for a parcel) and any subject id are masked, like the application view.
 */
export function maskDetails(details: Record<string, unknown> | undefined, own: boolean): Record<string, unknown> | undefined {
  if (own || !details) return details;
  const masked: Record<string, unknown> = { ...details };
  if (typeof masked.signedBy === 'string') masked.signedBy = maskPersonName(masked.signedBy);
  for (const key of ['subjectId', 'idNumber', 'creditCode', 'applicantId'] as const) if (typeof masked[key] === 'string') masked[key] = maskSubjectId(masked[key]);
  if (typeof masked.name === 'string') masked.name = maskPersonName(masked.name);
  if (typeof masked.phone === 'string') masked.phone = maskPhone(masked.phone);
  return masked;
}

export function applicationView(deps: Pick<Deps, 'calendar' | 'lightRule' | 'clock'>, app: ApplicationRecord, events: AuditEvent[], caller: Caller) {
  const own = isOwner(caller, app);
  return {
    applicationId: app.applicationId,
    applicationNo: app.applicationNo,
    itemCode: app.itemCode,
    itemVersion: app.itemVersion,
    itemName: app.itemName,
    status: app.status,
    applicant: applicantView(app, own),
    form: app.form,
    materials: app.materials.map(({ materialCode, fileName, format, size, sha256 }) => ({ materialCode, fileName, format, size, sha256 })),
    quantity: app.quantity,
    submittedAt: app.submittedAt,
    ...(app.acceptedAt ? { acceptedAt: app.acceptedAt } : {}),
    ...(app.due ? { due: { ...app.due, calendar: app.due.calendar ?? 'official' } } : {}),
    light: applicationLight(deps, app, deps.clock.now()),
    clockPaused: app.clockPaused,
    ...(app.corrections ? { corrections: app.corrections } : {}),
    ...(app.deferred ? { deferred: app.deferred } : {}),
    ...(app.refusal ? { refusal: app.refusal } : {}),
    ...(app.decision ? { decision: app.decision } : {}),
    ...(sealedLicenses(app).length ? { licenses: sealedLicenses(app) } : {}),
    ...(app.suspension ? { suspension: app.suspension } : {}),
    ...(app.suspensions ? { suspensions: app.suspensions } : {}),
    ...(app.extension ? { extension: app.extension } : {}),
    ...(app.evaluation ? { evaluation: app.evaluation } : {}),
    flow: flowState(app),
    ...(app.flowError ? { flowError: { error: app.flowError.error, at: app.flowError.at } } : {}),
    delivery: { method: app.delivery.method, ...(app.delivery.waybillNo ? { waybillNo: app.delivery.waybillNo } : {}), ...(app.delivery.status ? { status: app.delivery.status } : {}) },
    ...(app.completedAt ? { completedAt: app.completedAt } : {}),
    timeline: events.map((e) => ({ at: e.at, action: e.action, actor: maskActor(e.actor, own), ...(e.reason ? { reason: e.reason } : {}) })),
  };
}

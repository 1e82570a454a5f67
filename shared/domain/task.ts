import * as z from 'zod/mini';
import type { Item } from './catalog.ts';

/**
 * Officer tasks (SPEC: officer endpoints). A task is one open step of a flow, owned by a
 * department and a rank; its outcome is validated against the step before the flow moves.
 */
export const Step = z.enum(['acceptance', 'review', 'inspection', 'joint-review', 'decision', 'escalated-decision', 'referral', 'correction', 'delivery']);
export type Step = z.infer<typeof Step>;

export const Rank = z.enum(['clerk', 'chief', 'director']);
export type Rank = z.infer<typeof Rank>;

export interface TaskRecord {
  taskId: string;
  applicationId: string;
  applicationNo: string;
  itemCode: string;
  step: Step;
  dept: string;
  rank: Rank;
  status: 'open' | 'completed' | 'cancelled';
  openedAt: string;
  dueAt: string;
  /** Which calendar the due time was computed on (provisional: the year's official schedule is not in yet). */
  dueCalendar?: 'official' | 'provisional';
  /** Set while open and the clock runs: the next moment the light can change (see calendar.yellowAt). */
  watch?: 'open';
  watchAt?: string;
  light?: 'yellow' | 'red';
  taskToken: string;
  outcome?: Outcome;
  completedBy?: string;
  completedAt?: string;
}

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
/**
 * A schema built where it is defined, the call marked pure: a bundle that does not check
 * outcomes (all but the one completing tasks) leaves these out, and the cost of building them at
 * its cold start.
 */
const pure = <T>(build: () => T): T => build();
const opinion = /* @__PURE__ */ pure(() => text(2000));

export const AcceptanceOutcome = /* @__PURE__ */ pure(() => z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('accept'), opinion: z.optional(opinion) }),
  z.object({ outcome: z.literal('accept-deferred'), deferred: z.array(text(64)).check(z.minLength(1)), opinion: z.optional(opinion) }),
  z.object({
    outcome: z.literal('correction'),
    items: z.array(z.object({ materialCode: z.optional(text(64)), field: z.optional(text(64)), reason: text(500) })).check(z.minLength(1), z.maxLength(50)),
  }),
  z.object({ outcome: z.literal('refuse'), reason: text(2000), legalBasis: text(500) }),
]));

export const ExaminationOutcome = /* @__PURE__ */ pure(() => z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('pass'), opinion: z.optional(opinion) }),
  z.object({ outcome: z.literal('fail'), opinion }),
]));

export const DecisionOutcome = /* @__PURE__ */ pure(() => z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('approve'), opinion }),
  z.object({ outcome: z.literal('deny'), reason: text(2000), legalBasis: text(500) }),
  z.object({ outcome: z.literal('escalate'), reason: text(2000) }),
]));

export const EscalatedDecisionOutcome = /* @__PURE__ */ pure(() => z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('approve'), opinion }),
  z.object({ outcome: z.literal('deny'), reason: text(2000), legalBasis: text(500) }),
]));

export const OUTCOME_SCHEMAS = /* @__PURE__ */ pure(() => ({
  acceptance: AcceptanceOutcome,
  review: ExaminationOutcome,
  inspection: ExaminationOutcome,
  'joint-review': ExaminationOutcome,
  decision: DecisionOutcome,
  'escalated-decision': EscalatedDecisionOutcome,
  referral: EscalatedDecisionOutcome,
  correction: z.object({ outcome: z.literal('corrected') }),
  delivery: z.object({ outcome: z.literal('delivered') }),
}) as const);

export type Outcome =
  | z.infer<typeof AcceptanceOutcome>
  | z.infer<typeof ExaminationOutcome>
  | z.infer<typeof DecisionOutcome>
  | z.infer<typeof EscalatedDecisionOutcome>;

/** Steps the bureau's deadlines cover: the applicant's correction and the wait for the courier are not the bureau's to meet. */
export const isBureauStep = (step: Step) => step !== 'correction' && step !== 'delivery';

export const APPLICANT_INBOX = '@applicant';
export const DELIVERY_INBOX = '@delivery';

/** Who handles a step of an item: the window clerk examines, the item's decider decides. */
export function ownerOf(item: Item, step: Step): { dept: string; rank: Rank } {
  switch (step) {
    case 'correction':
      // The applicant's step (补正): in no officer's inbox; the corrections endpoint completes it.
      return { dept: APPLICANT_INBOX, rank: 'clerk' };
    case 'delivery':
      // Waiting for the courier or the pickup: EMS events and the pickup endpoint complete it.
      return { dept: DELIVERY_INBOX, rank: 'clerk' };
    case 'decision':
      return { dept: item.department, rank: item.decider };
    case 'escalated-decision':
      return { dept: item.department, rank: 'director' };
    case 'referral':
      // The chief representative forwards the case and records the higher authority's answer.
      return { dept: item.department, rank: 'chief' };
    default:
      return { dept: item.department, rank: 'clerk' };
  }
}

import type { FlowKind } from '#shared/domain/catalog.ts';

/** The flows, one state machine each under statemachines/. */
export const FLOWS: FlowKind[] = ['instant', 'promised', 'joint', 'referral', 'filing'];

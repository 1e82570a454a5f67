import type { FlowKind } from '#shared/domain/catalog.ts';

/** The flows that have a state machine under statemachines/. */
export const FLOWS: FlowKind[] = ['instant', 'promised'];

import type { Clock } from './ports.ts';

/**
 * The clock every component asks. In AWS it is the system clock; the embedded runtime can
 * move it (`POST /dev/clock`) so that deadlines, lights and deemed acceptance can be seen.
 */
let offsetMs = 0;

export const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

export function setClock(now: Date): void {
  offsetMs = now.getTime() - Date.now();
}

export function advanceClock(ms: number): void {
  offsetMs += ms;
}

/**
 * The one way this code base tries again: a write that lost a race (another writer moved the
 * record on), a transaction DynamoDB cancelled for a moment, keys a batch read left unprocessed.
 * `run` is called with the attempt's number (1, 2, …) until it succeeds, throws what `retryable`
 * refuses, or has used its `attempts`; the last error then goes to the caller. Between attempts
 * it waits `backoffMs(attempt)` (none by default: a lost race is retried at once on the new state).
 */
export interface RetryPolicy {
  attempts: number;
  retryable: (error: unknown) => boolean;
  backoffMs?: (attempt: number) => number;
}

export async function retry<T>(policy: RetryPolicy, run: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (e) {
      if (attempt >= policy.attempts || !policy.retryable(e)) throw e;
      const wait = policy.backoffMs?.(attempt) ?? 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
}

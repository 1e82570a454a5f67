/**
 * A value fetched once and kept for `ttlMs` (forever when omitted) — unless fetching it failed:
 * a rejected promise is dropped the moment it rejects, so the next call fetches again instead of
 * failing for the rest of the period. Concurrent calls share one fetch.
 */
export function cachedFetch<T>(fetch: () => Promise<T>, ttlMs = Infinity, now: () => number = Date.now): () => Promise<T> {
  let entry: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!entry || now() - entry.at > ttlMs) {
      const value = fetch();
      const mine = { at: now(), value };
      entry = mine;
      value.catch(() => {
        if (entry === mine) entry = undefined;
      });
    }
    return entry.value;
  };
}

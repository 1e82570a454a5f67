import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The one signature both sides of our webhooks use, in both directions: `sha256=` and the hex
 * HMAC-SHA256, under a shared secret, of `timestamp + "." + raw body`, the timestamp in epoch
 * seconds and at most 300 s away from the receiver's clock (a captured request cannot be replayed
 * later). Our events to subscribers (X-Oneseal-Signature), EMS's events to us and our requests to
 * EMS (X-EMS-Signature) all sign so.
 */

/** How far a timestamp may be from the receiver's clock, in seconds. */
export const MAX_SKEW_SECONDS = 300;

/** The signature header's value: `sha256=<hex HMAC-SHA256(secret, timestamp.rawBody)>`. */
export const signTimestamped = (secret: string, timestamp: string, rawBody: string) => `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;

/** Why a signed request is refused, in the order checked. */
export type SignatureProblem = 'timestamp' | 'skew' | 'signature' | 'mismatch';

/**
 * Checks a signed request: the timestamp (1 to 12 digits, at most `toleranceSeconds` from `now`),
 * then the signature's form (`sha256=` and 64 hex digits, either case), then the signature under
 * any of `secrets` (several while a secret is rotated), compared in constant time.
 * Answers null when it holds, else why not.
 */
export function signatureProblem(
  secrets: string[],
  timestamp: string | undefined,
  rawBody: string,
  signature: string | undefined,
  now: Date,
  toleranceSeconds = MAX_SKEW_SECONDS,
): SignatureProblem | null {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'timestamp';
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return 'skew';
  const given = /^sha256=([0-9a-f]{64})$/i.exec(signature ?? '')?.[1];
  if (!given) return 'signature';
  const givenBytes = Buffer.from(given, 'hex');
  const matches = secrets.some((secret) => timingSafeEqual(Buffer.from(signTimestamped(secret, timestamp, rawBody).slice('sha256='.length), 'hex'), givenBytes));
  return matches ? null : 'mismatch';
}

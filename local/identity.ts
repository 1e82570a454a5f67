import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, createLocalJWKSet, type JWK, type CryptoKey } from 'jose';
import { z } from 'zod';
import { Role } from '#shared/domain/caller.ts';
import { Rank } from '#shared/domain/task.ts';

/**
 * The embedded identity provider, standing in for the provincial one and signing as it must:
 * RS256 (API Gateway HTTP API JWT authorizers accept RSA keys only), with the claims of the
 * contract (sub, role, dept, rank), an expiry and the API's scope, its keys at
 * /.well-known/jwks.json. The embedded API checks tokens as API Gateway's JWT authorizer does:
 * signature, issuer, audience, expiry (required), scope.
 */
export const ISSUER = 'https://idp.oneseal.local';
export const AUDIENCE = 'oneseal';
const ALG = 'RS256';

export const TokenRequest = z
  .object({
    sub: z.string().min(1).max(64),
    role: Role,
    dept: z.string().min(1).max(64).optional(),
    rank: z.optional(Rank),
    ttlSeconds: z.number().int().min(60).max(86400).default(8 * 3600),
    /** Space-separated scopes; the API's own (AUTH_SCOPE, default `oneseal`) unless said otherwise. */
    scope: z.string().max(200).optional(),
  })
  .refine((t) => t.role !== 'officer' || (t.dept && t.rank), { message: '工作人员令牌需要 dept 和 rank', path: ['dept'] });

export class DevIdentityProvider {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly jwks: { keys: JWK[] },
  ) {}

  static async open(file: string): Promise<DevIdentityProvider> {
    let jwk: JWK | undefined;
    if (existsSync(file)) jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    // A data folder from before RS256 holds an ES256 key: it is replaced (tokens are short-lived anyway).
    if (jwk?.alg !== ALG) {
      const { privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
      jwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now().toString(36)}`, alg: ALG, use: 'sig' };
      writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
    }
    // The public half only: an RSA private JWK also carries p, q, dp, dq and qi.
    const { kty, n, e, kid, alg, use } = jwk;
    return new DevIdentityProvider((await importJWK(jwk, ALG)) as CryptoKey, { keys: [{ kty, n, e, kid, alg, use }] });
  }

  async issue(claims: z.infer<typeof TokenRequest>): Promise<string> {
    const { sub, ttlSeconds, scope, ...rest } = claims;
    return new SignJWT({ ...rest, scope: scope ?? (process.env.AUTH_SCOPE || AUDIENCE) })
      .setProtectedHeader({ alg: ALG, kid: this.jwks.keys[0].kid })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.privateKey);
  }

  /** The verified claims, or null for a missing, forged, expired or never-expiring token. */
  async verify(token: string): Promise<Record<string, unknown> | null> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks), { issuer: ISSUER, audience: AUDIENCE, algorithms: [ALG], requiredClaims: ['exp'] });
      return payload as Record<string, unknown>;
    } catch {
      return null;
    }
  }
}

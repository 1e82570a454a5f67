import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, createLocalJWKSet, type JWK, type CryptoKey } from 'jose';
import { z } from 'zod';
import { Role } from '#shared/domain/caller.ts';
import { Rank } from '#shared/domain/task.ts';

/**
 * The embedded identity provider, standing in for the provincial one: ES256 tokens with the
 * claims of the contract (sub, role, dept, rank), its keys at /.well-known/jwks.json. The
 * embedded API checks tokens as API Gateway's JWT authorizer does: signature, issuer, audience, expiry.
 */
export const ISSUER = 'https://idp.oneseal.local';
export const AUDIENCE = 'oneseal';

export const TokenRequest = z
  .object({
    sub: z.string().min(1).max(64),
    role: Role,
    dept: z.string().min(1).max(64).optional(),
    rank: Rank.optional(),
    ttlSeconds: z.number().int().min(60).max(86400).default(8 * 3600),
  })
  .refine((t) => t.role !== 'officer' || (t.dept && t.rank), { message: '工作人员令牌需要 dept 和 rank', path: ['dept'] });

export class DevIdentityProvider {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly jwks: { keys: JWK[] },
  ) {}

  static async open(file: string): Promise<DevIdentityProvider> {
    let jwk: JWK;
    if (existsSync(file)) jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    else {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      jwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now().toString(36)}`, alg: 'ES256', use: 'sig' };
      writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
    }
    const { d: _d, ...publicJwk } = jwk;
    return new DevIdentityProvider((await importJWK(jwk, 'ES256')) as CryptoKey, { keys: [publicJwk] });
  }

  async issue(claims: z.infer<typeof TokenRequest>): Promise<string> {
    const { sub, ttlSeconds, ...rest } = claims;
    return new SignJWT(rest)
      .setProtectedHeader({ alg: 'ES256', kid: this.jwks.keys[0].kid })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.privateKey);
  }

  /** The verified claims, or null for a missing, forged or expired token. */
  async verify(token: string): Promise<Record<string, unknown> | null> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] });
      return payload as Record<string, unknown>;
    } catch {
      return null;
    }
  }
}

import { z } from 'zod';
import { knownCities } from '../../shared/catalog/index.ts';

/** A throttle: steady requests per second and the burst the token bucket allows. */
const Throttle = z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() });
export type Throttle = z.infer<typeof Throttle>;

/**
 * How much the HTTP API takes. API Gateway applies these per stage and per route (token
 * buckets over every caller together), so a flood on one public route answers 429 on that
 * route and leaves the rest of the API alone.
 */
const Throttling = z
  .object({
    /** Every route without a limit of its own: the provincial platform, officers, supervisors. */
    default: Throttle.default({ rateLimit: 100, burstLimit: 200 }),
    /** Each public route (no token): catalogue, calendar, seal keys, license verification, health, the EMS webhook. */
    public: Throttle.default({ rateLimit: 20, burstLimit: 40 }),
    /** Limits by route key (`POST /v1/licenses/{licenseNo}/verify`), over the two above. */
    routes: z.record(z.string().regex(/^(GET|POST|PUT|DELETE) \/v1\/\S+$/), Throttle).default({}),
  })
  .default({ default: { rateLimit: 100, burstLimit: 200 }, public: { rateLimit: 20, burstLimit: 40 }, routes: {} });

/** The routes that are tighter than `public` unless the city says otherwise. */
export const ROUTE_THROTTLE_DEFAULTS: Record<string, Throttle> = {
  // A PDF of up to ~6 MB per request: each one costs a Lambda second and S3 and KMS calls.
  'POST /v1/licenses/{licenseNo}/verify': { rateLimit: 2, burstLimit: 5 },
  // EMS sends a handful of events per parcel; more than this is not EMS.
  'POST /v1/webhooks/ems': { rateLimit: 10, burstLimit: 20 },
};

/**
 * Reserved concurrency: the sealer and the supervision scan always find capacity, whatever the
 * public routes do, and public verification cannot take the account's whole pool. Reserved
 * concurrency is taken from the account's quota, which must keep 100 unreserved.
 */
const Concurrency = z
  .object({
    'seal-licenses': z.number().int().min(1).default(10),
    /** One at a time: a scan never overlaps the previous one. */
    'supervision-scan': z.number().int().min(1).default(1),
    'verify-license': z.number().int().min(1).default(10),
  })
  .default({ 'seal-licenses': 10, 'supervision-scan': 1, 'verify-license': 10 });

/**
 * A subscriber to the city's events (SPEC rule 15): the provincial platform, the license library,
 * a notification service. Its signing secret is generated into Secrets Manager by the stack
 * (`oneseal/<area>/subscriber/<id>`), to be given to the subscriber; `fullIdentifiers` lets its
 * payloads name the applicant in full (docs/events.md: only where the law lets it hold them).
 */
const SubscriberConfig = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  url: z.string().url().startsWith('https://'),
  /** `*`, event types (`license.issued`) or families (`license.*`). */
  types: z.array(z.string().regex(/^(\*|[a-z]+\.(\*|[a-z-]+))$/)).min(1),
  fullIdentifiers: z.boolean().default(false),
});

/** A city's deployment, typed and checked before anything is synthesized. */
export const CityConfig = z.object({
  /** The CloudFormation stack; one per city. */
  stackName: z.string().regex(/^OneSeal-[A-Za-z0-9-]+$/),
  areaCode: z.string().regex(/^\d{6}$/),
  name: z.string().min(1),
  /** AWS region; China regions (cn-*) use the aws-cn partition, which every ARN follows. */
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
  account: z.string().regex(/^\d{12}$/).optional(),
  /** The public base URL of the API (a custom domain): printed in every license's QR code. */
  publicBaseUrl: z.string().url(),
  /**
   * The provincial identity provider, as API Gateway's JWT authorizer checks its access tokens:
   * the issuer (whose OIDC discovery document and JWKS must be public), an audience (`aud`, or
   * `client_id` when the token has no `aud`), and the scope every protected route requires (one
   * of the token's `scope`/`scp` values; the functions check the same value, env AUTH_SCOPE). The
   * JWT authorizer of an HTTP API verifies RSA signatures only (RS256; see docs/operations.md).
   */
  identityProvider: z.object({
    issuer: z.string().url(),
    audience: z.array(z.string().min(1)).min(1),
    // RFC 6749 §3.3 scope-token characters, one token.
    scope: z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/).default('oneseal'),
  }),
  seal: z.object({
    keySpec: z.enum(['ECC_NIST_P256', 'SM2']),
    /**
     * Every seal key the city has had, oldest first: one KMS key each, retained. A rotation adds
     * a key whose period begins when the new key takes over (the previous one is retired then,
     * and stays published for verification); after a compromise, also end the old key's period
     * (`activeUntil`) at the moment of the compromise. Never remove a key: its licenses verify by it.
     */
    keys: z
      .array(
        z
          .object({ name: z.string().regex(/^[a-z0-9-]{1,32}$/), activeFrom: z.iso.datetime({ offset: true }), activeUntil: z.iso.datetime({ offset: true }).optional() })
          .refine((k) => !k.activeUntil || Date.parse(k.activeUntil) > Date.parse(k.activeFrom), { message: 'a seal key\'s activeUntil must come after its activeFrom' }),
      )
      .min(1)
      .refine((keys) => new Set(keys.map((k) => k.name)).size === keys.length, { message: 'seal key names must be unique' })
      .refine((keys) => keys.every((k, i) => i === 0 || Date.parse(k.activeFrom) > Date.parse(keys[i - 1].activeFrom)), { message: 'seal keys must be listed oldest first (activeFrom increasing)' })
      .refine((keys) => keys.every((k, i) => !k.activeUntil || i === keys.length - 1 || Date.parse(k.activeUntil) <= Date.parse(keys[i + 1].activeFrom)), {
        message: "seal key periods must not overlap: a key's activeUntil may not pass the next key's activeFrom",
      }),
    /**
     * The role CloudFormation deploys the stack with, which must be able to set the seal keys'
     * policies (KMS refuses to create a key whose policy would not let its creator set it again).
     * Unset: the execution role of the CDK bootstrap (`cdk-hnb659fds-cfn-exec-role-<account>-<region>`).
     */
    deployRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/).optional(),
  }),
  /** EMS government-mail API (政务专递) of the city's postal branch. */
  emsEndpoint: z.string().url(),
  /** Sealed licenses are kept immutable: GOVERNANCE for a demo, COMPLIANCE in production. */
  licenseLock: z.object({ mode: z.enum(['GOVERNANCE', 'COMPLIANCE']), years: z.number().int().min(1).max(100) }),
  /** Every log group of the city (functions, flows, API access logs) and the access-log bucket keep this long. */
  logRetentionDays: z.number().int().min(180),
  throttling: Throttling,
  /** Who is pushed the events (SPEC rule 15); ids unique. */
  subscribers: z
    .array(SubscriberConfig)
    .default([])
    .refine((s) => new Set(s.map((x) => x.id)).size === s.length, { message: 'subscriber ids must be unique' })
    .refine((s) => !s.some((x) => x.id === 'callbacks'), { message: '`callbacks` is the flows’ own queue' }),
  concurrency: Concurrency,
  /**
   * An AWS WAF web ACL in front of the API, optional. AWS WAF cannot be associated with an API
   * Gateway HTTP API (only REST APIs, ALB, AppSync, Cognito, App Runner, Verified Access,
   * Amplify and CloudFront), so the stack puts a CloudFront distribution in front of the API
   * and associates the web ACL with it; the web ACL must have the CLOUDFRONT scope, which AWS
   * creates in us-east-1 only. Not available in the China regions, where AWS WAF is regional
   * only and CloudFront needs an ICP recordal and an IAM-imported certificate. The public base
   * URL's host then points at the distribution (a DNS record outside this stack).
   */
  waf: z
    .object({
      /** A web ACL of scope CLOUDFRONT. */
      webAclArn: z.string().regex(/^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[\w-]+$/),
      /** The certificate of the public base URL's host, in ACM in us-east-1 (CloudFront's). */
      certificateArn: z.string().regex(/^arn:aws:acm:us-east-1:\d{12}:certificate\/[\w-]+$/),
    })
    .optional(),
});
export type CityConfig = z.infer<typeof CityConfig>;

export function defineCity(input: z.input<typeof CityConfig>): CityConfig {
  const city = CityConfig.parse(input);
  const china = city.region.startsWith('cn-');
  // SM2 keys exist in KMS in the China regions only; everywhere else the seal is P-256.
  if (city.seal.keySpec === 'SM2' && !china) throw new Error(`${city.stackName}: an SM2 seal needs a China region, not ${city.region}`);
  if (city.waf && china) throw new Error(`${city.stackName}: AWS WAF is regional only in the China regions and cannot protect an HTTP API; use the API's throttling (see infra/cities/city.ts)`);
  if (!knownCities().includes(city.areaCode)) throw new Error(`city ${city.areaCode} has no catalogue in shared/catalog`);
  return city;
}

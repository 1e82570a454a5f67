import { z } from 'zod';
import { knownCities } from '../../shared/catalog/index.ts';

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
  identityProvider: z.object({ issuer: z.string().url(), audience: z.array(z.string().min(1)).min(1) }),
  seal: z.object({
    keySpec: z.enum(['ECC_NIST_P256', 'SM2']),
    /**
     * Every seal key the city has had, oldest first: one KMS key each, retained. A rotation adds
     * a key whose period begins when the new key takes over (the previous one is retired then,
     * and stays published for verification); after a compromise, also end the old key's period
     * (`activeUntil`) at the moment of the compromise. Never remove a key: its licenses verify by it.
     */
    keys: z
      .array(z.object({ name: z.string().regex(/^[a-z0-9-]{1,32}$/), activeFrom: z.iso.datetime({ offset: true }), activeUntil: z.iso.datetime({ offset: true }).optional() }))
      .min(1)
      .refine((keys) => new Set(keys.map((k) => k.name)).size === keys.length, { message: 'seal key names must be unique' }),
  }),
  /** EMS government-mail API (政务专递) of the city's postal branch. */
  emsEndpoint: z.string().url(),
  /** Sealed licenses are kept immutable: GOVERNANCE for a demo, COMPLIANCE in production. */
  licenseLock: z.object({ mode: z.enum(['GOVERNANCE', 'COMPLIANCE']), years: z.number().int().min(1).max(100) }),
  logRetentionDays: z.number().int().min(180),
});
export type CityConfig = z.infer<typeof CityConfig>;

export function defineCity(input: z.input<typeof CityConfig>): CityConfig {
  const city = CityConfig.parse(input);
  // SM2 keys exist in KMS in the China regions only; everywhere else the seal is P-256.
  if (city.seal.keySpec === 'SM2' && !city.region.startsWith('cn-')) throw new Error(`${city.stackName}: an SM2 seal needs a China region, not ${city.region}`);
  if (!knownCities().includes(city.areaCode)) throw new Error(`city ${city.areaCode} has no catalogue in shared/catalog`);
  return city;
}

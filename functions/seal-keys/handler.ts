import { apiHandler } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { SealKeys } from '#shared/responses.ts';
import { listSealKeys } from '#shared/usecases/verify.ts';
import { ready } from '#shared/wiring.ts';
import '#shared/wiring-seal.ts';

/**
 * GET /v1/seal/keys (public): every key the city has sealed with — its id, algorithm, public key
 * (SPKI PEM), status and active period — so that anyone can verify a license offline.
 */
export const handler = apiHandler(async () => respond<typeof SealKeys>(200, await listSealKeys(await ready()), { 'cache-control': 'public, max-age=300' }));

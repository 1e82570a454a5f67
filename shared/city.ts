import type { Config } from './config.ts';

/**
 * The city the embedded runtime serves (`npm start`, the integration and e2e tests): Yinchuan,
 * the demo city, sealing with SM2 and SM3 as its deployment does (infra/cities/yinchuan.ts).
 * It is configuration the runtime reads here: the runtime does not load the CDK app.
 */
export const EMBEDDED_CITY: { areaCode: string; sealAlgorithm: Config['SEAL_ALGORITHM']; sealKeys: { name: string; activeFrom: string; activeUntil?: string }[] } = {
  areaCode: '640100',
  sealAlgorithm: 'SM2_SM3',
  // As the deployment names them: the first key lives in the data folder as seal/p256.pem, each later one as seal/<name>.pem.
  sealKeys: [{ name: 'seal-2024', activeFrom: '2024-01-01T00:00:00+08:00' }],
};

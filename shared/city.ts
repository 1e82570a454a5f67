import type { Config } from './config.ts';

/**
 * The city the embedded runtime serves (`npm start`, the integration and e2e tests): Yinchuan,
 * the demo city, sealing with SM2 and SM3 as its deployment does (infra/cities/yinchuan.ts).
 * It is configuration the runtime reads here: the runtime does not load the CDK app.
 */
export const EMBEDDED_CITY: { areaCode: string; sealAlgorithm: Config['SEAL_ALGORITHM'] } = {
  areaCode: '640100',
  sealAlgorithm: 'SM2_SM3',
};

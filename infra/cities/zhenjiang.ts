import { defineCity } from './city.ts';

/** 镇江市 (Jiangsu), in the Beijing region, sealing with SM2. */
export const zhenjiang = defineCity({
  stackName: 'OneSeal-321100',
  areaCode: '321100',
  name: '镇江市',
  region: 'cn-north-1',
  publicBaseUrl: 'https://oneseal.zhenjiang.gov.cn',
  identityProvider: { issuer: 'https://tyrz.jszwfw.gov.cn', audience: ['oneseal-321100'] },
  seal: { keySpec: 'SM2', keys: [{ name: 'seal-2024', activeFrom: '2024-01-01T00:00:00+08:00' }] },
  emsEndpoint: 'https://api.ems.com.cn/zwzd/js',
  licenseLock: { mode: 'COMPLIANCE', years: 30 },
  logRetentionDays: 365,
});

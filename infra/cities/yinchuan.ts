import { defineCity } from './city.ts';

/** 银川市: the demo city. */
export const yinchuan = defineCity({
  areaCode: '640100',
  name: '银川市',
  region: 'cn-northwest-1',
  publicBaseUrl: 'https://oneseal.yinchuan.gov.cn',
  identityProvider: { issuer: 'https://tyrz.zwfw.nx.gov.cn', audience: ['oneseal-640100'] },
  seal: { keySpec: 'ECC_NIST_P256' },
  emsEndpoint: 'https://api.ems.com.cn/zwzd/nx',
  licenseLock: { mode: 'GOVERNANCE', years: 30 },
  logRetentionDays: 180,
});

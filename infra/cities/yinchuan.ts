import { defineCity } from './city.ts';

/** 银川市: the demo city, in the Ningxia region, sealing with SM2 (GB/T 32918) as Chinese e-licenses do. */
export const yinchuan = defineCity({
  stackName: 'OneSeal-640100',
  areaCode: '640100',
  name: '银川市',
  region: 'cn-northwest-1',
  publicBaseUrl: 'https://oneseal.yinchuan.gov.cn',
  identityProvider: { issuer: 'https://tyrz.zwfw.nx.gov.cn', audience: ['oneseal-640100'] },
  seal: { keySpec: 'SM2', keys: [{ name: 'seal-2024', activeFrom: '2024-01-01T00:00:00+08:00' }] },
  emsEndpoint: 'https://api.ems.com.cn/zwzd/nx',
  licenseLock: { mode: 'COMPLIANCE', years: 30 },
  logRetentionDays: 180,
  subscribers: [
    { id: 'platform', url: 'https://zwfw.nx.gov.cn/oneseal/events', types: ['*'] },
    { id: 'license-library', url: 'https://dzzz.nx.gov.cn/oneseal/events', types: ['license.*'], fullIdentifiers: true },
  ],
});

import { defineCity } from './city.ts';

/** A demonstration deployment of the Yinchuan catalogue outside China: a global region, a P-256 seal rotated once, GOVERNANCE lock. */
export const demo = defineCity({
  stackName: 'OneSeal-demo',
  areaCode: '640100',
  name: '银川市（演示）',
  region: 'ap-southeast-1',
  publicBaseUrl: 'https://demo.oneseal.example.org',
  identityProvider: { issuer: 'https://idp.demo.oneseal.example.org', audience: ['oneseal-demo'] },
  // A planned rotation: the 2024 key sealed until 1 July 2026 and stays published for verification; the 2026 key seals since.
  seal: {
    keySpec: 'ECC_NIST_P256',
    keys: [
      { name: 'seal-2024', activeFrom: '2024-01-01T00:00:00+08:00' },
      { name: '2026', activeFrom: '2026-07-01T00:00:00+08:00' },
    ],
  },
  emsEndpoint: 'https://sandbox.ems.example.org/zwzd',
  licenseLock: { mode: 'GOVERNANCE', years: 1 },
  logRetentionDays: 180,
});

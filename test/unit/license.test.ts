import { describe, expect, it } from 'vitest';
import { expiryOf, isWellFormedLicenseNumber, licenseNumber, licenseStatus } from '#shared/domain/license.ts';
import { sniffFormat } from '#shared/domain/material.ts';

describe('license numbers', () => {
  it('encode type, city, year and sequence with a check character', () => {
    const no = licenseNumber('ZYYS', '640100', 2026, 123);
    expect(no).toMatch(/^ZYYS-640100-2026-000123-[0-9A-Z]$/);
    expect(isWellFormedLicenseNumber(no)).toBe(true);
  });
  it('catch every single-character change', () => {
    const no = licenseNumber('YPJY', '640100', 2026, 42);
    for (let i = 0; i < no.length; i++) {
      if (no[i] === '-') continue;
      for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
        if (c === no[i]) continue;
        const changed = no.slice(0, i) + c + no.slice(i + 1);
        expect(isWellFormedLicenseNumber(changed), changed).toBe(false);
      }
    }
  });
});

describe('license validity', () => {
  it('ends the day before the anniversary, at midnight in Beijing', () => {
    expect(expiryOf(new Date('2026-11-22T02:00:00Z'), 5)).toBe('2031-11-21T15:59:59.999Z');
    expect(expiryOf(new Date('2026-11-22T02:00:00Z'), null)).toBeNull();
  });
  it('is revoked, expired or valid', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    expect(licenseStatus({ expiresAt: '2031-11-21T15:59:59.999Z' }, now)).toBe('valid');
    expect(licenseStatus({ expiresAt: '2026-11-21T15:59:59.999Z' }, now)).toBe('expired');
    expect(licenseStatus({ expiresAt: null, revokedAt: '2026-12-01T00:00:00Z' }, now)).toBe('revoked');
  });
});

describe('material formats by their bytes', () => {
  it('recognises PDF, JPEG, PNG and OFD, whatever the name says', () => {
    expect(sniffFormat(Buffer.from('%PDF-1.7\n'))).toBe('pdf');
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpeg');
    expect(sniffFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffFormat(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....OFD.xml....')]))).toBe('ofd');
    expect(sniffFormat(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('word/document.xml')]))).toBeNull();
    expect(sniffFormat(Buffer.from('MZ\x90\x00'))).toBeNull();
  });
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { LicenseData } from '#shared/domain/license.ts';
import { renderLicensePdf } from '#shared/seal/pdf.ts';

/** The license PDF, written directly (shared/seal/pdf.ts, font.ts, writer.ts). */
const data: LicenseData = {
  licenseNo: 'ZYYS-640100-2026-000001-6', licenseName: '执业药师注册证', itemCode: 'pharmacist-registration', itemName: '执业药师注册', applicationNo: '64010020260601000001',
  holder: { kind: 'person', name: '马晓燕', subjectId: '64010419900101123X' }, fields: [{ label: '执业类别', value: '药学' }], issuer: '银川市行政审批服务局',
  issuedAt: '2026-06-01T02:00:00.000Z', expiresAt: '2031-05-31T15:59:59.999Z', verifyUrl: 'https://oneseal.yinchuan.gov.cn/v1/licenses/ZYYS-640100-2026-000001-6/verify', copy: { index: 2, of: 3 },
};

describe('the license PDF', () => {
  it('is one A4 page that a PDF library reads, titled with the license number, with the bureau as author', async () => {
    const doc = await PDFDocument.load(await renderLicensePdf(data));
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getPage(0).getSize()).toEqual({ width: 595.28, height: 841.89 });
    expect(doc.getTitle()).toBe('执业药师注册证 ZYYS-640100-2026-000001-6');
    expect(doc.getAuthor()).toBe('银川市行政审批服务局');
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-06-01T02:00:00.000Z');
  });

  it('is the same bytes for the same license (its hash is what the seal signs), and another for another copy', async () => {
    const a = Buffer.from(await renderLicensePdf(data));
    expect(Buffer.from(await renderLicensePdf({ ...data })).equals(a)).toBe(true);
    expect(Buffer.from(await renderLicensePdf({ ...data, copy: { index: 3, of: 3 } })).equals(a)).toBe(false);
  });

  it('draws a character on its own with its cmap glyph: fontkit lays out every character of the font so', () => {
    // font.ts skips fontkit's layout for the characters drawn one by one on this ground.
    const font = fontkit.create(readFileSync(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf')));
    const differ: string[] = [];
    for (const cp of font.characterSet) {
      const ids = font.layout(String.fromCodePoint(cp)).glyphs.map((g) => g.id);
      if (ids.length !== 1 || ids[0] !== font.glyphForCodePoint(cp).id) differ.push(`U+${cp.toString(16)}`);
    }
    expect(font.characterSet.length).toBeGreaterThan(30_000);
    expect(differ).toEqual([]);
  }, 60_000);
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import type { LicenseData } from '../domain/license.ts';
import { subsetFont } from './subset.ts';

/**
 * The license PDF (SPEC rule 8): the license's fields in Chinese, its number and 证照标识, the issuing
 * bureau, validity, and a QR code to the verification URL. The CJK font is cut down to the
 * glyphs of this one license before embedding (pdf-lib's own subsetting loses CJK glyphs),
 * which keeps each PDF small and rendering fast.
 */

let fontBytes: Buffer | undefined;
function fullFont(fontFile?: string): Buffer {
  if (!fontBytes) {
    const file = fontFile ?? createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
    fontBytes = readFileSync(file);
  }
  return fontBytes;
}

const RED = rgb(0.75, 0.08, 0.08);
const INK = rgb(0.1, 0.1, 0.1);

const fmtDate = (iso: string) => {
  const d = new Date(Date.parse(iso) + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
};

function lines(data: LicenseData): [string, string][] {
  return [
    [data.holder.kind === 'person' ? '姓名' : '单位名称', data.holder.name],
    [data.holder.kind === 'person' ? '身份证号' : '统一社会信用代码', data.holder.subjectId],
    ...data.fields.map((f): [string, string] => [f.label, f.value]),
    ['事项', data.itemName],
    ['办件编号', data.applicationNo],
    ['发证日期', fmtDate(data.issuedAt)],
    ['有效期至', data.expiresAt ? fmtDate(data.expiresAt) : '长期'],
    ...(data.copy.of > 1 ? [['份次', `第 ${data.copy.index} 份，共 ${data.copy.of} 份`] as [string, string]] : []),
  ];
}

/**
 * Draws text one character at a time. Laid out as a whole, a long run of digits (an ID number,
 * an application number) is shaped by the font's contextual substitutions into full-width
 * forms and prints spaced out; a character on its own keeps its plain glyph.
 */
function drawPlain(page: PDFPage, text: string, options: { x: number; y: number; size: number; font: PDFFont; color: ReturnType<typeof rgb> }) {
  let x = options.x;
  for (const ch of text) {
    page.drawText(ch, { ...options, x });
    x += options.font.widthOfTextAtSize(ch, options.size);
  }
}

/** The width of text drawn by drawPlain: the sum of its characters' widths. */
const plainWidth = (text: string, font: PDFFont, size: number) => [...text].reduce((w, ch) => w + font.widthOfTextAtSize(ch, size), 0);

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const ch of text) {
    if (font.widthOfTextAtSize(line + ch, size) > width && line) {
      out.push(line);
      line = ch;
    } else line += ch;
  }
  out.push(line);
  return out;
}

function drawQr(page: PDFPage, text: string, x: number, y: number, size: number) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / n;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.modules.get(r, c)) page.drawRectangle({ x: x + c * cell, y: y + size - (r + 1) * cell, width: cell, height: cell, color: INK });
    }
  }
}

export async function renderLicensePdf(data: LicenseData, fontFile?: string): Promise<Uint8Array> {
  const rows = lines(data);
  const title = data.licenseName;
  const identifierText = data.national ? `证照标识：${data.national.identifier}` : '';
  const allText = [title, data.issuer, '（审批专用章）', '扫码核验', data.licenseNo, '证照编号', identifierText, ...rows.flat(), '0123456789年月日：，★'].join('');
  const subset = await subsetFont(fullFont(fontFile), allText);

  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  pdf.setTitle(`${title} ${data.licenseNo}`);
  pdf.setAuthor(data.issuer);
  pdf.setCreationDate(new Date(data.issuedAt));
  pdf.setModificationDate(new Date(data.issuedAt));
  const font = await pdf.embedFont(subset, { subset: false });
  const page = pdf.addPage([595.28, 841.89]); // A4
  const { width, height } = page.getSize();

  page.drawRectangle({ x: 28, y: 28, width: width - 56, height: height - 56, borderColor: RED, borderWidth: 2 });
  const titleSize = 30;
  page.drawText(title, { x: (width - font.widthOfTextAtSize(title, titleSize)) / 2, y: height - 110, size: titleSize, font, color: RED });
  const noText = `证照编号：${data.licenseNo}`;
  drawPlain(page, noText, { x: (width - plainWidth(noText, font, 11)) / 2, y: height - 140, size: 11, font, color: INK });
  // The national identity (证照标识, GB/T 36904) under the number, smaller: it is long.
  if (identifierText) drawPlain(page, identifierText, { x: (width - plainWidth(identifierText, font, 8.5)) / 2, y: height - 157, size: 8.5, font, color: INK });

  let y = height - 200;
  for (const [label, value] of rows) {
    page.drawText(`${label}：`, { x: 80, y, size: 13, font, color: INK });
    for (const part of wrap(value, font, 13, width - 300)) {
      drawPlain(page, part, { x: 210, y, size: 13, font, color: INK });
      y -= 22;
    }
    y -= 8;
  }

  // The seal: the bureau's name in a red ring, as the approval seal is printed.
  const cx = width - 170;
  const cy = 170;
  page.drawCircle({ x: cx, y: cy, size: 62, borderColor: RED, borderWidth: 3 });
  page.drawText('★', { x: cx - 9, y: cy - 6, size: 18, font, color: RED });
  const issuerSize = Math.min(12, (12 * 96) / font.widthOfTextAtSize(data.issuer, 12));
  page.drawText(data.issuer, { x: cx - font.widthOfTextAtSize(data.issuer, issuerSize) / 2, y: cy + 22, size: issuerSize, font, color: RED });
  page.drawText('（审批专用章）', { x: cx - font.widthOfTextAtSize('（审批专用章）', 10) / 2, y: cy - 30, size: 10, font, color: RED });
  page.drawText(fmtDate(data.issuedAt), { x: cx - font.widthOfTextAtSize(fmtDate(data.issuedAt), 11) / 2, y: 80, size: 11, font, color: INK });

  drawQr(page, data.verifyUrl, 70, 70, 110);
  page.drawText('扫码核验', { x: 100, y: 54, size: 10, font, color: INK });

  return pdf.save({ useObjectStreams: true });
}

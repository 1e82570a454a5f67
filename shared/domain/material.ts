import type { MaterialFormat } from './catalog.ts';

/**
 * A material's format is recognised from its bytes, never from its name (SPEC rule 3).
 * OFD (GB/T 33190) is a ZIP package whose entry point is OFD.xml.
 */
export function sniffFormat(bytes: Uint8Array): MaterialFormat | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'pdf'; // %PDF-
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0x50, 0x4b, 0x03, 0x04) && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('OFD.xml')) return 'ofd';
  return null;
}

export const FORMAT_LABELS: Record<MaterialFormat, string> = { pdf: 'PDF', jpeg: 'JPEG', png: 'PNG', ofd: 'OFD' };

/** The media type of each format: the `contentType` an upload declares must be its format's. */
export const FORMAT_MEDIA_TYPES: Record<MaterialFormat, string> = { pdf: 'application/pdf', jpeg: 'image/jpeg', png: 'image/png', ofd: 'application/ofd' };

/** The format a declared media type stands for (`image/jpg` is a common alias), or null. */
export function formatOfMediaType(contentType: string): MaterialFormat | null {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'image/jpg') return 'jpeg';
  const found = Object.entries(FORMAT_MEDIA_TYPES).find(([, t]) => t === type);
  return found ? (found[0] as MaterialFormat) : null;
}

/**
 * A minimal PDF file writer: numbered objects, a classic cross-reference table and a trailer.
 * The license page needs nothing more, and writing it directly is what makes sealing fast.
 */

/** One indirect object: a dictionary (or any PDF value), and for a stream its bytes. */
export interface PdfObject { head: string; stream?: Uint8Array }

/**
 * A value, or a stream: `head` then is its dictionary without the closing `>>` (the writer adds
 * /Length), and `stream` its (already encoded) bytes.
 */
export const pdfObject = (head: string, stream?: Uint8Array): PdfObject => (stream ? { head, stream } : { head });

/** A text string as UTF-16BE hex with its byte-order mark (how PDF carries non-Latin text). */
export function utf16Hex(text: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return hex;
}

/** An ISO instant as a PDF date, in UTC (D:YYYYMMDDHHmmSSZ). */
export const pdfDate = (iso: string) => `D:${new Date(iso).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/** The file: objects numbered from 1 in order; the first is the catalog. */
export function writePdf(objects: PdfObject[], trailer: { info: number; id: string }): Uint8Array {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let at = 0;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    at += bytes.byteLength;
  };
  const text = (s: string) => push(Buffer.from(s, 'latin1'));
  text('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n');
  objects.forEach((o, i) => {
    offsets.push(at);
    if (o.stream) {
      text(`${i + 1} 0 obj\n${o.head} /Length ${o.stream.byteLength} >>\nstream\n`);
      push(o.stream);
      text('\nendstream\nendobj\n');
    } else text(`${i + 1} 0 obj\n${o.head}\nendobj\n`);
  });
  const xref = at;
  text(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`);
  text(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${trailer.info} 0 R /ID [<${trailer.id}> <${trailer.id}>] >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

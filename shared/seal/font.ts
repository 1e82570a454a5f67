import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { subsetFont } from './subset.ts';
import { pdfObject, type PdfObject } from './writer.ts';

/**
 * The CJK font of a license, embedded as pdf-lib embedded it (a Type0 font over a TrueType
 * CIDFont, Identity-H, one width per glyph, a ToUnicode map so the text can be copied), cut down
 * with harfbuzz to the characters the license uses (pdf-lib's own subsetting loses CJK glyphs).
 *
 * A subset, its parsed glyphs, its shaped strings and its compressed PDF objects depend only on
 * the set of characters: they are kept for the last few sets. The copies of a batch, and the
 * licenses of one type and holder, share one set; the static text of a type (title, labels,
 * bureau, seal words, digits) is in every set of the type.
 */

export interface Shaped { hex: string; width: number }
export interface EmbeddedFont {
  /** The text laid out as a whole (layout features apply): its glyph ids and its width at size 1. */
  shape(text: string): Shaped;
  /** One character's width at a size (it is drawn on its own). */
  width(ch: string, size: number): number;
  /** The font's five PDF objects, the Type0 font numbered `first`. */
  objects(first: number): PdfObject[];
}

let fontBytes: Buffer | undefined;
function fullFont(fontFile?: string): Buffer {
  if (!fontBytes) {
    const file = fontFile ?? createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
    fontBytes = readFileSync(file);
  }
  return fontBytes;
}

const KEEP = 16;
const SHAPES_PER_FONT = 4096;
const cache = new Map<string, Promise<EmbeddedFont>>();

/** The embedded font for a text (any text whose characters are the same set shares it). */
export function fontFor(text: string, fontFile?: string): Promise<EmbeddedFont> {
  const key = [...new Set(text)].sort().join('');
  let font = cache.get(key);
  if (font) {
    cache.delete(key); // most recently used last
  } else {
    font = Promise.all([subsetFont(fullFont(fontFile), key), fontkit()]).then(([bytes, fk]) => embed(fk, bytes, key));
    font.catch(() => cache.delete(key));
  }
  cache.set(key, font);
  if (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return font;
}

interface Glyph { id: number; codePoints: number[] }

/** fontkit (~900 KiB, mostly Unicode and Brotli tables), evaluated with the first license as harfbuzz and the font are, not at cold start. */
type Fontkit = { create: typeof import('@pdf-lib/fontkit').create };
let fontkitModule: Promise<Fontkit> | undefined;
const fontkit = () => (fontkitModule ??= import('@pdf-lib/fontkit').then((m) => (m as unknown as { default?: Fontkit }).default ?? m));

function embed(fk: Fontkit, bytes: Uint8Array, chars: string): EmbeddedFont {
  const font = fk.create(Buffer.from(bytes));
  const scale = 1000 / font.unitsPerEm;
  // A glyph's advance straight from the hmtx table: fontkit's glyph.advanceWidth also decodes the
  // outline (for vertical metrics this font has no table for), which was a third of the time.
  const hmtx = (font as unknown as { hmtx: { metrics: { length: number; get(i: number): { advance: number } } } }).hmtx;
  const advanceOf = (id: number) => hmtx.metrics.get(Math.min(id, hmtx.metrics.length - 1))?.advance ?? 0;
  const shapes = new Map<string, Shaped>();
  const shape = (text: string): Shaped => {
    let s = shapes.get(text);
    if (!s) {
      // One character lays out as its cmap glyph (checked for every character of the font:
      // test/unit/license-pdf.test.ts), so the characters drawn one by one skip fontkit's layout.
      const single = text.length <= 2 && [...text].length === 1;
      const glyphs = single ? [font.glyphForCodePoint(text.codePointAt(0)!) as Glyph] : (font.layout(text).glyphs as Glyph[]);
      let hex = '';
      let width = 0;
      for (const g of glyphs) {
        hex += g.id.toString(16).padStart(4, '0').toUpperCase();
        width += advanceOf(g.id) * scale;
      }
      s = { hex, width: width / 1000 };
      if (shapes.size >= SHAPES_PER_FONT) shapes.clear();
      shapes.set(text, s);
    }
    return s;
  };

  // Every glyph the subset maps a character to, by id: the widths and the ToUnicode map.
  const byId = new Map<number, Glyph>();
  for (const cp of font.characterSet as number[]) {
    const g = font.glyphForCodePoint(cp) as Glyph;
    if (!byId.has(g.id)) byId.set(g.id, g);
  }
  const glyphs = [...byId.values()].sort((a, b) => a.id - b.id);
  const w: string[] = [];
  let run: number[] = [];
  glyphs.forEach((g, i) => {
    if (i === 0 || g.id - glyphs[i - 1].id !== 1) {
      if (i) w.push(`[${run.join(' ')}]`);
      w.push(String(g.id));
      run = [];
    }
    run.push(advanceOf(g.id) * scale);
  });
  w.push(`[${run.join(' ')}]`);
  const hex4 = (v: number) => v.toString(16).padStart(4, '0').toUpperCase();
  const utf16 = (cp: number) => (cp < 0x10000 ? hex4(cp) : hex4(0xd800 + ((cp - 0x10000) >> 10)) + hex4(0xdc00 + ((cp - 0x10000) & 0x3ff)));
  const cmap = [
    '/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo <<\n  /Registry (Adobe)\n  /Ordering (UCS)\n  /Supplement 0\n>> def',
    '/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000><ffff>\nendcodespacerange',
    // beginbfchar holds at most 100 entries a block (PDF 32000-1, 9.10.3).
    ...Array.from({ length: Math.ceil(glyphs.length / 100) }, (_, b) => {
      const block = glyphs.slice(b * 100, b * 100 + 100);
      return `${block.length} beginbfchar\n${block.map((g) => `<${hex4(g.id)}> <${g.codePoints.map(utf16).join('')}>`).join('\n')}\nendbfchar`;
    }),
    'endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend',
  ].join('\n');

  // A subset's name carries a six-letter tag (PDF 32000-1, 9.6.4), here derived from its characters.
  const tag = [...createHash('sha256').update(chars).digest()].slice(0, 6).map((b) => String.fromCharCode(65 + (b % 26))).join('');
  const name = `${tag}+${font.postscriptName || 'Font'}`;
  const familyClass = font['OS/2'] ? font['OS/2'].sFamilyClass : 0;
  // The flags pdf-lib derived: fixed pitch, serif, symbolic, script, italic.
  const flags = (font.post.isFixedPitch ? 1 : 0) | (familyClass >= 1 && familyClass <= 7 ? 2 : 0) | 4 | (familyClass === 10 ? 8 : 0) | (font.head.macStyle.italic ? 64 : 0);
  const { minX, minY, maxX, maxY } = font.bbox;
  const fontFile = deflateSync(bytes);
  const toUnicode = deflateSync(Buffer.from(cmap, 'latin1'));
  const objects = (first: number): PdfObject[] => [
    pdfObject(`<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H /DescendantFonts [${first + 1} 0 R] /ToUnicode ${first + 4} 0 R >>`),
    pdfObject(`<< /Type /Font /Subtype /CIDFontType2 /CIDToGIDMap /Identity /BaseFont /${name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${first + 2} 0 R /W [${w.join(' ')}] >>`),
    pdfObject(
      `<< /Type /FontDescriptor /FontName /${name} /Flags ${flags} /FontBBox [${minX * scale} ${minY * scale} ${maxX * scale} ${maxY * scale}] /ItalicAngle ${font.italicAngle} ` +
        `/Ascent ${font.ascent * scale} /Descent ${font.descent * scale} /CapHeight ${(font.capHeight || font.ascent) * scale} /XHeight ${(font.xHeight || 0) * scale} /StemV 0 /FontFile2 ${first + 3} 0 R >>`,
    ),
    pdfObject(`<< /Filter /FlateDecode /Length1 ${bytes.byteLength}`, fontFile),
    pdfObject('<< /Filter /FlateDecode', toUnicode),
  ];
  const perFirst = new Map<number, PdfObject[]>();
  return {
    shape,
    width: (ch, size) => shape(ch).width * size,
    objects: (first) => perFirst.get(first) ?? perFirst.set(first, objects(first)).get(first)!,
  };
}

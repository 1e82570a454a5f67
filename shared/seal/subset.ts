import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cachedFetch } from '../cached.ts';

/**
 * Cuts the CJK font down to the characters of one license, with harfbuzz's subsetter (hb-subset,
 * compiled to WebAssembly by harfbuzzjs). We call it directly rather than through subset-font,
 * which would also load a 1.2 MB WOFF2 codec we never use into the sealer's cold start.
 */

/** The exports of harfbuzz-subset.wasm this module calls (C functions; pointers are numbers). */
interface HarfBuzz {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_set_clear(set: number): void;
  hb_set_invert(set: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

const HB_MEMORY_MODE_READONLY = 1;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;

// Loaded once; a failed load is not kept, so the next license tries again.
const load = cachedFetch(async () => {
  const wasm = await readFile(createRequire(import.meta.url).resolve('harfbuzzjs/dist/harfbuzz-subset.wasm'));
  const { instance } = await WebAssembly.instantiate(wasm);
  const hb = instance.exports as unknown as HarfBuzz;
  hb._initialize();
  return hb;
});

/** The font's face, made once: the full font is copied into harfbuzz's memory once, not per license. */
const faces = new WeakMap<Uint8Array, number>();
function faceOf(hb: HarfBuzz, font: Uint8Array): number {
  let face = faces.get(font);
  if (face === undefined) {
    const data = hb.malloc(font.byteLength);
    new Uint8Array(hb.memory.buffer).set(font, data);
    const blob = hb.hb_blob_create(data, font.byteLength, HB_MEMORY_MODE_READONLY, 0, 0);
    face = hb.hb_face_create(blob, 0);
    hb.hb_blob_destroy(blob); // the face holds its own reference; the bytes stay for its lifetime
    faces.set(font, face);
  }
  return face;
}

/** A TrueType font with the glyphs of `text` only (and those its layout features reach). */
export async function subsetFont(font: Uint8Array, text: string): Promise<Uint8Array> {
  const hb = await load();
  const face = faceOf(hb, font);
  const input = hb.hb_subset_input_create_or_fail();
  if (!input) throw new Error('harfbuzz could not create a subset input');
  let subset = 0;
  try {
    // Every layout feature kept, as hb-subset --layout-features='*'.
    const features = hb.hb_subset_input_set(input, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG);
    hb.hb_set_clear(features);
    hb.hb_set_invert(features);
    const unicodes = hb.hb_subset_input_unicode_set(input);
    for (const ch of text) hb.hb_set_add(unicodes, ch.codePointAt(0)!);
    subset = hb.hb_subset_or_fail(face, input);
    if (!subset) throw new Error('harfbuzz could not subset the font');
  } finally {
    hb.hb_subset_input_destroy(input);
  }
  const blob = hb.hb_face_reference_blob(subset);
  try {
    const length = hb.hb_blob_get_length(blob);
    if (!length) throw new Error('harfbuzz made an empty subset');
    const at = hb.hb_blob_get_data(blob, 0);
    // A copy: harfbuzz's memory is reused (and may move when it grows) once the blob is gone.
    return new Uint8Array(hb.memory.buffer, at, length).slice();
  } finally {
    hb.hb_blob_destroy(blob);
    hb.hb_face_destroy(subset);
  }
}

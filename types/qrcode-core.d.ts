/**
 * qrcode's encoder alone (lib/core/qrcode.js): the sealer draws the modules itself, so it leaves
 * out the package's renderers (PNG with pngjs and pako, SVG, terminal), ~100 KiB of its bundle.
 */
declare module 'qrcode/lib/core/qrcode.js' {
  export function create(text: string, options: { errorCorrectionLevel: 'L' | 'M' | 'Q' | 'H' }): { modules: { size: number; get(row: number, col: number): boolean | number } };
}

/**
 * The part of the WebAssembly JavaScript API the sealer uses (a global in Node); TypeScript
 * declares it only in its DOM library, which this project does not load.
 */
declare namespace WebAssembly {
  interface Memory {
    readonly buffer: ArrayBuffer;
  }
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  function instantiate(bytes: Uint8Array): Promise<{ instance: Instance }>;
}

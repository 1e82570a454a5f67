import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * OpenSSL as a third party runs it to verify a license offline: the seal's public key from
 * GET /v1/seal/keys, the signed string and the DER signature from GET /v1/licenses/{no}/seal.
 */
const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
/** `OpenSSL 3.x.y …`, or null when the machine has no openssl. */
export const OPENSSL: string | null = probe.status === 0 && /^OpenSSL 3\./.test(probe.stdout) ? probe.stdout.trim() : null;
export const NO_OPENSSL = 'OpenSSL 3 is not installed on this machine: the offline verification with openssl is skipped';
if (!OPENSSL) console.warn(NO_OPENSSL);

/** The commands of the README, with the file names a verifier would use. */
export const OPENSSL_COMMANDS = {
  SM2_SM3: ['pkeyutl', '-verify', '-pubin', '-inkey', 'key.pem', '-in', 'data', '-sigfile', 'sig.der', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678'],
  ECDSA_P256_SHA256: ['dgst', '-sha256', '-verify', 'key.pem', '-signature', 'sig.der', 'data'],
} as const;

/** Writes key.pem, data and sig.der to a fresh folder and runs the algorithm's command there. */
export function opensslVerify(input: { algorithm: 'SM2_SM3' | 'ECDSA_P256_SHA256'; publicKeyPem: string; signedData: string | Uint8Array; signature: string | Uint8Array }) {
  const dir = mkdtempSync(join(tmpdir(), 'oneseal-offline-'));
  try {
    writeFileSync(join(dir, 'key.pem'), input.publicKeyPem);
    writeFileSync(join(dir, 'data'), typeof input.signedData === 'string' ? Buffer.from(input.signedData, 'utf8') : input.signedData);
    writeFileSync(join(dir, 'sig.der'), typeof input.signature === 'string' ? Buffer.from(input.signature, 'base64') : input.signature);
    const run = spawnSync('openssl', [...OPENSSL_COMMANDS[input.algorithm]], { cwd: dir, encoding: 'utf8' });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

import { installAdapters } from '#shared/wiring.ts';
import type { SealAlgorithm, Signer } from '#shared/ports.ts';
import { usage } from '#shared/adapters/aws/usage.ts';
import { P256FileSigner, Sm2FileSigner } from './adapters/file-signer.ts';
import { SimulatedCourier } from './adapters/simulated-courier.ts';

/**
 * The embedded mode's part of the composition: where the configuration asks for them, the seal
 * kept in a key file (SEAL_MODE=local) and the simulated EMS (COURIER_MODE=simulated) stand in
 * for KMS and EMS. Everything else is wired as in a deployment. The runtime installs this before
 * its first request; production code never imports it, so no Lambda bundle carries it.
 */
export function installLocalAdapters(): void {
  installAdapters((cfg) => ({
    ...(cfg.SEAL_MODE === 'local' ? { signerFor: (key: string, algorithm: SealAlgorithm) => meterLocalSigner(fileSigner(key, algorithm)) } : {}),
    ...(cfg.COURIER_MODE === 'simulated' ? { courier: new SimulatedCourier() } : {}),
    // No stream here: the embedded relay (local/relay.ts) reads new entries from the pending index.
    relayReadsPending: true,
  }));
}

/** A key file signs as the city's KMS key does: SM2 with SM3 (its key beside the name, as `-sm2.json`), or ECDSA P-256. */
function fileSigner(key: string, algorithm: SealAlgorithm): Signer {
  return algorithm === 'SM2_SM3' ? new Sm2FileSigner(key.replace(/\.pem$/, '-sm2.json')) : new P256FileSigner(key);
}

/** The embedded stack signs with a key file where a deployment asks KMS: each signature counts as the kms:Sign it stands for (the benchmark prices it). */
function meterLocalSigner<S extends Signer>(signer: S): S {
  if (process.env.ONESEAL_USAGE !== '1') return signer;
  const sign = signer.sign.bind(signer);
  signer.sign = (message) => {
    usage.calls['kms:Sign'] = (usage.calls['kms:Sign'] ?? 0) + 1;
    return sign(message);
  };
  return signer;
}

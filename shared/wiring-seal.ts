import { KmsSigner } from './adapters/aws/kms-signer.ts';
import { installKmsSeal } from './wiring.ts';

/**
 * The KMS seal for the functions that seal or verify licenses (the sealer, the verifier, the
 * seal keys' listing): their handlers import this module, and only their bundles carry the KMS
 * signer and the SM2 verification it loads.
 */
installKmsSeal((key, algorithm) => new KmsSigner(key, algorithm));

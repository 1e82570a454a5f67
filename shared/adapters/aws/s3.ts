import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ObjectDigest, ObjectStore } from '../../ports.ts';
import type { Config } from '../../config.ts';
import { meter } from './usage.ts';

/**
 * The S3 client, loaded on first use: a function that never touches S3 (the catalogue, the
 * inbox) does not pay for loading the S3 SDK at cold start.
 */
export function s3Client(cfg: Config): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined;
  return () =>
    (client ??= import('@aws-sdk/client-s3').then(({ S3Client }) =>
      meter(
        's3',
        new S3Client({
          forcePathStyle: cfg.S3_FORCE_PATH_STYLE === 'true',
          // Checksums only where S3 requires them: presigned URLs then carry none that a client
          // would have to reproduce, and we verify every material's SHA-256 ourselves at intake.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
      ),
    ));
}

const sdk = () => import('@aws-sdk/client-s3');
/** How much of an object's start intake keeps to recognise its format. */
const HEAD_BYTES = 64 * 1024;
const presigner = () => import('@aws-sdk/s3-request-presigner');

/** One bucket as an object store. Sealed licenses are written once; the bucket's Object Lock keeps them. */
export class S3Store implements ObjectStore {
  constructor(
    private readonly client: () => Promise<S3Client>,
    private readonly bucket: string,
  ) {}

  /**
   * The URL signs the content type, the length, `If-None-Match: *` (S3 answers 412 to a PUT
   * onto an existing key: the bytes cannot be replaced once sent) and `x-amz-checksum-sha256`
   * (S3 answers 400 BadDigest to a body of another SHA-256). The checksum header is kept out of
   * the query string so that the client must send it, and S3 checks the body against it.
   */
  async presignPut(key: string, contentType: string, size: number, sha256Hex: string, expiresIn: number) {
    const [{ PutObjectCommand }, { getSignedUrl }, client] = await Promise.all([sdk(), presigner(), this.client()]);
    const checksum = Buffer.from(sha256Hex, 'hex').toString('base64');
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType, ContentLength: size, ChecksumSHA256: checksum, IfNoneMatch: '*' });
    const url = await getSignedUrl(client, command, {
      expiresIn,
      signableHeaders: new Set(['content-type', 'content-length', 'if-none-match', 'x-amz-checksum-sha256']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    });
    return { url, headers: { 'Content-Type': contentType, 'If-None-Match': '*', 'x-amz-checksum-sha256': checksum } };
  }

  async presignGet(key: string, expiresIn: number, fileName?: string) {
    const [{ GetObjectCommand }, { getSignedUrl }, client] = await Promise.all([sdk(), presigner(), this.client()]);
    const disposition = fileName ? `inline; filename*=UTF-8''${encodeURIComponent(fileName)}` : undefined;
    return getSignedUrl(client, new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentDisposition: disposition }), { expiresIn });
  }

  /** The object as GetObject answers it (its body still to read), or undefined when there is none. */
  private async fetch(key: string, versionId?: string) {
    const [{ GetObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
    try {
      return await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }));
    } catch (e) {
      if ((e as Error).name === 'NoSuchKey' || (e as Error).name === 'NotFound') return undefined;
      throw e;
    }
  }

  async get(key: string) {
    return (await this.fetch(key))?.Body!.transformToByteArray();
  }

  /** Hashes the object chunk by chunk as it arrives: memory stays at one chunk and the 64 KiB head, whatever the size. */
  async digest(key: string, limit: number, versionId?: string): Promise<ObjectDigest | undefined> {
    const out = await this.fetch(key, versionId);
    if (!out) return undefined;
    const body = out.Body as Readable;
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headSize = 0;
    let size = 0;
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (size > limit) {
        // Larger than it may be: stop reading, the rest is never fetched.
        body.destroy();
        return { size: limit + 1, sha256: '', head: Buffer.concat(head), ...(out.VersionId ? { versionId: out.VersionId } : {}) };
      }
      hash.update(bytes);
      if (headSize < HEAD_BYTES) {
        head.push(bytes.subarray(0, HEAD_BYTES - headSize));
        headSize += Math.min(bytes.length, HEAD_BYTES - headSize);
      }
    }
    return { size, sha256: hash.digest('hex'), head: Buffer.concat(head), ...(out.VersionId ? { versionId: out.VersionId } : {}) };
  }

  async put(key: string, body: Uint8Array, contentType: string) {
    const [{ PutObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
    await client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  /**
   * Deletes the objects for good. In a versioned bucket a plain delete only hides the bytes
   * behind a delete marker, and the old version would stay; so each object's current version is
   * read first (HEAD) and that version deleted. A key already gone is skipped. Where the store
   * keeps no versions (the embedded S3), HEAD names none and the plain delete is final.
   */
  async deleteAll(keys: string[]) {
    const [{ DeleteObjectsCommand, HeadObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
    const versionOf = async (Key: string): Promise<{ Key: string; VersionId?: string } | undefined> => {
      try {
        const { VersionId } = await client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
        // An object put before versioning has the version "null", which S3 deletes by that name too.
        return VersionId ? { Key, VersionId } : { Key };
      } catch (e) {
        if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw e;
      }
    };
    // DeleteObjects takes up to 1,000 objects, and answers 200 even when some could not be deleted.
    for (let i = 0; i < keys.length; i += 1000) {
      const objects = [];
      for (let j = i; j < Math.min(i + 1000, keys.length); j += 16) objects.push(...(await Promise.all(keys.slice(j, Math.min(j + 16, i + 1000)).map(versionOf))));
      const present = objects.filter((o) => o !== undefined);
      if (!present.length) continue;
      const out = await client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: present, Quiet: true } }));
      if (out.Errors?.length) throw new Error(`S3 could not delete ${out.Errors.length} objects, the first ${out.Errors[0].Key}: ${out.Errors[0].Code}`);
    }
  }
}

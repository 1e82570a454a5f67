import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import S3rver from 's3rver';

/**
 * The embedded mode's S3: s3rver behind a stand-in for the PUT conditions it ignores. Run as a
 * process of its own by local/emulators.ts (`node --import tsx local/s3-emulator.ts <data folder>
 * <port> <bucket>...`): it says its endpoint over IPC once it listens, and stops when told
 * (SIGTERM) or when its parent goes away.
 */

/**
 * The S3 emulator, behind a small stand-in for the two PUT conditions of S3 that s3rver ignores,
 * so that the presigned upload's binding can be tested here: `If-None-Match: *` onto an existing
 * key → 412 PreconditionFailed, a body whose SHA-256 is not `x-amz-checksum-sha256` → 400
 * BadDigest, and a presigned request without one of the headers it signed → 403. Everything else
 * is s3rver's, the request passed on unchanged. s3rver verifies no signature (a forged or absent
 * one is accepted): the stand-in binds the honest client only, and the machine is trusted.
 * `close()` stops both.
 */
export async function serveS3(dataDir: string, port: number, buckets: string[]): Promise<{ endpoint: string; server: { close(): Promise<void> } }> {
  const s3 = await startS3rver(dataDir, buckets);
  const store = (s3.server as unknown as { store: { getResourcePath(bucket: string, key: string, resource: string): string } }).store;
  const target = new URL(s3.endpoint);
  const proxy = createHttpServer((req, res) => {
    standIn(req, res, target, (bucket, key) => existsSync(store.getResourcePath(bucket, key, 'object'))).catch(() => {
      if (!res.headersSent) s3Error(res, 500, 'InternalError', 'stand-in failure');
    });
  });
  await new Promise<void>((resolve, reject) => proxy.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    server: {
      async close() {
        await new Promise<void>((r) => {
          proxy.close(() => r());
          proxy.closeAllConnections();
        });
        await s3.server.close();
      },
    },
  };
}

const s3Error = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
};

async function standIn(req: IncomingMessage, res: ServerResponse, target: URL, exists: (bucket: string, key: string) => boolean) {
  // A presigned request must carry every header it signed (s3rver does not check that; S3's signature fails without them).
  const signed = new URL(req.url ?? '/', 'http://s3').searchParams.get('X-Amz-SignedHeaders')?.split(';') ?? [];
  if (signed.some((h) => req.headers[h] === undefined)) return s3Error(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  const conditional = req.method === 'PUT' && (req.headers['if-none-match'] === '*' || req.headers['x-amz-checksum-sha256']);
  let body: Buffer | undefined;
  if (conditional) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    body = Buffer.concat(chunks);
    const [, bucket, ...rest] = new URL(req.url ?? '/', 'http://s3').pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (req.headers['if-none-match'] === '*' && exists(bucket, key)) return s3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    const declared = req.headers['x-amz-checksum-sha256'];
    if (declared && createHash('sha256').update(body).digest('base64') !== declared) return s3Error(res, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
  }
  await new Promise<void>((resolve, reject) => {
    const forward = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res).on('finish', resolve).on('error', reject);
    });
    forward.on('error', reject);
    if (body) forward.end(body);
    else req.pipe(forward);
  });
}

async function startS3rver(dataDir: string, buckets: string[]): Promise<{ endpoint: string; server: S3rver }> {
  const directory = join(dataDir, 's3');
  mkdirSync(directory, { recursive: true });
  // s3rver listens behind the stand-in, on a port of the system's choosing (it reports it).
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
  // s3rver's first middleware is koa-logger, which formats a line and wraps every response
  // body in a counting stream even when silent: a sixth of its time per request. Silent, it
  // has nothing to do.
  const koa = server as unknown as { middleware: { name: string }[] };
  if (koa.middleware[0]?.name === 'logger') koa.middleware.shift();
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, server };
}

if (process.send) {
  const [dataDir, port, ...buckets] = process.argv.slice(2);
  serveS3(dataDir, Number(port), buckets).then(
    ({ endpoint, server }) => {
      const stop = () => void server.close().finally(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('disconnect', stop);
      process.send!({ endpoint });
    },
    (e: unknown) => {
      process.send!({ error: (e as Error).message }, () => process.exit(1));
    },
  );
}

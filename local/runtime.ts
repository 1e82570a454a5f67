import './node-version.ts';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, maxHeaderSize, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES, FLOW_FUNCTIONS, SCHEDULED_FUNCTIONS, type Route } from '#shared/http/routes.ts';
import { advanceClock, clock, setClock } from '#shared/clock.ts';
import { FLOWS } from '#shared/domain/catalog.ts';
import { resetConfig } from '#shared/config.ts';
import { ready } from '#shared/wiring.ts';
import { EMBEDDED_CITY } from '#shared/city.ts';
import { BUCKETS, EMBEDDED_BUCKETS } from '#shared/adapters/aws/tables.ts';
import { traced } from '#shared/adapters/aws/usage.ts';
import { maskIds, problem, zodProblems, type ApiEvent, type ApiResult } from '#shared/http/api.ts';
import { DevIdentityProvider, TokenRequest } from './identity.ts';
import { createTables, startDynamo, startS3, freePort, stopProcess } from './emulators.ts';
import { LocalStepFunctions, type LocalLambda } from './stepfunctions.ts';
import { installLocalAdapters } from './wiring.ts';
import { LocalRelay } from './relay.ts';
import { z } from 'zod';
import { SealKeySpecs, type SealKeySpec } from '#shared/domain/keyring.ts';

/**
 * The embedded platform behind `npm start`: DynamoDB Local, the S3 emulator and the local Step
 * Functions runtime, the same Lambda handlers served over HTTP in API Gateway's v2 event shape,
 * the dev identity provider and the dev clock. Handlers reach the emulators with the real AWS
 * SDK clients, through the endpoint variables, exactly as they reach AWS when deployed.
 */

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const ARN_PREFIX = 'arn:aws:states:local:000000000000:stateMachine:oneseal-';

/** The scheduled functions, run on demand here (EventBridge runs them in a deployed stack). */
const SCHEDULED_ON_DEMAND = new Map<string, (typeof SCHEDULED_FUNCTIONS)[number]>([
  ['/dev/supervision/scan', 'supervision-scan'],
  ['/dev/uploads/sweep', 'sweep-uploads'],
]);

/**
 * The embedded seal's keys: files in the data folder's `seal/`. `seal/keys.json`, when there,
 * lists them (`[{key: "<file>", algorithm?, activeFrom, activeUntil?}]`, files relative to
 * `seal/`): that is how a key is rotated here. Without it, the demo city's keys as its
 * deployment lists them, the first in the file the embedded seal has always used.
 */
function localSealKeys(dataDir: string): SealKeySpec[] {
  const folder = join(dataDir, 'seal');
  const listed = join(folder, 'keys.json');
  if (existsSync(listed)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(listed, 'utf8'));
    } catch (e) {
      throw new StartError(`${listed} is not JSON: ${(e as Error).message}`);
    }
    const parsed = SealKeySpecs.safeParse(json);
    if (!parsed.success) throw new StartError(`${listed} is not a list of seal keys: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data.map((k) => ({ ...k, key: resolve(folder, k.key) }));
  }
  return EMBEDDED_CITY.sealKeys.map((k, i) => ({ key: join(folder, i === 0 ? 'p256.pem' : `${k.name}.pem`), activeFrom: k.activeFrom, ...(k.activeUntil ? { activeUntil: k.activeUntil } : {}) }));
}

export interface RuntimeOptions {
  port?: number;
  dataDir?: string;
  log?: (line: string) => void;
}

export interface Runtime {
  url: string;
  dataDir: string;
  sfn: LocalStepFunctions;
  /** The outbox's relay (stop it to hold events and callbacks in the outbox, start it to let them go). */
  relay: LocalRelay;
  idp: DevIdentityProvider;
  endpoints: { dynamodb: string; s3: string; sfn: string };
  dynamodbPid?: number;
  s3Pid?: number;
  close(): Promise<void>;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const handlerCache = new Map<string, Promise<Handler>>();

/** Called after every invocation of a function of this process: the relays of the running platforms. */
const afterInvocation = new Set<() => void>();

/** Lambda invocations of this process and their durations, by function: what AWS would bill. */
export const invocations: Record<string, { count: number; ms: number }> = {};

const loadHandler = (fn: string) => {
  let h = handlerCache.get(fn);
  if (!h) {
    h = import(join(ROOT, 'functions', fn, 'handler.ts')).then((m: { handler: Handler }): Handler => async (event, context) => {
      const started = performance.now();
      try {
        return await traced(fn, () => m.handler(event, context));
      } finally {
        const entry = (invocations[fn] ??= { count: 0, ms: 0 });
        entry.count++;
        entry.ms += performance.now() - started;
        for (const listener of afterInvocation) listener();
      }
    });
    handlerCache.set(fn, h);
  }
  return h;
};
const lambdaContext = (fn: string) => ({
  functionName: `oneseal-${fn}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:oneseal-${fn}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  getRemainingTimeInMillis: () => 30_000,
  callbackWaitsForEmptyEventLoop: false,
});

function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const re = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
    const m = re.exec(path);
    if (m) return { route, params: Object.fromEntries(names.map((n, i) => [n, m[i + 1]])) };
  }
  return undefined;
}

async function readBody(req: IncomingMessage, limit = 6 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw Object.assign(new Error('payload too large'), { statusCode: 413, code: 'request.too-large', title: '请求体过大' });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

const isText = (contentType = '') => contentType === '' || /^(text\/|application\/(json|problem\+json|x-www-form-urlencoded|xml))/i.test(contentType);

function send(res: ServerResponse, result: ApiResult) {
  res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  res.end(result.body ?? '');
}

/** The answer to a request Node could not parse, as Node itself would choose its status: 431 for headers too large, 408 for a head too slow, else 400. */
function clientErrorProblem(code: string | undefined): ApiResult {
  if (code === 'HPE_HEADER_OVERFLOW') return problem(431, 'request.headers-too-large', `请求头过大：请求行与请求头合计不得超过 ${Math.floor(maxHeaderSize / 1024)} KB`);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return problem(408, 'request.timeout', '请求头未在规定时间内发送完毕');
  return problem(400, 'request.malformed', '请求格式不正确，无法解析');
}

/** A whole HTTP/1.1 response as bytes, for a socket that never got a request object; the connection closes after it. */
function rawResponse(result: ApiResult): string {
  const body = Buffer.from(result.body ?? '', 'utf8');
  const head = [`HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode ?? 500]}`, ...Object.entries(result.headers ?? {}).map(([k, v]) => `${k}: ${v}`), `content-length: ${body.length}`, 'connection: close'];
  return `${head.join('\r\n')}\r\n\r\n${body.toString('utf8')}`;
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir ?? '.data');
  mkdirSync(dataDir, { recursive: true });

  // The API's port and the data folder first: a start that cannot have them fails before any
  // emulator runs. Idle keep-alive connections stay open longer than clients keep them (Node's
  // default of 5 s races with a client reusing the socket and answers ECONNRESET).
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 });
  // Until the platform is ready, every request is answered at once: 503, try again shortly.
  let serve: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  server.on('request', (req, res) => {
    if (serve) return serve(req, res);
    req.resume();
    send(res, { ...problem(503, 'platform.starting', '平台正在启动，请稍后重试'), headers: { 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': '2' } });
  });
  // A request Node refuses before it is one (headers beyond its 16 KiB, a malformed request
  // line, a head that never ends) gets a problem+json like every other refusal, not Node's bare
  // status line.
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || e.code === 'ECONNRESET') return void socket.destroy();
    socket.end(rawResponse(clientErrorProblem(e.code)));
  });
  const port = await new Promise<number>((res, rej) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      rej(e.code === 'EADDRINUSE' ? new StartError(`port ${options.port} is already in use (another oneseal?): stop it, or set PORT to another port`) : e),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => res((server.address() as { port: number }).port));
  });
  const url = `http://127.0.0.1:${port}`;
  let unlock: () => void;
  try {
    unlock = lockDataDir(dataDir);
  } catch (e) {
    server.close();
    throw e;
  }

  // The emulators take any credentials; s3rver checks signatures made with its default key pair.
  Object.assign(process.env, { AWS_REGION: 'cn-northwest-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  const started = await Promise.allSettled([startDynamo(dataDir), startS3(dataDir, Object.values(EMBEDDED_BUCKETS))]);
  /** Stops the API server, the emulators that started and frees the data folder: on a failed start, and at close. */
  const stopAll = async () => {
    if (server.listening) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await closed;
    }
    if (started[1].status === 'fulfilled') await started[1].value.server.close();
    if (started[0].status === 'fulfilled') await stopProcess(started[0].value.process);
    unlock();
  };
  if (started[0].status === 'rejected' || started[1].status === 'rejected') {
    await stopAll();
    throw started.find((s): s is PromiseRejectedResult => s.status === 'rejected')!.reason;
  }
  const [dynamo, s3] = [started[0].value, started[1].value];
  let idp: DevIdentityProvider;
  let sfnPort: number;
  let sfn: LocalStepFunctions;
  // Whatever fails from here stops the emulators again: a failed start leaves nothing running.
  try {
    await createTables(dynamo.endpoint);
    idp = await DevIdentityProvider.open(join(dataDir, 'idp-key.json'));
    sfnPort = await freePort();

    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${sfnPort}`,
      CITY_CODE: EMBEDDED_CITY.areaCode,
      PUBLIC_BASE_URL: url,
      STATE_MACHINE_ARN_PREFIX: ARN_PREFIX,
      SEAL_MODE: 'local',
      // The embedded city seals as its deployment does (SM2 for Yinchuan); SEAL_ALGORITHM overrides.
      SEAL_ALGORITHM: process.env.SEAL_ALGORITHM ?? EMBEDDED_CITY.sealAlgorithm,
      COURIER_MODE: 'simulated',
      EMS_WEBHOOK_SECRET: process.env.EMS_WEBHOOK_SECRET ?? 'dev-ems-secret',
      // Events go to PLATFORM_WEBHOOK_URL (none when unset), signed with PLATFORM_WEBHOOK_SECRET; retried
      // here from 250 ms doubling to 10 s, 12 attempts (a deployment: 30 s to 12 h, over a day).
      PLATFORM_WEBHOOK_SECRET: process.env.PLATFORM_WEBHOOK_SECRET ?? 'dev-platform-secret',
      WEBHOOK_RETRY_BASE_MS: process.env.WEBHOOK_RETRY_BASE_MS ?? '250',
      WEBHOOK_RETRY_CAP_MS: process.env.WEBHOOK_RETRY_CAP_MS ?? '10000',
      WEBHOOK_MAX_ATTEMPTS: process.env.WEBHOOK_MAX_ATTEMPTS ?? '12',
      SEAL_KEYS: JSON.stringify(localSealKeys(dataDir)),
      S3_FORCE_PATH_STYLE: 'true',
      [BUCKETS.materials]: EMBEDDED_BUCKETS.materials,
      [BUCKETS.licenses]: EMBEDDED_BUCKETS.licenses,
    });
    resetConfig();
    // The key-file seal and the simulated EMS, which the configuration above asks for.
    installLocalAdapters();

    const lambdas: Record<string, LocalLambda> = {};
    for (const fn of Object.values(FLOW_FUNCTIONS)) {
      lambdas[`oneseal-${fn}`] = async (payload) => (await loadHandler(fn))(payload, lambdaContext(fn));
    }
    sfn = new LocalStepFunctions(dataDir, lambdas, {
      // Waiting flows follow the dev clock: callback timeouts, heartbeats and Wait states.
      now: () => clock.now(),
      // What EventBridge's "Step Functions Execution Status Change" rule does in a deployed stack.
      onExecutionEnded: async (e) => {
        if (e.status !== 'FAILED' && e.status !== 'TIMED_OUT') return;
        const event = { source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', time: clock.now().toISOString(), detail: e };
        await (await loadHandler('record-failure'))(event, lambdaContext('record-failure'));
      },
    });
    for (const flow of FLOWS) {
      const text = readFileSync(join(ROOT, 'statemachines', `${flow}.asl.json`), 'utf8');
      const filled = text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
        if (name === 'Partition') return 'aws';
        const fn = Object.entries(FLOW_FUNCTIONS).find(([k]) => `${k}FunctionArn` === name)?.[1];
        if (!fn) throw new Error(`statemachines/${flow}.asl.json: unknown placeholder \${${name}}`);
        return `arn:aws:lambda:local:000000000000:function:oneseal-${fn}`;
      });
      sfn.register(`${ARN_PREFIX}${flow}`, JSON.parse(filled));
    }
    await sfn.listen(sfnPort);
  } catch (e) {
    await stopAll();
    throw e;
  }
  sfn.resumeAll();
  const relay = new LocalRelay(log);
  const nudge = () => relay.nudge();
  afterInvocation.add(nudge);
  relay.start();

  serve = (req, res) => {
    handle(req, res).catch((e) => {
      log(`request failed: ${maskIds((e as Error).message)}`);
      const known = e as { statusCode?: number; code?: string; title?: string };
      if (!res.headersSent) send(res, known.statusCode && known.code ? problem(known.statusCode, known.code, known.title ?? '请求无法处理') : problem(500, 'internal', '系统内部错误'));
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const started = Date.now();
    const u = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    res.on('finish', () => log(`${method} ${maskIds(u.pathname)} → ${res.statusCode} (${Date.now() - started} ms)`));

    if (u.pathname.startsWith('/dev/')) {
      const refused = devRequestRefusal(method, req.headers, url);
      if (refused) return send(res, refused);
    }
    if (u.pathname === '/.well-known/jwks.json' && method === 'GET') return send(res, { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(idp.jwks) });
    if (u.pathname === '/dev/token' && method === 'POST') return send(res, await devToken(body));
    if (u.pathname === '/dev/clock') return send(res, await devClock(method, body));
    const scheduled = SCHEDULED_ON_DEMAND.get(u.pathname);
    if (scheduled && method === 'POST') {
      const report = await (await loadHandler(scheduled))({ source: 'dev' }, lambdaContext(scheduled));
      return send(res, { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
    }

    const matched = matchRoute(method, u.pathname);
    if (!matched) {
      const other = ROUTES.some((r) => matchRoute(r.method, u.pathname)?.route === r);
      return send(res, other ? problem(405, 'request.method-not-allowed', '不支持该请求方法') : problem(404, 'route.not-found', '接口不存在'));
    }
    const { route, params } = matched;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : (v ?? '')]));
    let authorizer: ApiEvent['requestContext']['authorizer'];
    if (route.auth) {
      // What API Gateway's JWT authorizer does before the function runs.
      const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
      const claims = m ? await idp.verify(m[1]) : null;
      if (!claims) return send(res, problem(401, 'auth.unauthorized', '未提供有效的身份令牌'));
      authorizer = { jwt: { claims } };
    }
    const event = {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: u.pathname,
      rawQueryString: u.search.slice(1),
      headers,
      queryStringParameters: u.search ? Object.fromEntries(u.searchParams) : undefined,
      pathParameters: Object.keys(params).length ? params : undefined,
      // As API Gateway does: text stays text, anything else (a PDF) arrives base64-encoded.
      ...(body.length ? (isText(headers['content-type']) ? { body: body.toString('utf8'), isBase64Encoded: false } : { body: body.toString('base64'), isBase64Encoded: true }) : { isBase64Encoded: false }),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: u.host,
        http: { method, path: u.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: `${route.method} ${route.path}`,
        stage: '$default',
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
        ...(authorizer ? { authorizer } : {}),
      },
    };
    const result = (await (await loadHandler(route.fn))(event, lambdaContext(route.fn))) as ApiResult;
    send(res, result);
  }

  async function devToken(body: Buffer): Promise<ApiResult> {
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return problem(400, 'request.malformed-json', '请求体不是合法的 JSON');
    }
    const parsed = TokenRequest.safeParse(raw);
    if (!parsed.success) return problem(422, 'request.invalid', '令牌请求不符合要求', zodProblems(parsed.error));
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: await idp.issue(parsed.data) }) };
  }

  async function devClock(method: string, body: Buffer): Promise<ApiResult> {
    if (method === 'POST') {
      const Req = z.union([
        z.object({ now: z.iso.datetime({ offset: true }) }),
        z.object({ advance: z.object({ workingDays: z.number().int().min(0).max(400).optional(), hours: z.number().min(0).max(24 * 400).optional() }) }),
      ]);
      let parsed;
      try {
        parsed = Req.safeParse(JSON.parse(body.toString('utf8') || '{}'));
      } catch {
        return problem(400, 'request.malformed-json', '请求体不是合法的 JSON');
      }
      if (!parsed.success) return problem(422, 'request.invalid', '请给出 now（ISO 时间）或 advance（workingDays、hours）', zodProblems(parsed.error));
      if ('now' in parsed.data) setClock(new Date(parsed.data.now));
      else {
        const { workingDays = 0, hours = 0 } = parsed.data.advance;
        if (workingDays) {
          // Same time of day, N working days later (on the calendar as it stands, provisional years included).
          const now = clock.now();
          advanceClock((await ready()).calendar.shiftWorkingDays(now, workingDays).getTime() - now.getTime());
        }
        advanceClock(hours * 3600_000);
      }
      // Waiting flows follow the dev clock: a callback whose timeout has now passed times out at once.
      sfn.tick();
    } else if (method !== 'GET') return problem(405, 'request.method-not-allowed', '不支持该请求方法');
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now: clock.now().toISOString() }) };
  }

  return {
    url,
    dataDir,
    sfn,
    relay,
    idp,
    endpoints: { dynamodb: dynamo.endpoint, s3: s3.endpoint, sfn: `http://127.0.0.1:${sfnPort}` },
    /** DynamoDB Local's JVM, whose CPU time the benchmark counts. */
    dynamodbPid: dynamo.process.pid,
    /** The S3 emulator's process, whose CPU time the benchmark counts too. */
    s3Pid: s3.pid,
    async close() {
      afterInvocation.delete(nudge);
      await relay.stop();
      await sfn.close();
      await stopAll();
    },
  };
}

/**
 * The dev endpoints mint tokens and move the clock: a web page the developer happens to visit
 * must not reach them. A browser can send a cross-origin `text/plain` POST without asking (no
 * CORS preflight), but never one with `content-type: application/json`; and it names a
 * cross-site caller in `Origin` and `Sec-Fetch-Site`. So: JSON only (415), and any request
 * from another origin is refused (403). curl and the tests send neither header.
 */
export function devRequestRefusal(method: string, headers: IncomingMessage['headers'], ownOrigin: string): ApiResult | undefined {
  const origin = headers.origin;
  const own = new URL(ownOrigin);
  const sameOrigin = (o: string) => o === own.origin || o === `${own.protocol}//localhost:${own.port}`;
  if ((origin && !sameOrigin(origin)) || (headers['sec-fetch-site'] && !['same-origin', 'none'].includes(headers['sec-fetch-site'] as string))) {
    return problem(403, 'dev.cross-origin', '开发接口只接受本机同源请求');
  }
  if (method !== 'GET' && !/^application\/json\s*(;|$)/i.test(headers['content-type'] ?? '')) {
    return problem(415, 'dev.json-only', '开发接口只接受 application/json 请求体');
  }
  return undefined;
}

/** A start that cannot go on, for a reason the user can fix: said in one line, no stack. */
export class StartError extends Error {}

/**
 * One platform per data folder: two DynamoDB Locals on one database would corrupt it. The
 * folder holds the pid of the process using it; a pid that is no longer alive is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'oneseal.pid');
  const holder = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new StartError(`the data folder ${dataDir} is in use by another oneseal (pid ${holder}): stop it, or set DATA_DIR to another folder (if none is running, delete ${file})`);
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type { Server };

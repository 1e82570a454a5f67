import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalStepFunctions, type ExecutionEndedEvent, type LocalLambda, type LocalStepFunctionsOptions } from '../../local/stepfunctions.ts';

/**
 * The embedded Step Functions on its own: tiny state machines, in-test lambdas, a fake dev
 * clock, and the real SFN client over HTTP. Every wait is a bounded poll.
 */

const ARN = 'arn:aws:states:local:000000000000:stateMachine:';
const FN = 'arn:aws:lambda:local:000000000000:function:';
const T0 = Date.parse('2025-03-03T01:00:00Z');

/** Prepare (a plain Lambda task), then Approve (a callback); no Catch, so a failure fails the execution. */
const approval = (limits: { TimeoutSeconds?: number; HeartbeatSeconds?: number }) => ({
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: `${FN}prepare`, 'Payload.$': '$' },
      ResultSelector: { 'prepared.$': '$.Payload' },
      ResultPath: '$.prep',
      TimeoutSeconds: 60,
      Next: 'Approve',
    },
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: `${FN}open-task`, Payload: { 'taskToken.$': '$$.Task.Token', 'id.$': '$.id' } },
      ResultPath: '$.approval',
      ...limits,
      End: true,
    },
  },
});

/** A joint review: one callback per department, in a Map. */
const joint = {
  StartAt: 'Departments',
  States: {
    Departments: {
      Type: 'Map',
      ItemsPath: '$.departments',
      ItemSelector: { 'id.$': '$$.Map.Item.Value' },
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'DepartmentReview', States: { DepartmentReview: { ...approval({ TimeoutSeconds: 3600 }).States.Approve, ResultPath: null } } },
      ResultPath: '$.reviews',
      End: true,
    },
  },
};

const waitFor = (wait: Record<string, unknown>) => ({
  StartAt: 'Pause',
  States: { Pause: { Type: 'Wait', ...wait, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
});

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let dataDir: string;
let nowMs: number;
let calls: { prepare: number; tokens: string[]; byId: Record<string, string> };
let ended: ExecutionEndedEvent[];
const open: LocalStepFunctions[] = [];

const lambdas: Record<string, LocalLambda> = {
  prepare: async (payload) => {
    calls.prepare++;
    return { ok: true, id: (payload as { id?: string }).id ?? null };
  },
  'open-task': async (payload) => {
    const { taskToken, id } = payload as { taskToken: string; id: string };
    calls.tokens.push(taskToken);
    calls.byId[id] = taskToken;
    return null;
  },
};

const MACHINES: Record<string, Record<string, unknown>> = {
  hour: approval({ TimeoutSeconds: 3600 }),
  day: approval({ TimeoutSeconds: 86400 }),
  heartbeat: approval({ TimeoutSeconds: 3600, HeartbeatSeconds: 600 }),
  joint,
  'execution-timeout': { ...approval({ TimeoutSeconds: 86400 }), TimeoutSeconds: 7200 },
  'task-failed': { StartAt: 'Approve', States: { Approve: { ...approval({ TimeoutSeconds: 3600 }).States.Approve, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }] }, Caught: { Type: 'Succeed' } } },
  'wait-seconds': waitFor({ Seconds: 86400 }),
  'wait-timestamp': waitFor({ TimestampPath: '$.until' }),
};

/** A facade on the shared data folder with the fake dev clock, its machines registered and served over HTTP. */
async function start(machines: string[], options: Omit<LocalStepFunctionsOptions, 'now'> = {}) {
  const sfn = new LocalStepFunctions(dataDir, lambdas, {
    now: () => new Date(nowMs),
    onExecutionEnded: (e) => void ended.push(e),
    ...options,
  });
  open.push(sfn);
  // Only the machines a test uses: the library validates each definition, which takes a while.
  for (const name of machines) sfn.register(`${ARN}${name}`, MACHINES[name]);
  const port = await sfn.listen(0);
  const client = new SFNClient({ endpoint: `http://127.0.0.1:${port}`, region: 'cn-northwest-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  const startExecution = async (machine: string, input: Record<string, unknown>, name?: string) =>
    (await client.send(new StartExecutionCommand({ stateMachineArn: `${ARN}${machine}`, name, input: JSON.stringify(input) }))).executionArn!;
  const describe = (executionArn: string) => client.send(new DescribeExecutionCommand({ executionArn }));
  const status = (executionArn: string, wanted: string) => until(`${executionArn} ${wanted}`, async () => ((await describe(executionArn)).status === wanted ? describe(executionArn) : undefined));
  return { sfn, client, startExecution, describe, status };
}

/** The SDK's error name for a call expected to fail. */
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.name,
  );

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'oneseal-sfn-'));
  nowMs = T0;
  calls = { prepare: 0, tokens: [], byId: {} };
  ended = [];
});

afterEach(async () => {
  for (const sfn of open.splice(0)) await sfn.close();
  rmSync(dataDir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('callbacks on the dev clock', () => {
  it('waits past the real lease, renewing its run without opening the task again, then completes', async () => {
    const { sfn, client, startExecution, describe, status } = await start(['hour', 'joint'], { leaseMs: 1500, tickMs: 50 });
    const arn = await startExecution('hour', { id: 'A1' });
    const map = await startExecution('joint', { departments: ['market', 'health', 'fire'] });
    await until('the tasks to open', () => calls.tokens.length === 4);
    const tokens = { ...calls.byId };
    // Longer than the lease (the library's own timer on a callback is 2 s): each run renewed twice, still waiting.
    await until('two renewals of each', () => sfn.renewals >= 4, 6000);
    expect((await describe(arn)).status).toBe('RUNNING');
    expect((await describe(map)).status).toBe('RUNNING');
    expect(calls.prepare).toBe(1);
    expect(calls.tokens).toHaveLength(4); // no task opened twice
    expect(calls.byId).toEqual(tokens);

    await client.send(new SendTaskSuccessCommand({ taskToken: tokens.A1, output: JSON.stringify({ outcome: 'approve' }) }));
    const done = await status(arn, 'SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ id: 'A1', prep: { prepared: { ok: true, id: 'A1' } }, approval: { outcome: 'approve' } });
    for (const id of ['fire', 'market', 'health']) await client.send(new SendTaskSuccessCommand({ taskToken: tokens[id], output: '{}' }));
    expect(JSON.parse((await status(map, 'SUCCEEDED')).output!).reviews).toEqual([{ id: 'market' }, { id: 'health' }, { id: 'fire' }]);
    expect(calls.prepare).toBe(1);
    await until('both status changes', () => ended.length === 2);
    expect(ended.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it('times out when the dev clock passes TimeoutSeconds', async () => {
    const { sfn, client, startExecution, describe, status } = await start(['hour'], { tickMs: 60_000 });
    const arn = await startExecution('hour', { id: 'T1' });
    const [token] = await until('the task to open', () => calls.tokens.length === 1 && calls.tokens);

    nowMs = T0 + 3599_000;
    sfn.tick();
    expect((await describe(arn)).status).toBe('RUNNING');

    nowMs = T0 + 3601_000;
    sfn.tick();
    const failed = await status(arn, 'FAILED');
    expect(failed).toMatchObject({ error: 'States.Timeout', redriveStatus: 'REDRIVABLE', redriveCount: 0 });
    expect(failed.stopDate!.getTime()).toBe(nowMs);
    await until('the status change', () => ended.length === 1);
    expect(ended[0]).toMatchObject({ executionArn: arn, stateMachineArn: `${ARN}hour`, name: arn.split(':').pop(), status: 'FAILED', error: 'States.Timeout', input: JSON.stringify({ id: 'T1' }), startDate: T0, stopDate: nowMs });
    expect(await errorOf(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).toBe('TaskTimedOut');
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    expect(history.events!.map((e) => e.type)).toEqual(expect.arrayContaining(['TaskTimedOut', 'ExecutionFailed']));
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toHaveLength(1);
  });

  it('keeps a callback alive with heartbeats, and fails it when they stop', async () => {
    const { sfn, client, startExecution, describe, status } = await start(['heartbeat'], { tickMs: 60_000 });
    const arn = await startExecution('heartbeat', { id: 'H1' });
    const [token] = await until('the task to open', () => calls.tokens.length === 1 && calls.tokens);
    for (let i = 1; i <= 3; i++) {
      nowMs = T0 + i * 500_000; // 1500 s in all, well past HeartbeatSeconds (600)
      await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      sfn.tick();
      expect((await describe(arn)).status).toBe('RUNNING');
    }
    nowMs += 601_000;
    sfn.tick();
    expect(await status(arn, 'FAILED')).toMatchObject({ error: 'States.HeartbeatTimeout' });
    expect(await errorOf(client.send(new SendTaskHeartbeatCommand({ taskToken: token })))).toBe('TaskTimedOut');
    expect(await errorOf(client.send(new SendTaskHeartbeatCommand({ taskToken: 'tok_unknown' })))).toBe('TaskDoesNotExist');
  });

  it('leaves a timeout to Catch States.ALL, not States.TaskFailed, as Step Functions does', async () => {
    const { sfn, startExecution, status } = await start(['task-failed'], { tickMs: 60_000 });
    const arn = await startExecution('task-failed', { id: 'C1' });
    await until('the task to open', () => calls.tokens.length === 1);
    nowMs = T0 + 3601_000;
    sfn.tick();
    expect(await status(arn, 'FAILED')).toMatchObject({ error: 'States.Timeout' });
  });

  it('times the execution out after its own TimeoutSeconds on the dev clock, and redrives it', async () => {
    const { sfn, client, startExecution, describe, status } = await start(['execution-timeout'], { tickMs: 60_000 });
    const arn = await startExecution('execution-timeout', { id: 'X1' });
    await until('the task to open', () => calls.tokens.length === 1);
    nowMs = T0 + 7201_000;
    sfn.tick();
    expect(await describe(arn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', redriveStatus: 'REDRIVABLE' });
    await until('the status change', () => ended.length === 1);
    expect(ended[0]).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    await client.send(new RedriveExecutionCommand({ executionArn: arn }));
    const [, second] = await until('the task to open again', () => calls.tokens.length === 2 && calls.tokens);
    await client.send(new SendTaskSuccessCommand({ taskToken: second, output: '{}' }));
    await status(arn, 'SUCCEEDED');
    expect(calls.prepare).toBe(1);
  });

  it('lets a listener that throws change nothing', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { sfn, startExecution, status } = await start(['hour'], {
      tickMs: 60_000,
      onExecutionEnded: (e) => {
        ended.push(e);
        throw new Error('receiver down');
      },
    });
    const arn = await startExecution('hour', { id: 'L1' });
    await until('the task to open', () => calls.tokens.length === 1);
    nowMs = T0 + 7200_000;
    sfn.tick();
    expect(await status(arn, 'FAILED')).toMatchObject({ error: 'States.Timeout' });
    await until('the listener', () => errors.mock.calls.length === 1);
    expect(ended).toHaveLength(1);
    expect(String(errors.mock.calls[0][0])).toMatch(/^\[stepfunctions\] onExecutionEnded failed for .*: receiver down$/);
  });
});

describe('Wait states on the dev clock', () => {
  it('waits Seconds: 86400 until the dev clock has passed a day', async () => {
    const { sfn, startExecution, describe, status } = await start(['wait-seconds'], { tickMs: 20 });
    const arn = await startExecution('wait-seconds', { a: 1 });
    await new Promise((r) => setTimeout(r, 100)); // several real ticks
    nowMs = T0 + 86399_000;
    sfn.tick();
    expect((await describe(arn)).status).toBe('RUNNING');
    nowMs = T0 + 86400_000;
    const done = await status(arn, 'SUCCEEDED'); // the interval's tick wakes it
    expect(JSON.parse(done.output!)).toEqual({ a: 1 });
  });

  it('waits until the TimestampPath time', async () => {
    const { sfn, startExecution, describe, status } = await start(['wait-timestamp'], { tickMs: 60_000 });
    const input = { until: new Date(T0 + 2 * 3600_000).toISOString(), b: 'x' };
    const arn = await startExecution('wait-timestamp', input);
    nowMs = T0 + 3600_000;
    sfn.tick();
    await new Promise((r) => setTimeout(r, 30));
    expect((await describe(arn)).status).toBe('RUNNING');
    nowMs = T0 + 2 * 3600_000 + 1;
    sfn.tick();
    expect(JSON.parse((await status(arn, 'SUCCEEDED')).output!)).toEqual(input);
  });
});

describe('RedriveExecution', () => {
  it('runs a timed-out callback again with a new token, without running the steps before it', async () => {
    const { sfn, client, startExecution, describe, status } = await start(['hour'], { tickMs: 60_000 });
    const arn = await startExecution('hour', { id: 'R1' });
    const [first] = await until('the task to open', () => calls.tokens.length === 1 && calls.tokens);
    nowMs = T0 + 3601_000;
    sfn.tick();
    await status(arn, 'FAILED');

    nowMs += 60_000;
    const { redriveDate } = await client.send(new RedriveExecutionCommand({ executionArn: arn }));
    expect(redriveDate!.getTime()).toBe(nowMs);
    const [, second] = await until('the task to open again', () => calls.tokens.length === 2 && calls.tokens);
    expect(second).not.toBe(first);
    expect(calls.prepare).toBe(1);
    expect(await describe(arn)).toMatchObject({ status: 'RUNNING', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    expect((await describe(arn)).stopDate).toBeUndefined();

    // The redriven callback's timeout counts from its new opening.
    nowMs += 3000_000;
    sfn.tick();
    await client.send(new SendTaskSuccessCommand({ taskToken: second, output: JSON.stringify({ outcome: 'approve' }) }));
    const done = await status(arn, 'SUCCEEDED');
    expect(JSON.parse(done.output!).approval).toEqual({ outcome: 'approve' });
    expect(calls.prepare).toBe(1);
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    expect(history.events!.map((e) => e.type)).toEqual(expect.arrayContaining(['ExecutionFailed', 'ExecutionRedriven', 'ExecutionSucceeded']));
    await until('both status changes', () => ended.length === 2);
    expect(ended.map((e) => [e.status, e.redriveCount])).toEqual([
      ['FAILED', 0],
      ['SUCCEEDED', 1],
    ]);

    expect(await errorOf(client.send(new RedriveExecutionCommand({ executionArn: arn })))).toBe('ExecutionNotRedrivable');
  });

  it('redrives a stopped execution; a running one is not redrivable', async () => {
    const { client, startExecution, describe, status } = await start(['hour'], { tickMs: 60_000 });
    const arn = await startExecution('hour', { id: 'S1' });
    await until('the task to open', () => calls.tokens.length === 1);
    expect(await errorOf(client.send(new RedriveExecutionCommand({ executionArn: arn })))).toBe('ExecutionNotRedrivable');
    await client.send(new StopExecutionCommand({ executionArn: arn, error: 'Withdrawn', cause: 'applicant withdrew' }));
    expect(await describe(arn)).toMatchObject({ status: 'ABORTED', error: 'Withdrawn' });
    expect(await errorOf(client.send(new SendTaskSuccessCommand({ taskToken: calls.tokens[0], output: '{}' })))).toBe('TaskTimedOut');
    await client.send(new RedriveExecutionCommand({ executionArn: arn }));
    const [, second] = await until('the task to open again', () => calls.tokens.length === 2 && calls.tokens);
    await client.send(new SendTaskSuccessCommand({ taskToken: second, output: '{}' }));
    await status(arn, 'SUCCEEDED');
    expect(calls.prepare).toBe(1);
    await until('both status changes', () => ended.length === 2);
    expect(ended.map((e) => e.status)).toEqual(['ABORTED', 'SUCCEEDED']);
  });
});

describe('a restart', () => {
  it('keeps a waiting callback on its token, and times out one whose deadline passed meanwhile', async () => {
    const before = await start(['hour', 'day'], { tickMs: 60_000 });
    const waiting = await before.startExecution('day', { id: 'W1' }, 'waiting');
    const expiring = await before.startExecution('hour', { id: 'E1' }, 'expiring');
    await until('both tasks to open', () => calls.tokens.length === 2);
    const tokens = [...calls.tokens];
    await before.sfn.close();

    nowMs = T0 + 2 * 3600_000; // the runtime was down for two hours of dev time
    const after = await start(['hour', 'day'], { tickMs: 60_000 });
    after.sfn.resumeAll();
    after.sfn.tick(); // the first tick, before the replays have even reached their callbacks
    expect(await after.status(expiring, 'FAILED')).toMatchObject({ error: 'States.Timeout' });
    expect((await after.describe(waiting)).status).toBe('RUNNING');

    const waitingToken = calls.byId.W1;
    expect(await errorOf(after.client.send(new SendTaskSuccessCommand({ taskToken: calls.byId.E1, output: '{}' })))).toBe('TaskTimedOut');
    await after.client.send(new SendTaskSuccessCommand({ taskToken: waitingToken, output: JSON.stringify({ outcome: 'approve' }) }));
    expect(JSON.parse((await after.status(waiting, 'SUCCEEDED')).output!).approval).toEqual({ outcome: 'approve' });
    // Replay ran nothing twice.
    expect(calls.prepare).toBe(2);
    expect(calls.tokens).toEqual(tokens);
  });
});

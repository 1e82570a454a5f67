import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';

/**
 * The embedded Step Functions: the very ASL files CDK deploys, run by aws-local-stepfunctions,
 * behind the AWS JSON 1.0 protocol so that the real @aws-sdk/client-sfn talks to it over HTTP.
 *
 * aws-local-stepfunctions has no callbacks and no persistence; this facade adds them:
 * - `.waitForTaskToken` states get a task token, invoke their function with it, and wait for
 *   SendTaskSuccess / SendTaskFailure;
 * - every finished task's result is written to the data folder, and after a restart each
 *   running execution is replayed from its input: finished tasks return their recorded results
 *   (no side effect runs twice) and a waiting callback waits again on its old token.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type LocalLambda = (payload: Json) => Promise<unknown>;

interface StepRecord {
  key: string;
  state: string;
  token?: string;
  result?: Json;
  error?: { name: string; message: string };
}

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
  steps: StepRecord[];
  history: { timestamp: string; type: string; stateName?: string }[];
  /** States entered, as Step Functions bills them (a replay after a restart counts again). */
  transitions?: number;
}

interface Waiter {
  execution: ExecutionRecord;
  step: StepRecord;
  resolve: (value: Json) => void;
  reject: (error: Error) => void;
}

export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Every state of a definition, those inside Map and Parallel states included. */
function allStates(definition: Record<string, any>): [string, any][] {
  return Object.entries(definition.States as Record<string, any>).flatMap(([name, state]) => [
    [name, state] as [string, any],
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter(Boolean).flatMap((sub) => allStates(sub)),
  ]);
}

/** The AWS JSON protocol carries timestamps as epoch seconds. */
const epoch = (iso?: string) => (iso ? Date.parse(iso) / 1000 : undefined);

const TOKEN_PLACEHOLDER = '__ONESEAL_TASK_TOKEN__';
const namedError = (name: string, message: string) => Object.assign(new Error(message), { name });

export class LocalStepFunctions {
  private readonly machines = new Map<string, { definition: Record<string, any>; machine: StateMachine }>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly dir: string;
  private server?: Server;
  private closing = false;

  constructor(
    dataDir: string,
    private readonly lambdas: Record<string, LocalLambda>,
  ) {
    this.dir = join(dataDir, 'stepfunctions');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Registers a state machine; `definition` is the ASL with its placeholders already filled. */
  register(stateMachineArn: string, definition: Record<string, any>) {
    const local = structuredClone(definition);
    for (const [, state] of allStates(local)) {
      // A callback waits for a person for days; its TimeoutSeconds is a backstop that the
      // runtime would enforce with one setTimeout, which overflows past 24.8 days and fires at
      // once. The embedded mode leaves officer steps to the supervision scan instead.
      if (state.Type === 'Task' && String(state.Resource).endsWith('.waitForTaskToken')) {
        delete state.TimeoutSeconds;
        delete state.HeartbeatSeconds;
      }
    }
    const machine = new StateMachine(local as any, { validationOptions: { checkArn: false } });
    this.machines.set(stateMachineArn, { definition: local, machine });
  }

  /** Replays every execution that was running when the runtime stopped. */
  resumeAll() {
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as ExecutionRecord;
      this.executions.set(record.executionArn, record);
      if (record.status === 'RUNNING') this.run(record);
    }
  }

  startExecution(input: { stateMachineArn: string; name?: string; input?: string }) {
    if (!this.machines.has(input.stateMachineArn)) throw new SfnError('StateMachineDoesNotExist', `State machine does not exist: ${input.stateMachineArn}`);
    const name = input.name ?? randomBytes(16).toString('hex');
    const executionArn = `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As in Step Functions: the same name and input is the same execution.
      if (existing.input === (input.input ?? '{}') && existing.status === 'RUNNING') return { executionArn, startDate: epoch(existing.startDate) };
      throw new SfnError('ExecutionAlreadyExists', `Execution already exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: input.stateMachineArn,
      name,
      input: input.input ?? '{}',
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      steps: [],
      history: [{ timestamp: new Date().toISOString(), type: 'ExecutionStarted' }],
    };
    this.executions.set(executionArn, record);
    this.save(record);
    this.run(record);
    return { executionArn, startDate: epoch(record.startDate) };
  }

  sendTaskSuccess(input: { taskToken: string; output: string }) {
    const waiter = this.takeWaiter(input.taskToken);
    waiter.step.result = JSON.parse(input.output) as Json;
    this.save(waiter.execution); // recorded before the flow moves on, so a crash cannot lose it
    waiter.resolve(waiter.step.result);
    return {};
  }

  sendTaskFailure(input: { taskToken: string; error?: string; cause?: string }) {
    const waiter = this.takeWaiter(input.taskToken);
    waiter.step.error = { name: input.error ?? 'TaskFailed', message: input.cause ?? '' };
    this.save(waiter.execution);
    waiter.reject(namedError(waiter.step.error.name, waiter.step.error.message));
    return {};
  }

  stopExecution(input: { executionArn: string; error?: string; cause?: string }) {
    const record = this.describe(input.executionArn);
    if (record.status === 'RUNNING') {
      for (const [token, w] of this.waiters) if (w.execution === record) this.waiters.delete(token);
      this.finish(record, 'ABORTED', { error: input.error, cause: input.cause });
      this.running.get(record.executionArn)?.abort();
    }
    return { stopDate: epoch(record.stopDate) };
  }

  describeExecution(input: { executionArn: string }) {
    const { steps: _s, history: _h, ...rest } = this.describe(input.executionArn);
    return { ...rest, startDate: epoch(rest.startDate), stopDate: epoch(rest.stopDate) };
  }

  listExecutions(input: { stateMachineArn?: string; statusFilter?: string }) {
    const executions = [...this.executions.values()]
      .filter((e) => (!input.stateMachineArn || e.stateMachineArn === input.stateMachineArn) && (!input.statusFilter || e.status === input.statusFilter))
      .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate }) => ({ executionArn, stateMachineArn, name, status, startDate: epoch(startDate), stopDate: epoch(stopDate) }));
    return { executions };
  }

  getExecutionHistory(input: { executionArn: string }) {
    return { events: this.describe(input.executionArn).history.map((e, i) => ({ id: i + 1, ...e, timestamp: epoch(e.timestamp) })) };
  }

  private describe(executionArn: string) {
    const record = this.executions.get(executionArn);
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution does not exist: ${executionArn}`);
    return record;
  }

  private takeWaiter(taskToken: string): Waiter {
    const waiter = this.waiters.get(taskToken);
    if (!waiter) {
      const known = [...this.executions.values()].some((e) => e.steps.some((s) => s.token === taskToken));
      throw known ? new SfnError('TaskTimedOut', 'Task Timed Out: the task is no longer waiting') : new SfnError('TaskDoesNotExist', 'Task does not exist anymore');
    }
    this.waiters.delete(taskToken);
    return waiter;
  }

  private run(record: ExecutionRecord) {
    const { definition, machine } = this.machines.get(record.stateMachineArn)!;
    // A task is known by its state, its input and how often that pair came before: stable
    // under replay even when Map iterations call their tasks in another order.
    const visits = new Map<string, number>();
    const handlers: Record<string, (input: any) => Promise<Json>> = {};
    for (const [stateName, state] of allStates(definition)) {
      if (state.Type !== 'Task') continue;
      const callback = String(state.Resource).endsWith('.waitForTaskToken');
      const fnName = String(state.Parameters?.FunctionName ?? '').split(':').pop()!;
      handlers[stateName] = async (input) => {
        const key = `${stateName}|${JSON.stringify(input)}`;
        const visit = (visits.get(key) ?? 0) + 1;
        visits.set(key, visit);
        const stepKey = `${key}|${visit}`;
        let step = record.steps.find((s) => s.key === stepKey);
        if (step?.error) throw namedError(step.error.name, step.error.message);
        if (step && step.result !== undefined) return step.result; // replay: already done
        const lambda = this.lambdas[fnName];
        if (!lambda) throw namedError('Lambda.ResourceNotFoundException', `Function not found: ${fnName}`);
        record.history.push({ timestamp: new Date().toISOString(), type: callback ? 'TaskSubmitted' : 'TaskScheduled', stateName });
        if (!callback) {
          try {
            const payload = await lambda(input.Payload as Json);
            const result = { Payload: (payload ?? null) as Json, StatusCode: 200 };
            record.steps.push({ key: stepKey, state: stateName, result });
            this.save(record);
            return result;
          } catch (e) {
            // As the lambda:invoke integration reports a function error: its type as the error name.
            const error = { name: (e as Error).name || 'Error', message: (e as Error).message };
            record.steps.push({ key: stepKey, state: stateName, error });
            this.save(record);
            throw namedError(error.name, error.message);
          }
        }
        // A callback: reuse the token of an earlier run (the task is already open) or open one.
        if (!step) {
          step = { key: stepKey, state: stateName, token: `tok_${randomBytes(24).toString('hex')}` };
          record.steps.push(step);
          this.save(record);
          const payload = JSON.parse(JSON.stringify(input.Payload).replaceAll(TOKEN_PLACEHOLDER, step.token!)) as Json;
          await lambda(payload);
        }
        const waiting = step;
        return new Promise<Json>((resolve, reject) => this.waiters.set(waiting.token!, { execution: record, step: waiting, resolve, reject }));
      };
    }
    const execution = machine.run(JSON.parse(record.input) as Json, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: { Task: { Token: TOKEN_PLACEHOLDER } } as any,
      noThrowOnAbort: true,
    });
    void (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered' || event.type === 'MapIterationStarted') record.transitions = (record.transitions ?? 0) + 1;
      }
    })().catch(() => {});
    const done = (async () => {
      try {
        const output = await execution.result;
        // Stopped by close(): it stays RUNNING on disk, to be replayed at the next start.
        if (record.status === 'RUNNING' && !this.closing) this.finish(record, 'SUCCEEDED', { output: JSON.stringify(output) });
      } catch (e) {
        const cause = (e as { cause?: { name?: string; message?: string } }).cause;
        if (record.status === 'RUNNING' && !this.closing) this.finish(record, 'FAILED', { error: cause?.name ?? (e as Error).name, cause: cause?.message ?? (e as Error).message });
      } finally {
        this.running.delete(record.executionArn);
      }
    })();
    this.running.set(record.executionArn, { abort: execution.abort, done });
  }

  private finish(record: ExecutionRecord, status: ExecutionRecord['status'], extra: { output?: string; error?: string; cause?: string }) {
    Object.assign(record, { status, stopDate: new Date().toISOString() }, extra);
    record.history.push({ timestamp: record.stopDate!, type: `Execution${status === 'SUCCEEDED' ? 'Succeeded' : status === 'FAILED' ? 'Failed' : 'Aborted'}` });
    this.save(record);
  }

  private save(record: ExecutionRecord) {
    const file = join(this.dir, `${record.name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(record));
    renameSync(`${file}.tmp`, file);
  }

  /** Serves the AWS JSON 1.0 protocol of Step Functions on a loopback port. */
  listen(port: number): Promise<number> {
    const ops: Record<string, (input: any) => unknown> = {
      StartExecution: (i) => this.startExecution(i),
      SendTaskSuccess: (i) => this.sendTaskSuccess(i),
      SendTaskFailure: (i) => this.sendTaskFailure(i),
      SendTaskHeartbeat: () => ({}),
      StopExecution: (i) => this.stopExecution(i),
      DescribeExecution: (i) => this.describeExecution(i),
      ListExecutions: (i) => this.listExecutions(i),
      GetExecutionHistory: (i) => this.getExecutionHistory(i),
    };
    // Idle connections outlive the SDK's keep-alive reuse (see the API server in runtime.ts).
    this.server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const op = String(req.headers['x-amz-target'] ?? '').split('.').pop()!;
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(body));
        };
        try {
          if (!ops[op]) throw new SfnError('UnknownOperationException', `Operation not supported by the embedded runtime: ${op}`);
          send(200, ops[op](JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
        } catch (e) {
          const type = e instanceof SfnError ? e.type : 'InternalFailure';
          send(e instanceof SfnError ? 400 : 500, { __type: `com.amazonaws.swf.service.v2.model#${type}`, message: (e as Error).message });
        }
      });
    });
    return new Promise((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve((this.server!.address() as { port: number }).port)));
  }

  async close() {
    this.closing = true;
    for (const { abort } of this.running.values()) abort();
    this.waiters.clear();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}


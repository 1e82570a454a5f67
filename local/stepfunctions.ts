import './node-version.ts';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';

/**
 * The embedded Step Functions: the very ASL files CDK deploys, run by aws-local-stepfunctions,
 * behind the AWS JSON 1.0 protocol so that the real @aws-sdk/client-sfn talks to it over HTTP.
 *
 * aws-local-stepfunctions has no callbacks, no persistence and only real time; this facade adds:
 * - `.waitForTaskToken` states get a task token, invoke their function with it, and wait for
 *   SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat;
 * - every finished step's result is written to the data folder, and after a restart each
 *   running execution is replayed from its input: finished steps return their recorded results
 *   (no side effect runs twice) and a waiting callback waits again on its old token;
 * - time that a flow waits for runs on the dev clock (`options.now`): a callback's declared
 *   TimeoutSeconds / HeartbeatSeconds, Wait states and the execution's TimeoutSeconds are checked
 *   by a tick against that clock, never by one long real-time timer (Node's overflows past
 *   24.8 days and fires at once). The library still races every Task with a real setTimeout of
 *   its TimeoutSeconds: for callbacks and Waits the local definition sets it to a lease of a few
 *   days, and a run nearing the end of its lease is replayed (renewed) from the record;
 * - RedriveExecution, and a notification when an execution ends (what EventBridge's
 *   "Step Functions Execution Status Change" gives a deployed stack).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type LocalLambda = (payload: Json) => Promise<unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The `detail` of EventBridge's "Step Functions Execution Status Change" event (dates in epoch milliseconds, as there). */
export interface ExecutionEndedEvent {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  input: string;
  output: string | null;
  error: string | null;
  cause: string | null;
  startDate: number;
  stopDate: number;
  redriveCount: number;
}

export interface LocalStepFunctionsOptions {
  /** The clock waiting flows follow (the dev clock); real time by default. */
  now?: () => Date;
  /**
   * How long one run of the library may wait in real time before it is replayed from the
   * record; ≤ ~6 days keeps the library's per-task setTimeout below Node's 2^31-1 ms limit.
   * Default 6 days. Keep ceil(leaseMs / 1000) s above leaseMs × 0.9 + tickMs.
   */
  leaseMs?: number;
  /** How often (real milliseconds) deadlines and leases are checked. Default 1000. */
  tickMs?: number;
  /** Called once an execution has ended (SUCCEEDED, FAILED, TIMED_OUT or ABORTED; not when the runtime closes). */
  onExecutionEnded?: (event: ExecutionEndedEvent) => void | Promise<void>;
}

interface StepRecord {
  key: string;
  state: string;
  /** A callback: its task token, the dev-clock time it opened, its last heartbeat, its declared limits. */
  token?: string;
  openedAt?: string;
  heartbeatAt?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  /** A Wait state: the dev-clock time it wakes (fixed at entry, so that a replay keeps it). */
  wakeAt?: string;
  result?: Json;
  error?: { name: string; message: string };
}

interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount?: number;
  redriveDate?: string;
  steps: StepRecord[];
  history: { timestamp: string; type: string; stateName?: string }[];
  /** States entered, as Step Functions bills them (a replay after a restart counts again). */
  transitions?: number;
}

/** One run of the library over an execution record; a renewal or a redrive starts another. */
interface Run {
  record: ExecutionRecord;
  /** Aborted runs finish nothing: their handlers refuse to run and their result is ignored. */
  aborted: boolean;
  /** Lambdas being invoked: a run is not renewed meanwhile (the new run would invoke them again). */
  inflight: number;
  /** States entered by this run, and how many of them an earlier run already counted. */
  entered: number;
  skip: number;
  abort: () => void;
}

interface Waiter {
  run: Run;
  /** When (real time) the library started the Task, and with it the lease timer it races the Task with. */
  sinceRealMs: number;
  resolve: (value: Json) => void;
  reject: (error: Error) => void;
}

type StateKind = 'task' | 'callback' | 'wait';

interface Machine {
  /** The definition the library runs (callback and Wait timeouts replaced by the lease). */
  definition: Record<string, any>;
  machine: StateMachine;
  /** The states as declared, by name (Map and Parallel states' included). */
  declared: Map<string, any>;
  kinds: Map<string, StateKind>;
  /** The execution's TimeoutSeconds, enforced on the dev clock. */
  timeoutSeconds?: number;
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
const WAIT_RESOURCE = 'arn:aws:states:::oneseal-local:wait';
const TIMEOUT_PATH_KEY = '__onesealTimeoutSeconds';
const HEARTBEAT_PATH_KEY = '__onesealHeartbeatSeconds';
const DAY_MS = 86_400_000;
/** Node's setTimeout limit, in whole seconds. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** How long after its end AWS lets an execution be redriven. */
const REDRIVE_WINDOW_MS = 14 * DAY_MS;

/**
 * The library's own States.Timeout class, which it does not export: its `States.TaskFailed`
 * matcher leaves timeouts out by `instanceof`, as AWS leaves them out. Captured once from a
 * task that times out after 1 ms; until then (or if that ever fails) a plain named error.
 */
let StatesTimeoutError: (new () => Error) | undefined;
new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: WAIT_RESOURCE, TimeoutSeconds: 0.001, End: true } } } as any, { validationOptions: { noValidate: true } })
  .run({}, { overrides: { taskResourceLocalHandlers: { T: () => new Promise<never>(() => {}) } } })
  .result.catch((e: { cause?: Error }) => {
    if (e.cause?.name === 'States.Timeout') StatesTimeoutError = e.cause.constructor as new () => Error;
  });

const namedError = (name: string, message: string): Error => {
  if (name === 'States.Timeout' && StatesTimeoutError) return Object.assign(new StatesTimeoutError(), { message });
  return Object.assign(new Error(message), { name });
};

/** A States.Runtime error: neither retried nor caught, as Step Functions treats it. */
const runtimeError = (message: string) => Object.assign(new Error(message), { name: 'States.Runtime', isRetryable: false, isCatchable: false });

/** What a handler of an aborted run throws: neither retried nor caught, so the run just ends. */
const runAborted = () => Object.assign(new Error('This run of the execution was aborted'), { name: 'States.Runtime', isRetryable: false, isCatchable: false });

/** As Step Functions matches a Catch: States.ALL, the name, or States.TaskFailed for all but States.Timeout. */
const caughtBy = (state: any, name: string) =>
  ((state?.Catch ?? []) as { ErrorEquals: string[] }[]).some((c) => c.ErrorEquals.some((e) => e === 'States.ALL' || e === name || (e === 'States.TaskFailed' && name !== 'States.Timeout')));

/** A plain task's TimeoutSeconds, as the library and Step Functions default it. */
const taskTimeoutSeconds = (state: any) => (typeof state?.TimeoutSeconds === 'number' && state.TimeoutSeconds > 0 ? state.TimeoutSeconds : 60);

const isCallback = (state: any) => state.Type === 'Task' && String(state.Resource).endsWith('.waitForTaskToken');

export class LocalStepFunctions {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, Run>();
  /** Callbacks and Waits that a run is waiting on, by their step. */
  private readonly waiters = new Map<StepRecord, Waiter>();
  private readonly dir: string;
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly onExecutionEnded?: (event: ExecutionEndedEvent) => void | Promise<void>;
  private readonly interval: NodeJS.Timeout;
  private server?: Server;
  private closing = false;
  /** How many runs were renewed at the end of their lease (diagnostics, tests). */
  renewals = 0;

  constructor(
    dataDir: string,
    private readonly lambdas: Record<string, LocalLambda>,
    options: LocalStepFunctionsOptions = {},
  ) {
    this.dir = join(dataDir, 'stepfunctions');
    mkdirSync(this.dir, { recursive: true });
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 6 * DAY_MS;
    if (!(this.leaseMs > 0) || this.leaseMs / 1000 > MAX_TIMER_SECONDS) throw new Error(`leaseMs must be between 1 and ${MAX_TIMER_SECONDS * 1000}`);
    this.onExecutionEnded = options.onExecutionEnded;
    this.interval = setInterval(() => this.tick(), options.tickMs ?? 1000);
    this.interval.unref();
  }

  /** Registers a state machine; `definition` is the ASL with its placeholders already filled. */
  register(stateMachineArn: string, definition: Record<string, any>) {
    const declared = new Map(allStates(definition));
    const kinds = new Map<string, StateKind>();
    const local = structuredClone(definition);
    const leaseSeconds = Math.ceil(this.leaseMs / 1000);
    // The execution's own TimeoutSeconds would be one real setTimeout: the tick enforces it instead.
    delete local.TimeoutSeconds;
    for (const [name, state] of allStates(local)) {
      if (isCallback(state)) {
        // A callback waits for a person for days: its TimeoutSeconds / HeartbeatSeconds are
        // enforced by the tick on the dev clock; the library's own timer only bounds the lease.
        kinds.set(name, 'callback');
        if (state.Parameters && typeof state.Parameters === 'object') {
          // *Path limits are read from the state's input, as Parameters are: let the library evaluate them.
          if (state.TimeoutSecondsPath) state.Parameters[`${TIMEOUT_PATH_KEY}.$`] = state.TimeoutSecondsPath;
          if (state.HeartbeatSecondsPath) state.Parameters[`${HEARTBEAT_PATH_KEY}.$`] = state.HeartbeatSecondsPath;
        }
        delete state.TimeoutSecondsPath;
        delete state.HeartbeatSecondsPath;
        delete state.HeartbeatSeconds;
        state.TimeoutSeconds = leaseSeconds;
      } else if (state.Type === 'Task') {
        // A Lambda's running time is real: its own TimeoutSeconds stays (kept below Node's limit).
        // The handler enforces it (`taskStep`), so that a timeout is recorded and replays alike;
        // the library's timer, a little later, is only a backstop.
        kinds.set(name, 'task');
        delete state.HeartbeatSeconds;
        delete state.HeartbeatSecondsPath;
        if (state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = Math.min(taskTimeoutSeconds(state) + 5, MAX_TIMER_SECONDS);
      } else if (state.Type === 'Wait') {
        // A Wait follows the dev clock: a Task served locally (see `waitStep`), its output its
        // (InputPath-filtered) input, as a Wait state's is.
        kinds.set(name, 'wait');
        const parameters: Record<string, Json> = { 'input.$': '$' };
        if (state.Seconds !== undefined) parameters.seconds = state.Seconds;
        else if (state.Timestamp !== undefined) parameters.timestamp = state.Timestamp;
        else if (state.SecondsPath !== undefined) parameters['seconds.$'] = state.SecondsPath;
        else if (state.TimestampPath !== undefined) parameters['timestamp.$'] = state.TimestampPath;
        for (const k of ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']) delete state[k];
        // InputPath, OutputPath, Next and End stay; the handler returns the filtered input as the result.
        Object.assign(state, { Type: 'Task', Resource: WAIT_RESOURCE, Parameters: parameters, TimeoutSeconds: leaseSeconds });
      }
    }
    const machine = new StateMachine(local as any, { validationOptions: { checkArn: false } });
    this.machines.set(stateMachineArn, { definition: local, machine, declared, kinds, timeoutSeconds: typeof definition.TimeoutSeconds === 'number' ? definition.TimeoutSeconds : undefined });
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
    const now = this.iso();
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: input.stateMachineArn,
      name,
      input: input.input ?? '{}',
      status: 'RUNNING',
      startDate: now,
      steps: [],
      history: [{ timestamp: now, type: 'ExecutionStarted' }],
    };
    this.executions.set(executionArn, record);
    this.save(record);
    this.run(record);
    return { executionArn, startDate: epoch(record.startDate) };
  }

  sendTaskSuccess(input: { taskToken: string; output: string }) {
    let output: Json;
    try {
      output = JSON.parse(input.output) as Json;
    } catch {
      throw new SfnError('InvalidOutput', 'The output is not valid JSON');
    }
    const { record, step } = this.openTask(input.taskToken);
    step.result = output;
    record.history.push({ timestamp: this.iso(), type: 'TaskSucceeded', stateName: step.state });
    this.save(record); // recorded before the flow moves on, so a crash cannot lose it
    this.settle(step, (w) => w.resolve(output));
    return {};
  }

  sendTaskFailure(input: { taskToken: string; error?: string; cause?: string }) {
    const { record, step } = this.openTask(input.taskToken);
    this.failStep(record, step, { name: input.error ?? 'TaskFailed', message: input.cause ?? '' }, 'TaskFailed');
    return {};
  }

  sendTaskHeartbeat(input: { taskToken: string }) {
    const { record, step } = this.openTask(input.taskToken);
    step.heartbeatAt = this.iso();
    this.save(record);
    return {};
  }

  stopExecution(input: { executionArn: string; error?: string; cause?: string }) {
    const record = this.describe(input.executionArn);
    if (record.status === 'RUNNING') {
      const run = this.running.get(record.executionArn);
      this.finish(record, 'ABORTED', { error: input.error, cause: input.cause });
      run?.abort();
    }
    return { stopDate: epoch(record.stopDate) };
  }

  /**
   * As Step Functions: a FAILED, ABORTED or TIMED_OUT execution (ended less than 14 days ago)
   * continues from the unsuccessful step, with the same input and ARN. Successful steps keep
   * their results (they do not run again), failed ones and callbacks that never got a result
   * run again (a callback opens with a new token).
   */
  redriveExecution(input: { executionArn: string }) {
    const record = this.describe(input.executionArn);
    const reason = this.notRedrivable(record);
    if (reason) throw new SfnError('ExecutionNotRedrivable', `Execution ${record.executionArn} cannot be redriven: ${reason}`);
    const { declared } = this.machines.get(record.stateMachineArn)!;
    record.steps = record.steps.filter((step) => this.keptOnRedrive(record.steps, step, declared));
    const now = this.iso();
    Object.assign(record, { status: 'RUNNING', redriveCount: (record.redriveCount ?? 0) + 1, redriveDate: now });
    delete record.stopDate;
    delete record.output;
    delete record.error;
    delete record.cause;
    record.history.push({ timestamp: now, type: 'ExecutionRedriven' });
    this.save(record);
    this.run(record);
    return { redriveDate: epoch(now) };
  }

  describeExecution(input: { executionArn: string }) {
    const record = this.describe(input.executionArn);
    const { steps: _s, history: _h, ...rest } = record;
    const reason = this.notRedrivable(record);
    return {
      ...rest,
      startDate: epoch(rest.startDate),
      stopDate: epoch(rest.stopDate),
      redriveCount: rest.redriveCount ?? 0,
      redriveDate: epoch(rest.redriveDate),
      redriveStatus: reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
      ...(reason ? { redriveStatusReason: reason } : {}),
    };
  }

  listExecutions(input: { stateMachineArn?: string; statusFilter?: string }) {
    const executions = [...this.executions.values()]
      .filter((e) => (!input.stateMachineArn || e.stateMachineArn === input.stateMachineArn) && (!input.statusFilter || e.status === input.statusFilter))
      .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate, redriveCount, redriveDate }) => ({
        executionArn,
        stateMachineArn,
        name,
        status,
        startDate: epoch(startDate),
        stopDate: epoch(stopDate),
        redriveCount: redriveCount ?? 0,
        redriveDate: epoch(redriveDate),
      }));
    return { executions };
  }

  getExecutionHistory(input: { executionArn: string }) {
    return { events: this.describe(input.executionArn).history.map((e, i) => ({ id: i + 1, ...e, timestamp: epoch(e.timestamp) })) };
  }

  /**
   * Checks every deadline against the dev clock: callbacks past their TimeoutSeconds or
   * HeartbeatSeconds fail, Waits whose time came resolve, executions past their TimeoutSeconds
   * time out; and runs near the end of their lease are renewed. Runs every `tickMs`; the runtime
   * also calls it right after the dev clock moves.
   */
  tick() {
    if (this.closing) return;
    try {
      const now = this.now().getTime();
      for (const record of [...this.executions.values()]) {
        if (record.status !== 'RUNNING') continue;
        const limit = this.machines.get(record.stateMachineArn)?.timeoutSeconds;
        if (limit !== undefined && now >= Date.parse(record.redriveDate ?? record.startDate) + limit * 1000) {
          const run = this.running.get(record.executionArn);
          this.finish(record, 'TIMED_OUT', { error: 'States.Timeout', cause: `The execution ran longer than its TimeoutSeconds (${limit})` });
          run?.abort();
          continue;
        }
        for (const step of record.steps) this.checkDeadline(record, step, now);
      }
      // A run renews when a Task it waits on nears the end of its lease (the library's timer on it).
      const renewBefore = Date.now() - this.leaseMs * 0.9;
      const due = new Set([...this.waiters.values()].filter((w) => w.sinceRealMs < renewBefore).map((w) => w.run));
      for (const run of due) if (!run.aborted && run.inflight === 0) this.renew(run);
    } catch (e) {
      console.error(`[stepfunctions] tick failed: ${(e as Error).message}`);
    }
  }

  private describe(executionArn: string) {
    const record = this.executions.get(executionArn);
    if (!record) throw new SfnError('ExecutionDoesNotExist', `Execution does not exist: ${executionArn}`);
    return record;
  }

  private iso() {
    return this.now().toISOString();
  }

  /** The callback a token opened, still waiting for its answer; TaskDoesNotExist or TaskTimedOut otherwise. */
  private openTask(taskToken: string): { record: ExecutionRecord; step: StepRecord } {
    for (const record of this.executions.values()) {
      const step = record.steps.find((s) => s.token === taskToken);
      if (!step) continue;
      // A deadline that passed on the dev clock is passed, whether the tick has run or not.
      if (record.status === 'RUNNING') this.checkDeadline(record, step, this.now().getTime());
      if (record.status !== 'RUNNING' || step.result !== undefined || step.error) throw new SfnError('TaskTimedOut', 'Task Timed Out: the task is no longer waiting');
      // Open but maybe not waited on this very moment (a replay has not reached it yet): the
      // answer is recorded on the step, and the replay finds it there.
      return { record, step };
    }
    throw new SfnError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  /** Fails an open callback whose dev-clock deadline passed, or wakes a Wait whose time came. */
  private checkDeadline(record: ExecutionRecord, step: StepRecord, now: number) {
    if (step.result !== undefined || step.error) return;
    if (step.wakeAt !== undefined) {
      if (now < Date.parse(step.wakeAt)) return;
      step.result = null;
      record.history.push({ timestamp: new Date(now).toISOString(), type: 'WaitStateExited', stateName: step.state });
      this.save(record);
      this.settle(step, (w) => w.resolve(null));
      return;
    }
    if (!step.token || !step.openedAt) return;
    const timeoutAt = step.timeoutSeconds ? Date.parse(step.openedAt) + step.timeoutSeconds * 1000 : Infinity;
    const heartbeatAt = step.heartbeatSeconds ? Date.parse(step.heartbeatAt ?? step.openedAt) + step.heartbeatSeconds * 1000 : Infinity;
    if (now < Math.min(timeoutAt, heartbeatAt)) return;
    const error =
      timeoutAt <= heartbeatAt
        ? { name: 'States.Timeout', message: `The callback did not answer within its TimeoutSeconds (${step.timeoutSeconds})` }
        : { name: 'States.HeartbeatTimeout', message: `No heartbeat within HeartbeatSeconds (${step.heartbeatSeconds})` };
    this.failStep(record, step, error, 'TaskTimedOut');
  }

  /** Records a callback's failure on its step (a replay reproduces it), then fails its waiter. */
  private failStep(record: ExecutionRecord, step: StepRecord, error: { name: string; message: string }, historyType: string) {
    step.error = error;
    record.history.push({ timestamp: this.iso(), type: historyType, stateName: step.state });
    this.save(record);
    this.settle(step, (w) => w.reject(namedError(error.name, error.message)));
  }

  private settle(step: StepRecord, how: (w: Waiter) => void) {
    const waiter = this.waiters.get(step);
    if (!waiter) return;
    this.waiters.delete(step);
    how(waiter);
  }

  private notRedrivable(record: ExecutionRecord): string | undefined {
    if (record.status !== 'FAILED' && record.status !== 'ABORTED' && record.status !== 'TIMED_OUT') return `its status is ${record.status}`;
    if (record.stopDate && this.now().getTime() - Date.parse(record.stopDate) > REDRIVE_WINDOW_MS) return 'it ended more than 14 days ago';
    if ((record.redriveCount ?? 0) >= 1000) return 'it was redriven 1000 times';
    return undefined;
  }

  /**
   * Whether a step keeps its record when its execution is redriven. Results stay; a callback or
   * Wait that never got one runs again. An error stays when the flow went on past it (a later
   * visit of the same state and input succeeded, or a Catch of its state caught it): dropping it
   * would change the path the replay takes. Otherwise it is the unsuccessful step, and its chain
   * of attempts runs again from the first (with fresh retries).
   */
  private keptOnRedrive(steps: StepRecord[], step: StepRecord, declared: Map<string, any>) {
    if (step.result !== undefined) return true;
    if (!step.error) return false;
    const [base, visit] = splitKey(step.key);
    const same = steps.filter((s) => splitKey(s.key)[0] === base);
    if (same.some((s) => splitKey(s.key)[1] > visit && s.result !== undefined)) return true;
    const last = same.reduce((a, b) => (splitKey(b.key)[1] > splitKey(a.key)[1] ? b : a));
    return !!last.error && caughtBy(declared.get(last.state), last.error.name);
  }

  private renew(run: Run) {
    this.renewals++;
    run.abort();
    this.run(run.record, { skip: run.entered });
  }

  private run(record: ExecutionRecord, options: { skip?: number } = {}) {
    const { definition, machine, kinds } = this.machines.get(record.stateMachineArn)!;
    const run: Run = { record, aborted: false, inflight: 0, entered: 0, skip: options.skip ?? 0, abort: () => {} };
    // A step is known by its state, its input and how often that pair came before: stable
    // under replay even when Map iterations call their tasks in another order.
    const visits = new Map<string, number>();
    const handlers: Record<string, (input: any) => Promise<Json>> = {};
    for (const [stateName, state] of allStates(definition)) {
      const kind = kinds.get(stateName);
      if (!kind) continue;
      const fnName = String(state.Parameters?.FunctionName ?? '').split(':').pop()!;
      handlers[stateName] = async (input) => {
        const sinceRealMs = Date.now();
        if (run.aborted) throw runAborted();
        const key = `${stateName}|${JSON.stringify(input)}`;
        const visit = (visits.get(key) ?? 0) + 1;
        visits.set(key, visit);
        const stepKey = `${key}|${visit}`;
        const step = record.steps.find((s) => s.key === stepKey);
        if (step?.error) throw namedError(step.error.name, step.error.message);
        if (kind === 'wait') return this.waitStep(run, sinceRealMs, stateName, stepKey, step, input);
        if (step && step.result !== undefined) return step.result; // replay: already done
        const lambda = this.lambdas[fnName];
        if (!lambda) throw namedError('Lambda.ResourceNotFoundException', `Function not found: ${fnName}`);
        if (kind === 'task') return this.taskStep(run, stateName, stepKey, lambda, input);
        return this.callbackStep(run, sinceRealMs, stateName, stepKey, step, lambda, input);
      };
    }
    const execution = machine.run(JSON.parse(record.input) as Json, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: { Task: { Token: TOKEN_PLACEHOLDER } } as any,
      noThrowOnAbort: true,
    });
    run.abort = () => {
      if (run.aborted) return;
      run.aborted = true;
      execution.abort();
      // Settling its waiters lets the library clear the timers it raced them with.
      for (const [step, w] of [...this.waiters]) if (w.run === run) this.settle(step, (x) => x.reject(runAborted()));
    };
    this.running.set(record.executionArn, run);
    void (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered' || event.type === 'MapIterationStarted') {
          // A renewal replays what its predecessor already counted: only the states beyond it count.
          if (++run.entered > run.skip) record.transitions = (record.transitions ?? 0) + 1;
        }
      }
    })().catch(() => {});
    void (async () => {
      try {
        const output = await execution.result;
        // Aborted (closed, stopped, renewed, timed out): whoever aborted it decides what the record says.
        if (!run.aborted && record.status === 'RUNNING' && !this.closing) this.finish(record, 'SUCCEEDED', { output: JSON.stringify(output) });
      } catch (e) {
        const cause = (e as { cause?: { name?: string; message?: string } }).cause;
        if (!run.aborted && record.status === 'RUNNING' && !this.closing) this.finish(record, 'FAILED', { error: cause?.name ?? (e as Error).name, cause: cause?.message ?? (e as Error).message });
      } finally {
        if (this.running.get(record.executionArn) === run) this.running.delete(record.executionArn);
      }
    })();
  }

  /**
   * A plain Lambda task: invoked, its result or error recorded. Its TimeoutSeconds (default 60,
   * real time: a Lambda's running time is real) is enforced here and recorded as States.Timeout;
   * a function that answers later changes nothing.
   */
  private async taskStep(run: Run, stateName: string, stepKey: string, lambda: LocalLambda, input: any): Promise<Json> {
    const { record } = run;
    const declared = this.machines.get(record.stateMachineArn)!.declared.get(stateName);
    record.history.push({ timestamp: this.iso(), type: 'TaskScheduled', stateName });
    const step: StepRecord = { key: stepKey, state: stateName };
    const settle = (outcome: Pick<StepRecord, 'result' | 'error'>) => {
      if (step.result !== undefined || step.error) return false;
      // Recorded even if the run was aborted meanwhile: it did run, and must not run again.
      Object.assign(step, outcome);
      record.steps.push(step);
      this.save(record);
      run.inflight--;
      return true;
    };
    run.inflight++;
    let timer: NodeJS.Timeout | undefined;
    const timedOut =
      declared?.TimeoutSecondsPath === undefined
        ? new Promise<never>((_, reject) => {
            const seconds = Math.min(taskTimeoutSeconds(declared), MAX_TIMER_SECONDS);
            timer = setTimeout(() => {
              const error = { name: 'States.Timeout', message: `The function did not answer within TimeoutSeconds (${seconds})` };
              if (settle({ error })) reject(namedError(error.name, error.message));
            }, seconds * 1000);
          })
        : new Promise<never>(() => {});
    const invoked = (async () => {
      try {
        const result = { Payload: ((await lambda(input.Payload as Json)) ?? null) as Json, StatusCode: 200 };
        if (settle({ result })) return result;
      } catch (e) {
        // As the lambda:invoke integration reports a function error: its type as the error name.
        const error = { name: (e as Error).name || 'Error', message: (e as Error).message };
        if (settle({ error })) throw namedError(error.name, error.message);
      }
      return new Promise<never>(() => {}); // timed out before: the timeout answers
    })();
    try {
      return await Promise.race([invoked, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A `.waitForTaskToken` task: opened once (token, function invoked), then waited on until answered or timed out. */
  private async callbackStep(run: Run, sinceRealMs: number, stateName: string, stepKey: string, existing: StepRecord | undefined, lambda: LocalLambda, input: any): Promise<Json> {
    const { record } = run;
    const declared = this.machines.get(record.stateMachineArn)!.declared.get(stateName);
    const limits = () => {
      const timeout = Number(input[TIMEOUT_PATH_KEY] ?? declared?.TimeoutSeconds);
      const heartbeat = Number(input[HEARTBEAT_PATH_KEY] ?? declared?.HeartbeatSeconds);
      return { timeoutSeconds: timeout > 0 ? timeout : undefined, heartbeatSeconds: heartbeat > 0 ? heartbeat : undefined };
    };
    let step = existing;
    if (!step) {
      // Open the task: the token is recorded before the function runs, so a renewal or a replay
      // waits on this token instead of opening the task a second time.
      const now = this.iso();
      step = { key: stepKey, state: stateName, token: `tok_${randomBytes(24).toString('hex')}`, openedAt: now, heartbeatAt: now, ...limits() };
      record.steps.push(step);
      record.history.push({ timestamp: now, type: 'TaskSubmitted', stateName });
      this.save(record);
      const payload = JSON.parse(JSON.stringify(input.Payload).replaceAll(TOKEN_PLACEHOLDER, step.token!)) as Json;
      run.inflight++;
      try {
        await lambda(payload);
      } catch (e) {
        // The function failed: the state fails as lambda:invoke reports it (unless already answered).
        if (step.result === undefined && !step.error) {
          step.error = { name: (e as Error).name || 'Error', message: (e as Error).message };
          this.save(record);
        }
      } finally {
        run.inflight--;
      }
    } else if (!step.openedAt && step.result === undefined && !step.error) {
      // Opened before the runtime knew about timeouts: its clocks start now.
      const now = this.iso();
      Object.assign(step, { openedAt: now, heartbeatAt: now }, limits());
      this.save(record);
    }
    if (step.error) throw namedError(step.error.name, step.error.message);
    if (step.result !== undefined) return step.result; // answered while its function ran
    if (run.aborted) throw runAborted();
    const waiting = step;
    return new Promise<Json>((resolve, reject) => {
      this.waiters.set(waiting, { run, sinceRealMs, resolve, reject });
      this.checkDeadline(record, waiting, this.now().getTime()); // a deadline that passed while nobody waited
    });
  }

  /** A Wait state on the dev clock: wakes at the time fixed on entry; its output is its input. */
  private waitStep(run: Run, sinceRealMs: number, stateName: string, stepKey: string, existing: StepRecord | undefined, input: { input: Json; seconds?: unknown; timestamp?: unknown }): Promise<Json> {
    const { record } = run;
    let step = existing;
    if (!step) {
      const now = this.now();
      let wake: number;
      if (input.seconds !== undefined) {
        if (!Number.isInteger(input.seconds) || (input.seconds as number) < 0) throw runtimeError(`Wait state ${stateName}: seconds must be a non-negative integer, got ${JSON.stringify(input.seconds)}`);
        wake = now.getTime() + (input.seconds as number) * 1000;
      } else if (input.timestamp !== undefined) {
        wake = typeof input.timestamp === 'string' ? Date.parse(input.timestamp) : NaN;
        if (Number.isNaN(wake)) throw runtimeError(`Wait state ${stateName}: timestamp must be an RFC 3339 time, got ${JSON.stringify(input.timestamp)}`);
      } else wake = now.getTime();
      step = { key: stepKey, state: stateName, wakeAt: new Date(wake).toISOString() };
      record.steps.push(step);
      record.history.push({ timestamp: now.toISOString(), type: 'WaitStateEntered', stateName });
      this.save(record);
    }
    const waiting = step;
    return new Promise<Json>((resolve, reject) => {
      this.waiters.set(waiting, { run, sinceRealMs, resolve: () => resolve(input.input), reject });
      this.checkDeadline(record, waiting, this.now().getTime()); // already due: wakes at once
      if (waiting.result !== undefined) this.settle(waiting, (w) => w.resolve(null));
    });
  }

  private finish(record: ExecutionRecord, status: Exclude<ExecutionStatus, 'RUNNING'>, extra: { output?: string; error?: string; cause?: string }) {
    Object.assign(record, { status, stopDate: this.iso() }, extra);
    const type = { SUCCEEDED: 'ExecutionSucceeded', FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted' }[status];
    record.history.push({ timestamp: record.stopDate!, type });
    this.save(record);
    this.notify(record, status);
  }

  /** Tells the listener, after the bookkeeping is done and saved; whatever it does cannot break it. */
  private notify(record: ExecutionRecord, status: Exclude<ExecutionStatus, 'RUNNING'>) {
    const listener = this.onExecutionEnded;
    if (!listener) return;
    const event: ExecutionEndedEvent = {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status,
      input: record.input,
      output: record.output ?? null,
      error: record.error ?? null,
      cause: record.cause ?? null,
      startDate: Date.parse(record.startDate),
      stopDate: Date.parse(record.stopDate!),
      redriveCount: record.redriveCount ?? 0,
    };
    const fail = (e: unknown) => console.error(`[stepfunctions] onExecutionEnded failed for ${record.executionArn} (${status}): ${(e as Error)?.message ?? String(e)}`);
    // Deferred: a listener that redrives or stops executions does not run inside this bookkeeping.
    queueMicrotask(() => {
      try {
        Promise.resolve(listener(event)).catch(fail);
      } catch (e) {
        fail(e);
      }
    });
  }

  private save(record: ExecutionRecord) {
    const file = join(this.dir, `${record.name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(record));
    renameSync(`${file}.tmp`, file);
  }

  /** Operations that answer 503 ServiceUnavailable, as Step Functions does in an outage: tests break the flows' callbacks with it. */
  readonly outage = new Set<string>();

  /** Serves the AWS JSON 1.0 protocol of Step Functions on a loopback port. */
  listen(port: number): Promise<number> {
    const ops: Record<string, (input: any) => unknown> = {
      StartExecution: (i) => this.startExecution(i),
      SendTaskSuccess: (i) => this.sendTaskSuccess(i),
      SendTaskFailure: (i) => this.sendTaskFailure(i),
      SendTaskHeartbeat: (i) => this.sendTaskHeartbeat(i),
      StopExecution: (i) => this.stopExecution(i),
      RedriveExecution: (i) => this.redriveExecution(i),
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
        if (this.outage.has(op)) return send(503, { __type: 'com.amazonaws.swf.service.v2.model#ServiceUnavailable', message: 'Step Functions is unavailable (embedded outage)' });
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
    clearInterval(this.interval);
    for (const run of [...this.running.values()]) run.abort();
    this.waiters.clear();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** A step key's state-and-input part and its visit number. */
function splitKey(key: string): [string, number] {
  const i = key.lastIndexOf('|');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}

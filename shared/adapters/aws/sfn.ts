import type { SFNClient } from '@aws-sdk/client-sfn';
import type { FlowKind } from '../../domain/catalog.ts';
import type { Workflow } from '../../ports.ts';
import { meter } from './usage.ts';
import { conflict } from '../../domain/errors.ts';

const sdk = () => import('@aws-sdk/client-sfn');

/** Step Functions as the workflow port: one state machine per flow, named `<prefix><flow>`. The SDK loads on first use. */
export class StepFunctionsWorkflow implements Workflow {
  private client?: Promise<SFNClient>;

  constructor(private readonly arnPrefix: string) {}

  private async send<T>(make: (m: Awaited<ReturnType<typeof sdk>>) => unknown): Promise<T> {
    const m = await sdk();
    this.client ??= Promise.resolve(meter('states', new m.SFNClient({})));
    // Any command of this client: typed at the call site, where the command is built.
    return (await this.client).send(make(m) as never) as Promise<T>;
  }

  async start(flow: FlowKind, name: string, input: Record<string, unknown>) {
    const out = await this.send<{ executionArn?: string }>((m) => new m.StartExecutionCommand({ stateMachineArn: `${this.arnPrefix}${flow}`, name, input: JSON.stringify(input) }));
    return out.executionArn!;
  }

  async sendSuccess(taskToken: string, output: unknown) {
    await this.send((m) => new m.SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async redrive(flow: FlowKind, name: string) {
    try {
      await this.send((m) => new m.RedriveExecutionCommand({ executionArn: this.executionArn(flow, name) }));
    } catch (e) {
      if ((e as Error).name === 'ExecutionNotRedrivable' || (e as Error).name === 'ExecutionDoesNotExist') {
        throw conflict('flow.not-redrivable', 'Step Functions 不能重新驱动该流程（执行已超过 14 天或并未失败）');
      }
      throw e;
    }
  }

  async stop(flow: FlowKind, name: string, cause: string) {
    await this.send((m) => new m.StopExecutionCommand({ executionArn: this.executionArn(flow, name), error: 'Withdrawn', cause }));
  }

  /** The execution ARN follows from the state machine's: …:stateMachine:<machine> → …:execution:<machine>:<name>. */
  private executionArn(flow: FlowKind, name: string) {
    return `${this.arnPrefix.replace(':stateMachine:', ':execution:')}${flow}:${name}`;
  }
}

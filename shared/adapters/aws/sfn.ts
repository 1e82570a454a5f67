import type { SFNClient } from '@aws-sdk/client-sfn';
import type { FlowKind } from '../../domain/catalog.ts';
import type { Workflow } from '../../ports.ts';
import { meter } from './usage.ts';

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

  async sendFailure(taskToken: string, error: string, cause: string) {
    await this.send((m) => new m.SendTaskFailureCommand({ taskToken, error, cause }));
  }

  async stop(flow: FlowKind, name: string, cause: string) {
    // The execution ARN follows from the state machine's: …:stateMachine:<machine> → …:execution:<machine>:<name>.
    const executionArn = `${this.arnPrefix.replace(':stateMachine:', ':execution:')}${flow}:${name}`;
    await this.send((m) => new m.StopExecutionCommand({ executionArn, error: 'Withdrawn', cause }));
  }
}

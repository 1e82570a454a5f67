import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { FlowKind } from '../../domain/catalog.ts';
import type { Workflow } from '../../ports.ts';

/** Step Functions as the workflow port: one state machine per flow, named `<prefix><flow>`. */
export class StepFunctionsWorkflow implements Workflow {
  constructor(
    private readonly arnPrefix: string,
    private readonly client = new SFNClient({}),
  ) {}

  async start(flow: FlowKind, name: string, input: Record<string, unknown>) {
    const out = await this.client.send(new StartExecutionCommand({ stateMachineArn: `${this.arnPrefix}${flow}`, name, input: JSON.stringify(input) }));
    return out.executionArn!;
  }

  async sendSuccess(taskToken: string, output: unknown) {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async sendFailure(taskToken: string, error: string, cause: string) {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
  }

  async stop(flow: FlowKind, name: string, cause: string) {
    // The execution ARN follows from the state machine's: …:stateMachine:<machine> → …:execution:<machine>:<name>.
    const executionArn = `${this.arnPrefix.replace(':stateMachine:', ':execution:')}${flow}:${name}`;
    await this.client.send(new StopExecutionCommand({ executionArn, error: 'Withdrawn', cause }));
  }
}

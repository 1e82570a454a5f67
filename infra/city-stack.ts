import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { API_FUNCTIONS, FLOW_FUNCTIONS } from '../shared/http/routes.ts';
import { catalogFor } from '../shared/catalog/index.ts';
import type { FunctionName } from './access.ts';
import type { CityConfig } from './cities/city.ts';
import { Api } from './constructs/api.ts';
import { Data } from './constructs/data.ts';
import { Events } from './constructs/events.ts';
import { Flows } from './constructs/flows.ts';
import type { AppFunction } from './constructs/function.ts';
import { Functions } from './constructs/functions.ts';
import { Observability } from './constructs/observability.ts';
import { Seal } from './constructs/seal.ts';
import { Supervision } from './constructs/supervision.ts';
import { acknowledgeNagFindings } from './nag.ts';

export interface CityStackProps extends StackProps {
  city: CityConfig;
}

/**
 * One city: its data, its approval seal, its functions (each bound to what infra/access.ts
 * declares), its flows, its schedules, its HTTP API, and what DevOps watch.
 */
export class CityStack extends Stack {
  readonly functions: Record<FunctionName, AppFunction>;
  readonly data: Data;
  readonly seal: Seal;
  readonly flows: Flows;
  readonly api: Api;
  readonly events: Events;

  constructor(scope: Construct, id: string, props: CityStackProps) {
    super(scope, id, props);
    const { city } = props;
    catalogFor(city.areaCode); // a catalogue that does not validate never deploys

    this.data = new Data(this, 'Data', city);
    this.seal = new Seal(this, 'Seal', city);
    const functions = new Functions(this, 'Functions', {
      city,
      bindings: {
        tables: this.data.tables,
        buckets: { materials: this.data.materials, licenses: this.data.licenses },
        seal: this.seal,
        ems: { secret: this.data.emsSecret, endpoint: city.emsEndpoint },
      },
    });
    const f = (this.functions = functions.byName);
    const supervision = new Supervision(this, 'Supervision', { scan: f['supervision-scan'].fn, sweep: f['sweep-uploads'].fn });
    this.flows = new Flows(this, 'Flows', {
      city,
      functions: functions.pick(Object.values(FLOW_FUNCTIONS)),
      recordFailure: f['record-failure'].fn,
      deadLetters: supervision.deadLetters,
    });
    functions.bindFlows(this.flows);
    this.api = new Api(this, 'HttpApi', {
      city,
      functions: functions.pick(API_FUNCTIONS),
      accessLogsBucket: this.data.accessLogs,
    });
    const observability = new Observability(this, 'Observability', {
      cityName: city.name,
      areaCode: city.areaCode,
      api: this.api.api,
      machines: this.flows.machines,
      deadLetters: supervision.deadLetters,
      scanLogs: f['supervision-scan'].fn.logGroup,
      seal: { keyArns: this.seal.keys.map((k) => k.key.keyArn), signerRoleArn: f['seal-licenses'].fn.role!.roleArn, breakGlassRoleArn: this.seal.breakGlass.roleArn },
    });

    this.events = new Events(this, 'Events', {
      city,
      outbox: this.data.tables.Outbox,
      relay: f.relay.fn,
      deliver: f['deliver-events'].fn,
      deadLetters: supervision.deadLetters,
      alarms: observability.topic,
    });

    acknowledgeNagFindings(this, {
      tables: Object.values(this.data.tables),
      buckets: [this.data.materials, this.data.licenses],
      invoked: Object.values(FLOW_FUNCTIONS).map((n) => f[n].fn),
      executions: this.flows.executionArns,
      edge: !!city.waf,
    });

    new CfnOutput(this, 'AlarmTopicArn', { value: observability.topic.topicArn });
    new CfnOutput(this, 'ApiUrl', { value: this.api.api.apiEndpoint });
    if (this.api.distribution) new CfnOutput(this, 'EdgeDomain', { value: this.api.distribution.distributionDomainName, description: `Point ${new URL(city.publicBaseUrl).hostname} here (CNAME).` });
    new CfnOutput(this, 'SealKeyArn', { value: this.seal.keys.at(-1)!.key.keyArn, description: 'The newest seal key (it seals from its activeFrom on).' });
    new CfnOutput(this, 'SealBreakGlassRoleArn', { value: this.seal.breakGlass.roleArn, description: "Changes the seal keys' policies in an emergency; every use is alarmed (docs/operations.md)." });
    new CfnOutput(this, 'StateMachines', { value: this.flows.machines.map((m) => m.stateMachineName).join(',') });
  }
}

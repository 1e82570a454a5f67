import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CityStack } from './city-stack.ts';
import { CITIES } from './cities/index.ts';

/** One stack per city: `cdk deploy OneSeal-640100` deploys Yinchuan. cdk-nag checks every stack at synth. */
const app = new App();
for (const city of CITIES) {
  new CityStack(app, city.stackName, { city, env: { region: city.region, account: city.account } });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();

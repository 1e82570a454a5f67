import { App } from 'aws-cdk-lib';
import { CityStack } from './city-stack.ts';
import { yinchuan } from './cities/yinchuan.ts';

/** One stack per city: `cdk deploy OneSeal-640100` deploys Yinchuan. */
const app = new App();
for (const city of [yinchuan]) {
  new CityStack(app, `OneSeal-${city.areaCode}`, { city, env: { region: city.region, account: city.account } });
}
app.synth();

import { startRuntime, StartError } from './runtime.ts';
import { EMBEDDED_CITY } from '#shared/city.ts';
import { catalogFor } from '#shared/catalog/index.ts';

/** `npm start`: the embedded platform, no configuration needed. PORT and DATA_DIR override the defaults. */
const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? '.data';

console.log('oneseal: starting the embedded platform (DynamoDB Local, S3 emulator, Step Functions runtime)…');
const runtime = await startRuntime({ port, dataDir, log: (line) => console.log(`  ${line}`) }).catch((e: Error) => {
  if (!(e instanceof StartError)) throw e;
  console.error(`oneseal: cannot start: ${e.message}`);
  process.exit(1);
});
console.log(`
oneseal is running — ${catalogFor(EMBEDDED_CITY.areaCode).cityName} (${EMBEDDED_CITY.areaCode}), embedded mode
  API        ${runtime.url}/v1  (OpenAPI: ${runtime.url}/v1/openapi.json)
  data       ${runtime.dataDir}
  DynamoDB   ${runtime.endpoints.dynamodb}
  S3         ${runtime.endpoints.s3}
  Step Fns   ${runtime.endpoints.sfn}

Get a token:
  curl -s -X POST ${runtime.url}/dev/token -H 'content-type: application/json' \\
    -d '{"sub":"64010419900101123X","role":"applicant"}'
  curl -s -X POST ${runtime.url}/dev/token -H 'content-type: application/json' \\
    -d '{"sub":"officer-001","role":"officer","dept":"drug","rank":"clerk"}'
Press Ctrl-C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\noneseal: stopping…');
    await runtime.close();
    console.log('oneseal: stopped; data kept in', runtime.dataDir);
    process.exit(0);
  });
}

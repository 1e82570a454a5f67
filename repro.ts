import './local/polyfills.ts';
import { startRuntime } from './local/runtime.ts';
import { SFNClient, StartExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import net from 'node:net';
const rt = await startRuntime({ dataDir: '/tmp/repro-data' });
const c = new SFNClient({ endpoint: rt.endpoints.sfn, region: 'x', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const port = Number(new URL(rt.endpoints.sfn).port);
const probe = () => new Promise((res) => { const s = net.connect(port, '127.0.0.1', () => { s.end(); res('open'); }); s.on('error', (e) => res(e.message)); });
console.log('before', await probe());
const rs = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => c.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:oneseal-instant', name: `x${i}`, input: JSON.stringify({ applicationId: `nope${i}` }) }))));
console.log(rs.map((r) => r.status === 'fulfilled' ? 'ok' : (r as any).reason.message).join(' | '));
await new Promise((r) => setTimeout(r, 1500));
console.log('after', await probe());
try { console.log((await c.send(new ListExecutionsCommand({}))).executions?.map(e => e.status).join(',')); } catch (e) { console.log('list', (e as Error).message); }
await rt.close();

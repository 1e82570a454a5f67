import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import aslValidator from 'asl-validator';
import { FLOW_FUNCTIONS } from '#shared/http/routes.ts';

/** The invariants every flow keeps, checked on the ASL files themselves rather than a snapshot. */
const files = readdirSync('statemachines').filter((f) => f.endsWith('.asl.json'));
const LAMBDA_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

describe.each(files)('%s', (file) => {
  const text = readFileSync(`statemachines/${file}`, 'utf8');
  const asl = JSON.parse(text);
  const states = Object.entries(asl.States as Record<string, any>);

  it('names every ARN by a placeholder that CDK and the embedded runtime both fill', () => {
    expect(text).not.toMatch(/arn:aws(-cn)?:/);
    const placeholders = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    const known = new Set(['Partition', ...Object.keys(FLOW_FUNCTIONS).map((k) => `${k}FunctionArn`)]);
    for (const p of placeholders) expect(known.has(p), p).toBe(true);
    expect(text).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"/);
  });

  it('passes asl-validator once its placeholders are filled as CDK fills them', () => {
    const filled = text.replace(/\$\{Partition\}/g, 'aws-cn').replace(/\$\{(\w+)\}/g, 'arn:aws-cn:lambda:cn-northwest-1:123456789012:function:oneseal-640100-x');
    const result = aslValidator(JSON.parse(filled));
    expect(result.errors, JSON.stringify(result.errors)).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('gives every callback an explicit timeout and heartbeat, inside Map states too, that no wait for a person can outlast', () => {
    const nested = (sts: Record<string, any>): [string, any][] =>
      Object.entries(sts).flatMap(([n, s]) => [[n, s] as [string, any], ...(s.ItemProcessor ? nested(s.ItemProcessor.States) : [])]);
    const callbacks = nested(asl.States).filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'));
    const DAY = 86_400;
    for (const [name, s] of callbacks) {
      // A person's step (an officer, the applicant, the courier) may wait through a long
      // suspension: the timeout is the longest a Standard execution lives (one year) less a
      // few days, so a callback never dies before its execution would.
      expect(s.TimeoutSeconds, name).toBeGreaterThanOrEqual(360 * DAY);
      expect(s.TimeoutSeconds, name).toBeLessThan(365 * DAY);
      // Nobody sends heartbeats for a person: the heartbeat can only end a step a day before its timeout would.
      expect(s.HeartbeatSeconds, name).toBeLessThan(s.TimeoutSeconds);
      expect(s.HeartbeatSeconds, name).toBeGreaterThanOrEqual(s.TimeoutSeconds - DAY);
      expect(s.Parameters.Payload['taskToken.$'], name).toBe('$$.Task.Token');
    }
  });

  it('retries the Lambda service errors with backoff and catches nothing, so that a redrive restarts the state that failed', () => {
    const nested = (sts: Record<string, any>): [string, any][] =>
      Object.entries(sts).flatMap(([n, s]) => [[n, s] as [string, any], ...(s.ItemProcessor ? nested(s.ItemProcessor.States) : [])]);
    for (const [name, s] of nested(asl.States).filter(([, s]) => s.Type === 'Task')) {
      const retry = (s.Retry ?? []).find((r: any) => LAMBDA_ERRORS.every((e) => r.ErrorEquals.includes(e)));
      expect(retry, name).toBeDefined();
      expect(retry.BackoffRate, name).toBeGreaterThan(1);
    }
    // A Catch would route the error to another state, and RedriveExecution would restart there, not at the failure.
    for (const [name, s] of nested(asl.States)) expect(s.Catch, name).toBeUndefined();
  });

  it('reaches an end from every state, and every state is reachable', () => {
    const next = (s: any): string[] => [s.Next, s.Default, ...(s.Choices ?? []).map((c: any) => c.Next), ...(s.Catch ?? []).map((c: any) => c.Next)].filter(Boolean);
    for (const [name, s] of states) for (const n of next(s)) expect(asl.States[n], `${name} → ${n}`).toBeDefined();
    const reachable = new Set<string>();
    const walk = (n: string) => {
      if (reachable.has(n)) return;
      reachable.add(n);
      next(asl.States[n]).forEach(walk);
    };
    walk(asl.StartAt);
    expect([...reachable].sort()).toEqual(states.map(([n]) => n).sort());
    const ends = (n: string, seen = new Set<string>()): boolean => {
      const s = asl.States[n];
      if (s.End || s.Type === 'Succeed' || s.Type === 'Fail') return true;
      if (seen.has(n)) return false;
      seen.add(n);
      return next(s).some((m) => ends(m, new Set(seen)));
    };
    for (const [name] of states) expect(ends(name), name).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SFNClient, ListExecutionsCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { as, officers, startPlatform, submitPharmacy, waitForStatus, waitForTask, type Platform } from '../support/platform.ts';

/** The flows as Step Functions runs them: the very ASL files, callbacks, races. (Restarts: restart.test.ts.) */
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform?.close();
});

describe('officer callbacks', () => {
  it('lets exactly one of 20 racing completions win, and the flow moves once', async () => {
    const { applicant, id } = await submitPharmacy(platform.url);
    const clerk = await as(platform.url, officers.clerk);
    const task = await waitForTask(clerk, id, 'acceptance');

    const replies = await Promise.all(Array.from({ length: 20 }, () => clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept' })));

    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(19);
    expect(replies.find((r) => r.status === 409)!.body.code).toBe('task.completed');
    await waitForTask(clerk, id, 'review');
    const app = (await applicant.get(`/v1/applications/${id}`)).body;
    expect(app.timeline.filter((e: { action: string }) => e.action === 'acceptance.accept')).toHaveLength(1);
    const again = await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'accept' });
    expect(again.status).toBe(409);
  });

  it('ends refused with reason and legal basis, leaving no open task', async () => {
    const { applicant, id } = await submitPharmacy(platform.url);
    const clerk = await as(platform.url, officers.clerk);
    const task = await waitForTask(clerk, id, 'acceptance');
    const r = await clerk.post(`/v1/tasks/${task.taskId}/complete`, { outcome: 'refuse', reason: '申请事项不属于本机关职权范围', legalBasis: '《中华人民共和国行政许可法》第三十二条第一款第（二）项' });
    expect(r.status).toBe(200);
    const app = await waitForStatus(applicant, id, 'refused');
    expect(app.refusal).toMatchObject({ reason: '申请事项不属于本机关职权范围' });
    const inbox = await clerk.get('/v1/tasks?status=open');
    expect(inbox.body.tasks.some((t: { applicationId: string }) => t.applicationId === id)).toBe(false);
  });

  it('goes to the deputy director when the chief representative escalates', async () => {
    const { applicant, id } = await submitPharmacy(platform.url);
    const clerk = await as(platform.url, officers.clerk);
    const chief = await as(platform.url, officers.chief);
    const director = await as(platform.url, officers.director);
    await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'acceptance')).taskId}/complete`, { outcome: 'accept' });
    await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'review')).taskId}/complete`, { outcome: 'pass' });
    await clerk.post(`/v1/tasks/${(await waitForTask(clerk, id, 'inspection')).taskId}/complete`, { outcome: 'pass' });
    await chief.post(`/v1/tasks/${(await waitForTask(chief, id, 'decision')).taskId}/complete`, { outcome: 'escalate', reason: '涉及连锁企业跨区经营，提请副局长决定' });
    const escalated = await waitForTask(director, id, 'escalated-decision');
    expect((await chief.post(`/v1/tasks/${escalated.taskId}/complete`, { outcome: 'approve', opinion: 'x' })).status).toBe(403);
    expect((await director.post(`/v1/tasks/${escalated.taskId}/complete`, { outcome: 'approve', opinion: '同意' })).status).toBe(200);
    const app = await waitForStatus(applicant, id, 'completed');
    expect(app.decision).toMatchObject({ outcome: 'approve', by: officers.director.sub });
  });

  it('keeps each execution’s history readable through the Step Functions API', async () => {
    const sfn = new SFNClient({ endpoint: platform.runtime.endpoints.sfn, region: 'cn-northwest-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:oneseal-promised' }));
    expect(list.executions!.length).toBeGreaterThanOrEqual(3);
    const done = list.executions!.find((e) => e.status === 'SUCCEEDED')!;
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: done.executionArn }));
    expect(history.events!.map((e) => e.type)).toContain('ExecutionSucceeded');
  });
});

import * as z from 'zod/mini';
import { logger } from '#shared/http/api.ts';
import { backgroundHandler } from '#shared/http/background.ts';
import { recordFlowFailure } from '#shared/usecases/flow.ts';
import { ready } from '#shared/wiring.ts';

/**
 * EventBridge's "Step Functions Execution Status Change" for this city's flows (FAILED or
 * TIMED_OUT; the embedded runtime sends the same event): the failure is recorded on the
 * application, its open tasks close and a supervision case opens. The flows themselves catch
 * nothing, so that RedriveExecution can restart one from the state that failed.
 */
const StatusChange = z.object({
  detail: z.object({
    executionArn: z.string(),
    status: z.string(),
    input: z.nullish(z.string()),
    error: z.nullish(z.string()),
    cause: z.nullish(z.string()),
  }),
});

export const handler = backgroundHandler('flow failure not recorded', async (event: unknown) => {
  const { detail } = StatusChange.parse(event);
  if (detail.status !== 'FAILED' && detail.status !== 'TIMED_OUT') return { recorded: false };
  const applicationId = z.object({ applicationId: z.string().check(z.minLength(1)) }).safeParse(JSON.parse(detail.input || '{}')).data?.applicationId;
  if (!applicationId) {
    logger.error('flow failed without an application', { executionArn: detail.executionArn });
    return { recorded: false };
  }
  const result = await recordFlowFailure(await ready(), { applicationId, executionArn: detail.executionArn, error: detail.error ?? (detail.status === 'TIMED_OUT' ? 'States.Timeout' : undefined), cause: detail.cause ?? undefined });
  logger.info('flow failure recorded', { applicationId, error: detail.error, ...result });
  return result;
});

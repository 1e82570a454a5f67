import middy from '@middy/core';
import { logger } from '#shared/http/api.ts';
import { runSupervisionScan } from '#shared/usecases/supervision.ts';
import { wiring } from '#shared/wiring.ts';

/** The scheduled supervision scan (EventBridge every few minutes; POST /dev/supervision/scan locally). */
export const handler = middy().handler(async () => {
  const report = await runSupervisionScan(wiring());
  logger.info('supervision scan', { ...report });
  return report;
});

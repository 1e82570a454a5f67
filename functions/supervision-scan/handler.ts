import middy from '@middy/core';
import { logger } from '#shared/http/api.ts';
import { runSupervisionScan } from '#shared/usecases/supervision.ts';
import { wiring } from '#shared/wiring.ts';
import { config } from '#shared/config.ts';

/** The scheduled supervision scan (EventBridge every few minutes; POST /dev/supervision/scan locally). */
export const handler = middy().handler(async () => {
  const report = await runSupervisionScan(wiring());
  // The red-lights metric and alarm are read from this line: keep its message and fields.
  logger.info('supervision scan', { city: config().CITY_CODE, ...report });
  return report;
});

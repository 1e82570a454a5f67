import { logger } from '#shared/http/api.ts';
import { backgroundHandler } from '#shared/http/background.ts';
import { sweepUploads } from '#shared/usecases/uploads.ts';
import { ready } from '#shared/wiring.ts';

/** The daily sweep of uploads no application took (EventBridge; POST /dev/uploads/sweep locally). */
export const handler = backgroundHandler('upload sweep failed', async () => {
  const report = await sweepUploads(await ready());
  logger.info('uploads swept', report);
  return report;
});

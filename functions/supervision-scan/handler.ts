import { logger, maskIds } from '#shared/http/api.ts';
import { backgroundHandler } from '#shared/http/background.ts';
import { nextYearProvisional, runSupervisionScan } from '#shared/usecases/supervision.ts';
import { ready } from '#shared/wiring.ts';
import { config } from '#shared/config.ts';

/** The scheduled supervision scan (EventBridge every few minutes; POST /dev/supervision/scan locally). */
export const handler = backgroundHandler('supervision scan failed', async () => {
  const deps = await ready();
  const report = await runSupervisionScan(deps, (task, e) =>
    // One step the scan could not finish: named by its application, never by the applicant.
    logger.error('supervision step failed', { applicationId: task.applicationId, taskId: task.taskId, step: task.step, error: { name: (e as Error).name, message: maskIds(String((e as Error).message)) } }),
  );
  // The red-lights and failed-steps metrics and alarms are read from this line: keep its message and fields.
  logger.info('supervision scan', { city: config().CITY_CODE, ...report, calendarNextYearProvisional: nextYearProvisional(deps.calendar, deps.clock.now()) ? 1 : 0 });
  return report;
});

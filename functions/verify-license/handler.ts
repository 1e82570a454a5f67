import { apiHandler, pathParam, rawBody } from '#shared/http/api.ts';
import { respond } from '#shared/http/respond.ts';
import type { LicenseVerification } from '#shared/responses.ts';
import { badRequest, DomainError } from '#shared/domain/errors.ts';
import { verifyLicense } from '#shared/usecases/verify.ts';
import { ready } from '#shared/wiring.ts';
import '#shared/wiring-seal.ts';

/** A sealed license PDF is far smaller (one page, a subset font): anything larger is refused unread. */
const MAX_VERIFY_BYTES = 2 * 1024 * 1024;

/**
 * GET /v1/licenses/{licenseNo}/verify: public verification of a sealed license, by its number or
 * its 证照标识; POST the same path with a PDF's bytes to check that copy against the sealed record.
 */
export const handler = apiHandler(async (event) => {
  const licenseNo = pathParam(event, 'licenseNo');
  if (event.requestContext.http.method === 'POST') {
    const bytes = rawBody(event);
    if (!bytes.length) throw badRequest('verify.no-file', '请在请求体中提交证照 PDF 文件');
    if (bytes.length > MAX_VERIFY_BYTES) throw new DomainError(413, 'verify.too-large', '证照 PDF 不应超过 2 MB');
    return respond<typeof LicenseVerification>(200, await verifyLicense(await ready(), licenseNo, bytes));
  }
  return respond<typeof LicenseVerification>(200, await verifyLicense(await ready(), licenseNo));
});

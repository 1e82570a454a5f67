import { z } from 'zod';
import { LICENSE_STATUS_NAMES, REVOCATION_KINDS } from './domain/license.ts';

/**
 * The license endpoints of the HTTP contract (SPEC: verify, license, `/seal`, `/seal/keys`,
 * revoke): the revocation body the handler parses, and the answers' shapes with the Chinese
 * names of GB/T 36903 as their descriptions, for the OpenAPI document (`LICENSE_RESPONSES`,
 * keyed like its routes).
 */

export const RevokeRequest = z.object({
  reason: z.string().trim().min(1).max(1000).describe('理由'),
  legalBasis: z.string().trim().min(1).max(500).describe('法律依据'),
  kind: z.enum(REVOCATION_KINDS).optional().describe('revoke 撤销（第六十九条，默认，状态代码 03）| cancel 注销（第七十条，04）| penalty 吊销（行政处罚，07）'),
});

const statusCode = z.enum(Object.keys(LICENSE_STATUS_NAMES) as [keyof typeof LICENSE_STATUS_NAMES]).describe('证照状态代码：01 有效，02 暂扣，03 撤销，04 注销，05 失效，07 吊销');
const status = z.enum(['valid', 'revoked', 'expired']).describe('证照状态：valid 有效 | revoked 已撤销、注销或吊销 | expired 已过有效期（失效）');
const identifier = z.string().nullable().describe('证照标识（GB/T 36904）：1.2.156.3005.2.<证照类型代码>.<颁发机构代码>.<流水号>.<版本号>.<校验位>');
const algorithm = z.enum(['SM2_SM3', 'ECDSA_P256_SHA256']).describe('签名算法：SM2_SM3（GB/T 32918，默认用户标识 1234567812345678）| ECDSA_P256_SHA256');
const date = z.iso.date();

/** The GB/T 36903 metadata of a license (电子证照元数据). */
export const LicenseMetadata = z
  .object({
    name: z.string().describe('证照名称'),
    identifier,
    typeCode: z.string().nullable().describe('证照类型代码：证照定义机构的统一社会信用代码加 3 位数字'),
    typeName: z.string().describe('证照类型名称'),
    number: z.string().describe('证照编号'),
    issuer: z.string().describe('证照颁发机构'),
    issuerCode: z.string().nullable().describe('证照颁发机构代码（统一社会信用代码）'),
    issueDate: date.describe('证照颁发日期'),
    validFrom: date.describe('证照有效期起始'),
    validUntil: date.nullable().describe('证照有效期截止（null：长期有效）'),
    holder: z.string().describe('持证主体'),
    holderCode: z.string().describe('持证主体代码（非持证人查看时脱敏）'),
    holderCodeType: z.enum(['111', '001']).describe('持证主体代码类型代码：111 公民身份号码，001 统一社会信用代码'),
    holderCodeTypeName: z.string().describe('持证主体代码类型名称'),
    area: z.string().nullable().describe('证照所属管辖属地编码（GB/T 2260）'),
    areaName: z.string().nullable().describe('管辖属地名称'),
    itemCode: z.string().describe('关联事项代码'),
    itemName: z.string().describe('关联事项名称'),
    previousIdentifier: z.string().optional().describe('关联证照标识：延续换发前的证照'),
  })
  .describe('电子证照元数据（GB/T 36903）');

/** GET /v1/licenses/{licenseNo} (the number or the 证照标识). */
export const LicenseResponse = z.object({
  licenseNo: z.string().describe('证照编号'),
  identifier,
  licenseName: z.string().describe('证照名称'),
  status,
  statusCode,
  statusName: z.string().describe('证照状态名称'),
  metadata: LicenseMetadata,
  issuedAt: z.iso.datetime().describe('颁发时间'),
  expiresAt: z.iso.datetime().nullable().describe('有效期截止时间'),
  sha256: z.string().describe('证照 PDF 文件的 SHA-256'),
  signature: z.object({ algorithm, keyId: z.string().describe('签章密钥标识') }),
  download: z.object({ url: z.string().describe('证照 PDF 下载地址（短时有效）'), expiresInSeconds: z.number() }),
});

/** GET /v1/licenses/{licenseNo}/verify (public; the number or the 证照标识). */
export const VerifyResponse = z.object({
  valid: z.boolean().describe('证照真实、未被篡改且有效'),
  status,
  statusCode,
  licenseNo: z.string().describe('证照编号'),
  identifier,
  itemName: z.string().describe('关联事项名称'),
  holderName: z.string().describe('持证主体（脱敏）'),
  issuedAt: z.iso.datetime().describe('颁发时间'),
  expiresAt: z.iso.datetime().nullable().describe('有效期截止时间'),
  issuer: z.string().describe('证照颁发机构'),
  issuerCode: z.string().nullable().describe('证照颁发机构代码'),
  signatureValid: z.boolean().describe('电子签章验证通过，且文件哈希一致'),
  sha256: z.string().nullable().describe('所核验 PDF 文件的 SHA-256'),
});

/** GET /v1/licenses/{licenseNo}/seal (the holder and officers): what an offline check needs. */
export const LicenseSealResponse = z.object({
  licenseNo: z.string().describe('证照编号'),
  identifier,
  signedData: z.string().describe('签名原文：签章所签的 UTF-8 字符串（规范化 JSON，含证照数据和 PDF 的 SHA-256）'),
  pdfSha256: z.string().describe('证照 PDF 文件的 SHA-256'),
  signature: z.object({ algorithm, keyId: z.string().describe('签章密钥标识，对应 GET /v1/seal/keys'), value: z.string().describe('DER 编码签名值（base64）') }),
});

/** GET /v1/seal/keys (public): every key the city has sealed with. */
export const SealKeysResponse = z.object({
  keys: z.array(
    z.object({
      keyId: z.string().describe('签章密钥标识'),
      algorithm,
      publicKeyPem: z.string().describe('公钥（SubjectPublicKeyInfo，PEM）'),
      status: z.enum(['active', 'retired']).describe('active 当前使用 | retired 已停用（仍用于核验此前签发的证照）'),
      activeFrom: z.iso.datetime().describe('启用时间'),
      activeUntil: z.iso.datetime().optional().describe('停用时间'),
    }),
  ),
});

/** Response schemas by route, for the OpenAPI document. */
export const LICENSE_RESPONSES: Record<string, z.ZodType> = {
  'GET /v1/licenses/{licenseNo}': LicenseResponse,
  'GET /v1/licenses/{licenseNo}/verify': VerifyResponse,
  'POST /v1/licenses/{licenseNo}/verify': VerifyResponse,
  'GET /v1/licenses/{licenseNo}/seal': LicenseSealResponse,
  'GET /v1/seal/keys': SealKeysResponse,
};

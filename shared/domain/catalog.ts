import * as z from 'zod/mini';
import { DEFAULT_LIGHT_RULE } from './calendar.ts';
import { creditCodeProblem } from './identity.ts';
import { typeCodeProblem } from './identifier.ts';

/**
 * The published catalogue (事项清单 / 实施清单, SPEC rule 1). Nothing outside it can be applied
 * for. Every item is validated at start-up and at synth time; a bad catalogue never deploys.
 */

export const MaterialFormat = z.enum(['pdf', 'jpeg', 'png', 'ofd']);
export type MaterialFormat = z.infer<typeof MaterialFormat>;

export const MaterialSpec = z.object({
  code: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  name: z.string().check(z.minLength(1)),
  required: z.boolean(),
  /** 容缺: a non-key material that may be supplied after acceptance. */
  deferrable: z._default(z.boolean(), false),
  formats: z.array(MaterialFormat).check(z.minLength(1)),
  maxBytes: z.number().check(z.int(), z.positive()),
});
export type MaterialSpec = z.infer<typeof MaterialSpec>;

export const FormField = z.object({
  field: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9]*$/)),
  label: z.string().check(z.minLength(1)),
  type: z.enum(['string', 'integer', 'date', 'enum', 'boolean']),
  required: z.boolean(),
  pattern: z.optional(z.string()),
  options: z.optional(z.array(z.string())),
  maxLength: z.optional(z.number().check(z.int(), z.positive())),
  /** Printed on the license when set. */
  onLicense: z._default(z.boolean(), false),
});
export type FormField = z.infer<typeof FormField>;

export const Fee = z.discriminatedUnion('free', [
  z.object({ free: z.literal(true), basis: z.optional(z.string()) }),
  z.object({ free: z.literal(false), amountYuan: z.number().check(z.positive()), basis: z.string().check(z.minLength(1)) }),
]);

/** A unified social credit code (GB 32100), its check character verified. */
export const CreditCode = z.string().check(
  z.superRefine((code, ctx) => {
    const problem = creditCodeProblem(code);
    if (problem) ctx.addIssue({ code: 'custom', message: problem === 'format' ? '统一社会信用代码格式不正确（18位）' : '统一社会信用代码校验位不正确' });
  }),
);

/** 证照类型代码: the defining authority's credit code (GB 32100, checksum verified) followed by 3 digits. */
export const LicenseTypeCode = z.string().check(
  z.superRefine((code, ctx) => {
    const problem = typeCodeProblem(code);
    if (problem) ctx.addIssue({ code: 'custom', message: problem === 'format' ? '证照类型代码应为定义机构的18位统一社会信用代码加3位数字' : '证照类型代码中定义机构的统一社会信用代码校验位不正确' });
  }),
);

/** The license an item produces: its name, its type in the national catalogue, its validity. */
export const LicenseSpec = z.object({
  /** 证照名称, as printed. */
  name: z.string().check(z.minLength(1)),
  /** 证照类型名称 in the national license catalogue (several items may produce one type). */
  typeName: z.string().check(z.minLength(1)),
  /** 证照类型代码. */
  typeCode: LicenseTypeCode,
  /** Two to four capital letters; the first part of every license number (证照编号) of this item. */
  numberPrefix: z.string().check(z.regex(/^[A-Z]{2,4}$/)),
  validityYears: z.nullable(z.number().check(z.int(), z.positive())),
  /**
   * A renewal (延续): the form field naming the license being renewed (its number or its
   * 证照标识). When that license is ours, of the same type and holder, the new one keeps its
   * serial and takes the next version.
   */
  renews: z.optional(z.string()),
});
export type LicenseSpec = z.infer<typeof LicenseSpec>;

export const FlowKind = z.enum(['instant', 'promised', 'joint', 'referral', 'filing']);
export type FlowKind = z.infer<typeof FlowKind>;
/** The flows, one state machine each under statemachines/: the CDK app and the embedded runtime register these. */
export const FLOWS: readonly FlowKind[] = FlowKind.options;

export const DeliveryMethod = z.enum(['ems', 'pickup', 'electronic']);
export type DeliveryMethod = z.infer<typeof DeliveryMethod>;

export const Item = z
  .object({
    code: z.string().check(z.regex(/^[a-z0-9-]+$/)),
    version: z.number().check(z.int(), z.positive()),
    name: z.string().check(z.minLength(1)),
    department: z.string().check(z.minLength(1)),
    powerCategory: z.enum(['licensing', 'confirmation', 'service', 'filing', 'other']),
    legalBasis: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    conditions: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    materials: z.array(MaterialSpec).check(z.minLength(1)),
    form: z.array(FormField),
    fee: Fee,
    handling: z.enum(['instant', 'promised', 'filing']),
    flow: FlowKind,
    legalLimitDays: z.number().check(z.int(), z.minimum(0)),
    promisedLimitDays: z.number().check(z.int(), z.minimum(0)),
    visits: z.number().check(z.int(), z.minimum(0)),
    online: z.enum(['full', 'partial', 'none']),
    delivery: z.array(DeliveryMethod).check(z.minLength(1)),
    license: LicenseSpec,
    decider: z.enum(['chief', 'director']),
    /** On-site inspection (现场核查) after review, for the promised flow. */
    inspection: z._default(z.boolean(), false),
    /** Batch item: one application, `quantity` identical licenses. */
    batch: z._default(z.boolean(), false),
    /** Joint review (并联审批): the departments that each review in parallel. */
    jointDepartments: z.optional(z.array(z.string())),
    /** Referral (往上走): the higher authority that decides. */
    referralAuthority: z.optional(z.string()),
  })
  .check(z.superRefine((item, ctx) => {
    const issue = (message: string, path: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path });
    if (item.promisedLimitDays > item.legalLimitDays) issue('承诺时限不得超过法定时限', ['promisedLimitDays']);
    const codes = item.materials.map((m) => m.code);
    if (new Set(codes).size !== codes.length) issue('材料编码重复', ['materials']);
    const fields = item.form.map((f) => f.field);
    if (new Set(fields).size !== fields.length) issue('表单字段重复', ['form']);
    item.materials.forEach((m, i) => {
      if (m.deferrable && !m.required) issue('只有必交材料可以容缺', ['materials', i, 'deferrable']);
    });
    if ((item.flow === 'instant') !== (item.handling === 'instant')) issue('即办件必须走即办流程', ['flow']);
    if ((item.flow === 'filing') !== (item.handling === 'filing')) issue('审批改备案必须走备案流程', ['flow']);
    item.form.forEach((f, i) => {
      if (f.type === 'enum' && !f.options?.length) issue('枚举字段必须列出选项', ['form', i, 'options']);
    });
    if ((item.flow === 'joint') !== !!item.jointDepartments?.length) issue('并联审批事项必须列出并联审查部门', ['jointDepartments']);
    if ((item.flow === 'referral') !== !!item.referralAuthority) issue('上报决定事项必须写明决定机关', ['referralAuthority']);
    if (item.license.renews && !item.form.some((f) => f.field === item.license.renews)) issue(`延续所依据的原证照字段 ${item.license.renews} 不在表单中`, ['license', 'renews']);
  }));
export type Item = z.infer<typeof Item>;

export const Department = z.object({ code: z.string().check(z.regex(/^[a-z0-9-]+$/)), name: z.string().check(z.minLength(1)) });
export type Department = z.infer<typeof Department>;

export const Catalog = z
  .object({
    areaCode: z.string().check(z.regex(/^\d{6}$/)),
    cityName: z.string().check(z.minLength(1)),
    bureauName: z.string().check(z.minLength(1)),
    /** The bureau's unified social credit code: 颁发机构代码 on every license it issues. */
    issuerCode: CreditCode,
    departments: z.array(Department).check(z.minLength(1)),
    items: z.array(Item).check(z.minLength(1)),
    /** City overrides of the national calendar (extra days off, extra working days), YYYY-MM-DD. */
    calendar: z._default(z.object({ holidays: z._default(z.array(z.iso.date()), []), workdays: z._default(z.array(z.iso.date()), []) }), { holidays: [], workdays: [] }),
    /** When supervision turns a step yellow: the city's thresholds for the light rule (domain/calendar.ts). */
    lightRule: z._default(z.object({ yellowDaysLeft: z.number().check(z.int(), z.minimum(0), z.maximum(10)), yellowRatio: z.number().check(z.gt(0), z.lt(1)) }), { ...DEFAULT_LIGHT_RULE }),
  })
  .check(z.superRefine((catalog, ctx) => {
    // 管辖属地 is the city (areaCode, GB/T 2260); the issuing bureau is registered within it.
    if (!creditCodeProblem(catalog.issuerCode) && catalog.issuerCode.slice(2, 6) !== catalog.areaCode.slice(0, 4)) {
      ctx.addIssue({ code: 'custom', message: `颁发机构代码的登记管理机关行政区划 ${catalog.issuerCode.slice(2, 8)} 不在本市 ${catalog.areaCode}`, path: ['issuerCode'] });
    }
    // One license type, one name in the national catalogue.
    const typeNames = new Map<string, string>();
    catalog.items.forEach((item, i) => {
      const known = typeNames.get(item.license.typeCode);
      if (known !== undefined && known !== item.license.typeName) ctx.addIssue({ code: 'custom', message: `证照类型代码 ${item.license.typeCode} 对应了不同的类型名称`, path: ['items', i, 'license', 'typeName'] });
      typeNames.set(item.license.typeCode, item.license.typeName);
    });
    const depts = new Set(catalog.departments.map((d) => d.code));
    const codes = new Set<string>();
    catalog.items.forEach((item, i) => {
      if (!depts.has(item.department)) ctx.addIssue({ code: 'custom', message: `未知部门 ${item.department}`, path: ['items', i, 'department'] });
      for (const d of item.jointDepartments ?? []) if (!depts.has(d)) ctx.addIssue({ code: 'custom', message: `未知并联部门 ${d}`, path: ['items', i, 'jointDepartments'] });
      const key = `${item.code}@${item.version}`;
      if (codes.has(key)) ctx.addIssue({ code: 'custom', message: `事项编码与版本重复 ${key}`, path: ['items', i, 'code'] });
      codes.add(key);
    });
  }));
export type Catalog = z.infer<typeof Catalog>;
export type CatalogInput = z.input<typeof Catalog>;

/** Parses a catalogue, failing with every problem listed (used at start-up and at synth). */
export function loadCatalog(input: CatalogInput): Catalog {
  const result = Catalog.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`catalogue is invalid:\n${lines}`);
  }
  return result.data;
}

/**
 * An item by code: the latest published version, or the exact version an application was
 * submitted under, so that a catalogue change never breaks a running application.
 */
export function findItem(catalog: Catalog, code: string, version?: number): Item | undefined {
  const versions = catalog.items.filter((i) => i.code === code);
  if (version !== undefined) return versions.find((i) => i.version === version);
  return versions.reduce<Item | undefined>((latest, i) => (!latest || i.version > latest.version ? i : latest), undefined);
}

/** The published catalogue: the latest version of every item. */
export function publishedItems(catalog: Catalog): Item[] {
  return [...new Set(catalog.items.map((i) => i.code))].map((code) => findItem(catalog, code)!);
}

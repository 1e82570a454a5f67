import type { CatalogInput } from '../domain/catalog.ts';

/**
 * The demo city's catalogue: 银川市审批服务管理局. Items, materials, limits and legal bases
 * follow the published implementation lists (实施清单) of the reforms this product serves.
 */
const PDF_OR_IMAGE = ['pdf', 'ofd', 'jpeg', 'png'] as const;
const MB = 1024 * 1024;

export const yinchuanCatalog: CatalogInput = {
  areaCode: '640100',
  cityName: '银川市',
  bureauName: '银川市行政审批服务局',
  departments: [
    { code: 'drug', name: '药品医疗器械审批科' },
    { code: 'construction', name: '建设工程审批科' },
    { code: 'transport', name: '交通运输审批科' },
    { code: 'highway', name: '市公路管理段' },
    { code: 'traffic-police', name: '市公安局交通警察支队' },
    { code: 'health', name: '卫生健康审批科' },
    { code: 'market', name: '市场准入审批科' },
  ],
  items: [
    {
      code: 'pharmacist-registration',
      version: 1,
      name: '执业药师注册',
      department: 'drug',
      powerCategory: 'licensing',
      legalBasis: ['《执业药师注册管理办法》（国药监人〔2021〕36号）第七条、第十条', '《执业药师职业资格制度规定》（国药监人〔2019〕12号）第十八条'],
      conditions: ['取得《执业药师职业资格证书》', '遵纪守法，遵守执业药师职业道德，无不良信息记录', '身体健康，能坚持在执业药师岗位工作', '经执业单位同意，按规定参加继续教育学习'],
      materials: [
        { code: 'application-form', name: '执业药师注册申请表', required: true, formats: ['pdf', 'ofd'], maxBytes: 10 * MB },
        { code: 'qualification-certificate', name: '执业药师职业资格证书', required: true, formats: [...PDF_OR_IMAGE], maxBytes: 10 * MB },
        { code: 'employer-license', name: '执业单位营业执照或药品经营许可证', required: true, deferrable: true, formats: [...PDF_OR_IMAGE], maxBytes: 10 * MB },
        { code: 'continuing-education', name: '继续教育学分证明（超过三年申请注册的提交）', required: false, formats: [...PDF_OR_IMAGE], maxBytes: 10 * MB },
      ],
      form: [
        { field: 'certificateNo', label: '职业资格证书编号', type: 'string', required: true, pattern: '^[0-9A-Za-z]{8,24}$', onLicense: true },
        { field: 'category', label: '执业类别', type: 'enum', required: true, options: ['药学', '中药学', '药学与中药学'], onLicense: true },
        { field: 'scope', label: '执业范围', type: 'enum', required: true, options: ['药品生产', '药品经营', '药品使用'], onLicense: true },
        { field: 'employer', label: '执业单位', type: 'string', required: true, maxLength: 100, onLicense: true },
      ],
      fee: { free: true, basis: '《行政许可法》第五十八条：行政机关实施行政许可不得收取任何费用' },
      handling: 'instant',
      flow: 'instant',
      legalLimitDays: 20,
      promisedLimitDays: 0,
      visits: 0,
      online: 'full',
      delivery: ['electronic', 'ems', 'pickup'],
      license: { name: '执业药师注册证', typeCode: 'ZYYS', validityYears: 5 },
      decider: 'chief',
    },
    {
      code: 'pharmacy-retail-license',
      version: 1,
      name: '药品零售企业许可',
      department: 'drug',
      powerCategory: 'licensing',
      legalBasis: ['《中华人民共和国药品管理法》第五十一条、第五十二条', '《药品经营和使用质量监督管理办法》（国家市场监督管理总局令第84号）第十四条、第十九条'],
      conditions: [
        '有依法经过资格认定的药师或者其他药学技术人员',
        '有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境',
        '有与所经营药品相适应的质量管理机构或者人员',
        '有保证药品质量的规章制度，并符合药品经营质量管理规范要求',
      ],
      materials: [
        { code: 'application-form', name: '药品经营许可证申请表', required: true, formats: ['pdf', 'ofd'], maxBytes: 10 * MB },
        { code: 'business-license', name: '营业执照', required: true, formats: [...PDF_OR_IMAGE], maxBytes: 10 * MB },
        { code: 'pharmacist-certificate', name: '质量负责人执业药师注册证', required: true, formats: [...PDF_OR_IMAGE], maxBytes: 10 * MB },
        { code: 'premises-plan', name: '经营场所、仓库平面布置图及房屋产权或使用权证明', required: true, deferrable: true, formats: [...PDF_OR_IMAGE], maxBytes: 20 * MB },
        { code: 'quality-manual', name: '药品质量管理制度文件目录', required: true, formats: ['pdf', 'ofd'], maxBytes: 20 * MB },
      ],
      form: [
        { field: 'businessAddress', label: '经营地址', type: 'string', required: true, maxLength: 200, onLicense: true },
        { field: 'businessScope', label: '经营范围', type: 'string', required: true, maxLength: 200, onLicense: true },
        { field: 'legalRepresentative', label: '法定代表人', type: 'string', required: true, maxLength: 40, onLicense: true },
        { field: 'qualityManager', label: '质量负责人', type: 'string', required: true, maxLength: 40, onLicense: true },
        { field: 'pharmacistCount', label: '执业药师人数', type: 'integer', required: true },
        { field: 'openingDate', label: '拟开业日期', type: 'date', required: false },
      ],
      fee: { free: true, basis: '《行政许可法》第五十八条：行政机关实施行政许可不得收取任何费用' },
      handling: 'promised',
      flow: 'promised',
      legalLimitDays: 20,
      promisedLimitDays: 10,
      visits: 0,
      online: 'full',
      delivery: ['electronic', 'ems', 'pickup'],
      license: { name: '药品经营许可证', typeCode: 'YPJY', validityYears: 5 },
      decider: 'chief',
      inspection: true,
    },
  ],
};

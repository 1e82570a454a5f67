import type { CatalogInput } from '../domain/catalog.ts';
import { yinchuanCatalog } from './yinchuan.ts';

/**
 * 镇江市行政审批局. Zhenjiang publishes the same items under the provincial implementation lists;
 * until its own list is entered, it runs the demo city's items under its own name and code.
 */
export const zhenjiangCatalog: CatalogInput = {
  ...yinchuanCatalog,
  areaCode: '321100',
  cityName: '镇江市',
  bureauName: '镇江市行政审批局',
  issuerCode: '11321100MB1N627052',
};

import { loadCatalog, type Catalog, type CatalogInput } from '../domain/catalog.ts';
import { yinchuanCatalog } from './yinchuan.ts';
import { zhenjiangCatalog } from './zhenjiang.ts';

/** Catalogues by city area code; a deployment serves the one named by CITY_CODE. */
const catalogs: Record<string, CatalogInput> = { '640100': yinchuanCatalog, '321100': zhenjiangCatalog };

const loaded = new Map<string, Catalog>();

export function catalogFor(areaCode: string): Catalog {
  let catalog = loaded.get(areaCode);
  if (!catalog) {
    const input = catalogs[areaCode];
    if (!input) throw new Error(`no catalogue for city ${areaCode}`);
    catalog = loadCatalog(input);
    loaded.set(areaCode, catalog);
  }
  return catalog;
}

export const knownCities = () => Object.keys(catalogs);

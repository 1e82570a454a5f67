import { demo } from './demo.ts';
import { yinchuan } from './yinchuan.ts';
import { zhenjiang } from './zhenjiang.ts';

/** Every city this repository deploys: `npm run synth` makes one stack each. */
export const CITIES = [yinchuan, zhenjiang, demo];

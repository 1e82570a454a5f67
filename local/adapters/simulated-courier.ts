import { createHash } from 'node:crypto';
import type { Courier } from '#shared/ports.ts';

/**
 * The embedded mode's EMS: it takes every parcel and names its waybill after the application
 * (so asking twice gives one waybill). Delivery events then arrive, signed, at the webhook —
 * from EMS in production, from a test or a person with curl here.
 */
export class SimulatedCourier implements Courier {
  async createWaybill(input: { applicationId: string }) {
    const digits = BigInt(`0x${createHash('sha256').update(input.applicationId).digest('hex').slice(0, 14)}`).toString().slice(-11).padStart(11, '0');
    return { waybillNo: `11${digits}` };
  }
}

import type { Courier } from '../../ports.ts';
import { signTimestamped } from '../../domain/signature.ts';

/**
 * EMS's government-mail API (政务专递): one POST per parcel, signed as EMS signs its events to us
 * (domain/signature.ts), the application number as the sender's reference so that a retry is
 * recognised by EMS and gives the same waybill.
 */
export class EmsHttpCourier implements Courier {
  constructor(
    private readonly endpoint: string,
    private readonly credentials: () => Promise<{ partnerId: string; key: string }>,
  ) {}

  async createWaybill(input: { applicationNo: string; recipient: string; phone: string; address: string; contents: string[] }) {
    const { partnerId, key } = await this.credentials();
    const body = JSON.stringify({ partnerId, logisticsOrderNo: input.applicationNo, receiver: { name: input.recipient, mobile: input.phone, address: input.address }, cargo: input.contents.join('、'), bizProductNo: 'ZWZD' });
    const timestamp = Math.floor(Date.now() / 1000).toString();
    const res = await fetch(`${this.endpoint.replace(/\/$/, '')}/waybills`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ems-timestamp': timestamp, 'x-ems-signature': signTimestamped(key, timestamp, body) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`EMS refused the waybill for ${input.applicationNo}: HTTP ${res.status}`);
    const out = (await res.json()) as { waybillNo?: string };
    if (!out.waybillNo) throw new Error(`EMS answered without a waybill number for ${input.applicationNo}`);
    return { waybillNo: out.waybillNo };
  }
}

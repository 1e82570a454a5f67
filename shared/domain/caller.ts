import * as z from 'zod/mini';
import { Rank } from './task.ts';

/**
 * Who is asking: the claims of the provincial identity provider's token (SPEC: roles), as the
 * use cases see them. The HTTP layer reads them from the verified token; a use case only ever
 * receives a Caller, so it can be called the same way by a handler, the supervision scan or a test.
 */
/** `platform`: the provincial platform's own machine identity (it reads the events feed). */
export const Role = z.enum(['applicant', 'officer', 'supervisor', 'admin', 'platform']);
export type Role = z.infer<typeof Role>;

export interface Caller {
  sub: string;
  role: Role;
  /** An officer's department and rank; absent for the other roles. */
  dept?: string;
  rank?: Rank;
}

/**
 * Domain errors. Every error a caller can cause carries an HTTP status below 500, a stable
 * machine-readable `code` and a Chinese message for people (SPEC: HTTP contract). Anything
 * else is an internal error and is never shown to the caller.
 */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
}

export class DomainError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly errors?: FieldProblem[];
  readonly extra?: Record<string, unknown>;

  constructor(statusCode: number, code: string, message: string, errors?: FieldProblem[], extra?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.statusCode = statusCode;
    this.code = code;
    this.errors = errors;
    this.extra = extra;
  }
}

export const badRequest = (code: string, message: string, errors?: FieldProblem[]) => new DomainError(400, code, message, errors);
export const forbidden = (code: string, message: string) => new DomainError(403, code, message);
export const notFound = (code: string, message: string) => new DomainError(404, code, message);
export const conflict = (code: string, message: string) => new DomainError(409, code, message);

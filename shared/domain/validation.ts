import * as z from 'zod/mini';
import { DomainError, type FieldProblem } from './errors.ts';

/**
 * Input checked against a zod schema, the way every caller sees it: each problem named by its
 * path with a stable code and a Chinese message, all of them at once, as a 422. The handlers
 * check request bodies with it, and use cases check what only they can (an officer's outcome
 * depends on the task's step).
 */

const ZOD_MESSAGES: Record<string, string> = {
  invalid_type: '类型不正确或缺少此项',
  too_small: '内容过短或数值过小',
  too_big: '内容过长或数值过大',
  invalid_format: '格式不正确',
  invalid_value: '取值不在允许范围内',
  invalid_union: '不符合任何一种允许的形式',
  unrecognized_keys: '包含不认识的字段',
  custom: '内容不正确',
};

/** zod's issues as the problem list of the contract (`errors` of problem+json). */
export function zodProblems(error: z.core.$ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path: path || '(body)', code: `request.${issue.code}`, message: issue.code === 'custom' ? issue.message : `${path || '请求体'}：${ZOD_MESSAGES[issue.code] ?? '内容不正确'}` };
  });
}

/** The input parsed by the schema, or a 422 `request.invalid` listing every problem. */
export function parseWith<T extends z.core.$ZodType>(schema: T, raw: unknown, prefix = ''): z.infer<T> {
  const parsed = z.safeParse(schema, raw);
  if (!parsed.success) throw new DomainError(422, 'request.invalid', '请求内容不符合要求', zodProblems(parsed.error, prefix));
  return parsed.data;
}

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * The e2e tests' check of the contract: every JSON response the test client receives from a
 * `/v1` path is validated against the OpenAPI document the platform publishes: the operation
 * (the request path mapped to its path template), the status, the content type and the body's
 * schema. An undocumented operation, status or content type is a mismatch too.
 *
 * Stricter than the document: objects the document leaves open (the contract welcomes fields
 * beyond its own, so clients must ignore them) are closed here, so that a field the API returns
 * but the document does not describe fails the test that received it. Each schema is compiled
 * once per document, when a response first needs it.
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const DOC = 'oneseal:openapi';

type Json = Record<string, unknown>;

/** A copy in which every object schema that does not say otherwise admits only the properties it names. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (!node || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'example' || k === 'examples' ? v : closed(v)])) as Json;
  if (copy.type === 'object' && copy.properties && !('additionalProperties' in copy)) copy.additionalProperties = false;
  return copy;
}

const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

export class ContractValidator {
  private readonly ajv: Ajv2020;
  private readonly doc: Json & { paths: Record<string, Record<string, Json>>; components: { responses?: Record<string, Json> } };
  private readonly templates: { path: string; pattern: RegExp; literals: number }[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: unknown) {
    this.doc = closed(document) as ContractValidator['doc'];
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(this.doc, DOC);
    this.templates = Object.keys(this.doc.paths).map((path) => ({
      path,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
      literals: path.split('/').filter((s) => s && !s.startsWith('{')).length,
    }));
  }

  /** The path template a request path falls under, the most literal one first. */
  template(path: string): string | undefined {
    return this.templates.filter((t) => t.pattern.test(path)).sort((a, b) => b.literals - a.literals)[0]?.path;
  }

  /** What is wrong with a response, as sentences; empty when it matches the document. */
  check(method: string, rawPath: string, status: number, contentType: string | null, body: unknown): string[] {
    const path = rawPath.split('?')[0];
    if (!path.startsWith('/v1/')) return [];
    const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
    const template = this.template(path);
    const operation = template ? this.doc.paths[template][method.toLowerCase()] : undefined;
    if (!template || !operation) {
      // A path or method the API does not have: the router's own problem+json.
      if ((status === 404 || status === 405) && media === 'application/problem+json') return this.validate(pointer('components', 'schemas', 'Problem'), body);
      return [`${method} ${template ?? path} is not in the OpenAPI document (answered ${status})`];
    }
    const responses = operation.responses as Record<string, Json>;
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
    if (!key) return [`${method} ${template} answered ${status}, which the document does not list (it lists ${Object.keys(responses).join(', ')})`];
    let at = ['paths', template, method.toLowerCase(), 'responses', key];
    let response = responses[key];
    if (typeof response.$ref === 'string') {
      at = response.$ref.slice(2).split('/');
      response = this.doc.components.responses?.[at[2]] ?? {};
    }
    const content = (response.content ?? {}) as Record<string, unknown>;
    if (!(media in content)) return [`${method} ${template} answered ${status} as ${media || 'no content type'}, which the document does not list (it lists ${Object.keys(content).join(', ') || 'no content'})`];
    return this.validate(pointer(...at, 'content', media, 'schema'), body).map((e) => `${method} ${template} → ${status}: ${e}`);
  }

  private validate(schemaPointer: string, body: unknown): string[] {
    // Most response schemas are a $ref to a named component: compile each component once.
    const schema = schemaPointer.split('/').reduce<unknown>((node, part) => (node as Json | undefined)?.[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')], this.doc) as Json | undefined;
    const target = schema && Object.keys(schema).length === 1 && typeof schema.$ref === 'string' && schema.$ref.startsWith('#/') ? schema.$ref.slice(2) : schemaPointer;
    let validate = this.compiled.get(target);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOC}#/${target}` });
      this.compiled.set(target, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''}`);
  }
}

const validators = new Map<string, Promise<ContractValidator>>();

/** The validator for a platform, from the document it publishes (fetched once per platform). */
export function contractOf(url: string): Promise<ContractValidator> {
  let validator = validators.get(url);
  if (!validator) {
    validator = fetch(`${url}/v1/openapi.json`).then(async (res) => {
      if (res.status !== 200) throw new Error(`GET /v1/openapi.json: ${res.status}`);
      return new ContractValidator(await res.json());
    });
    validator.catch(() => validators.delete(url));
    validators.set(url, validator);
  }
  return validator;
}

import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod for everything a Lambda bundle carries: `zod/mini`, zod 4's tree-shakable form (functions
 * instead of methods: `z.optional(z.string().check(z.maxLength(64)))`), so that a bundle holds
 * only the parts of zod it calls (the classic API, with every method, is ~60 KiB in each). The
 * same core parses and reports: issue codes and paths, hence our problem+json, are those of
 * classic zod. Classic zod sets English messages when it loads; mini does not, so this does, and
 * the messages of a bad catalogue or environment read the same in a bundle and in the embedded
 * mode. The response schemas (shared/responses.ts), used for types and the OpenAPI document
 * only, stay classic; test/unit/bundles.test.ts keeps classic zod out of the bundles.
 */
config(en());

// Imported as a namespace (`import * as z from './zod.ts'`): a bundle keeps only the functions it calls.
export * from 'zod/mini';

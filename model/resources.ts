// Skupper resources in their Kubernetes JSON shape, YAML (de)serialisation, and validation of an
// AccessToken against the rules of the real CRD (accesstokens.skupper.io, v2alpha1).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

import { isObject } from './text.ts';

let yamlModule: typeof Yaml | undefined;

/**
 * The yaml package, loaded when something is first written or read as YAML rather than with this module:
 * ~35 ms of CPU that a parallel worker would otherwise spend before its first scenario, which in the
 * scenarios that wait longest (a grant service that never answers) reads and writes no YAML at all.
 */
export function yaml(): typeof Yaml {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

/** Skupper's API group and version: the CRDs, the resources' apiVersion and the API paths all derive from these. */
export const SKUPPER_GROUP = 'skupper.io';
export const SKUPPER_VERSION = 'v2alpha1';
export const SKUPPER_API_VERSION = `${SKUPPER_GROUP}/${SKUPPER_VERSION}` as const;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** The `Status` block shared by Skupper resources. */
export interface ResourceStatus {
  status?: string;
  message?: string;
  conditions?: Condition[];
}

export interface AccessTokenSpec {
  url: string;
  code: string;
  ca: string;
  linkCost?: number;
  settings?: Record<string, string>;
}

export interface AccessTokenStatus extends ResourceStatus {
  redeemed?: boolean;
}

export interface AccessToken {
  apiVersion: typeof SKUPPER_API_VERSION;
  kind: 'AccessToken';
  metadata: ObjectMeta;
  spec: AccessTokenSpec;
  status?: AccessTokenStatus;
}

export interface AccessGrantSpec {
  redemptionsAllowed?: number;
  expirationWindow?: string;
  code?: string;
  issuer?: string;
  settings?: Record<string, string>;
}

export interface AccessGrantStatus extends ResourceStatus {
  url?: string;
  code?: string;
  ca?: string;
  redemptions?: number;
  expirationTime?: string;
}

export interface AccessGrant {
  apiVersion: typeof SKUPPER_API_VERSION;
  kind: 'AccessGrant';
  metadata: ObjectMeta;
  spec: AccessGrantSpec;
  status?: AccessGrantStatus;
}

export interface Endpoint {
  name?: string;
  host?: string;
  port?: string;
  group?: string;
}

export interface LinkSpec {
  endpoints: Endpoint[];
  tlsCredentials?: string;
  cost?: number;
  settings?: Record<string, string>;
}

export interface Link {
  apiVersion: typeof SKUPPER_API_VERSION;
  kind: 'Link';
  metadata: ObjectMeta;
  spec: LinkSpec;
  status?: ResourceStatus & { remoteSiteId?: string; remoteSiteName?: string };
}

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type?: string;
  /** base64 values, as the API server stores them */
  data?: Record<string, string>;
}

export interface SiteResource {
  apiVersion: typeof SKUPPER_API_VERSION;
  kind: 'Site';
  metadata: ObjectMeta;
  spec?: { linkAccess?: string; edge?: boolean; defaultIssuer?: string; settings?: Record<string, string> };
  status?: ResourceStatus & { endpoints?: Endpoint[]; defaultIssuer?: string; sitesInNetwork?: number };
}

export type AnyResource = AccessToken | AccessGrant | Link | Secret | SiteResource;

// ---------------------------------------------------------------------------------------------
// YAML

/** Parses a single- or multi-document YAML text. Empty documents (a bare `---`) are dropped. */
export function parseYamlDocuments(text: string): unknown[] {
  const docs = yaml().parseAllDocuments(text);
  const out: unknown[] = [];
  for (const doc of docs) {
    if ('errors' in doc && doc.errors.length > 0) {
      throw new YamlError(doc.errors[0].message);
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export class YamlError extends Error {
  override name = 'YamlError';
}

/** One resource as YAML. */
export function toYaml(resource: unknown): string {
  return withLongScalarsSpliced(resource) ?? serialise(resource);
}

function serialise(resource: unknown): string {
  return yaml().stringify(resource, { lineWidth: 0 });
}

/**
 * Strings from this length on are not handed to the serialiser when they are verbatim scalars: it spends
 * about 4 ns a character deciding how to write one (the Secret of a hostile grant service's answer padded
 * to 40 MiB holds a 56 MB base64 value: 200 ms), where telling that it is one and splicing it into the
 * text cost a regular-expression scan and a copy, about a quarter of that.
 */
const SPLICED_SCALAR_MIN_LENGTH = 64 * 1024;

/**
 * A string the serialiser writes as it is, on one line, wherever it is a value (with lineWidth 0, which
 * folds nothing): a plain scalar of base64 characters, beginning with a letter so that it cannot read as a
 * number, and too long to be a keyword such as `true` or `null`.
 */
const VERBATIM_SCALAR = /^[A-Za-z][A-Za-z0-9+/]*={0,2}$/;

/**
 * The resource as YAML, written with a short placeholder in place of each long verbatim scalar and the
 * scalar spliced back into the text: the same text as the serialiser's. Undefined when there is no such
 * scalar, when the resource refers to itself, or when a placeholder does not appear exactly once in the
 * text (the resource holds it already): the serialiser is then to write the resource whole.
 */
function withLongScalarsSpliced(resource: unknown): string | undefined {
  const scalars = new Map<string, string>(); // placeholder → the scalar it stands in for
  let nonce: string | undefined;
  const placeholderFor = (value: string): string => {
    nonce ??= randomUUID();
    const placeholder = `spliced-${scalars.size}-${nonce}`;
    scalars.set(placeholder, value);
    return placeholder;
  };

  // Containers on the way to a long scalar are copied, everything else is the resource's own; each
  // container once, so that one met twice is still written once and then as an alias.
  const copies = new Map<object, unknown>();
  const visiting = new Set<object>();
  let refersToItself = false;
  const standIn = (value: unknown): unknown => {
    if (typeof value === 'string') return value.length >= SPLICED_SCALAR_MIN_LENGTH && VERBATIM_SCALAR.test(value) ? placeholderFor(value) : value;
    if (!isPlainContainer(value)) return value;
    if (copies.has(value)) return copies.get(value);
    if (visiting.has(value)) {
      refersToItself = true;
      return value;
    }
    visiting.add(value);
    const entries = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
    const replaced = entries.map(([key, entry]) => [key, standIn(entry)] as const);
    visiting.delete(value);
    const changed = replaced.some(([, entry], i) => entry !== entries[i][1]);
    const copy = !changed ? value : Array.isArray(value) ? replaced.map(([, entry]) => entry) : Object.fromEntries(replaced);
    copies.set(value, copy);
    return copy;
  };

  const resourceWithPlaceholders = standIn(resource);
  if (scalars.size === 0 || refersToItself) return undefined;
  const text = serialise(resourceWithPlaceholders);
  const places: { at: number; placeholder: string }[] = [];
  for (const placeholder of scalars.keys()) {
    const at = text.indexOf(placeholder);
    if (at < 0 || text.includes(placeholder, at + 1)) return undefined;
    places.push({ at, placeholder });
  }
  places.sort((a, b) => a.at - b.at);
  let spliced = '';
  let from = 0;
  for (const { at, placeholder } of places) {
    spliced += text.slice(from, at) + scalars.get(placeholder);
    from = at + placeholder.length;
  }
  return spliced + text.slice(from);
}

/** An array or an object literal: what the serialiser writes as a sequence or a mapping of its entries. */
function isPlainContainer(value: unknown): value is unknown[] | Record<string, unknown> {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Several resources as a YAML stream, each document introduced by `---` as Skupper writes them. */
export function toYamlStream(resources: unknown[]): string {
  return resources.map((r) => `---\n${toYaml(r)}`).join('');
}

// ---------------------------------------------------------------------------------------------
// Validation against the CRD's structural schema (apiextensions validation is what a user meets first)

export interface ValidationError {
  /** JSON path of the offending field, as the API server names it: `spec.url`, `status.conditions[0].reason` */
  field: string;
  message: string;
}

const REASON_PATTERN = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const CONDITION_TYPE_PATTERN =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
// RFC 3339 date-time, as OpenAPI's `format: date-time` demands.
const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;


function checkType(errors: ValidationError[], field: string, value: unknown, type: 'string' | 'integer' | 'boolean' | 'object' | 'array'): boolean {
  const ok =
    type === 'integer' ? Number.isInteger(value)
    : type === 'object' ? isObject(value)
    : type === 'array' ? Array.isArray(value)
    : typeof value === type;
  if (!ok) errors.push({ field, message: `must be of type ${type}` });
  return ok;
}

/** Validates one condition item as the CRD's `conditions.items` schema does. */
export function validateCondition(condition: unknown, field = 'condition'): ValidationError[] {
  const errors: ValidationError[] = [];
  if (!checkType(errors, field, condition, 'object')) return errors;
  const c = condition as Record<string, unknown>;
  for (const key of ['lastTransitionTime', 'message', 'reason', 'status', 'type']) {
    if (c[key] === undefined || c[key] === null) errors.push({ field: `${field}.${key}`, message: 'Required value' });
  }
  if (c.type !== undefined && checkType(errors, `${field}.type`, c.type, 'string')) {
    const t = c.type as string;
    if (t.length > 316) errors.push({ field: `${field}.type`, message: 'may not be longer than 316' });
    if (!CONDITION_TYPE_PATTERN.test(t)) errors.push({ field: `${field}.type`, message: `must match the qualified-name pattern, got ${JSON.stringify(t)}` });
  }
  if (c.status !== undefined && checkType(errors, `${field}.status`, c.status, 'string')) {
    if (!['True', 'False', 'Unknown'].includes(c.status as string)) {
      errors.push({ field: `${field}.status`, message: `must be one of "True", "False", "Unknown", got ${JSON.stringify(c.status)}` });
    }
  }
  if (c.reason !== undefined && checkType(errors, `${field}.reason`, c.reason, 'string')) {
    const r = c.reason as string;
    if (r.length < 1) errors.push({ field: `${field}.reason`, message: 'should be at least 1 chars long' });
    else if (r.length > 1024) errors.push({ field: `${field}.reason`, message: 'may not be longer than 1024' });
    else if (!REASON_PATTERN.test(r)) errors.push({ field: `${field}.reason`, message: `must match ${REASON_PATTERN.source}, got ${JSON.stringify(r)}` });
  }
  if (c.message !== undefined && checkType(errors, `${field}.message`, c.message, 'string')) {
    if ((c.message as string).length > 32768) errors.push({ field: `${field}.message`, message: 'may not be longer than 32768' });
  }
  if (c.lastTransitionTime !== undefined && checkType(errors, `${field}.lastTransitionTime`, c.lastTransitionTime, 'string')) {
    const t = c.lastTransitionTime as string;
    if (!DATE_TIME_PATTERN.test(t) || Number.isNaN(Date.parse(t))) {
      errors.push({ field: `${field}.lastTransitionTime`, message: `must be an RFC 3339 date-time, got ${JSON.stringify(t)}` });
    }
  }
  if (c.observedGeneration !== undefined && checkType(errors, `${field}.observedGeneration`, c.observedGeneration, 'integer')) {
    if ((c.observedGeneration as number) < 0) errors.push({ field: `${field}.observedGeneration`, message: 'must be greater than or equal to 0' });
  }
  return errors;
}

/** Validates an AccessToken against the CRD: required url, code and ca; types; the condition schema. */
export function validateAccessToken(resource: unknown): ValidationError[] {
  const errors: ValidationError[] = [];
  if (!checkType(errors, '', resource, 'object')) return errors;
  const r = resource as Record<string, unknown>;
  if (r.apiVersion !== SKUPPER_API_VERSION) errors.push({ field: 'apiVersion', message: `must be ${SKUPPER_API_VERSION}, got ${JSON.stringify(r.apiVersion)}` });
  if (r.kind !== 'AccessToken') errors.push({ field: 'kind', message: `must be AccessToken, got ${JSON.stringify(r.kind)}` });
  if (!isObject(r.metadata) || typeof r.metadata.name !== 'string' || r.metadata.name === '') {
    errors.push({ field: 'metadata.name', message: 'Required value' });
  }
  if (r.spec !== undefined && checkType(errors, 'spec', r.spec, 'object')) {
    const spec = r.spec as Record<string, unknown>;
    for (const key of ['url', 'code', 'ca']) {
      if (spec[key] === undefined || spec[key] === null) errors.push({ field: `spec.${key}`, message: 'Required value' });
      else checkType(errors, `spec.${key}`, spec[key], 'string');
    }
    if (spec.linkCost !== undefined) checkType(errors, 'spec.linkCost', spec.linkCost, 'integer');
    if (spec.settings !== undefined && checkType(errors, 'spec.settings', spec.settings, 'object')) {
      for (const [k, v] of Object.entries(spec.settings as Record<string, unknown>)) {
        checkType(errors, `spec.settings.${k}`, v, 'string');
      }
    }
  }
  if (r.status !== undefined && checkType(errors, 'status', r.status, 'object')) {
    const status = r.status as Record<string, unknown>;
    if (status.redeemed !== undefined) checkType(errors, 'status.redeemed', status.redeemed, 'boolean');
    if (status.status !== undefined) checkType(errors, 'status.status', status.status, 'string');
    if (status.message !== undefined) checkType(errors, 'status.message', status.message, 'string');
    if (status.conditions !== undefined && checkType(errors, 'status.conditions', status.conditions, 'array')) {
      (status.conditions as unknown[]).forEach((c, i) => errors.push(...validateCondition(c, `status.conditions[${i}]`)));
    }
  }
  return errors;
}

/** Formats validation errors as the API server does: `spec.url: Required value`. */
export function formatValidationErrors(errors: ValidationError[]): string {
  return errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
}


export function decodeBase64(value: string | undefined): string {
  return value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
}

export function encodeBase64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

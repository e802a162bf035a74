// Skupper resources in their Kubernetes JSON shape, YAML (de)serialisation, and validation of an
// AccessToken against the rules of the real CRD (accesstokens.skupper.io, v2alpha1).
import { parseAllDocuments, stringify } from 'yaml';

import { isObject } from './text.ts';

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
  const docs = parseAllDocuments(text);
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
  return stringify(resource, { lineWidth: 0 });
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

// What a hostile or broken grant service puts in a redemption's answer, beyond what faults.ts does to the
// exchange: documents of kinds a redeemer must never create (written as a YAML stream, to go after the
// Links), owner references of its own, and padding that makes an answer tens of MiB.
import { randomUUID } from 'node:crypto';
import { toYamlStream, type OwnerReference } from '../../model/resources.ts';

/** The kinds of document a grant service may slip into its answer, each as an attacker would write it. */
export const FOREIGN_KINDS = ['ClusterRoleBinding', 'Role', 'Pod', 'ConfigMap'] as const;
export type ForeignKind = (typeof FOREIGN_KINDS)[number];

/** A document of another kind, as such a document would grant or run something in the redeeming cluster. */
export interface ForeignDocument {
  apiVersion: string;
  kind: ForeignKind;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

export function isForeignKind(kind: string): kind is ForeignKind {
  return (FOREIGN_KINDS as readonly string[]).includes(kind);
}

/** A document of `kind` named `name`: cluster-admin for a service account, a Role that can do anything, a Pod, a ConfigMap. */
export function foreignDocument(kind: ForeignKind, name: string): ForeignDocument {
  switch (kind) {
    case 'ClusterRoleBinding':
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
      };
    case 'Role':
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: { name },
        rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      };
    case 'Pod':
      return {
        apiVersion: 'v1',
        kind,
        metadata: { name },
        spec: { containers: [{ name: 'payload', image: 'registry.invalid/payload:latest', command: ['sh', '-c', 'sleep infinity'] }] },
      };
    case 'ConfigMap':
      return { apiVersion: 'v1', kind, metadata: { name }, data: { planted: 'by the grant service' } };
  }
}

/** The YAML stream text of a foreign document, to be written after the Links (appendToResponse). */
export function foreignDocumentText(kind: ForeignKind, name: string): string {
  return toYamlStream([foreignDocument(kind, name)]);
}

/**
 * Owner references a grant service has no business setting: a controller of its own (whose uid exists
 * nowhere in the redeeming cluster, so a garbage collector would delete what carries it once nothing else
 * owns it) and a namespace that outlives the site.
 */
export function foreignOwnerReferences(): OwnerReference[] {
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'grant-server', uid: randomUUID(), controller: true, blockOwnerDeletion: true },
    { apiVersion: 'v1', kind: 'Namespace', name: 'default', uid: randomUUID() },
  ];
}

/**
 * base64 text that decodes to `bytes` bytes ("a" each): the padding of a Secret entry. Written by repeating
 * the four characters of "aaa" rather than encoding a buffer: the same text, without filling 40 MiB and
 * encoding them (building the 40 MiB answer: ~165 → ~130 ms).
 */
export function paddingData(bytes: number): string {
  const rest = bytes % 3;
  return 'YWFh'.repeat((bytes - rest) / 3) + (rest === 0 ? '' : Buffer.alloc(rest, 0x61).toString('base64'));
}

export const MiB = 1024 * 1024;

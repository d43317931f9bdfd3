// The two certificate controllers of the controller manager, as Kubernetes splits them:
// csrapproving adds Approved (or Denied) through /approval by the rules in approval.ts;
// csrsigning issues certificates for approved requests of the kubelet signers (and
// kube-apiserver-client, approved by hand) with the cluster CA and writes them through
// /status, or marks the request Failed when it cannot be signed.

import type { Api } from '../../common/client/api.js';
import type { Informer } from '../../common/client/informer.js';
import { rfc3339, type Clock } from '../../common/clock.js';
import type { ControllerRegistration, EventRecorder, InformerSource, ObjectKey, Reconciler, ReconcileResult } from '../../common/controller/types.js';
import type { Logger } from '../../common/logging.js';
import { CsrError, parseCsr } from '../../common/pki/csr.js';
import { issueCertificate, type SigningCA } from '../../common/pki/signer.js';
import { nodesResource, type Node } from '../nodelifecycle/types.js';
import { decideApproval } from './approval.js';
import { apiServerClientSigner, csrResource, hasCondition, isFinished, kubeletClientSigner, kubeletServingSigner, requestPem, type Csr, type CsrCondition } from './types.js';

interface Deps {
  api: Api;
  events: EventRecorder;
  logger: Logger;
  clock: Clock;
}

function withCondition(csr: Csr, c: Omit<CsrCondition, 'lastUpdateTime' | 'lastTransitionTime'>, now: number): Csr {
  const t = rfc3339(now);
  return { ...csr, status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), { ...c, lastUpdateTime: t, lastTransitionTime: t }] } };
}

export class CsrApprovingController implements Reconciler {
  static readonly controllerName = 'csrapproving';
  private csrs: Informer<Csr> | undefined;
  private nodes: Informer<Node> | undefined;
  private readonly logger: Logger;

  constructor(private readonly deps: Deps & { retryMs?: number }) {
    this.logger = deps.logger.child({ controller: CsrApprovingController.controllerName });
  }

  registration(): ControllerRegistration {
    return { name: CsrApprovingController.controllerName, reconciler: this, workers: 1, watch: (s, e) => this.watch(s, e) };
  }

  private watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const csrs = (this.csrs = source.informer<Csr>(csrResource));
    const key = (c: Csr): void => enqueue({ name: c.metadata.name ?? '' });
    csrs.addEventHandler({ onAdd: key, onUpdate: (_o, n) => key(n) });
    // A serving request waits for its node's addresses: look again when the node shows them.
    const nodes = (this.nodes = source.informer<Node>(nodesResource));
    const pendingOf = (n: Node): void => {
      const user = `system:node:${n.metadata.name ?? ''}`;
      for (const c of csrs.store.list()) if (c.spec?.username === user && !hasCondition(c, 'Approved') && !isFinished(c)) key(c);
    };
    nodes.addEventHandler({ onAdd: pendingOf, onUpdate: (_o, n) => pendingOf(n) });
  }

  private nodeAddresses = (name: string): { ips: string[] } | undefined => {
    const node = this.nodes?.store.get(name);
    if (!node) return undefined;
    const addresses = Array.isArray(node.status?.addresses) ? (node.status.addresses as { type?: string; address?: string }[]) : [];
    const ips = addresses.filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address ?? '');
    return { ips };
  };

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const csr = this.csrs?.store.get(key.name);
    if (!csr || hasCondition(csr, 'Approved') || isFinished(csr)) return;
    const d = decideApproval(csr, this.nodeAddresses);
    if (d.verdict === 'skip') {
      this.logger.debug('not deciding', { csr: key.name, why: d.why });
      return d.retry ? { requeueAfterMs: this.deps.retryMs ?? 5_000 } : undefined;
    }
    const type = d.verdict === 'approve' ? 'Approved' : 'Denied';
    await this.deps.api.updateSubresource<Csr>(csrResource, withCondition(csr, { type, status: 'True', reason: d.reason, message: d.message }, this.deps.clock.now()), 'approval');
    this.logger.info(d.verdict === 'approve' ? 'approved certificate signing request' : 'denied certificate signing request', { csr: key.name, signer: csr.spec?.signerName, requester: csr.spec?.username, reason: d.reason, message: d.message });
  }
}

/** What each signer may put in a certificate (Kubernetes' signer checks the same after approval). */
const signerUsages: Record<string, Set<string>> = {
  [kubeletClientSigner]: new Set(['digital signature', 'key encipherment', 'client auth']),
  [apiServerClientSigner]: new Set(['digital signature', 'key encipherment', 'client auth']),
  [kubeletServingSigner]: new Set(['digital signature', 'key encipherment', 'server auth']),
};

export class CsrSigningController implements Reconciler {
  static readonly controllerName = 'csrsigning';
  private csrs: Informer<Csr> | undefined;
  private readonly logger: Logger;

  /** `ca` undefined: no signing key configured; the controller stays idle (as kube-controller-manager without --cluster-signing-*). */
  constructor(private readonly deps: Deps & { ca: SigningCA | undefined; durationMs: number }) {
    this.logger = deps.logger.child({ controller: CsrSigningController.controllerName });
    if (!deps.ca) this.logger.warn('no cluster signing certificate and key configured (--cluster-signing-cert-file, --cluster-signing-key-file): certificate requests will not be signed');
  }

  registration(): ControllerRegistration {
    return { name: CsrSigningController.controllerName, reconciler: this, workers: 1, watch: (s, e) => this.watch(s, e) };
  }

  private watch(source: InformerSource, enqueue: (key: ObjectKey) => void): void {
    const csrs = (this.csrs = source.informer<Csr>(csrResource));
    const key = (c: Csr): void => enqueue({ name: c.metadata.name ?? '' });
    csrs.addEventHandler({ onAdd: key, onUpdate: (_o, n) => key(n) });
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const ca = this.deps.ca;
    const csr = this.csrs?.store.get(key.name);
    if (!ca || !csr || !hasCondition(csr, 'Approved') || isFinished(csr)) return;
    const signer = csr.spec?.signerName ?? '';
    const allowed = signerUsages[signer];
    if (!allowed) return;
    const now = this.deps.clock.now();
    const fail = async (message: string): Promise<void> => {
      await this.deps.api.updateStatus<Csr>(csrResource, withCondition(csr, { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message }, now));
      this.logger.warn('could not sign certificate signing request', { csr: key.name, signer, message });
    };
    const usages = csr.spec?.usages ?? [];
    const bad = usages.filter((u) => !allowed.has(u));
    if (bad.length) return fail(`invalid usage for ${signer}: ${JSON.stringify(bad)}`);
    let parsed;
    try {
      parsed = parseCsr(requestPem(csr));
    } catch (e) {
      return fail(e instanceof CsrError ? e.message : String(e));
    }
    if (signer !== apiServerClientSigner && (!(parsed.subject.commonName ?? '').startsWith('system:node:') || parsed.subject.organizations.join() !== 'system:nodes')) {
      return fail(`${signer} signs only subjects CN=system:node:<name>, O=system:nodes`);
    }
    const requested = csr.spec?.expirationSeconds;
    const durationMs = typeof requested === 'number' && requested >= 600 ? Math.min(requested * 1000, this.deps.durationMs) : this.deps.durationMs;
    const certPem = issueCertificate(ca, parsed, { usages, durationMs, now });
    await this.deps.api.updateStatus<Csr>(csrResource, { ...csr, status: { ...csr.status, certificate: Buffer.from(certPem).toString('base64') } });
    this.logger.info('signed certificate', { csr: key.name, signer, subject: parsed.subject.commonName, days: Math.round(durationMs / 86_400_000) });
  }
}

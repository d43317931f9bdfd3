// Finds where an image can be pulled from: tries the registry's endpoints (mirrors
// first, as configured) for the top-level manifest, then fetches everything else for
// that pull from the endpoint that answered.

import type { Logger } from '../../../common/logging.js';
import { RegistryAuthError, RegistryError } from '../errors.js';
import type { ImageReference } from '../reference.js';
import { formatReference } from '../reference.js';
import { Authorizer } from './authorizer.js';
import { RegistryClient, type FetchedBlob, type FetchedManifest } from './client.js';
import type { Credentials, RegistryHosts } from './hosts.js';
import { Transport } from './transport.js';

/** One pull's view of one endpoint and repository. */
export interface ImageSource {
  /** `http://127.0.0.1:5000/v2` and the repository, for logs and errors. */
  readonly where: string;
  manifest(reference: string, maxBytes: number): Promise<FetchedManifest>;
  blob(digest: string): Promise<FetchedBlob>;
}

export interface ResolverOptions {
  hosts: RegistryHosts;
  log: Logger;
  timeoutMs?: number;
  now?: () => number;
}

export class RegistryResolver {
  private readonly hosts: RegistryHosts;
  private readonly log: Logger;
  private readonly transport: Transport;
  private readonly authorizer: Authorizer;

  constructor(opts: ResolverOptions) {
    this.hosts = opts.hosts;
    this.log = opts.log;
    const t: ConstructorParameters<typeof Transport>[0] = { tlsFor: (h) => opts.hosts.tlsFor(h) };
    if (opts.timeoutMs !== undefined) t.timeoutMs = opts.timeoutMs;
    this.transport = new Transport(t);
    this.authorizer = new Authorizer(this.transport, opts.log, opts.now);
  }

  /** The top-level manifest of `ref` (by digest if it has one, else by tag) and the source that served it. */
  async resolve(ref: ImageReference, maxBytes: number, credentials?: Credentials): Promise<{ source: ImageSource; manifest: FetchedManifest }> {
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const failures: Array<{ host: string; error: unknown }> = [];
    for (const endpoint of this.hosts.endpointsFor(ref.domain, credentials)) {
      const client = new RegistryClient(endpoint, this.transport, this.authorizer, this.log);
      const source: ImageSource = {
        where: `${endpoint.apiBase}/${ref.path}`,
        manifest: (r, max) => client.getManifest(ref.path, r, max),
        blob: (d) => client.getBlob(ref.path, d),
      };
      try {
        const manifest = await source.manifest(reference, maxBytes);
        return { source, manifest };
      } catch (e) {
        this.log.debug('endpoint failed', { image: formatReference(ref), endpoint: endpoint.apiBase, error: e instanceof Error ? e.message : String(e) });
        failures.push({ host: endpoint.host, error: e });
      }
    }
    if (failures.length === 1) throw failures[0]!.error;
    const detail = failures.map((f) => `${f.host}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; ');
    const msg = `cannot pull ${formatReference(ref)} from any endpoint (${detail})`;
    if (failures.every((f) => f.error instanceof RegistryError && f.error.status === 404)) throw new RegistryError(msg, 404);
    if (failures.some((f) => f.error instanceof RegistryAuthError)) throw new RegistryAuthError(msg);
    throw new RegistryError(msg);
  }

  close(): void {
    this.transport.close();
  }
}

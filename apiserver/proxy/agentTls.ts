// How the API server talks to node agents: TLS with its own client certificate, checking
// the agent's serving certificate against the configured CA (kube-apiserver's
// --kubelet-client-certificate / --kubelet-certificate-authority).

import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ServiceUnavailableError } from '../../common/errors.js';

export interface KubeletClientCredentials {
  certPem: string;
  keyPem: string;
  /** CA that signed the agents' serving certificates; without it Node's default roots are used. */
  caPem?: string;
}

/** Where a node's agent listens for logs and exec. */
export interface AgentEndpoint {
  nodeName: string;
  host: string;
  port: number;
}

/** The address as it goes into a Host header or a message: IPv6 in brackets. */
export function hostPort(e: AgentEndpoint): string {
  return `${net.isIPv6(e.host) ? `[${e.host}]` : e.host}:${e.port}`;
}

/** TLS options for a connection to one agent; 503 when no client credentials are configured. */
export function agentTlsOptions(creds: KubeletClientCredentials | undefined, e: AgentEndpoint): ConnectionOptions {
  if (!creds) throw new ServiceUnavailableError('no kubelet client credentials configured');
  const opts: ConnectionOptions = { host: e.host, port: e.port, cert: creds.certPem, key: creds.keyPem, rejectUnauthorized: true };
  if (creds.caPem) opts.ca = creds.caPem;
  // SNI may not carry an IP; Node then checks the IP against the certificate's IP SANs.
  if (!net.isIP(e.host)) opts.servername = e.host;
  return opts;
}

// The cluster DNS server process, like kube-dns / CoreDNS's kubernetes plugin:
//   node dist/dns/main.js --kubeconfig ~/.gantry/dns/kubeconfig --listen-address 172.31.240.1 \
//     --port 53 --advertise-address 172.31.240.1 --cluster-domain cluster.local --service-ip 10.96.0.10
// Settings: see config.ts (flags, GANTRY_DNS_* environment, --config file).

import { runComponent } from '../common/componentMain.js';
import { startDns } from './app.js';
import { loadDnsConfig } from './config.js';

void runComponent({
  name: 'dns',
  title: 'DNS server',
  kubeconfigHint: 'the file `gantry up` writes to $GANTRY_HOME/dns/kubeconfig',
  loadConfig: loadDnsConfig,
  // Three watches and a few writes.
  clientOptions: { maxSockets: 8 },
  start: ({ config, client, logger }) => startDns({ config, client, logger }),
  // Binding the sockets is the first thing it does: a taken or privileged port is the operator's to fix.
  configErrorMessage: (e) => {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    return code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' ? `cannot listen: ${(e as Error).message}` : undefined;
  },
  startedFields: (app, cfg) => ({ listen: `${cfg.listenAddress}:${app.port}`, advertise: cfg.advertise, clusterDomain: cfg.clusterDomain, serviceIP: cfg.serviceIp, upstreams: cfg.upstreams.map((u) => `${u.host}:${u.port}`), register: cfg.register }),
});

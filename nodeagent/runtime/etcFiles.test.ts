import { expect } from 'chai';
import { hostsFile } from './etcFiles.js';

const base = [
  '# Kubernetes-managed hosts file (Gantry).',
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'fe00::0\tip6-mcastprefix',
  'fe00::1\tip6-allnodes',
  'fe00::2\tip6-allrouters',
];

describe('runtime/etcFiles hostsFile (as the kubelet writes /etc/hosts)', () => {
  const cases: { name: string; args: Parameters<typeof hostsFile>; want: string[] }[] = [
    { name: 'the pod IP with its hostname', args: ['web', '10.244.1.5'], want: [...base, '10.244.1.5\tweb'] },
    { name: 'no pod IP (node network): only the standard lines', args: ['web', undefined], want: base },
    { name: 'a DNS name of its own comes first', args: ['db-0', '10.244.1.6', { fqdn: 'db-0.db.default.svc.cluster.local' }], want: [...base, '10.244.1.6\tdb-0.db.default.svc.cluster.local\tdb-0'] },
    {
      name: 'host aliases after a blank line and the kubelet\'s heading',
      args: ['web', '10.244.1.5', { aliases: [{ ip: '10.1.2.3', hostnames: ['foo', 'bar'] }, { ip: '10.1.2.4', hostnames: [] }] }],
      want: [...base, '10.244.1.5\tweb', '', '# Entries added by HostAliases.', '10.1.2.3\tfoo\tbar'],
    },
  ];
  for (const tc of cases) it(tc.name, () => expect(hostsFile(...tc.args)).to.equal(tc.want.join('\n') + '\n'));
});

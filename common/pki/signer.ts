// Issues X.509 certificates for approved requests with the cluster CA, as Kubernetes'
// csrsigning controller does: the subject and SANs come from the request, the key usages
// from the CSR object's spec.usages, the validity from the signer's duration (capped by
// spec.expirationSeconds), never outliving the CA. Also the CA's public-key pin in kubeadm's
// `sha256:<hex>` form (`--discovery-token-ca-cert-hash`).

import { createHash, createPrivateKey, randomBytes, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import { bitString, children, derBoolean, derNull, expectTag, explicit, integer, octetString, oid, pemBlock, readOne, seq, Tag, time, toPem } from './der.js';
import { Oids, type ParsedCsr } from './csr.js';

/** spec.usages Kubernetes knows that map onto keyUsage bits (bit number) or extKeyUsage OIDs. */
const keyUsageBits: Record<string, number> = {
  'digital signature': 0,
  'content commitment': 1,
  'key encipherment': 2,
  'data encipherment': 3,
  'key agreement': 4,
  'cert sign': 5,
  'crl sign': 6,
};
const extKeyUsages: Record<string, string> = {
  'server auth': Oids.serverAuth,
  'client auth': Oids.clientAuth,
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  'timestamping': '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
};

/** Every usage string a CertificateSigningRequest may name (certificates.k8s.io/v1 KeyUsage). */
export const knownUsages: readonly string[] = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system',
  'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
];

export interface SigningCA {
  certPem: string;
  key: KeyObject;
  cert: X509Certificate;
  /** The CA's subject Name DER: the issuer of what it signs. */
  subjectDer: Buffer;
}

export function loadSigningCA(certPem: string, keyPem: string): SigningCA {
  const cert = new X509Certificate(certPem);
  const key = createPrivateKey(keyPem);
  if (!cert.checkPrivateKey(key)) throw new Error('the CA key does not belong to the CA certificate');
  if (!cert.ca) throw new Error('the CA certificate is not a CA (basicConstraints CA:FALSE)');
  return { certPem, key, cert, subjectDer: certificateSubjectDer(pemBlock(certPem, ['CERTIFICATE']).der) };
}

/** The subject Name inside a certificate's DER (TBSCertificate's sixth field, after the optional version). */
export function certificateSubjectDer(der: Buffer): Buffer {
  const [tbs] = children(expectTag(readOne(der), Tag.sequence, 'Certificate'));
  const fields = children(expectTag(tbs, Tag.sequence, 'TBSCertificate'));
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  return Buffer.from(expectTag(fields[offset + 4], Tag.sequence, 'subject').raw);
}

function keyUsageExtension(usages: readonly string[]): Buffer | undefined {
  let bits = 0;
  for (const u of usages) {
    const b = keyUsageBits[u === 'signing' ? 'digital signature' : u];
    if (b !== undefined) bits |= 0x80 >> b;
  }
  if (bits === 0) return undefined;
  let unused = 0;
  while (!((bits >> unused) & 1)) unused++;
  return seq(oid(Oids.keyUsage), derBoolean(true), octetString(bitString(Buffer.from([bits]), unused)));
}

function extKeyUsageExtension(usages: readonly string[]): Buffer | undefined {
  const oids = [...new Set(usages.map((u) => extKeyUsages[u]).filter((o): o is string => o !== undefined))];
  if (oids.length === 0) return undefined;
  return seq(oid(Oids.extKeyUsage), octetString(seq(...oids.map(oid))));
}

function signatureAlgorithm(key: KeyObject): { der: Buffer; digest: string } {
  if (key.asymmetricKeyType === 'rsa') return { der: seq(oid(Oids.sha256WithRsa), derNull()), digest: 'sha256' };
  if (key.asymmetricKeyType === 'ec') return { der: seq(oid(Oids.ecdsaWithSha256)), digest: 'sha256' };
  throw new Error(`CA keys of type ${key.asymmetricKeyType ?? 'unknown'} are not supported`);
}

export interface IssueOptions {
  usages: readonly string[];
  /** How long the certificate is valid. */
  durationMs: number;
  now: number;
}

/** Signs `csr` with `ca`; returns the certificate PEM. */
export function issueCertificate(ca: SigningCA, csr: ParsedCsr, opts: IssueOptions): string {
  // Backdated five minutes for clock skew, as Kubernetes' signer does; never past the CA.
  const notBefore = new Date(opts.now - 5 * 60 * 1000);
  const caEnd = new Date(ca.cert.validTo).getTime();
  const notAfter = new Date(Math.min(opts.now + opts.durationMs, caEnd));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const alg = signatureAlgorithm(ca.key);
  const extensions = [
    keyUsageExtension(opts.usages),
    extKeyUsageExtension(opts.usages),
    seq(oid(Oids.basicConstraints), derBoolean(true), octetString(seq())),
    csr.subjectAltNameDer ? seq(oid(Oids.subjectAltName), octetString(csr.subjectAltNameDer)) : undefined,
  ].filter((e): e is Buffer => e !== undefined);
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    alg.der,
    ca.subjectDer,
    seq(time(notBefore), time(notAfter)),
    csr.subjectDer,
    csr.publicKeyDer,
    explicit(3, seq(...extensions)),
  );
  const signature = cryptoSign(alg.digest, tbs, { key: ca.key, dsaEncoding: 'der' });
  return toPem('CERTIFICATE', seq(tbs, alg.der, bitString(signature)));
}

/** kubeadm's CA pin: `sha256:` and the hex SHA-256 of the CA certificate's SubjectPublicKeyInfo. */
export function caPublicKeyHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** Normalises a user's `--ca-hash`; throws for anything but `sha256:` and 64 hex digits. */
export function parseCaHash(pin: string): string {
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(pin.trim());
  if (!m) throw new Error(`invalid CA hash ${JSON.stringify(pin)}: expected sha256:<64 hex digits> (the hash of the CA's public key, as kubeadm prints)`);
  return `sha256:${m[1]!.toLowerCase()}`;
}

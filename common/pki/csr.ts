// PKCS#10 certificate signing requests: made by `gantry join` for a node's client and serving
// certificates, read (and their self-signature checked) by the API server's validation,
// the approver and the signer. Any key type Node's crypto knows is accepted (RSA, ECDSA,
// Ed25519), as Kubernetes accepts what Go's x509 parses.

import { createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, children, decodeOid, decodeString, DerError, expectTag, integer, octetString, oid, pemBlock, readOne, seq, Tag, tlv, toPem, type Tlv } from './der.js';

export const Oids = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

/** Signature algorithms a request may be signed with: digest for Node's verify (null: the key decides). SHA-1 is refused, as Go does. */
const signatureAlgorithms: Record<string, { name: string; digest: string | null }> = {
  '1.2.840.113549.1.1.11': { name: 'SHA256-RSA', digest: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'SHA384-RSA', digest: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'SHA512-RSA', digest: 'sha512' },
  '1.2.840.10045.4.3.2': { name: 'ECDSA-SHA256', digest: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ECDSA-SHA384', digest: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ECDSA-SHA512', digest: 'sha512' },
  '1.3.101.112': { name: 'Ed25519', digest: null },
};

export class CsrError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CsrError';
  }
}

export interface Subject {
  commonName?: string;
  organizations: string[];
  /** Every attribute by OID, in order (for checks that want nothing else present). */
  attributes: { oid: string; value: string }[];
}

export interface ParsedCsr {
  subject: Subject;
  /** The subject Name's DER, copied into the certificate as it is. */
  subjectDer: Buffer;
  /** SubjectPublicKeyInfo DER. */
  publicKeyDer: Buffer;
  publicKey: KeyObject;
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** The subjectAltName extension value as requested, copied into the certificate. */
  subjectAltNameDer?: Buffer;
}

function parseName(el: Tlv): Subject {
  expectTag(el, Tag.sequence, 'subject');
  const subject: Subject = { organizations: [], attributes: [] };
  for (const rdn of children(el)) {
    expectTag(rdn, Tag.set, 'subject RDN');
    for (const atv of children(rdn)) {
      const [type, value] = children(expectTag(atv, Tag.sequence, 'subject attribute'));
      const o = decodeOid(expectTag(type, Tag.oid, 'attribute type').content);
      if (!value) throw new DerError('attribute without a value');
      const text = decodeString(value);
      subject.attributes.push({ oid: o, value: text });
      if (o === Oids.commonName) subject.commonName = text;
      if (o === Oids.organization) subject.organizations.push(text);
    }
  }
  return subject;
}

interface AltNames {
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
}

function ipFromBytes(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
    // Node normalises the textual form for us.
    return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
  }
  throw new DerError(`an IP address SAN of ${b.length} bytes`);
}

export function parseAltNames(der: Buffer): AltNames {
  const out: AltNames = { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [] };
  for (const gn of children(expectTag(readOne(der), Tag.sequence, 'subjectAltName'))) {
    switch (gn.tag) {
      case 0x81:
        out.emailAddresses.push(gn.content.toString('utf8'));
        break;
      case 0x82:
        out.dnsNames.push(gn.content.toString('utf8'));
        break;
      case 0x86:
        out.uris.push(gn.content.toString('utf8'));
        break;
      case 0x87:
        out.ipAddresses.push(ipFromBytes(gn.content));
        break;
      default:
        throw new DerError(`unsupported subjectAltName type [${gn.tag & 0x1f}]`);
    }
  }
  return out;
}

/** The extensions asked for in the request's extensionRequest attribute, by OID. */
function requestedExtensions(attrs: Tlv | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!attrs) return out;
  for (const attr of children(attrs)) {
    const [type, values] = children(expectTag(attr, Tag.sequence, 'attribute'));
    if (decodeOid(expectTag(type, Tag.oid, 'attribute type').content) !== Oids.extensionRequest) continue;
    for (const exts of children(expectTag(values, Tag.set, 'attribute values'))) {
      for (const ext of children(expectTag(exts, Tag.sequence, 'extensions'))) {
        const parts = children(expectTag(ext, Tag.sequence, 'extension'));
        const id = decodeOid(expectTag(parts[0], Tag.oid, 'extension id').content);
        const value = expectTag(parts[parts.length - 1], Tag.octetString, 'extension value');
        out.set(id, Buffer.from(value.content));
      }
    }
  }
  return out;
}

/**
 * Reads a PEM `CERTIFICATE REQUEST` and checks its self-signature. Throws CsrError with a
 * message fit for a user (it ends up in a 422 or a Denied condition).
 */
export function parseCsr(pem: string | Buffer): ParsedCsr {
  try {
    const { der } = pemBlock(typeof pem === 'string' ? pem : pem.toString('utf8'), ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
    const [info, algorithm, signature] = children(expectTag(readOne(der), Tag.sequence, 'CertificationRequest'));
    const [version, name, spki, attrs] = children(expectTag(info, Tag.sequence, 'CertificationRequestInfo'));
    if (expectTag(version, Tag.integer, 'version').content.toString('hex') !== '00') throw new DerError('unsupported request version');
    const subject = parseName(name!);
    expectTag(spki, Tag.sequence, 'subjectPublicKeyInfo');
    if (attrs && attrs.tag !== 0xa0) throw new DerError('malformed attributes');
    const algOid = decodeOid(expectTag(children(expectTag(algorithm, Tag.sequence, 'signatureAlgorithm'))[0], Tag.oid, 'algorithm').content);
    const alg = signatureAlgorithms[algOid];
    if (!alg) throw new CsrError(`unsupported signature algorithm ${algOid}`);
    const sigBits = expectTag(signature, Tag.bitString, 'signature');
    if (sigBits.content[0] !== 0) throw new DerError('signature with unused bits');
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: Buffer.from(spki!.raw), format: 'der', type: 'spki' });
    } catch (e) {
      throw new CsrError(`unsupported public key: ${(e as Error).message}`);
    }
    const ok = cryptoVerify(alg.digest, info!.raw, { key: publicKey, dsaEncoding: 'der' }, sigBits.content.subarray(1));
    if (!ok) throw new CsrError('the request is not signed by its own key (signature check failed)');
    const exts = requestedExtensions(attrs);
    const sanDer = exts.get(Oids.subjectAltName);
    const alt = sanDer ? parseAltNames(sanDer) : { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [] };
    return { subject, subjectDer: Buffer.from(name!.raw), publicKeyDer: Buffer.from(spki!.raw), publicKey, ...alt, ...(sanDer ? { subjectAltNameDer: sanDer } : {}) };
  } catch (e) {
    if (e instanceof CsrError) throw e;
    throw new CsrError(`not a valid PEM certificate request: ${(e as Error).message}`, { cause: e });
  }
}

// ---- making requests -------------------------------------------------------------

export interface CsrSubject {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ips?: string[];
}

function utf8(text: string): Buffer {
  return tlv(Tag.utf8String, Buffer.from(text, 'utf8'));
}

export function encodeName(s: { commonName: string; organizations?: string[] }): Buffer {
  const rdn = (type: string, value: string): Buffer => tlv(Tag.set, seq(oid(type), utf8(value)));
  return seq(...(s.organizations ?? []).map((o) => rdn(Oids.organization, o)), rdn(Oids.commonName, s.commonName));
}

export function encodeAltNames(dnsNames: string[], ips: string[]): Buffer {
  const names = [
    ...dnsNames.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))),
    ...ips.map((ip) => {
      if (isIP(ip) === 4) return tlv(0x87, Buffer.from(ip.split('.').map(Number)));
      if (isIP(ip) === 6) {
        const full = new URL(`http://[${ip}]`).hostname.slice(1, -1);
        const [head, tail = ''] = full.split('::');
        const h = head ? head.split(':') : [];
        const t = tail ? tail.split(':') : [];
        const groups = full.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
        const b = Buffer.alloc(16);
        groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
        return tlv(0x87, b);
      }
      throw new CsrError(`${JSON.stringify(ip)} is not an IP address`);
    }),
  ];
  return seq(...names);
}

/**
 * A new ECDSA P-256 key (as the kubelet makes) and a request for it. Returns the request
 * and the key as PEM (`EC PRIVATE KEY`, which Node's TLS and kubectl both read).
 */
export function makeCsr(subject: CsrSubject): { csrPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const attrs: Buffer[] = [];
  if ((subject.dnsNames?.length ?? 0) + (subject.ips?.length ?? 0) > 0) {
    const san = seq(oid(Oids.subjectAltName), octetString(encodeAltNames(subject.dnsNames ?? [], subject.ips ?? [])));
    attrs.push(seq(oid(Oids.extensionRequest), tlv(Tag.set, seq(san))));
  }
  const info = seq(integer(Buffer.from([0])), encodeName(subject), spki, tlv(0xa0, attrs));
  const sig = cryptoSign('sha256', info, { key: privateKey, dsaEncoding: 'der' });
  const der = seq(info, seq(oid(Oids.ecdsaWithSha256)), bitString(sig));
  return { csrPem: toPem('CERTIFICATE REQUEST', der), keyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString() };
}

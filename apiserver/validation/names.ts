// Which rule an object's metadata.name follows, as Kubernetes assigns them per kind: most
// kinds take a DNS-1123 subdomain, namespaces a DNS-1123 label, and services a DNS-1035
// label (a service name becomes a DNS label and an environment variable prefix, so it may
// not start with a digit).

import { checkLabel, checkSubdomain } from '../../common/api/names.js';

export type NameRule = 'subdomain' | 'label' | 'dns1035Label';

const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelMaxLength = 63;

/** Returns the problems with `name` as a DNS-1035 label (services), none when valid. */
export function checkDns1035Label(name: string): string[] {
  const out: string[] = [];
  if (name.length > labelMaxLength) out.push(`must be no more than ${labelMaxLength} characters`);
  if (!dns1035Label.test(name)) {
    out.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }
  return out;
}

/** The problems with `name` under `rule`, none when valid. */
export function nameProblems(rule: NameRule, name: string): string[] {
  switch (rule) {
    case 'subdomain':
      return checkSubdomain(name);
    case 'label':
      return checkLabel(name);
    case 'dns1035Label':
      return checkDns1035Label(name);
  }
}

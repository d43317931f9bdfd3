// Syntax rules for label keys and values, as Kubernetes applies them.
// Each check returns a list of problems (empty when valid) so callers can report
// them as field errors or fold them into one BadRequest message.

const NAME_MAX = 63;
const PREFIX_MAX = 253;
const VALUE_MAX = 63;

// Alphanumeric at both ends; dashes, underscores and dots inside. Case-sensitive.
const namePart = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
// A lowercase DNS-1123 subdomain: dot-separated labels of [a-z0-9-], alphanumeric at both ends.
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Problems with a qualified name such as a label key: an optional DNS-subdomain prefix
 * and `/`, then a name of at most 63 characters (`app`, `example.com/tier`).
 */
export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) {
      errs.push('the prefix before "/" must not be empty');
    } else {
      if (prefix.length > PREFIX_MAX) errs.push(`the prefix must be no more than ${PREFIX_MAX} characters`);
      if (!dnsSubdomain.test(prefix)) errs.push('the prefix must be a lowercase DNS subdomain (e.g. "example.com")');
    }
  } else {
    return ['a qualified name may contain at most one "/", separating an optional DNS subdomain prefix from the name'];
  }
  if (name.length === 0) {
    errs.push('the name part must not be empty');
  } else {
    if (name.length > NAME_MAX) errs.push(`the name part must be no more than ${NAME_MAX} characters`);
    if (!namePart.test(name)) {
      errs.push("the name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
    }
  }
  return errs;
}

/** Problems with a label value: empty, or at most 63 characters of the label-name alphabet. */
export function labelValueErrors(value: string): string[] {
  if (value.length === 0) return [];
  const errs: string[] = [];
  if (value.length > VALUE_MAX) errs.push(`must be no more than ${VALUE_MAX} characters`);
  if (!namePart.test(value)) {
    errs.push("a label value must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return errs;
}

export function isQualifiedName(key: string): boolean {
  return qualifiedNameErrors(key).length === 0;
}

export function isValidLabelValue(value: string): boolean {
  return labelValueErrors(value).length === 0;
}

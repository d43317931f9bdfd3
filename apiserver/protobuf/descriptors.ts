// The generated wire facts (descriptors.json), loaded once and looked up by message name.

import generated from './descriptors.json' with { type: 'json' };
import type { DescriptorTable, FieldDescriptor, MessageDescriptor } from './descriptorTypes.js';

const table = generated as DescriptorTable;
const load = (): DescriptorTable => table;

/** The message's descriptor; throws for a name the table does not hold (a programming error). */
export function messageDescriptor(name: string): MessageDescriptor {
  const m = load().messages[name];
  if (!m) throw new Error(`no protobuf descriptor for ${name}`);
  return m;
}

export function hasMessage(name: string): boolean {
  return load().messages[name] !== undefined;
}

const byNumber = new Map<string, Map<number, FieldDescriptor>>();

/** Field by wire number: what a decoder needs for every tag it reads. */
export function fieldByNumber(message: string, number: number): FieldDescriptor | undefined {
  let index = byNumber.get(message);
  if (!index) {
    index = new Map(messageDescriptor(message).fields.map((f) => [f.number, f]));
    byNumber.set(message, index);
  }
  return index.get(number);
}

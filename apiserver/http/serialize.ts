// Serialized forms of objects that never change once made (the watch cache's objects),
// computed once and shared by every list and watcher that sends them.

const serialized = new WeakMap<object, string>();

/** JSON of an object that is never mutated afterwards. */
export function jsonOf(obj: object): string {
  let s = serialized.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    serialized.set(obj, s);
  }
  return s;
}

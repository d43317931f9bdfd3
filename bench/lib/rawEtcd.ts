// Raw etcd operations, through the same etcd3 client library the API server's storage
// uses: the floors (against the separate floor etcd, under a non-/registry/ prefix) and
// a read of what the API server stored (reads do not move etcd's revision).

import { Etcd3 } from 'etcd3';
import { prefixEnd } from '../../common/etcdKeys.js';

export class RawEtcd {
  readonly client: Etcd3;

  constructor(endpoint: string) {
    // gRPC refuses answers over 4 MiB by default; 10,000 stored pods are several times that.
    // The floor is one range read of all of them, so the limit is lifted for this client.
    this.client = new Etcd3({ hosts: endpoint, grpcOptions: { 'grpc.max_receive_message_length': 512 * 1024 * 1024 } });
  }

  async put(key: string, value: Buffer): Promise<boolean> {
    await this.client.put(key).value(value);
    return true;
  }

  async get(key: string): Promise<Buffer | null> {
    return this.client.get(key).buffer();
  }

  /** One range read of every key under prefix; returns how many came back. */
  async range(prefix: string): Promise<number> {
    const res = await this.client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix) });
    return res.kvs.length;
  }

  /** A watch on a prefix; `onPut` gets each put's key as it arrives. */
  async watch(prefix: string, onPut: (key: string) => void): Promise<{ cancel: () => Promise<void> }> {
    const w = await this.client.watch().prefix(prefix).create();
    w.on('put', (kv) => onPut(kv.key.toString()));
    return { cancel: () => w.cancel() };
  }

  close(): void {
    this.client.close();
  }
}

// One node agent's /stats/summary over the channel pods/log uses (the API server's kubelet
// client certificate, the agent's serving certificate checked against the configured CA),
// bounded in time and size, and checked for shape before anything is built from it.

import https from 'node:https';
import { isObject } from '../../common/api/meta.js';
import { statsSummaryPath, type ContainerUsage, type PodUsage, type StatsSummary } from '../../common/api/statsSummary.js';
import { agentTlsOptions, type AgentEndpoint, type KubeletClientCredentials } from '../proxy/agentTls.js';
import { unreachable } from '../proxy/agentAnswers.js';

/** A summary lists every pod of a node; 110 pods are well under a megabyte. */
const maxSummaryBytes = 16 * 1024 * 1024;

export type SummaryFetcher = (endpoint: AgentEndpoint, timeoutMs: number) => Promise<StatsSummary>;

export function httpsSummaryFetcher(credentials: KubeletClientCredentials | undefined): SummaryFetcher {
  return (endpoint, timeoutMs) =>
    new Promise((resolve, reject) => {
      const tls = agentTlsOptions(credentials, endpoint);
      const req = https.request({ ...tls, method: 'GET', path: `${statsSummaryPath}?only_cpu_and_memory=true`, agent: false, headers: { Accept: 'application/json' } });
      // One deadline for the whole exchange: connect, TLS, headers and body.
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const fail = (e: unknown): void => {
        clearTimeout(timer);
        reject(unreachable(endpoint, e));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxSummaryBytes) req.destroy(new Error(`summary larger than ${maxSummaryBytes} bytes`));
          else chunks.push(c);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          if (res.statusCode !== 200) return fail(new Error(`the agent answered ${String(res.statusCode)}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`));
          try {
            resolve(parseSummary(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          } catch (e) {
            fail(e);
          }
        });
      });
      req.end();
    });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';

function usageOk(o: Record<string, unknown>): boolean {
  const cpu = o.cpu;
  const mem = o.memory;
  return isObject(cpu) && isStr(cpu.time) && isNum(cpu.usageCoreNanoSeconds) && (cpu.usageNanoCores === undefined || isNum(cpu.usageNanoCores)) && (cpu.windowSeconds === undefined || isNum(cpu.windowSeconds)) && isObject(mem) && isStr(mem.time) && isNum(mem.workingSetBytes) && isNum(mem.usageBytes);
}

/** The summary if it has the shape the metrics API reads; pods that do not are dropped, a wrong top level throws. */
export function parseSummary(v: unknown): StatsSummary {
  if (!isObject(v) || !isObject(v.node) || !isStr(v.node.nodeName) || !usageOk(v.node) || !Array.isArray(v.pods)) throw new Error('the agent sent a malformed stats summary');
  const pods: PodUsage[] = [];
  for (const p of v.pods as unknown[]) {
    if (!isObject(p) || !isObject(p.podRef) || !isStr(p.podRef.name) || !isStr(p.podRef.namespace) || !isStr(p.podRef.uid) || !usageOk(p) || !Array.isArray(p.containers)) continue;
    // A pod with one unreadable container would under-report: it goes whole.
    const containers = p.containers as unknown[];
    if (!containers.every((c): c is ContainerUsage => isObject(c) && isStr(c.name) && usageOk(c))) continue;
    pods.push({ ...(p as unknown as PodUsage), containers });
  }
  return { node: v.node as unknown as StatsSummary['node'], pods };
}

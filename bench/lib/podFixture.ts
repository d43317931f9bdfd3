// A realistic small pod (what a Deployment's ReplicaSet would create for a web app):
// about 1 KB of JSON on the wire, a bit more once the server adds uid, timestamps,
// status and managedFields.

export function benchPod(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '7d4b9c8f6d' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102' },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.local:5000/shop/web:1.25.3',
          imagePullPolicy: 'IfNotPresent',
          args: ['--listen=:8080', '--metrics=:9102'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9102, protocol: 'TCP' },
          ],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'default',
    },
  };
}

export function benchPodBody(name: string): string {
  return JSON.stringify(benchPod(name));
}

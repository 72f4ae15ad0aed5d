/**
 * Job logs of the simulated deploy workflow, in the runner's format (timestamped lines, ##[group],
 * ##[error]), for evaluate-recovery to classify. What fails in them is what fails in the story.
 */

function stamp(startMs: number, lines: string[]): string {
  return `${lines.map((l, i) => `${new Date(startMs + i * 137).toISOString().replace('Z', '0000Z')} ${l}`).join('\n')}\n`;
}

/** build: the image builds (or cannot pull its base image while the registry is down). */
export function buildLog(startMs: number, version: string, sha: string, registryUp: boolean): string {
  const head = [
    '##[group]Run actions/checkout@v4',
    'with:',
    '  repository: acme/storefront',
    '  token: ***',
    '##[endgroup]',
    `Checking out ${sha.slice(0, 7)} (${version})`,
    `##[group]Run docker build -t ghcr.io/acme/storefront:${version} .`,
    `docker build -t ghcr.io/acme/storefront:${version} .`,
    'shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
    '#0 building with "default" instance using docker driver',
    '#1 [internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 389B done',
    '#2 [internal] load metadata for ghcr.io/acme/node-base:20',
  ];
  if (!registryUp) {
    return stamp(startMs, [
      ...head,
      '#2 ERROR: failed to do request: Head "https://ghcr.io/v2/acme/node-base/manifests/20": read tcp 10.1.0.4:48812->140.82.112.33:443: read: connection reset by peer',
      '------',
      ' > [internal] load metadata for ghcr.io/acme/node-base:20:',
      '------',
      'ERROR: failed to solve: ghcr.io/acme/node-base:20: failed to resolve source metadata: read: connection reset by peer',
      '##[error]Process completed with exit code 1.',
    ]);
  }
  return stamp(startMs, [...head, '#2 DONE 0.4s', '#3 [1/4] FROM ghcr.io/acme/node-base:20', '#6 exporting to image', `#6 naming to ghcr.io/acme/storefront:${version} done`, `Pushed ghcr.io/acme/storefront:${version}`]);
}

export function deployLog(startMs: number, version: string): string {
  return stamp(startMs, [
    `##[group]Run kubectl set image deployment/storefront storefront=ghcr.io/acme/storefront:${version}`,
    '##[endgroup]',
    'deployment.apps/storefront image updated',
    'Waiting for deployment "storefront" rollout to finish: 1 of 3 updated replicas are available...',
    'Waiting for deployment "storefront" rollout to finish: 2 of 3 updated replicas are available...',
    'deployment "storefront" successfully rolled out',
  ]);
}

/** smoke-test: GET /health through the load balancer; a release that exhausts the database pool times out. */
export function smokeLog(startMs: number, version: string, ok: boolean): string {
  const head = ['##[group]Run ./scripts/smoke-test.sh https://storefront.example.com', './scripts/smoke-test.sh https://storefront.example.com', '##[endgroup]', `smoke: expecting version ${version}`];
  if (ok) return stamp(startMs, [...head, 'smoke: GET /health → 200 {"status":"healthy"} (84 ms)', 'smoke: GET /cart → 200 (112 ms)', 'smoke: all 2 checks passed']);
  return stamp(startMs, [
    ...head,
    'smoke: GET /health → 503 {"status":"degraded","services":{"database":"timeout"}} (2013 ms)',
    'smoke: retrying in 5s (attempt 2 of 3)',
    'smoke: GET /health → 503 (2009 ms)',
    'smoke: GET /cart',
    'Error: connect ETIMEDOUT 10.1.3.17:5432',
    '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)',
    'smoke: 0 of 2 checks passed',
    '##[error]Process completed with exit code 1.',
  ]);
}

/**
 * The emulator's own cost: how long checking one request and its response against GitHub's OpenAPI
 * description takes once the validators are compiled, for about the heaviest exchange it serves (a page
 * of 30 workflow runs). Every request of every test pays it.
 */
import { startEmulator } from '@recovery/testkit/emulator';
import { checkBody, checkParameters, checkResponse } from '@recovery/testkit/emulator/validation';
import type { BenchRow } from './types';

export default async function bench(): Promise<BenchRow[]> {
  const emu = await startEmulator();
  try {
    const repo = emu.createRepo('octo/app');
    for (let i = 0; i < 30; i++) repo.addRun({ conclusion: 'failure' });
    const list = (await (await fetch(`${emu.url}/repos/octo/app/actions/runs?per_page=30`, { headers: { authorization: 'Bearer test-token' } })).json()) as unknown;
    const op = 'GET /repos/{owner}/{repo}/actions/runs';
    const dispatch = 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches';
    const query = new URLSearchParams('per_page=30&status=failure&event=push');
    const params = { owner: 'octo', repo: 'app', workflow_id: 'deploy.yml' };
    const check = () => {
      const p = checkParameters(op, params, query);
      return [...p.path, ...p.query, ...(checkBody(dispatch, { ref: 'main', inputs: { a: '1' } }, true)?.problems ?? []), ...checkResponse(op, 'GET', 200, list)];
    };
    if (check().length) throw new Error(`the heaviest exchange does not validate: ${check().join('; ')}`);
    const rounds = 500;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) check();
    const perRequest = (performance.now() - t0) / rounds;
    return [{ name: 'OpenAPI check of one request and a page of 30 runs', value: perRequest, unit: 'ms', goal: '< 1 ms', ok: perRequest < 1 }];
  } finally {
    await emu.close();
  }
}

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadActionMetadata, type ActionMeta } from '@recovery/testkit/harness';
import { REPO_ROOT } from './workflows';
import { contractProblems, type ActionCode } from './action-contract';
import * as circuitBreaker from '../../actions/circuit-breaker/src/inputs';
import * as circuitBreakerOut from '../../actions/circuit-breaker/src/outputs';
import * as evaluate from '../../actions/evaluate-recovery/src/inputs';
import * as evaluateOut from '../../actions/evaluate-recovery/src/outputs';
import * as health from '../../actions/health-check/src/inputs';
import * as healthOut from '../../actions/health-check/src/outputs';
import * as openIssue from '../../actions/open-issue/src/inputs';
import * as openIssueOut from '../../actions/open-issue/src/outputs';
import * as redeploy from '../../actions/redeploy/src/inputs';
import * as redeployOut from '../../actions/redeploy/src/outputs';

/**
 * Each action.yml says to the runner what the code says to itself: the same inputs, the same defaults
 * (the schema's default and the action.yml default mean the same value), required on both sides or on
 * neither, and the same outputs as the action's `Outputs` type.
 */

const CODE: Record<string, ActionCode> = {
  'circuit-breaker': { inputs: circuitBreaker.Inputs, outputs: circuitBreakerOut.OUTPUTS },
  'evaluate-recovery': { inputs: evaluate.Inputs, outputs: evaluateOut.OUTPUTS },
  'health-check': { inputs: health.Inputs, outputs: healthOut.OUTPUTS },
  'open-issue': { inputs: openIssue.Inputs, outputs: openIssueOut.OUTPUTS },
  redeploy: { inputs: redeploy.Inputs, outputs: redeployOut.OUTPUTS },
};

const meta = (name: string) => loadActionMetadata(path.join(REPO_ROOT, name, 'action.yml'))!;

describe('action.yml matches the input schema and the Outputs type', () => {
  it.each(Object.keys(CODE))('%s', (name) => {
    expect(contractProblems(meta(name), CODE[name]!)).toEqual([]);
  });

  it('fails on drift: a copy of health-check/action.yml with an input, a default and an output changed', () => {
    const drifted = structuredClone(meta('health-check')) as ActionMeta;
    drifted.inputs!['fail-on'] = { ...drifted.inputs!['fail-on'], default: 'degraded' };
    drifted.inputs!.record = { ...drifted.inputs!.record, default: 'false' };
    drifted.inputs!.verbose = { description: 'not in the schema' };
    delete drifted.inputs!.retries;
    drifted.outputs!['extra-output'] = { description: 'not in Outputs' };
    delete drifted.outputs!.reason;
    expect(contractProblems(drifted, CODE['health-check']!)).toEqual([
      "input 'verbose' is in action.yml but not in the input schema",
      "input 'retries' is in the input schema but not in action.yml",
      `input 'record': the action.yml default "false" means false, the schema's default is true`,
      `input 'fail-on': the action.yml default "degraded" means "degraded", the schema's default is "never"`,
      "output 'extra-output' is in action.yml but not in the Outputs type",
      "output 'reason' is in the Outputs type but not in action.yml",
    ]);
  });

  it('fails on drift: required on one side only, a default only in the schema, a default the schema rejects', () => {
    const drifted = parse(`
inputs:
  mode: { description: m }
  scope: { description: s, required: true }
  policy: { description: p }
  wait: { description: w, default: 'sometimes' }
`) as ActionMeta;
    const problems = contractProblems(drifted, CODE.redeploy!);
    expect(problems).toEqual(
      expect.arrayContaining([
        "input 'mode' is required by the schema but neither required nor defaulted in action.yml",
        "input 'scope' is required in action.yml but optional in the schema",
        `input 'policy' has no default in action.yml, the schema's is ".github/recovery.yml"`,
        `input 'wait': the action.yml default "sometimes" is not valid for the schema`,
      ]),
    );
  });
});

import { selectFromDeployments, type DeploymentRecord, type Release, type Selection } from '@recovery/core';
import type { GitHub } from './client';
import { describeError } from './errors';
import type { RepoRef } from './variables';

/** The Deployments API, read-only: an environment's deployments and their status histories. */

const PER_PAGE = 100;
/** Ten pages = 1,000 deployments: far more history than a rollback needs, and a bound on requests. */
const MAX_PAGES = 10;

export interface DeploymentList {
  deployments: DeploymentRecord[];
  /** True when more deployments exist than were read (MAX_PAGES). */
  truncated: boolean;
  requests: number;
}

export class DeploymentsAdapter {
  constructor(
    private readonly gh: GitHub,
    private readonly ref: RepoRef,
  ) {}

  private get full() {
    return `${this.ref.owner}/${this.ref.repo}`;
  }

  /**
   * Every deployment of the environment (100 a page). GitHub documents no order, so all pages are read
   * (usually one) and the caller sorts by creation time.
   */
  async list(environment: string): Promise<DeploymentList> {
    const deployments: DeploymentRecord[] = [];
    let requests = 0;
    try {
      for (let page = 1; page <= MAX_PAGES; page++) {
        requests++;
        const { data } = await this.gh.rest.repos.listDeployments({ ...this.ref, environment, per_page: PER_PAGE, page });
        for (const d of data) deployments.push({ id: d.id, sha: d.sha, ref: d.ref, createdAt: d.created_at, environment: d.environment });
        if (data.length < PER_PAGE) return { deployments, truncated: false, requests };
      }
    } catch (e) {
      throw describeError(e, 'deployments', 'read', `list the deployments of the environment "${environment}" in ${this.full}`, this.full);
    }
    return { deployments, truncated: true, requests };
  }

  /** A deployment's whole status history (one page of 100: deployments rarely have more statuses). */
  async statuses(id: number): Promise<NonNullable<DeploymentRecord['statuses']>> {
    try {
      const { data } = await this.gh.rest.repos.listDeploymentStatuses({ ...this.ref, deployment_id: id, per_page: PER_PAGE });
      return data.map((s) => ({ state: s.state, createdAt: s.created_at }));
    } catch (e) {
      throw describeError(e, 'deployments', 'read', `read the statuses of deployment ${id} in ${this.full}`, this.full);
    }
  }

  /**
   * The last good release of the environment: lists its deployments, then reads statuses one
   * deployment at a time, newest first, only for deployments not already ruled out by their sha, and
   * stops at the first that qualifies (see core's selectFromDeployments).
   */
  /** `history`: the scope's release history, which vouches for releases whose statuses GitHub pruned (90 days). */
  async chooseRelease(environment: string, knownBad: readonly string[], currentSha?: string, history?: readonly Release[]): Promise<Selection & { truncated: boolean; requests: number }> {
    const list = await this.list(environment);
    let requests = list.requests;
    for (;;) {
      const sel = selectFromDeployments({ deployments: list.deployments, knownBad, currentSha, history });
      if (!sel.need) return { ...sel, truncated: list.truncated, requests };
      sel.need.statuses = await this.statuses(sel.need.id);
      requests++;
    }
  }
}

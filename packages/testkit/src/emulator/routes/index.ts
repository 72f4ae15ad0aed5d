/**
 * The emulator's route table: every operation it serves. scripts/openapi-subset.mjs reads it to cut
 * GitHub's OpenAPI description down to these operations.
 */
import type { Route } from '../router';
import { actionsRoutes } from './actions';
import { contentsRoutes } from './contents';
import { deploymentRoutes } from './deployments';
import { environmentRoutes } from './environments';
import { gitRoutes } from './git';
import { issueRoutes } from './issues';
import { packageRoutes } from './packages';
import { releaseRoutes } from './releases';
import { repoRoutes } from './repos';
import { variablesRoutes } from './variables';

export const ROUTES: readonly Route[] = [...repoRoutes, ...variablesRoutes, ...environmentRoutes, ...deploymentRoutes, ...actionsRoutes, ...issueRoutes, ...contentsRoutes, ...gitRoutes, ...releaseRoutes, ...packageRoutes];

/** The emulator's in-memory repositories. Tests seed and inspect them through RepoHandle. */

export type Access = 'write' | 'read' | 'none';
export type Resource = 'variables' | 'issues' | 'actions' | 'deployments' | 'contents' | 'metadata';
export type Permissions = Record<Resource, Access>;

export interface Variable {
  name: string;
  value: string;
  created_at: string;
  updated_at: string;
}

export interface DeploymentStatus {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  created_at: string;
  updated_at: string;
}

export interface Deployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  creator: string;
  statuses: DeploymentStatus[];
}

export interface Job {
  id: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
  log: string;
  run_attempt: number;
  /** Milliseconds after the attempt starts at which the job completes (for progress reporting). */
  completesAfterMs: number;
}

export interface RunScript {
  /** Emulated duration from creation to completion. */
  durationMs?: number;
  conclusion?: 'success' | 'failure' | 'cancelled' | 'timed_out' | null;
  /** null conclusion with `never: true` keeps the run in progress forever. */
  never?: boolean;
  jobs?: Array<{ name: string; conclusion?: string; log?: string; atMs?: number }>;
  onComplete?: () => void;
}

export interface Attempt {
  attempt: number;
  createdAt: number; // emulated ms
  startedAt: number;
  durationMs: number;
  never: boolean;
  conclusion: string | null;
  jobs: Job[];
  onComplete?: () => void;
  completedNotified: boolean;
}

export interface Run {
  id: number;
  run_number: number;
  name: string;
  workflow: string; // file name
  workflow_id: number;
  event: string;
  head_branch: string;
  head_sha: string;
  display_title: string;
  actor: string;
  inputs?: Record<string, unknown>;
  attempts: Attempt[];
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface Comment {
  id: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}

export interface Issue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  user: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  comments: Comment[];
  pull_request: boolean;
}

export interface Workflow {
  id: number;
  path: string; // .github/workflows/<file>
  file: string;
  name: string;
}

export interface RepoData {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  variables: Map<string, Variable>;
  environments: Map<string, Map<string, Variable>>;
  deployments: Deployment[];
  workflows: Map<string, Workflow>;
  runs: Run[];
  issues: Issue[];
  labels: Map<string, Label>; // key: lower-case name
  files: Map<string, string>;
  collaborators: Set<string>;
  dispatchScripts: Map<string, (d: { ref: string; inputs: Record<string, unknown>; runId: number }) => RunScript | void>;
  rerunScripts: Map<number, (attempt: number) => RunScript | void>;
  refuseReturnRunDetails: boolean;
}

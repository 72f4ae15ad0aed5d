/** GitHub's response objects, built with every field the OpenAPI description requires. */

export interface Base {
  api: string; // http://127.0.0.1:PORT
  web: string; // html_url base
}

let nodeCounter = 0;
export const nodeId = (kind: string, id: number) => Buffer.from(`${kind}:${id}:${++nodeCounter}`).toString('base64').replace(/=+$/, '');

export function user(b: Base, login: string, id = 1000 + [...login].reduce((a, c) => a + c.charCodeAt(0), 0)) {
  const path = encodeURIComponent(login);
  const url = `${b.api}/users/${path}`;
  return {
    login,
    id,
    node_id: nodeId('User', id),
    avatar_url: `${b.web}/avatars/${path}`,
    gravatar_id: '',
    url,
    html_url: `${b.web}/${path}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

export function minimalRepo(b: Base, r: { id: number; owner: string; name: string; private: boolean }) {
  const url = `${b.api}/repos/${r.owner}/${r.name}`;
  return {
    id: r.id,
    node_id: nodeId('Repository', r.id),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: user(b, r.owner),
    private: r.private,
    html_url: `${b.web}/${r.owner}/${r.name}`,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    hooks_url: `${url}/hooks`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
  };
}

export function fullRepo(b: Base, r: { id: number; owner: string; name: string; private: boolean; defaultBranch: string; createdAt: string; openIssues: number }) {
  const m = minimalRepo(b, r);
  return {
    ...m,
    clone_url: `${b.web}/${r.owner}/${r.name}.git`,
    git_url: `git://github.localhost/${r.owner}/${r.name}.git`,
    ssh_url: `git@github.localhost:${r.owner}/${r.name}.git`,
    svn_url: `${b.web}/${r.owner}/${r.name}`,
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 1,
    default_branch: r.defaultBranch,
    open_issues: r.openIssues,
    open_issues_count: r.openIssues,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: r.createdAt,
    created_at: r.createdAt,
    updated_at: r.createdAt,
    network_count: 0,
    subscribers_count: 0,
    visibility: r.private ? 'private' : 'public',
  };
}

export const basicError = (b: Base, message: string, doc = 'rest') => ({ message, documentation_url: `https://docs.github.com/${doc}` });

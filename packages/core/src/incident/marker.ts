/**
 * Hidden markers in an incident issue's body. The label is shared by every scope (and by anything else
 * a person labels `recovery`); the scope marker is what ties an issue to one scope's incident.
 */

const SCOPE_MARKER = /<!--\s*recovery:scope=([A-Za-z0-9_-]+)\s*-->/g;
const SESSION_MARKER = /<!--\s*recovery:session=([A-Za-z0-9_.:-]+)\s*-->/;

/** Scopes are case-insensitive (they name one state variable), so the marker is written in lower case. */
export function scopeMarker(scope: string): string {
  return `<!-- recovery:scope=${scope.toLowerCase()} -->`;
}

export function hasScopeMarker(body: string | null | undefined, scope: string): boolean {
  if (!body) return false;
  const want = scope.toLowerCase();
  for (const m of body.matchAll(SCOPE_MARKER)) if (m[1]!.toLowerCase() === want) return true;
  return false;
}

/** The session the issue was opened for, so a resolve can tell whether the state's incident is the same one. */
export function sessionMarker(sessionId: string): string {
  return `<!-- recovery:session=${sessionId.replace(/[^A-Za-z0-9_.:-]/g, '')} -->`;
}

export function sessionOf(body: string | null | undefined): string | undefined {
  return body ? SESSION_MARKER.exec(body)?.[1] : undefined;
}

/**
 * Breaks `<!-- recovery:` in text copied from outside (logs, inputs), so a log line cannot plant another
 * scope's marker in this issue and make it that scope's incident. A zero-width space is not `\s`.
 */
export function defuseMarkers(text: string): string {
  return text.replace(/<!--(\s*recovery:)/gi, '<!--\u200b$1');
}

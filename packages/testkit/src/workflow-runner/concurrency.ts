/**
 * Concurrency groups as GitHub keeps them, shared by the runs of one repository (pass one
 * `ConcurrencyGroups` to several `runWorkflow` calls; each run gets its own otherwise).
 *
 * A group has at most one running holder. What waits depends on the arrival's `queue`:
 * - `single` (GitHub's default): at most one pending; an arrival cancels the one already pending.
 * - `max`: pending in arrival order (FIFO), up to QUEUE_MAX; an arrival beyond that is cancelled.
 * `queue: max` with `cancel-in-progress: true` is refused when the block is evaluated (concurrencyOf).
 */

export type QueueMode = 'single' | 'max';
export const QUEUE_MAX = 100;

export interface GroupEvent {
  group: string;
  /** Who: a job path or `<file>` for a workflow-level group, prefixed by the run's label. */
  who: string;
  event: 'running' | 'pending' | 'cancelled' | 'released';
}

interface Waiter {
  who: string;
  grant: (release: (() => void) | undefined) => void;
}

export class ConcurrencyGroups {
  private readonly held = new Map<string, { running: string; pending: Waiter[] }>();
  /** Every change, in order. */
  readonly events: GroupEvent[] = [];
  private listeners: Array<() => void> = [];

  private emit(e: GroupEvent): void {
    this.events.push(e);
    for (const l of this.listeners.splice(0)) l();
  }

  /** Resolves once an event matching `pred` has happened (at once when one already has): for schedules, never a sleep. */
  until(pred: (e: GroupEvent) => boolean): Promise<GroupEvent> {
    const found = this.events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const check = () => {
        const hit = this.events.find(pred);
        if (hit) resolve(hit);
        else this.listeners.push(check);
      };
      this.listeners.push(check);
    });
  }

  /** Who runs in the group now, and who waits, in order. */
  state(group: string): { running?: string; pending: string[] } {
    const g = this.held.get(group);
    return { running: g?.running, pending: g?.pending.map((w) => w.who) ?? [] };
  }

  /** Takes the group: the release function once it is this arrival's turn, undefined when the arrival was cancelled. */
  acquire(group: string, queue: QueueMode, who: string): Promise<(() => void) | undefined> {
    const g = this.held.get(group);
    if (!g) {
      this.held.set(group, { running: who, pending: [] });
      this.emit({ group, who, event: 'running' });
      return Promise.resolve(this.releaser(group, who));
    }
    if (queue === 'single') {
      for (const old of g.pending.splice(0)) {
        this.emit({ group, who: old.who, event: 'cancelled' });
        old.grant(undefined);
      }
    } else if (g.pending.length >= QUEUE_MAX) {
      this.emit({ group, who, event: 'cancelled' });
      return Promise.resolve(undefined);
    }
    return new Promise((grant) => {
      g.pending.push({ who, grant });
      this.emit({ group, who, event: 'pending' });
    });
  }

  private releaser(group: string, who: string): () => void {
    return () => {
      const g = this.held.get(group)!;
      this.emit({ group, who, event: 'released' });
      const next = g.pending.shift();
      if (!next) {
        this.held.delete(group);
        return;
      }
      g.running = next.who;
      this.emit({ group, who: next.who, event: 'running' });
      next.grant(this.releaser(group, next.who));
    };
  }
}

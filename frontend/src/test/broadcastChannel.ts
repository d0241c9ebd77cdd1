/**
 * An in-memory BroadcastChannel for component tests. Node's own one reaches every worker thread
 * of the process, so a session signing out in one test file would sign out another file's.
 * This one delivers only between channels created in the same thread, as tabs of one origin.
 */
export class InMemoryBroadcastChannel extends EventTarget {
  private static readonly open = new Set<InMemoryBroadcastChannel>();
  readonly name: string;
  onmessage: ((event: MessageEvent) => void) | null = null;

  constructor(name: string) {
    super();
    this.name = name;
    InMemoryBroadcastChannel.open.add(this);
  }

  postMessage(data: unknown): void {
    for (const other of InMemoryBroadcastChannel.open) {
      if (other === this || other.name !== this.name) continue;
      queueMicrotask(() => {
        const event = new MessageEvent("message", { data });
        other.onmessage?.(event);
        other.dispatchEvent(event);
      });
    }
  }

  close(): void {
    InMemoryBroadcastChannel.open.delete(this);
  }
}

/**
 * An async read-write lock, writer-preferring. The apply loop holds it shared while it
 * applies a batch (partitions apply concurrently); a change to the replica set (promotion,
 * drop, new replicas joining the apply set) holds it exclusively, so no batch is ever
 * halfway through a replica that is being swapped out.
 */
export class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly waitingWriters: (() => void)[] = [];
  private waitingReaders: (() => void)[] = [];

  async acquireShared(): Promise<() => void> {
    if (this.writer || this.waitingWriters.length > 0) {
      await new Promise<void>((resolve) => this.waitingReaders.push(resolve));
    } else {
      this.readers += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.readers -= 1;
      this.wake();
    };
  }

  async acquireExclusive(): Promise<() => void> {
    if (this.writer || this.readers > 0) {
      await new Promise<void>((resolve) => this.waitingWriters.push(resolve));
    } else {
      this.writer = true;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.writer = false;
      this.wake();
    };
  }

  async withExclusive<T>(action: () => Promise<T> | T): Promise<T> {
    const release = await this.acquireExclusive();
    try {
      return await action();
    } finally {
      release();
    }
  }

  private wake(): void {
    if (this.writer) return;
    if (this.readers === 0) {
      const next = this.waitingWriters.shift();
      if (next !== undefined) {
        this.writer = true;
        next();
        return;
      }
    }
    if (this.waitingWriters.length === 0 && this.waitingReaders.length > 0) {
      const readers = this.waitingReaders;
      this.waitingReaders = [];
      this.readers += readers.length;
      for (const resume of readers) resume();
    }
  }
}

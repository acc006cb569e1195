interface Waiter {
  bytes: number;
  admit: () => void;
}

/**
 * A bound on bytes held at once (buffered, in flight), shared by whoever holds them.
 * A reservation is admitted when it fits under the limit, or when nothing else is reserved:
 * one item larger than the whole budget must still go through, alone. Waiters are admitted
 * in arrival order, so a large reservation is not starved by a stream of small ones.
 */
export class ByteBudget {
  private reserved = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limitBytes: number) {
    if (!(limitBytes > 0)) throw new RangeError(`a byte budget needs a positive limit, got ${limitBytes}`);
  }

  /** Bytes reserved and not yet released. */
  get used(): number {
    return this.reserved;
  }

  /** Reservations waiting for room. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Reserves at once and returns true when the bytes fit and nobody waits ahead; otherwise reserves nothing. */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || !this.fits(bytes)) return false;
    this.reserved += bytes;
    return true;
  }

  /**
   * Resolves once the bytes are reserved. When `signal` is aborted before that, rejects with
   * its reason and reserves nothing, so the caller has nothing to release.
   */
  reserve(bytes: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryReserve(bytes)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
        // The aborted waiter may have been the one holding the others back.
        this.admitWaiters();
      };
      const waiter: Waiter = {
        bytes,
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives back bytes of an earlier reservation and admits the waiters that now fit. */
  release(bytes: number): void {
    if (bytes > this.reserved) {
      throw new RangeError(`released ${bytes} bytes but only ${this.reserved} are reserved`);
    }
    this.reserved -= bytes;
    this.admitWaiters();
  }

  private fits(bytes: number): boolean {
    return this.reserved === 0 || this.reserved + bytes <= this.limitBytes;
  }

  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const waiter = this.waiters.shift()!;
      this.reserved += waiter.bytes;
      waiter.admit();
    }
  }
}

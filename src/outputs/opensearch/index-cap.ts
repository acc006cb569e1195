/**
 * A bound on how many distinct indices one output writes to while the process runs. Index
 * names can come from log fields, and every index costs the cluster shards: without a bound,
 * a field with a million values would be a million indices. Names seen before always pass.
 */
export class IndexCap {
  private readonly names = new Set<string>();

  constructor(
    readonly max: number,
    /** Where events go whose index would be new beyond `max`; none sends them to the dead-letter. */
    readonly overflowIndex?: string,
  ) {}

  /** The index to write to: the name while the cap allows it, else the overflow index (undefined without one). */
  resolve(name: string): string | undefined {
    if (this.names.has(name)) return name;
    if (this.names.size < this.max) {
      this.names.add(name);
      return name;
    }
    return this.overflowIndex;
  }

  /** Distinct names admitted so far. */
  get size(): number {
    return this.names.size;
  }
}

/**
 * A virtual clock for discrete-event simulation of async code: `sleep` resolves when the simulation reaches
 * that time, and `run` advances time from one timer to the next, letting every promise chain that the
 * timer released settle before it moves on. No real time passes; the code under test must take its clock
 * and its sleep from here (the token bucket, the LookupEvents fallback and the change processor all do).
 */
interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class VirtualClock {
  #now: number;
  #seq = 0;
  readonly #heap: Timer[] = [];

  public constructor(startMs = 0) {
    this.#now = startMs;
  }

  public readonly now = (): number => this.#now;

  public readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.at(this.#now + Math.max(0, ms), resolve);
    });

  /** Runs `fire` when the simulation reaches `time` (timers at the same time run in the order they were set). */
  public at(time: number, fire: () => void): void {
    const timer: Timer = { at: Math.max(time, this.#now), seq: this.#seq++, fire };
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): Timer | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
    return top;
  }

  /** Advances time until no timer is left. */
  public async run(): Promise<void> {
    for (let timer = this.#pop(); timer !== undefined; timer = this.#pop()) {
      this.#now = timer.at;
      timer.fire();
      // Every promise chain the timer released runs before time moves on.
      await new Promise<void>((resolve) => {
        setImmediate(resolve);
      });
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

// The heap an image declares (app.json heapBytes, or the model arenas when larger) is what the
// build's SRAM check counts, so the run holds the firmware to it, as a linker script's heap
// size holds malloc on the board: a run that allocates past it faults with the figures.
import { Fault } from "./faults.ts";
import type { ImageManifest } from "./toolchain/image.ts";

const fmt = (n: number) => `${n.toLocaleString("en-US")} B`;

export class HeapBudget {
  /** Heap bytes the build counted; null when app.json declares none (nothing to hold to). */
  readonly bytes: number | null;
  private readonly base: number;
  private readonly declared: number;
  private readonly arenas: number;

  constructor(manifest: ImageManifest) {
    const { layout, usage } = manifest;
    this.base = layout.staticEnd;
    // The manifest is the image's (untrusted): figures that are not sizes hold nothing.
    const size = (n: unknown) => (Number.isSafeInteger(n) && (n as number) > 0 ? (n as number) : 0);
    this.declared = size(usage?.heapBytes);
    this.arenas = Array.isArray(usage?.models)
      ? usage.models.reduce((n, m) => n + size(m?.arenaBytes), 0)
      : 0;
    this.bytes = this.declared > 0 ? Math.max(this.declared, this.arenas) : null;
  }

  /** Heap bytes in use for a bump-pointer value (the stub allocator never frees). */
  used(top: number): number {
    return Math.max(0, top - this.base);
  }

  /** Throws the heap-budget fault when the heap has grown past what the build counted. */
  check(top: number): void {
    if (this.bytes === null) return;
    const used = this.used(top);
    if (used <= this.bytes) return;
    const what =
      this.declared >= this.arenas
        ? `app.json heapBytes ${fmt(this.declared)}`
        : `the model arenas' ${fmt(this.arenas)} (app.json heapBytes ${fmt(this.declared)} is less)`;
    throw new Fault(
      "heap-budget",
      `heap budget exceeded: the firmware has allocated ${fmt(used)} of heap, the build counted ${what}; raise heapBytes in app.json (the build then checks it fits the board)`,
    );
  }
}

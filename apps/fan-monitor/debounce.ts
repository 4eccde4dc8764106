// Debouncing the decision: the reported state changes only when the same new class wins
// `needed` inferences in a row, so a single odd window (a knock, a transition) is ignored.
export class Debouncer {
  state: i32 = -1; // -1 until the first decision
  private candidate: i32 = -1;
  private run: u32 = 0;

  constructor(readonly needed: u32) {}

  /** Feeds one inference's class; true when the reported state changed. */
  update(cls: i32): bool {
    if (cls == this.state) { this.run = 0; return false; }
    if (cls != this.candidate) { this.candidate = cls; this.run = 0; }
    this.run++;
    if (this.run < this.needed) return false;
    this.state = cls;
    this.run = 0;
    this.candidate = -1;
    return true;
  }
}

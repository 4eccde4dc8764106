// The control block shared by the debugger (main thread) and the firmware's worker. The
// worker, stopped, sleeps in Atomics.wait on `signal` and takes requests from its message
// port when woken; while the firmware runs, it glances at `attention` at every sync point
// and layer hook (one Atomics.load), which is how a pause or new breakpoints reach it.
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";

const SIGNAL = 0;
const ATTENTION = 1;
const SLOTS = 2;

export class ControlBlock {
  readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * 4)) {
    this.words = new Int32Array(buffer);
  }

  // --- the debugger's side ---

  /** Wakes a stopped worker after a message was posted to it. */
  signal(): void {
    Atomics.store(this.words, SIGNAL, 1);
    Atomics.notify(this.words, SIGNAL);
  }

  /** Asks a running worker to read its messages at the next sync point. */
  callAttention(): void {
    Atomics.store(this.words, ATTENTION, 1);
    this.signal();
  }

  // --- the worker's side ---

  /** True once per callAttention. */
  takeAttention(): boolean {
    return (
      Atomics.load(this.words, ATTENTION) !== 0 && Atomics.exchange(this.words, ATTENTION, 0) !== 0
    );
  }

  /** Blocks until a message arrives on `port` (messages are posted before the signal). */
  nextMessage<T>(port: MessagePort): T {
    for (;;) {
      const m = receiveMessageOnPort(port);
      if (m) return m.message as T;
      Atomics.wait(this.words, SIGNAL, 0);
      Atomics.store(this.words, SIGNAL, 0);
    }
  }

  /** A message if one is waiting, without blocking. */
  pollMessage<T>(port: MessagePort): T | undefined {
    const m = receiveMessageOnPort(port);
    return m ? (m.message as T) : undefined;
  }
}

// Exactly N multiplications per call of work(), with a call per outer iteration, so a cost
// table charging only i32.mul makes the cycle count predictable.
import * as clock from "../../../hal/clock";
import * as console from "../../../hal/console";

const N: i32 = 1000;
let sink: i32 = 1;

@inline function mix(x: i32): i32 { return x + 1; }

// Not inlined: a loop whose only progress is a call each iteration.
@lazy let calls: i32 = 0;
function work(seed: i32): i32 {
  let acc = seed;
  for (let i = 0; i < N; i++) acc = mix(acc) * (seed | 1) ^ i;
  calls++;
  return acc;
}

export function main(): void {
  const before = clock.cycles();
  for (let k = 0; k < 100; k++) sink = work(sink + k);
  const after = clock.cycles();
  console.println("cycles " + (after - before).toString() + " sink " + sink.toString());
}

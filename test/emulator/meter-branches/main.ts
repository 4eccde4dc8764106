// Functions whose paths run very different numbers of i32.mul, measured one call at a time:
// with a cost table that charges only i32.mul (and br_table), a call's cycles are the
// multiplications on the path it took (meter-branches.test.ts counts them from this source).
// Operands come from `seed`, a global main writes, so the optimizer can fold none of them.
import * as clock from "../../../hal/clock";
import * as console from "../../../hal/console";

let seed: i32 = 3;

// A switch (a br_table into nested blocks): case k runs the multiplications listed in the test.
function pick(k: i32, x: i32): i32 {
  const y = seed;
  switch (k) {
    case 0:
      return x * y;
    case 1:
      return x * y * x * y * x * y * x * y * x * y * x * y * x * y * x * y * x * y * x * y * x;
    case 2:
      return x * y * x + 7;
    case 3:
      const z = x + 1; // a second chain (9 multiplications) that shares no product with the first
      return (x * y * x * y * x * y * x * y * x * y * x * y * x * y * x * y * x * y * x * y) ^ (z * y * z * y * z * y * z * y * z * y);
    default:
      return x - y;
  }
}

// An early return before an expensive tail: 1 multiplication when x * y is odd, else 1 + 12.
function early(x: i32): i32 {
  const y = seed;
  let a = x * y;
  if (a & 1) return a;
  a = a * y * x * y * x * y * x * y * x * y * x * y * x;
  seed = a; // kept: the tail has an effect of its own
  return a;
}

// Loops left from the middle of their body, each iteration opening with a multiplication (so
// no iteration is charged the meter's floor of a cycle): 1 multiplication per iteration, plus 6
// when it goes on; they leave in iteration `stop` (0-based), or after 4 iterations.
// scan leaves from inside an if (with a store first), scanBrIf with a plain br_if.
function scan(x: i32, stop: i32): i32 {
  const y = seed;
  let a = x;
  let i = 0;
  while (true) {
    a = a * y;
    if (i == stop) {
      seed = a;
      break;
    }
    a = a * x * y * x * y * x * y;
    if (++i == 4) break;
  }
  return a;
}

function scanBrIf(x: i32, stop: i32): i32 {
  const y = seed;
  let a = x;
  let i = 0;
  while (true) {
    a = a * y;
    if (i == stop) break;
    a = a * x * y * x * y * x * y;
    if (++i == 4) break;
  }
  return a;
}

// if/else, one arm far dearer than the other, and one that returns: 2 (odd x) or 1 + 8.
// Each arm and the tail store, so that they stay statements (not one expression).
let trace: i32 = 0;
function arms(x: i32): i32 {
  const y = seed;
  let a: i32;
  if (x & 1) {
    a = x * y * x;
    trace = a;
    return a;
  } else {
    a = x * y;
    trace = a + 1;
  }
  a = a * x * y * x * y * x * y * x * y;
  seed = a;
  return a;
}


// An expression left from its middle: the optimizer folds the if into the product after it,
//   a = (if (result i32) (i * y == stop * y) (then ... br $out) (else a * y)) * x * y * x * y * x
// so the 5 multiplications after the if run only when it does not leave. Each iteration: 2 in
// the test (y is odd: the test is i == stop), then 1 + 5 when it goes on; it leaves in
// iteration `stop` (after 2), or after 4 whole iterations.
function tailIf(x: i32, stop: i32): i32 {
  const y = seed;
  let a = x;
  let i = 0;
  while (true) {
    let b = 0;
    if (i * y == stop * y) {
      seed = a;
      break;
    } else b = a * y;
    a = b * x * y * x * y * x;
    if (++i == 4) break;
  }
  return a;
}

// tailIf with a test that costs nothing here: the loop head's region (before the if) is under
// the meter's floor of a cycle per iteration. An iteration that leaves costs that floor; one
// that goes on costs 1 + 5 multiplications, the floor taken back from the 5 (as when the head
// and the product were one region): max(1, 5 * 7) + 7 cycles.
function tailFloor(x: i32, stop: i32): i32 {
  const y = seed;
  let a = x;
  let i = 0;
  while (true) {
    let b = 0;
    if (i == stop) {
      seed = a;
      break;
    } else b = a * y;
    a = b * x * y * x * y * x;
    if (++i == 4) break;
  }
  return a;
}

// A function the optimizer does not inline (it calls itself), and charges nothing here.
function mix(v: i32): i32 {
  if (v == 0x7fffffff) return mix(v - 1);
  return v ^ 1;
}

// tailIf with the product passed to a call: the part after the if is charged inside the
// expression, before the call (and flushed, so the callee's clock includes it). Same paths as
// tailIf.
function tailCall(x: i32, stop: i32): i32 {
  const y = seed;
  let a = x;
  let i = 0;
  while (true) {
    let b = 0;
    if (i * y == stop * y) {
      seed = a;
      break;
    } else b = a * y;
    a = mix(b * x * y * x * y * x);
    if (++i == 4) break;
  }
  return a;
}

function report(name: string, k: i32, span: u64): void {
  console.println(name + " " + k.toString() + " " + span.toString());
}

export function main(): void {
  for (let k = 0; k < 5; k++) {
    const before = clock.cycles();
    const r = pick(k, k + seed);
    const after = clock.cycles();
    seed = (seed + r) | 1;
    report("pick", k, after - before);
  }
  for (let k = 0; k < 2; k++) {
    const before = clock.cycles();
    const r = early(k + 1); // 1 * odd seed: returns early; then 2 * odd: the tail runs
    const after = clock.cycles();
    seed = (seed ^ r) | 1;
    report("early", k, after - before);
  }
  for (let k = 0; k < 5; k++) {
    const before = clock.cycles();
    const r = scan(k + 2, k);
    const after = clock.cycles();
    seed = (seed ^ r) | 1;
    report("scan", k, after - before);
  }
  for (let k = 0; k < 5; k++) {
    const before = clock.cycles();
    const r = scanBrIf(k + 2, k);
    const after = clock.cycles();
    seed = (seed ^ r) | 1;
    report("scanBrIf", k, after - before);
  }
  for (let k = 0; k < 2; k++) {
    const before = clock.cycles();
    const r = arms(k + 1);
    const after = clock.cycles();
    seed = (seed ^ r) | 1;
    report("arms", k, after - before);
  }
  for (let k = 0; k < 5; k++) {
    const before = clock.cycles();
    const r = tailIf(k + 2, k);
    const after = clock.cycles();
    seed = (seed ^ r) | 1;
    report("tailIf", k, after - before);
  }
  for (let k = 0; k < 5; k++) {
    const before = clock.cycles();
    const r = tailCall(k + 2, k);
    const after = clock.cycles();
    seed = (seed ^ r) | 1;
    report("tailCall", k, after - before);
  }
  for (let k = 0; k < 5; k++) {
    const before = clock.cycles();
    const r = tailFloor(k + 2, k);
    const after = clock.cycles();
    seed = (seed ^ r) | 1;
    report("tailFloor", k, after - before);
  }
  console.println("trace " + trace.toString()); // read, so the arms' stores stay
}

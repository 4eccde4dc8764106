// How metered loops reach the host. A loop branches out to a tick path and re-enters at its
// head (a call inside the loop would keep the engine from unrolling it):
//   block $exit (loop $again (block $tick (br $exit (loop $L (br_if $tick CHECK) ...)))
//                            flush, tick, (br $again)))
// The check sits before the head's charge, so re-entering does not charge twice.
// Loops without calls test the cycle counter itself; loops with calls (whose flushes reset it)
// count head charges in a counter of their own.
import { ONE } from "./meter-abi.ts";
import type { FunctionMeter } from "./meter-regions.ts";
import { meterCountedLoop } from "./meter-counted.ts";

type Ref = number;

export function instrumentLoop(fm: FunctionMeter, loop: Ref): Ref {
  return meterCountedLoop(fm, loop, (copy) => checkedLoop(fm, copy)) ?? checkedLoop(fm, loop);
}

function checkedLoop(fm: FunctionMeter, loop: Ref): Ref {
  const { binaryen, module, stats, limit } = fm.ctx;
  const { i32, none } = binaryen;
  stats.loops++;
  const body = fm.asBlock(binaryen.Loop.getBody(loop));
  const info = { hasCall: false };
  fm.loops.push(info);
  const headUnits = fm.block(body, true);
  fm.loops.pop();
  if (info.hasCall) for (const l of fm.loops) l.hasCall = true;
  binaryen.Loop.setBody(loop, body);
  const n = fm.label();
  const [exit, again, tick] = [`tb$exit${n}`, `tb$again${n}`, `tb$tick${n}`];
  const due = info.hasCall
    ? module.i32.ge_u(
        module.local.tee(
          fm.sinceCheck,
          module.i32.add(module.local.get(fm.sinceCheck, i32), module.i32.const(headUnits)),
          i32,
        ),
        module.i32.const(limit * ONE),
      )
    : module.i32.ge_u(module.local.get(fm.counter, i32), module.i32.const(limit * ONE));
  binaryen.Block.insertChildAt(body, 0, module.br(tick, due));
  const type = binaryen.getExpressionType(loop);
  const tickPath = [
    module.local.set(fm.sinceCheck, module.i32.const(0)),
    ...fm.flush(),
    module.call("tb_tick", [], none),
    module.br(again),
  ];
  // A loop that never falls through stays unreachable-typed (it has no exit to branch to).
  if (type === binaryen.unreachable) {
    return module.loop(
      again,
      module.block(null, [module.block(tick, [loop], none), ...tickPath], binaryen.unreachable),
    );
  }
  const leave =
    type === none
      ? module.block(null, [loop, module.br(exit)], none)
      : module.br(exit, undefined, loop);
  return module.block(
    exit,
    [
      module.loop(
        again,
        module.block(null, [module.block(tick, [leave], none), ...tickPath], binaryen.unreachable),
      ),
    ],
    type,
  );
}

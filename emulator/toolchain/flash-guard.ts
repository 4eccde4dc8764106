// The flash guard of metered code: the board's flash sits below `flashEnd` in the same linear
// memory as SRAM, so every instruction that writes memory checks its address and calls the
// host's `flash-write` fault before it could write there. memory.copy / memory.fill go
// through helpers that charge their cycles and guard their destination range.
import { CYCLES_GLOBAL, METER_MODULE } from "./meter-abi.ts";

type Binaryen = any;
type Ref = number;

/** The import the guards call (a host fault: it never returns). */
const FLASH_WRITE = "tb_flash_write";

/** How to reach the address operand of one kind of memory-writing expression. */
export interface WriteAccess {
  getOffset(e: Ref): number;
  getPtr(e: Ref): Ref;
  setPtr(e: Ref, p: Ref): void;
}

export function addFlashWriteImport(binaryen: Binaryen, module: any): void {
  const { i32, none } = binaryen;
  module.addFunctionImport(
    FLASH_WRITE,
    METER_MODULE,
    "flash-write",
    binaryen.createType([i32, i32]),
    none,
  );
}

/**
 * Guards one store (of `kind`) in place: a write below the end of flash calls the host's fault
 * right there, so the fault's code offset (and source line) is the store's, not the function's
 * end. `addr` is an i32 scratch local of the function. Returns whether a guard went in.
 */
export function guardWrite(
  binaryen: Binaryen,
  module: any,
  flashEnd: number,
  addr: number,
  kind: WriteAccess,
  e: Ref,
): boolean {
  const { i32, none } = binaryen;
  const limitAddr = flashEnd - kind.getOffset(e);
  if (limitAddr <= 0) return false;
  const ptr = kind.getPtr(e);
  kind.setPtr(
    e,
    module.block(
      null,
      [
        module.local.set(addr, ptr),
        module.if(
          module.i32.lt_u(module.local.get(addr, i32), module.i32.const(limitAddr)),
          module.block(
            null,
            [
              module.call(FLASH_WRITE, [module.local.get(addr, i32), module.i32.const(0)], none),
              module.unreachable(),
            ],
            none,
          ),
        ),
        module.local.get(addr, i32),
      ],
      i32,
    ),
  );
  return true;
}

/**
 * memory.copy / memory.fill as functions `tb_memcpy` / `tb_memfill` (dest, source|value, size):
 * a fixed cost plus a cost per byte, charged straight to the cycle global, and the flash guard
 * on the destination range.
 */
export function addBulkHelpers(
  binaryen: Binaryen,
  module: any,
  cost: (key: string) => number,
  flashEnd: number,
): void {
  const { i32, i64, none } = binaryen;
  const base = Math.round(cost("mem_bulk.base"));
  const perByte256 = Math.round(cost("mem_bulk.per_byte") * 256);
  const arg = (i: number): Ref => module.local.get(i, i32);
  const chargeBulk = (): Ref =>
    module.global.set(
      CYCLES_GLOBAL,
      module.i64.add(
        module.global.get(CYCLES_GLOBAL, i64),
        module.i64.extend_u(
          module.i32.add(
            module.i32.const(base),
            module.i32.shr_u(
              module.i32.mul(arg(2), module.i32.const(perByte256)),
              module.i32.const(8),
            ),
          ),
        ),
      ),
    );
  const guard = (): Ref =>
    flashEnd > 0
      ? module.if(
          module.i32.and(
            module.i32.ne(arg(2), module.i32.const(0)),
            module.i32.lt_u(arg(0), module.i32.const(flashEnd)),
          ),
          module.call(FLASH_WRITE, [arg(0), module.i32.const(0)], none),
        )
      : module.nop();
  const params = binaryen.createType([i32, i32, i32]);
  module.addFunction(
    "tb_memcpy",
    params,
    none,
    [],
    module.block(null, [chargeBulk(), guard(), module.memory.copy(arg(0), arg(1), arg(2))], none),
  );
  module.addFunction(
    "tb_memfill",
    params,
    none,
    [],
    module.block(null, [chargeBulk(), guard(), module.memory.fill(arg(0), arg(1), arg(2))], none),
  );
}

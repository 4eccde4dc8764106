// What metered code and the host agree on: the meter's import module and functions, its
// exported globals, and the units and limits of its counters. The metering pass writes code
// to these names, the image verifier checks images against them, the runner binds them.

export const METER_MODULE = "tinyboard:meter";
/** Charges are kept in 1/16 cycles so that fractional costs add up instead of rounding per region. */
export const FRACTION_BITS = 4;
export const ONE = 1 << FRACTION_BITS;
/** The exported i64 count of whole cycles the code has run. */
export const CYCLES_GLOBAL = "tb_cycles";
/** The meter's host functions and their signatures (checked at load, like the HAL's). */
export const METER_IMPORTS: Record<
  string,
  { params: ("i32" | "i64")[]; results: ("i32" | "i64")[] }
> = Object.assign(Object.create(null), {
  tick: { params: [], results: [] },
  "flash-write": { params: ["i32", "i32"], results: [] },
  grow: { params: ["i32"], results: ["i32"] },
});
/** Loop-head cycles between visits to the host, by default (at least one per iteration). */
export const DEFAULT_CHECK_INTERVAL = 1 << 16;
/** The largest counter value (1/16 cycles) a loop's check may wait for: the default interval. */
export const METER_CHECK_LIMIT = DEFAULT_CHECK_INTERVAL << FRACTION_BITS;
/** The entry checks' count (1/16 cycles of entry charges since their last tick); not exported. */
export const ENTRY_CHECK_GLOBAL = "tb_entry_since_tick";
/** The stub allocator's bump pointer, exported so the host can read the heap's high-water mark. */
export const HEAP_TOP_EXPORT = "tb_heap_top";

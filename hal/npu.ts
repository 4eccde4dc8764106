// Neural processing unit (tinyboard:hal/npu).
@external("tinyboard:hal/npu@0.1.0", "capabilities") export declare function capabilities(): u32;
@external("tinyboard:hal/npu@0.1.0", "macs-per-cycle") export declare function macsPerCycle(): u32;
@external("tinyboard:hal/npu@0.1.0", "submit") declare function submitRaw(desc: u32): i32;
@external("tinyboard:hal/npu@0.1.0", "wait") export declare function wait(id: i32): i32;

export function submit(desc: usize): i32 {
  return submitRaw(<u32>desc);
}
@external("tinyboard:hal/npu@0.1.0", "compute-begin") export declare function computeBegin(id: i32): void;
@external("tinyboard:hal/npu@0.1.0", "compute-end") export declare function computeEnd(id: i32): void;

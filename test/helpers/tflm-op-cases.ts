// The single-op cases of the operators added for issue 18 (TFLM's common operators): int8
// and float32 where TFLM has a float kernel, several shapes, broadcasts and quantisations.
// ops-tflm.test.ts runs them against the TFLite reference; ops-fuzz.test.ts mutates them.
import { float32, int32, int8, q, type OpCase, type Quant, type TensorSpec } from "./op-compare.ts";

export type TflmCase = OpCase & { exact?: boolean };

export function tflmOpCases(): TflmCase[] {
  const I = "int8" as const,
    F = "float32" as const;
  type T = typeof I | typeof F;
  const t = (type: T, shape: number[], quant?: Quant): TensorSpec => ({
    type,
    shape,
    quant: type === I ? quant : undefined,
  });

  const CASES: TflmCase[] = [];
  const add = (c: TflmCase) => CASES.push(c);

  for (const type of [I, F]) {
    const qa = q(0.05, 4),
      qb = q(0.08, -9),
      qo = q(0.1, 3);
    // PADV2: a constant pad value (int8 in the output's quantisation; a float that is not a repeated byte).
    add({
      name: `${type} PADV2 hw with a pad value`,
      op: "PADV2",
      inputs: [t(type, [1, 3, 3, 2], qa)],
      consts: [
        int32([4, 2], [0, 0, 1, 2, 2, 0, 0, 0]),
        type === I ? int8([], [-100], qa) : float32([], [1.5]),
      ],
      outputs: [t(type, [1, 6, 5, 2], qa)],
      exact: true,
    });
    add({
      name: `${type} PADV2 rank 2 with zero`,
      op: "PADV2",
      inputs: [t(type, [3, 4], qa)],
      consts: [int32([2, 2], [1, 1, 0, 2]), type === I ? int8([1], [4], qa) : float32([1], [0])],
      outputs: [t(type, [5, 6], qa)],
      exact: true,
    });

    // SUB, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, PRELU: same shapes, broadcasts, constants.
    add({
      name: `${type} SUB same shape`,
      op: "SUB",
      inputs: [t(type, [1, 4, 4, 5], qa), t(type, [1, 4, 4, 5], qb)],
      outputs: [t(type, [1, 4, 4, 5], qo)],
    });
    add({
      name: `${type} SUB broadcast channels relu`,
      op: "SUB",
      inputs: [t(type, [1, 3, 4, 5], qa), t(type, [5], qb)],
      outputs: [t(type, [1, 3, 4, 5], q(0.05, -128))],
      options: { fused_activation_function: "RELU" },
    });
    add({
      name: `${type} SUB [2,1,3] - [1,4,1]`,
      op: "SUB",
      inputs: [t(type, [2, 1, 3], qa), t(type, [1, 4, 1], qb)],
      outputs: [t(type, [2, 4, 3], qo)],
    });
    for (const op of ["MAXIMUM", "MINIMUM"]) {
      add({
        name: `${type} ${op} same shape`,
        op,
        inputs: [t(type, [2, 3, 7], qa), t(type, [2, 3, 7], qa)],
        outputs: [t(type, [2, 3, 7], qa)],
        exact: true,
      });
      add({
        name: `${type} ${op} with a constant`,
        op,
        inputs: [t(type, [1, 5, 4], qa)],
        consts: [type === I ? int8([1], [7], qa) : float32([1], [0.25])],
        outputs: [t(type, [1, 5, 4], qa)],
        exact: true,
      });
      add({
        name: `${type} ${op} [3,1,4] vs [1,2,1]`,
        op,
        inputs: [t(type, [3, 1, 4], qa), t(type, [1, 2, 1], qa)],
        outputs: [t(type, [3, 2, 4], qa)],
        exact: true,
      });
    }
    add({
      name: `${type} SQUARED_DIFFERENCE same shape`,
      op: "SQUARED_DIFFERENCE",
      inputs: [t(type, [1, 6, 7], q(0.02, 3)), t(type, [1, 6, 7], q(0.03, -5))],
      outputs: [t(type, [1, 6, 7], q(0.05, -120))],
    });
    add({
      name: `${type} SQUARED_DIFFERENCE broadcast`,
      op: "SQUARED_DIFFERENCE",
      inputs: [t(type, [2, 3, 4], q(0.02, 3)), t(type, [1, 1, 4], q(0.01, 0))],
      outputs: [t(type, [2, 3, 4], q(0.02, -128))],
    });
    add({
      name: `${type} PRELU per-channel alpha`,
      op: "PRELU",
      inputs: [t(type, [1, 4, 4, 6], qa)],
      consts: [
        type === I
          ? int8([1, 1, 6], [20, -40, 100, 5, 127, -128], q(0.004, 0))
          : float32([1, 1, 6], [0.1, -0.2, 0.4, 0.02, 0.5, -0.5]),
      ],
      outputs: [t(type, [1, 4, 4, 6], q(0.04, -10))],
    });
    add({
      name: `${type} PRELU same-shape alpha`,
      op: "PRELU",
      inputs: [t(type, [2, 9], qa), t(type, [2, 9], q(0.01, 20))],
      outputs: [t(type, [2, 9], q(0.03, 5))],
    });

    // Activations.
    add({
      name: `${type} LEAKY_RELU alpha 0.2`,
      op: "LEAKY_RELU",
      inputs: [t(type, [1, 50], q(0.04, -5))],
      outputs: [t(type, [1, 50], q(0.03, 20))],
      options: { alpha: 0.2 },
    });
    add({
      name: `${type} LEAKY_RELU alpha 0.01 same quantisation`,
      op: "LEAKY_RELU",
      inputs: [t(type, [3, 17], q(0.05, 10))],
      outputs: [t(type, [3, 17], q(0.05, 10))],
      options: { alpha: 0.01 },
    });
    add({
      name: `${type} HARD_SWISH`,
      op: "HARD_SWISH",
      inputs: [t(type, [1, 64], q(0.05, 3))],
      outputs: [t(type, [1, 64], q(0.03, -110))],
      lim: 5,
    });
    add({
      name: `${type} HARD_SWISH wide`,
      op: "HARD_SWISH",
      inputs: [t(type, [2, 40], q(0.1, -20))],
      outputs: [t(type, [2, 40], q(0.06, -100))],
      lim: 8,
    });
    add({
      name: `${type} RELU_N1_TO_1`,
      op: "RELU_N1_TO_1",
      inputs: [t(type, [1, 60], q(0.02, 0))],
      outputs: [t(type, [1, 60], q(2 / 255, 0))],
    });
    add({
      name: `${type} RELU_N1_TO_1 same quantisation`,
      op: "RELU_N1_TO_1",
      inputs: [t(type, [4, 9], q(0.01, -3))],
      outputs: [t(type, [4, 9], q(0.01, -3))],
    });
    add({
      name: `${type} ABS rescaled`,
      op: "ABS",
      inputs: [t(type, [1, 60], q(0.05, 7))],
      outputs: [t(type, [1, 60], q(0.04, -128))],
    });
    add({
      name: `${type} ABS same scale`,
      op: "ABS",
      inputs: [t(type, [3, 20], q(0.05, -3))],
      outputs: [t(type, [3, 20], q(0.05, -128))],
    });

    // Shapes.
    add({
      name: `${type} EXPAND_DIMS axis 1`,
      op: "EXPAND_DIMS",
      inputs: [t(type, [2, 6], qa)],
      consts: [int32([1], [1])],
      outputs: [t(type, [2, 1, 6], qa)],
      exact: true,
    });
    add({
      name: `${type} SHAPE`,
      op: "SHAPE",
      inputs: [t(type, [2, 3, 5], qa)],
      outputs: [{ type: "int32", shape: [3] }],
      options: { out_type: "int32" },
      exact: true,
    });
    add({
      name: `${type} FILL`,
      op: "FILL",
      inputs: [t(type, [], qa)],
      consts: [{ ...int32([3], [2, 3, 4]), at: 0 }],
      outputs: [t(type, [2, 3, 4], qa)],
      exact: true,
    });

    // Comparisons and SELECT_V2.
    for (const op of ["LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL"]) {
      add({
        name: `${type} ${op} two quantisations`,
        op,
        inputs: [t(type, [2, 3, 8], q(0.05, 4)), t(type, [2, 3, 8], q(0.05, 4))],
        outputs: [{ type: "bool", shape: [2, 3, 8] }],
        exact: true,
      });
      add({
        name: `${type} ${op} broadcast`,
        op,
        inputs: [t(type, [2, 3, 8], q(0.05, 4)), t(type, [1, 3, 1], q(0.1, -2))],
        outputs: [{ type: "bool", shape: [2, 3, 8] }],
        exact: true,
      });
    }
    add({
      name: `${type} SELECT_V2 same shapes`,
      op: "SELECT_V2",
      inputs: [{ type: "bool", shape: [2, 3, 4] }, t(type, [2, 3, 4], qa), t(type, [2, 3, 4], qa)],
      outputs: [t(type, [2, 3, 4], qa)],
      exact: true,
    });
    add({
      name: `${type} SELECT_V2 broadcast`,
      op: "SELECT_V2",
      inputs: [{ type: "bool", shape: [1, 3, 1] }, t(type, [2, 3, 4], qa), t(type, [4], qa)],
      outputs: [t(type, [2, 3, 4], qa)],
      exact: true,
    });

    // Reductions.
    for (const op of ["ARG_MAX", "ARG_MIN"]) {
      add({
        name: `${type} ${op} last axis`,
        op,
        inputs: [t(type, [2, 3, 10], qa)],
        consts: [int32([1], [-1])],
        outputs: [{ type: "int32", shape: [2, 3] }],
        options: { output_type: "int32" },
        exact: true,
      });
      add({
        name: `${type} ${op} axis 1`,
        op,
        inputs: [t(type, [2, 7, 5], qa)],
        consts: [int32([1], [1])],
        outputs: [{ type: "int32", shape: [2, 5] }],
        options: { output_type: "int32" },
        exact: true,
      });
    }
    add({
      name: `${type} SUM axes 1,2 keep`,
      op: "SUM",
      inputs: [t(type, [1, 4, 5, 6], q(0.02, 3))],
      consts: [int32([2], [1, 2])],
      outputs: [t(type, [1, 1, 1, 6], q(0.3, -2))],
      options: { keep_dims: true },
    });
    add({
      name: `${type} SUM last axis`,
      op: "SUM",
      inputs: [t(type, [3, 8], q(0.02, -7))],
      consts: [int32([1], [-1])],
      outputs: [t(type, [3], q(0.1, 5))],
    });
    add({
      name: `${type} REDUCE_MAX axis 1`,
      op: "REDUCE_MAX",
      inputs: [t(type, [2, 5, 3], qa)],
      consts: [int32([1], [1])],
      outputs: [t(type, [2, 3], qa)],
      exact: true,
    });
    add({
      name: `${type} REDUCE_MAX all keep`,
      op: "REDUCE_MAX",
      inputs: [t(type, [2, 5, 3], qa)],
      consts: [int32([3], [0, 1, 2])],
      outputs: [t(type, [1, 1, 1], qa)],
      options: { keep_dims: true },
      exact: true,
    });

    // Data movement.
    add({
      name: `${type} TRANSPOSE NHWC to NCHW`,
      op: "TRANSPOSE",
      inputs: [t(type, [1, 3, 4, 5], qa)],
      consts: [int32([4], [0, 3, 1, 2])],
      outputs: [t(type, [1, 5, 3, 4], qa)],
      exact: true,
    });
    add({
      name: `${type} TRANSPOSE 2-D`,
      op: "TRANSPOSE",
      inputs: [t(type, [7, 3], qa)],
      consts: [int32([2], [1, 0])],
      outputs: [t(type, [3, 7], qa)],
      exact: true,
    });
    add({
      name: `${type} TRANSPOSE 5-D`,
      op: "TRANSPOSE",
      inputs: [t(type, [2, 3, 2, 4, 2], qa)],
      consts: [int32([5], [4, 2, 0, 3, 1])],
      outputs: [t(type, [2, 2, 2, 4, 3], qa)],
      exact: true,
    });
    add({
      name: `${type} SLICE`,
      op: "SLICE",
      inputs: [t(type, [3, 5, 6], qa)],
      consts: [int32([3], [1, 0, 2]), int32([3], [2, -1, 3])],
      outputs: [t(type, [2, 5, 3], qa)],
      exact: true,
    });
    add({
      name: `${type} STRIDED_SLICE strides and masks`,
      op: "STRIDED_SLICE",
      inputs: [t(type, [1, 8, 9, 4], qa)],
      consts: [int32([4], [0, 1, 0, 1]), int32([4], [1, 7, 9, 3]), int32([4], [1, 2, 3, 1])],
      outputs: [t(type, [1, 3, 3, 2], qa)],
      options: { begin_mask: 4, end_mask: 1 },
      exact: true,
    });
    add({
      name: `${type} STRIDED_SLICE negative stride and shrink`,
      op: "STRIDED_SLICE",
      inputs: [t(type, [4, 6, 3], qa)],
      consts: [int32([3], [2, -1, 0]), int32([3], [3, 0, 3]), int32([3], [1, -2, 1])],
      outputs: [t(type, [3, 3], qa)],
      options: { shrink_axis_mask: 1 },
      exact: true,
    });
    add({
      name: `${type} STRIDED_SLICE last column`,
      op: "STRIDED_SLICE",
      inputs: [t(type, [5, 7], qa)],
      consts: [int32([2], [0, -1]), int32([2], [0, 0]), int32([2], [1, 1])],
      outputs: [t(type, [5], qa)],
      options: { begin_mask: 1, end_mask: 1, shrink_axis_mask: 2 },
      exact: true,
    });
    add({
      name: `${type} SPLIT channels in 3`,
      op: "SPLIT",
      inputs: [t(type, [1, 2, 3, 9], qa)],
      consts: [int32([], [3])].map((k) => ({ ...k, at: 0 })),
      outputs: [0, 1, 2].map(() => t(type, [1, 2, 3, 3], qa)),
      options: { num_splits: 3 },
      exact: true,
    });
    add({
      name: `${type} SPLIT axis 0 in 2`,
      op: "SPLIT",
      inputs: [t(type, [4, 5], qa)],
      consts: [{ ...int32([1], [0]), at: 0 }],
      outputs: [0, 1].map(() => t(type, [2, 5], qa)),
      options: { num_splits: 2 },
      exact: true,
    });
    add({
      name: `${type} SPLIT_V with -1`,
      op: "SPLIT_V",
      inputs: [t(type, [2, 10, 3], qa)],
      consts: [int32([3], [3, -1, 2]), int32([], [1])],
      outputs: [t(type, [2, 3, 3], qa), t(type, [2, 5, 3], qa), t(type, [2, 2, 3], qa)],
      options: { num_splits: 3 },
      exact: true,
    });
    add({
      name: `${type} PACK axis 1`,
      op: "PACK",
      inputs: [0, 1, 2].map(() => t(type, [2, 4], qa)),
      outputs: [t(type, [2, 3, 4], qa)],
      options: { values_count: 3, axis: 1 },
      exact: true,
    });
    add({
      name: `${type} PACK axis -1`,
      op: "PACK",
      inputs: [0, 1].map(() => t(type, [3, 2], qa)),
      outputs: [t(type, [3, 2, 2], qa)],
      options: { values_count: 2, axis: -1 },
      exact: true,
    });
    add({
      name: `${type} UNPACK axis 0`,
      op: "UNPACK",
      inputs: [t(type, [3, 4, 2], qa)],
      outputs: [0, 1, 2].map(() => t(type, [4, 2], qa)),
      options: { num: 3, axis: 0 },
      exact: true,
    });
    add({
      name: `${type} UNPACK axis 2`,
      op: "UNPACK",
      inputs: [t(type, [3, 4, 2], qa)],
      outputs: [0, 1].map(() => t(type, [3, 4], qa)),
      options: { num: 2, axis: 2 },
      exact: true,
    });
    add({
      name: `${type} GATHER axis 0`,
      op: "GATHER",
      inputs: [t(type, [6, 5], qa)],
      consts: [int32([4], [5, 0, 2, 2])],
      outputs: [t(type, [4, 5], qa)],
      options: { axis: 0 },
      exact: true,
    });
    add({
      name: `${type} GATHER axis 1 2-D indices`,
      op: "GATHER",
      inputs: [t(type, [2, 6, 3], qa)],
      consts: [int32([2, 2], [1, 5, 0, 3])],
      outputs: [t(type, [2, 2, 2, 3], qa)],
      options: { axis: 1 },
      exact: true,
    });
    add({
      name: `${type} SPACE_TO_DEPTH 2`,
      op: "SPACE_TO_DEPTH",
      inputs: [t(type, [1, 4, 6, 3], qa)],
      outputs: [t(type, [1, 2, 3, 12], qa)],
      options: { block_size: 2 },
      exact: true,
    });
    add({
      name: `${type} DEPTH_TO_SPACE 2`,
      op: "DEPTH_TO_SPACE",
      inputs: [t(type, [1, 2, 3, 8], qa)],
      outputs: [t(type, [1, 4, 6, 2], qa)],
      options: { block_size: 2 },
      exact: true,
    });
    for (const [tag, options] of [
      ["", {}],
      [" align_corners", { align_corners: true }],
      [" half_pixel_centers", { half_pixel_centers: true }],
    ] as const) {
      add({
        name: `${type} RESIZE_NEAREST_NEIGHBOR 3x4 to 7x9${tag}`,
        op: "RESIZE_NEAREST_NEIGHBOR",
        inputs: [t(type, [1, 3, 4, 3], qa)],
        consts: [int32([2], [7, 9])],
        outputs: [t(type, [1, 7, 9, 3], qa)],
        options,
        exact: true,
      });
      add({
        name: `${type} RESIZE_BILINEAR 3x4 to 6x10${tag}`,
        op: "RESIZE_BILINEAR",
        inputs: [t(type, [1, 3, 4, 3], qa)],
        consts: [int32([2], [6, 10])],
        outputs: [t(type, [1, 6, 10, 3], qa)],
        options,
      });
    }
    add({
      name: `${type} RESIZE_BILINEAR 8x8 to 4x4 half_pixel_centers`,
      op: "RESIZE_BILINEAR",
      inputs: [t(type, [1, 8, 8, 2], qa)],
      consts: [int32([2], [4, 4])],
      outputs: [t(type, [1, 4, 4, 2], qa)],
      options: { half_pixel_centers: true },
    });
  }
  // Math, DIV, L2_NORMALIZATION, BATCH_MATMUL (TFLite's reference has no int8 DIV: ops-math.test.ts).
  add({
    name: "int8 RSQRT",
    op: "RSQRT",
    inputs: [t(I, [1, 64], q(0.05, -128))],
    outputs: [t(I, [1, 64], q(0.02, -128))],
  });
  add({
    name: "int8 RSQRT fine input, wide output",
    op: "RSQRT",
    inputs: [t(I, [4, 20], q(0.01, -128))],
    outputs: [t(I, [4, 20], q(0.05, -100))],
  });
  for (const op of ["RSQRT", "SQRT", "EXP", "LOG"])
    add({ name: `float32 ${op}`, op, inputs: [t(F, [3, 21])], outputs: [t(F, [3, 21])] });
  for (const type of [I, F]) {
    const qa = q(0.05, 4),
      qo = q(0.1, 3);
    if (type === F) {
      add({
        name: "float32 DIV same shape",
        op: "DIV",
        inputs: [t(F, [2, 3, 7]), t(F, [2, 3, 7])],
        outputs: [t(F, [2, 3, 7])],
      });
      add({
        name: "float32 DIV broadcast relu6",
        op: "DIV",
        inputs: [t(F, [2, 3, 4]), t(F, [1, 3, 1])],
        outputs: [t(F, [2, 3, 4])],
        options: { fused_activation_function: "RELU6" },
      });
    }
    add({
      name: `${type} L2_NORMALIZATION rows of 16`,
      op: "L2_NORMALIZATION",
      inputs: [t(type, [2, 3, 16], q(0.05, 3))],
      outputs: [t(type, [2, 3, 16], q(1 / 128, 0))],
    });
    add({
      name: `${type} L2_NORMALIZATION one row of 40`,
      op: "L2_NORMALIZATION",
      inputs: [t(type, [1, 40], q(0.02, -20))],
      outputs: [t(type, [1, 40], q(1 / 128, 0))],
    });
    add({
      name: `${type} BATCH_MATMUL [2,3,4] x [2,4,5]`,
      op: "BATCH_MATMUL",
      inputs: [t(type, [2, 3, 4], qa), t(type, [2, 4, 5], q(0.04, -3))],
      outputs: [t(type, [2, 3, 5], q(0.15, 2))],
    });
    add({
      name: `${type} BATCH_MATMUL adj_y, broadcast lhs`,
      op: "BATCH_MATMUL",
      inputs: [t(type, [3, 6], qa), t(type, [2, 5, 6], q(0.04, 0))],
      outputs: [t(type, [2, 3, 5], q(0.2, -5))],
      options: { adj_y: true },
    });
    add({
      name: `${type} BATCH_MATMUL adj_x, constant rhs`,
      op: "BATCH_MATMUL",
      inputs: [t(type, [1, 2, 8, 3], qa)],
      consts: [
        type === I
          ? int8(
              [8, 6],
              Array.from({ length: 48 }, (_, i) => ((i * 37) % 255) - 127),
              q(0.01, 0),
            )
          : float32(
              [8, 6],
              Array.from({ length: 48 }, (_, i) => Math.sin(i)),
            ),
      ],
      outputs: [t(type, [1, 2, 3, 6], qo)],
      options: { adj_x: true },
    });
  }

  // TRANSPOSE_CONV: inputs output_shape, filter [out_c, kh, kw, in_c], input, bias (optional).
  const filterValues = (n: number) =>
    Array.from({ length: n }, (_, i) => ((i * 53 + 11) % 251) - 125);
  const perChannel = (scales: number[]): Quant => ({
    scale: scales.map(Math.fround),
    zeroPoint: scales.map(() => 0),
    quantizedDimension: 0,
  });
  for (const type of [I, F]) {
    const fw = (shape: number[], quant: Quant) =>
      type === I
        ? int8(shape, filterValues(shape.reduce((a, b) => a * b, 1)), quant)
        : float32(
            shape,
            filterValues(shape.reduce((a, b) => a * b, 1)).map((v) => v / 200),
          );
    add({
      name: `${type} TRANSPOSE_CONV 3x3 stride 2 SAME per-channel with bias`,
      op: "TRANSPOSE_CONV",
      inputs: [t(type, [1, 4, 4, 3], q(0.05, 4))],
      consts: [
        { ...int32([4], [1, 8, 8, 5]), at: 0 },
        { ...fw([5, 3, 3, 3], perChannel([0.004, 0.006, 0.003, 0.008, 0.005])), at: 1 },
        type === I
          ? int32([5], [100, -250, 0, 37, 900])
          : float32([5], [0.1, -0.25, 0, 0.037, 0.9]),
      ],
      outputs: [t(type, [1, 8, 8, 5], q(0.06, -2))],
      options: { padding: "SAME", stride_w: 2, stride_h: 2 },
    });
    // The reference's TFLite predates TransposeConvOptions.fused_activation_function and
    // ignores it; int8 RELU at zero point -128 clamps nothing, so only int8 carries it.
    add({
      name: `${type} TRANSPOSE_CONV 2x2 stride 2 VALID${type === I ? " relu" : ""}`,
      op: "TRANSPOSE_CONV",
      inputs: [t(type, [1, 3, 5, 4], q(0.04, -10))],
      consts: [
        { ...int32([4], [1, 6, 10, 2]), at: 0 },
        { ...fw([2, 2, 2, 4], q(0.01, 0)), at: 1 },
      ],
      outputs: [t(type, [1, 6, 10, 2], q(0.05, -128))],
      options: {
        padding: "VALID",
        stride_w: 2,
        stride_h: 2,
        fused_activation_function: type === I ? "RELU" : "NONE",
      },
    });
    add({
      name: `${type} TRANSPOSE_CONV 3x3 stride 1 SAME`,
      op: "TRANSPOSE_CONV",
      inputs: [t(type, [2, 5, 4, 2], q(0.05, 0))],
      consts: [
        { ...int32([4], [2, 5, 4, 3]), at: 0 },
        { ...fw([3, 3, 3, 2], perChannel([0.01, 0.02, 0.005])), at: 1 },
      ],
      outputs: [t(type, [2, 5, 4, 3], q(0.05, 7))],
      options: { padding: "SAME" },
    });
  }

  add({
    name: "float32 LOG_SOFTMAX rows of 10",
    op: "LOG_SOFTMAX",
    inputs: [t(F, [3, 10])],
    outputs: [t(F, [3, 10])],
    lim: 8,
  });
  add({
    name: "float32 LOG_SOFTMAX [1,2,2,33]",
    op: "LOG_SOFTMAX",
    inputs: [t(F, [1, 2, 2, 33])],
    outputs: [t(F, [1, 2, 2, 33])],
  });
  add({
    name: "int8 LOG_SOFTMAX rows of 40",
    op: "LOG_SOFTMAX",
    inputs: [t(I, [2, 40], q(0.12, -3))],
    outputs: [t(I, [2, 40], q(16 / 256, 127))],
  });

  // Float-only ops (TFLM has no int8 kernel for them).
  add({
    name: "float32 NEG",
    op: "NEG",
    inputs: [t(F, [3, 11])],
    outputs: [t(F, [3, 11])],
    exact: true,
  });
  add({
    name: "float32 ZEROS_LIKE",
    op: "ZEROS_LIKE",
    inputs: [t(F, [2, 5])],
    outputs: [t(F, [2, 5])],
    exact: true,
  });

  return CASES;
}

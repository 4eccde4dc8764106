// Issue 12.2/12.3: a crafted .tbi is untrusted input. Each attack builds its image in the test
// from a real build (no committed binaries) and expects a one-line refusal, never a run.
import test from "ava";
import path from "node:path";
import binaryen from "../../emulator/toolchain/binaryen.ts";
import {
  decodeImage,
  encodeImage,
  writeImage,
  type Image,
} from "../../emulator/toolchain/image.ts";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { parseHalWit } from "../../emulator/toolchain/hal-contract.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import {
  admitUnmeteredBenchmark,
  loadImageChecker,
} from "../../emulator/toolchain/verify-image.ts";
import { ROOT, built, cli, tempDir } from "./helpers.ts";

const B = binaryen as any;
// The crafted images are checked in this process, with the binaryen it crafts them with (not in
// a checker thread that loads its own: verify-sync.ts).
test.before(loadImageChecker);
const rt1060 = loadTarget("rt1060");
const refuse = (t: any, image: Image, message: RegExp) => {
  const e = t.throws(() => new Machine({ target: rt1060, image }));
  t.is(e?.name, "UserError");
  t.regex(e?.message ?? "", message);
  t.false((e?.message ?? "").includes("\n"));
};

/** The image's code with `edit` applied through binaryen (not re-metered). */
function editCode(image: Image, edit: (m: any) => void): Image {
  const m = B.readBinaryWithFeatures(image.wasm, B.Features.All);
  edit(m);
  const wasm = m.emitBinary();
  m.dispose();
  return { ...image, wasm };
}

test("an import outside hal.wit (constructor, Object.defineProperty) is refused naming it", async (t) => {
  const { image } = await built("test/fixtures/apps/wait-forever");
  for (const [mod, name] of [
    ["tinyboard:hal/clock@0.1.0", "constructor"],
    ["tinyboard:hal/clock@0.1.0", "__proto__"],
    ["Object", "defineProperty"],
    ["tinyboard:meter", "toString"],
  ]) {
    const crafted = editCode(image, (m) => {
      m.addFunctionImport("evil", mod, name, B.none, B.none);
      m.addFunctionExport("evil", "evil_export_is_not_needed");
      m.removeExport("evil_export_is_not_needed");
    });
    refuse(
      t,
      crafted,
      new RegExp(
        `imports '${name.replace(/[_$]/g, "\\$&")}' from '${mod}', which hal/hal.wit does not declare`,
      ),
    );
  }
});

test("a HAL import with the wrong signature, a missing main and an extra export are refused", async (t) => {
  const { image } = await built("test/fixtures/apps/wait-forever");
  refuse(
    t,
    editCode(image, (m) =>
      m.addFunctionImport("bad", "tinyboard:hal/clock@0.1.0", "now-us", B.none, B.i32),
    ),
    /imports tinyboard:hal\/clock@0\.1\.0\.now-us as \(\) -> \(i32\), hal\/hal\.wit declares \(\) -> \(i64\)/,
  );
  refuse(
    t,
    editCode(image, (m) => m.removeExport("main")),
    /does not export 'main'/,
  );
  refuse(
    t,
    editCode(image, (m) =>
      m.addFunctionExport(B.getExportInfo(m.getExport("main")).value, "main2"),
    ),
    /exports 'main2'/,
  );
});

test("a debug-lines import other than statement(i32, scalar locals) is refused", async (t) => {
  const { image } = await built("test/fixtures/apps/wait-forever");
  const withImport = (name: string, params: number[], result: number) =>
    editCode(image, (m) =>
      m.addFunctionImport("dbg", "tinyboard:debug", name, B.createType(params), result),
    );
  const message = /imports only statement as \(i32, locals of i32\/i64\/f32\/f64\) -> \(\)/;
  refuse(t, withImport("constructor", [B.i32], B.none), message);
  refuse(t, withImport("statement", [B.i32], B.i32), message);
  refuse(t, withImport("statement", [B.i64], B.none), message);
  refuse(t, withImport("statement", [B.i32, B.v128], B.none), message);
  const ok = withImport("statement", [B.i32, B.i64, B.f32, B.f64, B.i32], B.none);
  t.notThrows(() => new Machine({ target: rt1060, image: ok }));
});

test("unmetered code (no tick, a loop that never reaches the host) is refused", async (t) => {
  const { image } = await built("test/fixtures/apps/spin");
  // A loop that spins without the meter's check, added to the real image.
  const crafted = editCode(image, (m) => {
    m.addFunction("spin_forever", B.none, B.none, [], m.loop("L", m.br("L")));
  });
  refuse(
    t,
    crafted,
    /a loop \(\w+\) never reaches the host \(no meter check, no tick, and no proven trip count: [^)]+\): the code was not metered in function \w+$/,
  );
  // The meter's time counter set backwards.
  const rewind = editCode(image, (m) => {
    m.addFunction("rewind", B.none, B.none, [], m.global.set("tb_cycles", m.i64.const(0n)));
  });
  refuse(t, rewind, /sets tb_cycles other than by adding/);
  // binaryen writes a small charge as `tb_cycles - (-64)` (shorter LEB): that adds and is
  // accepted; subtracting a positive count goes backwards and is refused.
  const charge = (k: bigint) =>
    editCode(image, (m) => {
      m.addFunction(
        "charge",
        B.none,
        B.none,
        [],
        m.global.set("tb_cycles", m.i64.sub(m.global.get("tb_cycles", B.i64), m.i64.const(k))),
      );
    });
  t.notThrows(() => new Machine({ target: rt1060, image: charge(-64n) }));
  refuse(t, charge(64n), /sets tb_cycles other than by adding/);
});

test("a main that does nothing runs (its code needs no tick, so the import is gone); a loop added to it is refused", async (t) => {
  const { image } = await built("test/fixtures/apps/empty-main");
  const m = B.readBinaryWithFeatures(image.wasm, B.Features.All);
  const imports = Array.from({ length: m.getNumFunctions() }, (_, i) =>
    B.getFunctionInfo(m.getFunctionByIndex(i)),
  ).filter((f: any) => f.module === "tinyboard:meter");
  m.dispose();
  t.false(
    imports.some((f: any) => f.base === "tick"),
    "the case under test: no tick import",
  );
  const summary = await new Machine({ target: rt1060, image }).run({ seconds: 0.01 });
  t.is(summary.reason, "returned");
  t.is(summary.fault, null);
  const crafted = editCode(image, (mod) => {
    mod.addFunction("spin_forever", B.none, B.none, [], mod.loop("L", mod.br("L")));
  });
  refuse(
    t,
    crafted,
    /a loop \(\w+\) never reaches the host .*: the code was not metered in function \S+$/,
  );
});

test("an unmetered build runs only when admitted in-process (the metering benchmark); the CLI refuses it", async (t) => {
  const { image } = await buildApp(path.join(ROOT, "test/fixtures/apps/wait-forever"), rt1060, {
    unmetered: true,
  });
  const notMetered =
    /is refused: its code is not metered \(no tb_cycles counter or tinyboard:meter\.tick\)/;
  refuse(t, image, notMetered);
  // A copy of the same bytes (as a file or manifest would give) is not the admitted build.
  const copy = { ...image, wasm: new Uint8Array(image.wasm) };
  admitUnmeteredBenchmark(image.wasm);
  const summary = await new Machine({ target: rt1060, image }).run({ seconds: 0.01 });
  t.is(summary.reason, "time-limit");
  t.is(summary.fault, null);
  refuse(t, copy, notMetered);
  const dir = tempDir();
  const file = path.join(dir, "unmetered.tbi");
  writeImage(file, image);
  const r = await cli(["run", file, "--board", "rt1060", "--state", path.join(dir, "s"), "-q"]);
  t.is(r.status, 1, r.stderr);
  t.regex(
    r.stderr,
    /^tinyboard: error: image wait-forever is refused: its code is not metered[^\n]*\n$/,
  );
});

test("the image's manifest is CRC-checked and validated; its layout must be the board's", async (t) => {
  const { image } = await built("test/fixtures/apps/wait-forever");
  // Header edited in place (same length): the whole-image CRC catches it.
  const bytes = encodeImage(image);
  const text = bytes.toString("latin1");
  const at = text.indexOf('"seconds":');
  const edited = Buffer.from(bytes);
  edited.write('"seconds":9', at, "latin1");
  t.throws(() => decodeImage(edited, "x.tbi"), { message: /whole-image CRC mismatch/ });
  // Re-encoded with a valid CRC but impossible values: the schema refuses them.
  for (const [patch, why] of [
    [{ layout: { ...image.manifest.layout, flashWindow: -5 } }, /flashWindow must be >= 65536/],
    [{ layout: { ...image.manifest.layout, stackBytes: -1e12 } }, /stackBytes must be >= 0/],
    [{ layout: undefined }, /must have required property 'layout'/],
    [{ defaults: { inputs: {}, seconds: 1e15 } }, /seconds must be <= 3600/],
  ] as const) {
    const crafted = { ...image, manifest: { ...image.manifest, ...patch } } as Image;
    t.throws(() => decodeImage(encodeImage(crafted), "y.tbi"), { message: why });
  }
  // Valid shape, wrong board facts: 2 GB of SRAM on an rt1060.
  const big = {
    ...image,
    manifest: { ...image.manifest, layout: { ...image.manifest.layout, sramBytes: 2 ** 31 } },
  };
  refuse(t, decodeImage(encodeImage(big)), /has 2147483648 B of SRAM, rt1060\/cm7 has 1048576 B/);
});

test("a default input outside the project (/etc/passwd, ../) is refused; the CLI says so in one line", async (t) => {
  const { image } = await built("apps/sensor-logger");
  const dir = tempDir();
  for (const spec of ["/etc/passwd", "../../../../etc/passwd", "apps/../../etc/passwd,loop"]) {
    const file = path.join(dir, "evil.tbi");
    writeImage(file, {
      ...image,
      manifest: {
        ...image.manifest,
        defaults: { ...image.manifest.defaults, inputs: { accel: spec } },
      },
    });
    const r = await cli([
      "run",
      file,
      "--board",
      "rt1060",
      "--state",
      path.join(dir, "s"),
      "--seconds",
      "0.01",
      "-q",
    ]);
    t.is(r.status, 1, r.stderr);
    t.regex(
      r.stderr,
      /^tinyboard: error: [^\n]*default input 'accel' [^\n]*must be a relative path inside the project[^\n]*\n$/,
    );
  }
});

test("hal.wit is read at run time: a new interface and changed signatures reach the check", (t) => {
  const c = parseHalWit(`package tinyboard:hal@0.2.0;
interface mic { configure: func(rate: u32, bits: u8) -> s32; read: func(ptr: u32, n: u32) -> u64; }
world firmware { import mic; export main: func(); }`);
  t.deepEqual([...c.imports.keys()], ["tinyboard:hal/mic@0.2.0"]);
  t.deepEqual(c.imports.get("tinyboard:hal/mic@0.2.0")!.get("read"), {
    params: ["i32", "i32"],
    results: ["i64"],
  });
  t.throws(
    () =>
      parseHalWit(`package a:b; interface x { f: func(s: string); } world firmware { import x; }`),
    { message: /cannot check/ },
  );
});

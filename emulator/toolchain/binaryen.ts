// binaryen for code that loads images (verify-image.ts) and for tests: imported natively
// (native-import.ts), since every process that loads an image needs it. It is asc's own copy
// (binaryen-package.ts): a process that compiles and verifies instantiates it once, not twice.
import { importWasmTool } from "./native-import.ts";
import { BINARYEN_URL } from "./binaryen-package.ts";

const binaryen = (await importWasmTool(BINARYEN_URL)).default;
export default binaryen;

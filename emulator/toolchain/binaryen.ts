// binaryen for code that loads images (verify-image.ts) and for tests: imported natively
// (native-import.ts), since every process that loads an image needs it.
import { importWasmTool } from "./native-import.ts";

const binaryen = (await importWasmTool("binaryen")).default;
export default binaryen;

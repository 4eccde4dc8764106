// Where the project's own files are (apps, boards, hal), wherever the CLI is run from.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL("..", import.meta.url)));

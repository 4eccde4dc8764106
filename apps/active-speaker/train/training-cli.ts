// The command line of a small training script (train:face-detector, train:face-refiner):
// --smoke (one epoch, fewer rooms), --epochs N, --out DIR; a bad value or a failed run is one
// line and a non-zero exit.
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";

export interface TrainingRun {
  smoke: boolean;
  epochs: number;
  outDir: string;
  log: (s: string) => void;
}

export function runTrainingCli(
  name: string,
  defaultEpochs: number,
  modelDir: string,
  train: (o: TrainingRun) => Promise<unknown>,
): void {
  const { values } = parseScriptArgs(name, {
    options: {
      smoke: { type: "boolean", default: false },
      epochs: { type: "string" },
      out: { type: "string" },
    },
  });
  const smoke = values.smoke!;
  const epochs = values.epochs ? Number(values.epochs) : smoke ? 1 : defaultEpochs;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 200) {
    console.error(`${name}: --epochs must be a whole number 1-200 (got ${values.epochs})`);
    process.exit(2);
  }
  const t0 = Date.now();
  train({ smoke, epochs, outDir: values.out ?? modelDir, log: (s) => console.log(s) })
    .then(() => console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`))
    .catch((e) => {
      console.error(`${name}: ${(e as Error).message}`);
      process.exit(1);
    });
}

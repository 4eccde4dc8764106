// A scenario worker thread: plays the jobs the runner sends it, one at a time, and posts each
// result back. A user error (an input file that cannot be read) comes back as the job's error.
import { parentPort } from "node:worker_threads";
import { loadTarget } from "../board.ts";
import { decodeImage, type Image } from "../toolchain/image.ts";
import { playScenario } from "./player.ts";
import type { Job, JobReply } from "./job.ts";

const images = new Map<string, Image>();

parentPort!.on("message", async (job: Job) => {
  let reply: JobReply;
  try {
    let image = images.get(job.imageKey);
    if (!image) images.set(job.imageKey, (image = decodeImage(job.image!)));
    const target = loadTarget(job.board, image.manifest.core);
    reply = { id: job.id, result: await playScenario(job.scenario, image, target, job.options) };
  } catch (e) {
    const err = e as Error;
    const known = err?.name === "UserError" || err?.name === "InputError";
    reply = { id: job.id, error: known ? err.message : `internal error: ${err?.stack ?? err}` };
  }
  parentPort!.postMessage(reply);
});

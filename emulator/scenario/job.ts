// What the runner sends a scenario worker and what comes back.
import type { Scenario } from "./schema.ts";
import type { PlayOptions, ScenarioResult } from "./player.ts";

export interface Job {
  id: number;
  scenario: Scenario;
  board: string;
  /** Images are sent once per worker: later jobs name the one they need. */
  imageKey: string;
  image?: Uint8Array;
  options: PlayOptions;
}

export type JobReply = { id: number; result: ScenarioResult } | { id: number; error: string };

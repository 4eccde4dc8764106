// The REPL's tab completion: command names, sub-commands, and every op name the model reader knows.
import test from "ava";
import { completeCommand } from "../../emulator/debug/command-table.ts";

test("commands and sub-commands complete from their prefixes", (t) => {
  t.true(completeCommand("br")[0].includes("break"));
  t.deepEqual(completeCommand("info lo")[0], ["locals"]);
});

test("break op completes any builtin op, not a short list", (t) => {
  const [names, word] = completeCommand("break op unidir");
  t.is(word, "unidir");
  t.deepEqual(names, ["UNIDIRECTIONAL_SEQUENCE_LSTM", "UNIDIRECTIONAL_SEQUENCE_RNN"]);
  t.true(completeCommand("break op MUL")[0].includes("MUL"));
  t.false(completeCommand("break op B")[0].some((n) => n.startsWith("BUILTIN_")));
});

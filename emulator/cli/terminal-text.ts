// Firmware console text is untrusted: on a terminal, an escape sequence from the firmware
// could retitle the window, clear the screen or rewrite earlier lines. Control characters
// other than newline and tab are shown as visible escapes instead (the raw bytes stay in
// --json output, the event stream and trace files).

// C0 controls but tab and newline, DEL, and the C1 controls (U+009B is a one-character CSI).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** The text with every control character but \n and \t written as \xNN. */
export function escapeControls(text: string): string {
  // A \r that ends a line (CRLF from the firmware) is harmless: keep it as the line end.
  return text
    .replace(/\r\n/g, "\n")
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** What to print of firmware text on this stream: escaped on a terminal, raw when piped. */
export function forTerminal(text: string, stream: { isTTY?: boolean } = process.stdout): string {
  return stream.isTTY ? escapeControls(text) : text;
}

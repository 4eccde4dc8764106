export async function dapCommand(): Promise<void> {}

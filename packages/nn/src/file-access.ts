/*
 * Writing files is Node's business: @convlab/nn's Node entry plugs in its atomic writer here, so
 * that `model.save(path)` and `fit({ checkpointPath })` work in Node while the rest of the package
 * bundles for browsers, where they say what to use instead.
 */

/** Writes `bytes` to `path` whole or not at all. */
export type FileWriter = (path: string, bytes: Uint8Array) => void;

let writer: FileWriter | undefined;

/** Called by the Node entry. */
export function provideFileWriter(write: FileWriter): void {
  writer = write;
}

/** The file writer; `who` and `instead` name the caller and the in-memory alternative in the error. */
export function fileWriter(who: string, instead: string): FileWriter {
  if (!writer) throw new Error(`${who}: writing files needs Node (@convlab/nn loaded by Node, or @convlab/nn/node); here use ${instead}`);
  return writer;
}

/** Where photos and generated files are kept (a local folder by default). */
export interface FileStorage {
  /** Stores bytes under a relative path and returns the path to record in the database. */
  put(relativePath: string, data: Buffer): Promise<string>;
  get(storedPath: string): Promise<Buffer>;
  remove(storedPath: string): Promise<void>;
}

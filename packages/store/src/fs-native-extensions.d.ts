// The part of fs-native-extensions (which ships no types) that the writer lock uses.
declare module "fs-native-extensions" {
  /** Takes a lock on the open file without waiting: true when granted, false when another holder has it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  /** Releases a lock taken on `fd`. */
  export function unlock(fd: number): void;
}

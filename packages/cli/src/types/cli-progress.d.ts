// The part of cli-progress 3.12 the CLI uses (the package ships no types; @types/cli-progress
// is not a dependency).
declare module "cli-progress" {
  interface Options {
    format?: string;
    stream?: NodeJS.WritableStream | { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
    fps?: number;
    barsize?: number;
    barCompleteChar?: string;
    barIncompleteChar?: string;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    stopOnComplete?: boolean;
    linewrap?: boolean;
    gracefulExit?: boolean;
    noTTYOutput?: boolean;
    formatValue?: (value: number, options: unknown, type: string) => string;
  }
  class SingleBar {
    constructor(options: Options, preset?: object);
    start(total: number, startValue: number, payload?: Record<string, unknown>): void;
    update(current: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
    stop(): void;
  }
  const cliProgress: {
    SingleBar: typeof SingleBar;
    Presets: { shades_classic: object; shades_grey: object; rect: object; legacy: object };
  };
  export default cliProgress;
}

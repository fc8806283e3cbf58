// The polling pump shared by the outbox worker and the inbox: claim work while there is room,
// then sleep until kicked (a commit that made work) or until the poll interval runs out (retries
// coming due, work another instance took in). One loop per owner; stop() waits for it.

export interface PumpOptions {
  /** claims and launches work; returns how many units were launched (0 = nothing due now) */
  step(): Promise<number>;
  /** whether another claim could take anything (free lanes) */
  hasRoom(): boolean;
  /** sleep between polls when nothing is due; a kick wakes it early */
  pollMs: number;
  onError(error: unknown): void;
}

export class Pump {
  private loop: Promise<void> | undefined;
  private stopping = false;
  private signal: (() => void) | undefined;
  private signalled = false;

  constructor(private readonly o: PumpOptions) {}

  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Look for work now. */
  kick(): void {
    this.signalled = true;
    this.signal?.();
  }

  /** Ends the loop after the step in progress. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.kick();
    await this.loop;
    this.loop = undefined;
    this.stopping = false;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.signalled = false;
      let launched = 0;
      if (this.o.hasRoom()) {
        try {
          launched = await this.o.step();
        } catch (error) {
          this.o.onError(error);
        }
      }
      if (this.stopping) break;
      if ((launched > 0 && this.o.hasRoom()) || this.signalled) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.pollMs);
        this.signal = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.signal = undefined;
    }
  }
}
